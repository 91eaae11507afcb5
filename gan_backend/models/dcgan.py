"""DCGAN (Radford, Metz & Chintala 2016): transposed-conv G, strided-conv D.

Sizes: 28 (7 -> 14 -> 28, for MNIST-like data) and 16, 32, 64, 128 (4x4 doubled up to the size).
``model.attention`` adds a SAGAN self-attention block to G and D at feature maps of that side.
``ngf = ndf = spec.width``; the widest layer (next to 4x4 or 7x7) has ``width * 2**(steps - 1)`` channels.
The building blocks here are reused by the class-conditional ``cdcgan``.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from gan_backend.models.attention import SelfAttention, check_attention_side
from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.conditional import ProjectionHead
from gan_backend.models.inputs import InfoCodes, QHead, input_dim
from gan_backend.models.layers import check_image_spec, dcgan_init_, maybe_spectral_norm

DCGAN_SIZES = (16, 28, 32, 64, 128)


def resolution_plan(size: int) -> tuple[int, int]:
    """(side of the smallest feature map, number of 2x steps between it and the image)."""
    if size == 28:
        return 7, 2  # 7 -> 14 -> 28
    return 4, int(math.log2(size // 4))  # 4 -> 8 -> ... -> size


def feature_sides(size: int) -> tuple[int, ...]:
    """Sides of the feature maps between z and the image (the same in G and D): where attention can go."""
    start, steps = resolution_plan(size)
    return tuple(start * 2 ** i for i in range(steps))


def _up_block(c_in: int, c_out: int, kernel: int, stride: int, pad: int, dropout: float) -> list[nn.Module]:
    """ConvTranspose (no bias: BN removes it) -> BN -> ReLU [-> Dropout]."""
    conv = nn.ConvTranspose2d(c_in, c_out, kernel, stride, pad, bias=False)
    layers = [dcgan_init_(conv), dcgan_init_(nn.BatchNorm2d(c_out)), nn.ReLU(inplace=True)]
    return layers + ([nn.Dropout(dropout)] if dropout > 0 else [])


def _down_block(c_in: int, c_out: int, batch_norm: bool, sn: bool) -> list[nn.Module]:
    """Strided 4x4 conv halving the side -> [BN] -> LeakyReLU(0.2)."""
    conv = maybe_spectral_norm(dcgan_init_(nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not batch_norm)), sn)
    norm = [dcgan_init_(nn.BatchNorm2d(c_out))] if batch_norm else []
    return [conv, *norm, nn.LeakyReLU(0.2, inplace=True)]


class DCGANGenerator(nn.Module):
    """z [B, in_dim] -> images [B, C, H, W] in -1..1; ``in_dim`` defaults to ``spec.latent_dim``."""

    def __init__(self, spec: ModelSpec, in_dim: int | None = None):
        super().__init__()
        size = check_image_spec(spec, "dcgan", DCGAN_SIZES)
        start, steps = resolution_plan(size)
        ch = spec.width * 2 ** (steps - 1)
        attention = check_attention_side(spec, "dcgan", feature_sides(size))
        # A full-size transposed conv on a 1x1 input is the paper's "project and reshape" of z.
        layers = _up_block(in_dim or spec.latent_dim, ch, start, 1, 0, spec.g_dropout)
        side = start
        for _ in range(steps - 1):
            layers += [SelfAttention(ch)] if side == attention else []
            layers += _up_block(ch, ch // 2, 4, 2, 1, spec.g_dropout)
            ch, side = ch // 2, side * 2
        layers += [SelfAttention(ch)] if side == attention else []
        layers += [dcgan_init_(nn.ConvTranspose2d(ch, spec.shape[0], 4, 2, 1, bias=False)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        # y is accepted for the common signature and ignored: this G is unconditional.
        return self.net(z[:, :, None, None])  # [B, in_dim, 1, 1] -> [B, C, H, W]


def dcgan_features(spec: ModelSpec, in_channels: int) -> tuple[nn.Sequential, int, int]:
    """D's conv stack: [B, in_channels, S, S] -> [B, ch, s, s]; returns (stack, ch, s).

    No BN on the first layer (the paper), and none at all under spectral norm, which already
    bounds each layer and would fight with BN's rescaling.
    """
    size = check_image_spec(spec, "dcgan", DCGAN_SIZES)
    start, steps = resolution_plan(size)
    attention = check_attention_side(spec, "dcgan", feature_sides(size))
    sn = spec.spectral_norm_d
    layers = _down_block(in_channels, spec.width, batch_norm=False, sn=sn)
    ch, side = spec.width, size // 2
    for _ in range(steps - 1):
        layers += [SelfAttention(ch, sn)] if side == attention else []
        layers += _down_block(ch, ch * 2, batch_norm=not sn, sn=sn)
        ch, side = ch * 2, side // 2
    layers += [SelfAttention(ch, sn)] if side == attention else []
    return nn.Sequential(*layers), ch, start


class DCGANDiscriminator(nn.Module):
    """Images [B, in_channels, H, W] -> raw scores [B].

    Unconditional: a final conv as large as the last feature map gives one score per image.
    With ``projection_classes > 0`` the flattened features go to a projection head instead.
    With ``model.info_codes`` an InfoGAN Q head reads the codes from the same features: ``D(x, y, info=True)``
    returns ``(scores, q)``.
    """

    def __init__(self, spec: ModelSpec, in_channels: int | None = None, projection_classes: int = 0):
        super().__init__()
        self.features, ch, start = dcgan_features(spec, in_channels or spec.shape[0])
        self.score = self.projection = None
        if projection_classes > 0:
            self.projection = ProjectionHead(ch * start * start, projection_classes, spec.spectral_norm_d)
        else:
            conv = dcgan_init_(nn.Conv2d(ch, 1, start, 1, 0))
            self.score = maybe_spectral_norm(conv, spec.spectral_norm_d)
        codes = InfoCodes.parse(spec.info_codes)
        self.q = QHead(ch * start * start, codes) if codes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None, info: bool = False):
        h = self.features(x)  # [B, ch, s, s]
        if self.projection is not None:
            score = self.projection(h.flatten(1), y)
        else:
            score = self.score(h).view(-1)  # [B, 1, 1, 1] -> [B]
        return (score, self.q(h)) if info else score


@MODELS.register("dcgan", data_kinds=("image",), sizes=DCGAN_SIZES, conditional="never")
def build_dcgan(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """DCGAN (Radford et al.): conv G with BatchNorm, conv D with LeakyReLU; images 16-128 px."""
    return DCGANGenerator(spec, input_dim(spec.model)), DCGANDiscriminator(spec)
