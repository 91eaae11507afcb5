"""A variational autoencoder (Kingma & Welling 2014) built from the DCGAN blocks, for the course's "VAE vs GAN".

The factory keeps the registry's ``(G, second network)`` shape so the engine, the loader and the explorer
treat the decoder as any generator:

- G, the decoder p(x | z): DCGAN's generator, z [B, latent_dim] -> images [B, C, H, W] in -1..1;
- the encoder q(z | x): DCGAN's discriminator stack, images -> (mu, logvar), each [B, latent_dim].
  It is not a discriminator: it returns no scores.

The ``vae`` task (:mod:`gan_backend.tasks.vae`) trains both on the negative ELBO. Sizes are DCGAN's.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.dcgan import DCGAN_SIZES, DCGANGenerator, dcgan_features
from gan_backend.models.layers import check_image_spec, dcgan_init_


class VAEEncoder(nn.Module):
    """Images [B, C, H, W] in -1..1 -> (mu, logvar) of q(z | x), each float [B, latent_dim]."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.features, ch, start = dcgan_features(spec, spec.shape[0])
        self.head = dcgan_init_(nn.Linear(ch * start * start, 2 * spec.latent_dim))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.head(self.features(x).flatten(1)).chunk(2, dim=1)
        return mu, logvar.clamp(-10.0, 10.0)  # a bounded variance keeps exp(logvar) finite early on


@MODELS.register("vae", data_kinds=("image",), sizes=DCGAN_SIZES, conditional="never", task="vae")
def build_vae(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """Variational autoencoder (Kingma & Welling): DCGAN decoder and encoder, trained on the ELBO; images 16-128 px."""
    check_image_spec(spec, "vae", DCGAN_SIZES)
    return DCGANGenerator(spec), VAEEncoder(spec)
