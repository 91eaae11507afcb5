"""SinGAN (Shaham et al. 2019): a pyramid of small fully convolutional GANs learnt from one picture.

Scale 0 is the coarsest. Each scale's generator sees the previous scale's output, upsampled, plus noise
of that scale's amplitude, and adds a residual to it:

    x_0 = G_0(amp_0 * z_0)                 x_n = G_n(up(x_{n-1}) + amp_n * z_n, up(x_{n-1}))

Every network is five 3x3 convolutions with 32 filters (normalisation and LeakyReLU 0.2 between them), so
each sees an 11x11 patch of its scale: coarse scales set the layout, fine ones the texture. The paper's
BatchNorm sees a batch of one picture, which makes it instance normalisation while training; when drawing,
though, its running averages replace the picture's own statistics and darken or tint every sample. So the
normalisation here is InstanceNorm (affine), which is what the paper's BatchNorm computes in training, at
every batch size and in every mode. The input is
zero-padded by 5 once and the convolutions are unpadded, as in the paper, so borders are learnt too.
Because nothing is tied to a size, a pyramid trained on a 160x120 picture draws at any width x height.

The registered factory returns ``(SinGAN, PatchCritic)``: the whole pyramid of generators (with each
scale's noise amplitude and the fixed reconstruction noise as buffers) and one patch critic, which the
``singan`` task re-initialises from the previous scale's weights as it moves up the pyramid.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.base import MODELS, ModelSpec, UnsupportedShapeError

LAYERS = 5  # convolutions per network: an 11x11 receptive field at every scale
PAD = LAYERS  # each unpadded 3x3 conv trims one pixel per side


def pyramid_sizes(height: int, width: int, factor: float = 0.75, min_side: int = 25) -> list[tuple[int, int]]:
    """(H, W) of every scale, coarsest first: the picture's size times factor^k, the coarsest with its
    shorter side at least ``min_side``."""
    if not 0.3 <= factor < 1:
        raise UnsupportedShapeError(f"model.scale_factor={factor:g}: choose a ratio between 0.3 and 1 (the paper's 0.75)")
    short = min(height, width)
    if short < min_side:
        raise UnsupportedShapeError(f"singan needs a picture of at least {min_side} px on its shorter side; "
                                    f"got {width}x{height}")
    depth = int(math.floor(math.log(min_side / short) / math.log(factor) + 1e-9))
    return [(max(1, round(height * factor ** k)), max(1, round(width * factor ** k))) for k in range(depth, -1, -1)]


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3), nn.InstanceNorm2d(cout, affine=True), nn.LeakyReLU(0.2))


def _body(cin: int, width: int, cout: int) -> nn.Sequential:
    return nn.Sequential(_block(cin, width), *[_block(width, width) for _ in range(LAYERS - 2)],
                         nn.Conv2d(width, cout, 3))


def _init(module: nn.Module) -> None:
    """SinGAN's init: N(0, 0.02) convolutions, N(1, 0.02) normalisation scales."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.InstanceNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class ScaleGenerator(nn.Module):
    """(noisy input, previous output) [B, 3, H, W] x 2 -> previous + tanh(residual) [B, 3, H, W]."""

    def __init__(self, channels: int = 3, width: int = 32):
        super().__init__()
        self.body = _body(channels, width, channels)
        _init(self)

    def forward(self, noisy: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.body(F.pad(noisy, (PAD,) * 4))) + prev


class PatchCritic(nn.Module):
    """picture [B, 3, H, W] -> WGAN critic scores per 11x11 patch [B, 1, H-10, W-10]; ``y`` is ignored."""

    def __init__(self, channels: int = 3, width: int = 32):
        super().__init__()
        self.body = _body(channels, width, 1)
        _init(self)

    def forward(self, x: torch.Tensor, y=None) -> torch.Tensor:
        return self.body(x)


