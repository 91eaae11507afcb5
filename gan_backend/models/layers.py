"""Small pieces every architecture shares: shape checks, spectral norm and weight init."""
from __future__ import annotations

import math

import torch.nn as nn
from torch.nn.utils.parametrizations import spectral_norm

from gan_backend.models.base import ModelSpec, UnsupportedShapeError


def check_image_spec(spec: ModelSpec, model: str, sizes: tuple[int, ...]) -> int:
    """Return the image side length, or raise naming the square sizes and channel counts ``model`` supports."""
    if spec.data_kind == "points":
        raise UnsupportedShapeError(f"{model} generates images, not 2-D points; use the mlp model for point data")
    c, h, w = spec.shape
    if spec.data_kind != "image" or c not in (1, 3) or h != w or h not in sizes:
        listed = ", ".join(str(s) for s in sizes)
        raise UnsupportedShapeError(
            f"{model} supports image sizes {listed} with 1 or 3 channels; got {c}x{h}x{w} ({spec.data_kind})"
        )
    return h


def maybe_spectral_norm(layer: nn.Module, enabled: bool) -> nn.Module:
    """Wrap ``layer`` in spectral norm (Miyato et al. 2018) when ``enabled``.

    Initialise the weight before wrapping: afterwards ``layer.weight`` is recomputed on every read.
    """
    return spectral_norm(layer) if enabled else layer


def dcgan_init_(layer: nn.Module) -> nn.Module:
    """Radford et al. init: conv/linear weights N(0, 0.02), BN weights N(1, 0.02), biases 0."""
    if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(layer.weight, 0.0, 0.02)
    elif isinstance(layer, nn.BatchNorm2d):
        nn.init.normal_(layer.weight, 1.0, 0.02)
    if getattr(layer, "bias", None) is not None:
        nn.init.zeros_(layer.bias)
    return layer


def xavier_init_(layer: nn.Module, residual: bool = True) -> nn.Module:
    """ResNet-GAN init: Xavier-uniform, gain sqrt(2) on residual convs (they feed ReLUs), 1 on shortcuts."""
    nn.init.xavier_uniform_(layer.weight, math.sqrt(2.0) if residual else 1.0)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars (spectral norm's u/v vectors are buffers and not counted)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
