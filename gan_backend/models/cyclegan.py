"""CycleGAN (Zhu et al. 2017): one generator and one PatchGAN per direction, for unpaired translation.

The unpaired-model contract: a factory returns ``(G, D)`` for ONE direction and the task builds two
of each (G_A: A -> B and G_B: B -> A; D_A judges B pictures, D_B judges A pictures, junyanz's naming).

- ``G(x)``: pictures float [B, C, H, W] in -1..1 -> pictures of the other domain, same shape, in -1..1.
- ``D(x)`` -> raw patch scores [B, 1, H/8 - 2, W/8 - 2] (no sigmoid), one per 70x70 receptive field.

G is junyanz's ResNet generator by default: a 7x7 stem, two stride-2 convs down to 1/4 size, residual
blocks there, and two steps back up; ``model.g_arch = "unet"`` swaps in pix2pix's U-Net instead.
D is pix2pix's spectrally normalised PatchGAN on the picture alone. Both are fully convolutional:
a model trained at 64x64 runs on any picture whose sides are multiples of 16.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from gan_backend.models.base import MODELS, ModelSpec, UnsupportedShapeError
from gan_backend.models.layers import dcgan_init_
from gan_backend.models.pix2pix import PatchDiscriminator, UNetGenerator

UNPAIRED_SIZES = (32, 64, 128, 256)  # square training sides (a 70 px PatchGAN needs at least 32)
G_ARCHS = ("resnet", "unet")


def res_blocks_for(size: int) -> int:
    """junyanz's choice: 6 blocks below 256 px, 9 at 256 and above (more context for bigger pictures)."""
    return 9 if size >= 256 else 6


def _conv_in_relu(c_in: int, c_out: int, kernel: int, stride: int = 1) -> list[nn.Module]:
    """Reflection-padded conv, InstanceNorm, ReLU. No bias: InstanceNorm subtracts it right away.

    Reflection padding keeps borders from reading as dark frames; InstanceNorm (per picture, not per
    batch) makes a translation independent of whatever else is in the batch, as at test time.
    """
    pad = kernel // 2
    return [nn.ReflectionPad2d(pad), nn.Conv2d(c_in, c_out, kernel, stride, bias=False),
            nn.InstanceNorm2d(c_out), nn.ReLU()]


class ResBlock(nn.Module):
    """x [B, C, h, w] -> x + conv(relu(conv(x))): the blocks only add a change to what passes through."""

    def __init__(self, channels: int, dropout: float = 0.0):
        super().__init__()
        body = _conv_in_relu(channels, channels, 3) + ([nn.Dropout(dropout)] if dropout > 0 else [])
        body += [nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=False), nn.InstanceNorm2d(channels)]
        self.body = nn.Sequential(*body)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """[B, C, H, W] in -1..1 -> [B, C, H, W] in -1..1; widths w at H, 2w at H/2, 4w in the blocks at H/4.

    Upsampling is nearest-neighbour then a 3x3 conv rather than junyanz's transposed conv: the same
    cost without the checkerboard pattern small, briefly trained models show (Odena et al. 2016).
    """

    def __init__(self, channels: int, width: int, blocks: int, dropout: float = 0.0):
        super().__init__()
        w = width
        layers = _conv_in_relu(channels, w, 7) + _conv_in_relu(w, 2 * w, 3, 2) + _conv_in_relu(2 * w, 4 * w, 3, 2)
        layers += [ResBlock(4 * w, dropout) for _ in range(blocks)]
        for c in (4 * w, 2 * w):
            layers += [nn.Upsample(scale_factor=2, mode="nearest")] + _conv_in_relu(c, c // 2, 3)
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(w, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.apply(dcgan_init_)  # N(0, 0.02), as junyanz's default init

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class PatchScores(nn.Module):
    """pix2pix's PatchGAN on a picture alone: [B, C, H, W] -> patch scores [B, 1, H/8 - 2, W/8 - 2]."""

    def __init__(self, channels: int, width: int):
        super().__init__()
        self.net = PatchDiscriminator(channels, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[-1]


def check_unpaired_spec(spec: ModelSpec, model: str) -> int:
    """Return the image side, or raise naming what unpaired models need."""
    c, h, w = spec.shape
    if spec.data_kind != "unpaired":
        raise UnsupportedShapeError(f"{model} learns from two unpaired sets of pictures (e.g. scenes:day2night or "
                                    f"unpaired:PATH with trainA/ and trainB/); got {spec.data_kind} data")
    if c not in (1, 3) or h != w or h not in UNPAIRED_SIZES:
        listed = ", ".join(str(s) for s in UNPAIRED_SIZES)
        raise UnsupportedShapeError(f"{model} supports image sizes {listed} with 1 or 3 channels; got {c}x{h}x{w}")
    if spec.g_arch not in G_ARCHS:
        raise UnsupportedShapeError(f"model.g_arch {spec.g_arch!r}: choose one of {', '.join(G_ARCHS)}")
    return h


@MODELS.register("cyclegan", data_kinds=("unpaired",), sizes=UNPAIRED_SIZES, conditional="never", task="unpaired",
                 loss="lsgan")
def build_cyclegan(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """CycleGAN: ResNet (or U-Net) G and PatchGAN D per direction; LSGAN + cycle + identity losses."""
    size = check_unpaired_spec(spec, "cyclegan")
    c = spec.shape[0]
    if spec.g_arch == "unet":
        # pix2pix's U-Net (with its dropout) reads its input channel count from num_classes.
        g = UNetGenerator(ModelSpec("paired", spec.shape, num_classes=c, width=spec.width, g_dropout=spec.g_dropout))
    else:
        g = ResnetGenerator(c, spec.width, res_blocks_for(size), spec.g_dropout)
    return g, PatchScores(c, spec.width)

