"""Class-conditional DCGAN: the DCGAN blocks plus a label on each side.

G: a learned label embedding is concatenated to z before the DCGAN generator (Mirza & Osindero 2014).
D, per ``spec.cond_mode``:

- ``"projection"``: score = linear(features) + <embed(y), features> (Miyato & Koyama 2018);
- ``"concat"``: the one-hot label is appended to the image as K constant planes.
"""
from __future__ import annotations

import torch.nn as nn

from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.conditional import (
    LabelConcatGenerator,
    LabelPlanesDiscriminator,
    check_cond_mode,
    require_labels,
)
from gan_backend.models.dcgan import DCGAN_SIZES, DCGANDiscriminator, DCGANGenerator
from gan_backend.models.layers import check_image_spec

LABEL_EMBED_DIM = 50  # size of the label vector appended to z; small next to latent_dim=100


@MODELS.register("cdcgan", data_kinds=("image",), sizes=DCGAN_SIZES, conditional="required")
def build_cdcgan(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """Class-conditional DCGAN: label embedding into G, projection or concat D; images 16-128 px."""
    check_image_spec(spec, "cdcgan", DCGAN_SIZES)
    require_labels("cdcgan", spec)
    check_cond_mode(spec)
    k = spec.num_classes
    g = LabelConcatGenerator(DCGANGenerator(spec, spec.latent_dim + LABEL_EMBED_DIM), k, LABEL_EMBED_DIM)
    if spec.cond_mode == "projection":
        d: nn.Module = DCGANDiscriminator(spec, projection_classes=k)
    else:
        d = LabelPlanesDiscriminator(DCGANDiscriminator(spec, in_channels=spec.shape[0] + k), k)
    return g, d
