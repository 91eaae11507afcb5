"""The layers of the lean StyleGAN2 (``models/stylegan.py``): equalised-learning-rate linear and conv layers,
the modulated/demodulated conv with its noise and toRGB, and D's residual block and minibatch std."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NOISE_MODES = ("random", "const", "none")
SQRT2 = math.sqrt(2.0)


class EqualLinear(nn.Module):
    """Linear with equalised learning rate: weights N(0, 1/lr_mul), scaled by lr_mul / sqrt(fan_in) at run time."""

    def __init__(self, c_in: int, c_out: int, bias_init: float = 0.0, lr_mul: float = 1.0, activate: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in) / lr_mul)
        self.bias = nn.Parameter(torch.full((c_out,), float(bias_init)))
        self.scale, self.lr_mul, self.activate = lr_mul / math.sqrt(c_in), lr_mul, activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)
        return F.leaky_relu(out, 0.2) * SQRT2 if self.activate else out


class EqualConv2d(nn.Module):
    """Conv with equalised learning rate (D's layers); ``down``: stride 2. The activation's gain sqrt(2) is folded
    into the weights (leaky ReLU commutes with a positive scale), which saves a pass over the output."""

    def __init__(self, c_in: int, c_out: int, kernel: int, bias: bool = True, activate: bool = True,
                 down: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(c_out)) if bias else None
        gain = SQRT2 if activate else 1.0
        self.scale, self.gain, self.activate = gain / math.sqrt(c_in * kernel * kernel), gain, activate
        self.pad, self.stride = kernel // 2, 2 if down else 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = self.bias * self.gain if self.bias is not None else None
        out = F.conv2d(x, self.weight * self.scale, bias, stride=self.stride, padding=self.pad)
        return F.leaky_relu(out, 0.2) if self.activate else out


def normalize_2nd_moment(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    return x * (x.square().mean(1, keepdim=True) + eps).rsqrt()


class ModulatedConv(nn.Module):
    """A 3x3 (or 1x1) conv whose input channels are scaled by a style from w; demodulated to unit output variance.
    ``upsample``: a 4x4 transposed conv of stride 2 instead, which doubles the side at the cost of a conv on the
    small input (the paper upsamples with a FIR filter around a 3x3 transposed conv).

    The unfused form (scale x, conv, scale the output) costs one ordinary conv for any batch: the grouped-conv form
    is slower on a CPU at these widths.
    """

    def __init__(self, c_in: int, c_out: int, w_dim: int, kernel: int = 3, demodulate: bool = True,
                 upsample: bool = False):
        super().__init__()
        kernel = 4 if upsample else kernel
        self.affine = EqualLinear(w_dim, c_in, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(c_out, c_in, kernel, kernel))
        self.scale, self.pad = 1 / math.sqrt(c_in * kernel * kernel), kernel // 2
        self.demodulate, self.upsample = demodulate, upsample

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.affine(w)  # [B, c_in]
        weight = self.weight * self.scale
        x = x * styles[:, :, None, None]
        if self.upsample:  # each output pixel sees 2x2 of the 4x4 taps: a quarter of the variance, so x2 below
            # then a [1, 2, 1] blur: without it the 4x4 stride-2 kernel leaves a checkerboard (shapes, 4 minutes:
            # FID 30 with the blur, 83 without)
            out = blur(F.conv_transpose2d(x, weight.transpose(0, 1), stride=2, padding=1))
        else:
            out = F.conv2d(x, weight, padding=self.pad)
        if self.demodulate:
            # sigma_j = sqrt(sum_{i,k} (w_ijk s_i)^2): the std each output would have for unit-variance inputs
            dcoefs = (styles.square() @ weight.square().sum((2, 3)).T + 1e-8).rsqrt()  # [B, c_out]
            out = out * (dcoefs * (2.0 if self.upsample else 1.0))[:, :, None, None]
        return out


def blur(x: torch.Tensor) -> torch.Tensor:
    """The separable [1, 2, 1] / 4 low-pass of each channel (the paper's FIR filter, smaller), same size."""
    c = x.shape[1]
    k = x.new_tensor([1.0, 2.0, 1.0]) / 4
    x = F.conv2d(F.pad(x, (1, 1, 0, 0), mode="replicate"), k.view(1, 1, 1, 3).expand(c, 1, 1, 3), groups=c)
    return F.conv2d(F.pad(x, (0, 0, 1, 1), mode="replicate"), k.view(1, 1, 3, 1).expand(c, 1, 3, 1), groups=c)


class StyleLayer(nn.Module):
    """Modulated conv -> + noise x learned strength (0 at first) -> + bias -> leaky ReLU.

    No sqrt(2) gain after the activation: the next layer demodulates, so a constant scale only matters to toRGB,
    which learns its own.
    """

    def __init__(self, c_in: int, c_out: int, w_dim: int, side: int, upsample: bool = False):
        super().__init__()
        self.conv = ModulatedConv(c_in, c_out, w_dim, upsample=upsample)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.register_buffer("noise_const", torch.randn(1, 1, side, side))

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        x = self.conv(x, w)
        if noise_mode == "random":
            x = x + torch.randn(x.shape[0], 1, x.shape[2], x.shape[3], device=x.device, dtype=x.dtype) * self.noise_strength
        elif noise_mode == "const":
            x = x + self.noise_const * self.noise_strength
        return F.leaky_relu(x + self.bias[None, :, None, None], 0.2)


class ToRGB(nn.Module):
    def __init__(self, c_in: int, c_out: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv(c_in, c_out, w_dim, kernel=1, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(c_out))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(x, w) + self.bias[None, :, None, None]


class MinibatchStd(nn.Module):
    """Appends the std of features over groups of samples as one more channel (D sees the batch's variety)."""

    def __init__(self, group: int = 4):
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        g = min(self.group, b)
        while b % g:
            g -= 1
        y = x.reshape(g, -1, c, h, w)
        y = (y - y.mean(0)).square().mean(0).add(1e-8).sqrt().mean((1, 2, 3))  # [B / g]
        y = y.reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
        return torch.cat([x, y], 1)


class DBlock(nn.Module):
    """A 3x3 conv, a strided 3x3 conv halving the side, plus a 1x1 skip on the 2x2-averaged input; the sum scaled
    by 1/sqrt(2). (The paper blurs before its strided conv; without the filter a step costs ~40% less.)"""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv0, self.conv1 = EqualConv2d(c_in, c_in, 3), EqualConv2d(c_in, c_out, 3, down=True)
        self.skip = EqualConv2d(c_in, c_out, 1, bias=False, activate=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = self.skip(F.avg_pool2d(x, 2))
        return (self.conv1(self.conv0(x)) + skip) / SQRT2
