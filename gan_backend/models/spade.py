"""SPADE / GauGAN (Park et al. 2019): label maps modulate every normalisation layer of the generator.

A plain network given the label map as input tends to "wash it away" in its normalisation layers.
SPADE instead normalises each activation without learned affine parameters and then scales and
shifts it per pixel by ``gamma(map)`` and ``beta(map)``, small convnets on the (resized) one-hot map.
The generator starts from the latent code, not the map: ``z -> linear -> [8w, 4, 4]``, then
residual SPADE blocks double the size up to the image. Different ``z`` give different pictures
of the same map (weather, light, colours). D is a two-scale PatchGAN on (map, image) whose
features also feed the feature-matching loss. The model contract is in :mod:`gan_backend.models.pix2pix`.

With ``style_encoder`` (GauGAN's multimodal setting) a small conv encoder maps the real picture to a
Gaussian (mu, logvar) and G is trained on a code drawn from it: G then has to use z for what the map
does not say (the scene's light and colours), a KL term keeps the codes near N(0, I) so random z are
valid styles, and a reference picture's style can be copied (``encode``).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.pix2pix import PAIRED_SIZES, MultiScaleDiscriminator, check_paired_spec

START = 4  # side of the map the latent code becomes, at 16x below the image size
SPADE_HIDDEN = 32  # channels of the label-map embedding (the paper's 128 is 4x the CPU cost)
WIDTHS = (8, 8, 4, 2, 1)  # G's channels at H/16, H/8, H/4, H/2 and H, in multiples of model.width


def generator_widths(text: str) -> tuple[int, ...]:
    """``model.g_widths`` ("8,8,4,1,1"; "" = WIDTHS) -> five positive multipliers, lowest resolution first.

    Most of G's time goes to the two largest resolutions: "8,8,4,1,1" keeps the low-resolution
    blocks and gives H/2 and H one width each, which trains 1.35x the steps per second on a CPU.
    """
    if not text.strip():
        return WIDTHS
    try:
        widths = tuple(int(part) for part in text.split(","))
    except ValueError:
        widths = ()
    if len(widths) != len(WIDTHS) or min(widths) < 1:
        raise ValueError(f"model.g_widths {text!r}: give {len(WIDTHS)} positive whole numbers, lowest resolution "
                         f"first, e.g. \"8,8,4,1,1\" (or leave it empty for {','.join(map(str, WIDTHS))})")
    return widths


class SPADE(nn.Module):
    """x [B, C, h, w], embedded map [B, hidden, h, w] -> BN(x) * (1 + gamma) + beta, gamma/beta per pixel.

    BatchNorm without affine parameters, as in the paper. The paper gives each SPADE its own 3x3
    conv on the map and 3x3 gamma/beta convs; here the block embeds the map once (3x3) and each SPADE
    maps that embedding to gamma and beta with a 1x1 conv: the same spatial context for the
    modulation at about a fifth of the generator's multiply-adds, which is what lets it paint live on a CPU.
    """

    def __init__(self, channels: int, hidden: int = SPADE_HIDDEN):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gamma_beta = nn.Conv2d(hidden, 2 * channels, 1)

    def forward(self, x: torch.Tensor, embedded: torch.Tensor) -> torch.Tensor:
        gamma, beta = self.gamma_beta(embedded).chunk(2, dim=1)
        return self.norm(x) * (1 + gamma) + beta


class NoiseInput(nn.Module):
    """x [B, C, h, w] -> x + strength[C] * noise [B, 1, h, w] (StyleGAN): per-pixel randomness for textures.

    A label map is flat inside each region, so without noise G can only paint a flower bed or a lake
    as a smooth pattern. The strength starts at zero, so G takes up the noise only where it helps.
    Training draws fresh noise; eval mode uses one fixed pattern per size (StyleGAN's "const"), so a
    picture depends on the map and z only and does not shimmer as the map is repainted.
    """

    def __init__(self, channels: int, seed: int):
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.seed = seed
        self._fixed: dict[tuple, torch.Tensor] = {}  # (h, w, device) -> [1, 1, h, w]; not part of the state

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        if self.training:
            noise = torch.randn(b, 1, h, w, device=x.device, dtype=x.dtype)
        else:
            key = (h, w, x.device)
            if key not in self._fixed:
                gen = torch.Generator().manual_seed(self.seed)
                self._fixed[key] = torch.randn(1, 1, h, w, generator=gen).to(x.device)
            noise = self._fixed[key].to(x.dtype)
        return x + self.strength * noise


class SPADEResBlock(nn.Module):
    """[B, c_in, h, w] + one-hot map [B, K, h, w] -> [B, c_out, h, w].

    Two SPADE-LeakyReLU-conv3x3 steps plus a shortcut (SPADE-conv1x1 when the width changes); with
    ``noise`` each conv is followed by a :class:`NoiseInput`.
    """

    def __init__(self, c_in: int, c_out: int, num_classes: int, hidden: int = SPADE_HIDDEN, noise_seed: int | None = None):
        super().__init__()
        c_mid = min(c_in, c_out)
        self.embed = nn.Sequential(nn.Conv2d(num_classes, hidden, 3, 1, 1), nn.ReLU())
        self.norm_0, self.conv_0 = SPADE(c_in, hidden), nn.Conv2d(c_in, c_mid, 3, 1, 1)
        self.norm_1, self.conv_1 = SPADE(c_mid, hidden), nn.Conv2d(c_mid, c_out, 3, 1, 1)
        with_noise = noise_seed is not None
        self.noise_0 = NoiseInput(c_mid, noise_seed) if with_noise else nn.Identity()
        self.noise_1 = NoiseInput(c_out, noise_seed + 1) if with_noise else nn.Identity()
        self.learned_skip = c_in != c_out
        if self.learned_skip:
            self.norm_s, self.conv_s = SPADE(c_in, hidden), nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x: torch.Tensor, segmap: torch.Tensor) -> torch.Tensor:
        e = self.embed(segmap)
        skip = self.conv_s(self.norm_s(x, e)) if self.learned_skip else x
        h = self.noise_0(self.conv_0(F.leaky_relu(self.norm_0(x, e), 0.2)))
        h = self.noise_1(self.conv_1(F.leaky_relu(self.norm_1(h, e), 0.2)))
        return skip + h


class StyleEncoder(nn.Module):
    """Picture [B, C, H, W] in -1..1 -> (mu, logvar), each [B, latent_dim]: four stride-2 convs, global pooling."""

    def __init__(self, channels: int, width: int, latent_dim: int):
        super().__init__()
        layers, c = [], channels
        for c_out in (width, 2 * width, 4 * width, 8 * width):
            layers += [nn.Conv2d(c, c_out, 3, 2, 1), nn.InstanceNorm2d(c_out, affine=True), nn.LeakyReLU(0.2)]
            c = c_out
        self.body = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.mu, self.logvar = nn.Linear(c, latent_dim), nn.Linear(c, latent_dim)

    def forward(self, picture: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(picture)
        return self.mu(h), self.logvar(h).clamp(-10, 10)


class SPADEGenerator(nn.Module):
    """(one-hot map [B, K, H, W], z [B, latent_dim]) -> images [B, C, H, W] in -1..1.

    Widths 8w at H/16 and H/8, then 4w, 2w, w (``model.g_widths``): most channels where the map is small and cheap.
    Without ``z`` (None) the generator uses z = 0, the "average" picture of the map. With a style
    encoder, ``style`` (real pictures) replaces z by a code drawn from their encoding and the call
    returns (pictures, KL of the codes to N(0, I)), the training path.
    """

    def __init__(self, spec: ModelSpec):
        super().__init__()
        w, k = spec.width, spec.num_classes
        chans = [m * w for m in generator_widths(spec.g_widths)]  # at H/16, H/8, H/4, H/2, H
        self.latent_dim, self.top = spec.latent_dim, chans[0]
        self.encoder = StyleEncoder(spec.shape[0], w, spec.latent_dim) if spec.style_encoder else None
        self.fc = nn.Linear(spec.latent_dim, self.top * START * START)
        seeds = [2 * i if spec.g_noise else None for i in range(len(chans))]  # each noise input its own pattern
        self.blocks = nn.ModuleList(SPADEResBlock(c_in, c_out, k, noise_seed=seed)
                                    for c_in, c_out, seed in zip([chans[0]] + chans[:-1], chans, seeds))
        self.dropout = nn.Dropout(spec.g_dropout) if spec.g_dropout > 0 else nn.Identity()
        self.to_image = nn.Conv2d(chans[-1], spec.shape[0], 3, 1, 1)

    def encode(self, picture: torch.Tensor) -> torch.Tensor:
        """The style code (the mean of the encoding) of pictures [B, C, H, W] in -1..1."""
        return self.encoder(picture)[0]

    def forward(self, segmap: torch.Tensor, z: torch.Tensor | None = None, style: torch.Tensor | None = None):
        if style is not None:
            mu, logvar = self.encoder(style)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
            kld = -0.5 * torch.mean(torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1))
            return self._draw(segmap, z), kld
        return self._draw(segmap, z)

    def _draw(self, segmap: torch.Tensor, z: torch.Tensor | None) -> torch.Tensor:
        b, _, h, w = segmap.shape
        if z is None:
            z = segmap.new_zeros(b, self.latent_dim)
        x = self.fc(z).view(b, self.top, START, START)  # [B, 8w, 4, 4]
        size = (h // 16, w // 16)
        if size != (START, START):  # another image size than 64: stretch the start map (fully convolutional)
            x = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        for i, block in enumerate(self.blocks):
            if i:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = self.dropout(block(x, F.interpolate(segmap, size=x.shape[2:], mode="nearest")))
        return torch.tanh(self.to_image(F.leaky_relu(x, 0.2)))


def spade_discriminator(spec: ModelSpec) -> MultiScaleDiscriminator:
    """Two PatchGAN scales (full and half size) on concat(one-hot map, image)."""
    scales = 2 if spec.shape[1] >= 64 else 1  # at 32 px a half-size PatchGAN has no patches left
    return MultiScaleDiscriminator(spec.num_classes, spec.shape[0], spec.width, scales)


@MODELS.register("spade", data_kinds=("paired",), sizes=PAIRED_SIZES, conditional="never", task="paired",
                 loss="hinge", aux="fm", aux_weight=10.0)
def build_spade(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """SPADE (GauGAN): label maps modulate G's normalisation; two-scale PatchGAN D; hinge + feature matching."""
    check_paired_spec(spec, "spade")
    return SPADEGenerator(spec), spade_discriminator(spec)