class SinGAN(nn.Module):
    """The generator pyramid of one picture; drawing needs nothing else (see :mod:`gan_backend.singan`).

    Buffers: ``amps`` [S] noise amplitude per scale (set as each scale starts training), ``z_rec`` the fixed
    noise at the coarsest scale that reconstructs the picture, ``real`` the picture in -1..1 at its finest size,
    ``coarse_channels`` how many channels the coarsest noise draws: 1, one grey map copied to every channel as
    in the paper's code (colour then comes from the generator, so samples keep the picture's palette), or C
    (pyramids trained before this; their checkpoints lack the buffer and load as C).
    """

    def __init__(self, sizes: list[tuple[int, int]], channels: int = 3, width: int = 32):
        super().__init__()
        self.sizes = [tuple(s) for s in sizes]
        self.gens = nn.ModuleList(ScaleGenerator(channels, width) for _ in sizes)
        self.register_buffer("amps", torch.ones(len(sizes)))
        self.register_buffer("z_rec", torch.zeros(1, channels, *sizes[0]))
        self.register_buffer("real", torch.zeros(1, channels, *sizes[-1]))
        self.register_buffer("coarse_channels", torch.tensor(1))
        self._coarse_drawn = 1  # the buffer as an int, read once at load: a read per draw would sync a GPU

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        key = prefix + "coarse_channels"
        state_dict.setdefault(key, torch.tensor(self.z_rec.shape[1]))  # a pyramid saved before the buffer
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._coarse_drawn = int(state_dict[key])

    def noise(self, n: int, size: tuple[int, int], generator: torch.Generator | None = None) -> torch.Tensor:
        """Unit noise [1, C, H, W] for scale n at ``size``, on the model's device; grey at the coarsest scale
        when ``coarse_channels`` is 1. With a CPU ``generator`` the numbers do not depend on the device."""
        c = self.z_rec.shape[1]
        drawn = self._coarse_drawn if n == 0 else c
        shape = (1, drawn, *size)
        z = torch.randn(shape, generator=generator).to(self.z_rec.device) if generator is not None \
            else torch.randn(shape, device=self.z_rec.device)
        return z.expand(1, c, *size) if drawn != c else z

    @property
    def scales(self) -> int:
        return len(self.sizes)

    def scaled_sizes(self, height: int, width: int) -> list[tuple[int, int]]:
        """The pyramid for an output of ``height`` x ``width``: every scale stretched by the same ratios."""
        H, W = self.sizes[-1]
        return [(max(1, round(h * height / H)), max(1, round(w * width / W))) for h, w in self.sizes]

    def step(self, n: int, prev: torch.Tensor, noise: torch.Tensor | None) -> torch.Tensor:
        """Scale n's output from the previous scale's (already at this scale's size) and unit noise."""
        noisy = prev if noise is None else prev + self.amps[n] * noise
        return self.gens[n](noisy, prev)

    def forward(self, noises: list[torch.Tensor | None], start: torch.Tensor | None = None, first: int = 0,
                last: int | None = None, sizes: list[tuple[int, int]] | None = None) -> torch.Tensor:
        """Run scales ``first``..``last`` (inclusive; default all). ``start`` is the input of scale ``first``
        at its size (zeros when None); ``noises[i]`` is the unit noise of scale ``first + i`` (None = none)."""
        sizes = sizes or self.sizes
        last = self.scales - 1 if last is None else last
        x = start if start is not None else self.z_rec.new_zeros(1, self.z_rec.shape[1], *sizes[first])
        for i, n in enumerate(range(first, last + 1)):
            if n > first:
                x = upsample(x, sizes[n])
            x = self.step(n, x, noises[i])
        return x


def upsample(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize to ``size`` (H, W), as between SinGAN's scales."""
    return x if tuple(x.shape[-2:]) == tuple(size) else F.interpolate(x, size=size, mode="bilinear",
                                                                       align_corners=False)


@MODELS.register("singan", data_kinds=("picture",), sizes=None, conditional="never", task="singan", loss="wgan_gp")
def singan(spec: ModelSpec) -> tuple[SinGAN, PatchCritic]:
    """SinGAN: a pyramid of small patch GANs learnt from one picture (picture:PATH), drawn at any size."""
    if spec.data_kind != "picture":
        raise UnsupportedShapeError("singan learns from one picture: use the dataset picture:PATH "
                                    "(or `gan-studio singan train PICTURE`)")
    c, h, w = spec.shape
    sizes = pyramid_sizes(h, w, spec.scale_factor, spec.min_side)
    return SinGAN(sizes, c, spec.width), PatchCritic(c, spec.width)
