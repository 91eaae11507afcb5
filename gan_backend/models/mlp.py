"""Fully connected G and D: the classic GAN for 2-D point clouds and small flat images.

Hidden width is ``4 * spec.width`` (256 units at the default width 64), three hidden layers on each side.
With ``num_classes > 0`` G sees a one-hot label next to z, and D uses it per ``spec.cond_mode``.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn as nn

from gan_backend.models.base import MODELS, ModelSpec, UnsupportedShapeError
from gan_backend.models.conditional import ProjectionHead, check_cond_mode, one_hot
from gan_backend.models.layers import maybe_spectral_norm

HIDDEN_LAYERS = 3


def _hidden_stack(in_dim: int, hidden: int, act: Callable[[], nn.Module], dropout: float, sn: bool) -> nn.Sequential:
    """``HIDDEN_LAYERS`` x (Linear, activation[, Dropout]); [B, in_dim] -> [B, hidden]."""
    layers: list[nn.Module] = []
    for i in range(HIDDEN_LAYERS):
        layers += [maybe_spectral_norm(nn.Linear(in_dim if i == 0 else hidden, hidden), sn), act()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def _leaky_relu() -> nn.Module:
    return nn.LeakyReLU(0.2)


class MLPGenerator(nn.Module):
    """z [B, latent_dim] (+ y [B]) -> points [B, 2] (unbounded) or images [B, C, H, W] in -1..1."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.num_classes = spec.num_classes
        self.out_shape = (spec.shape[0],) if spec.data_kind == "points" else tuple(spec.shape)
        hidden = 4 * spec.width
        self.hidden = _hidden_stack(spec.latent_dim + spec.num_classes, hidden, nn.ReLU, spec.g_dropout, False)
        self.out = nn.Linear(hidden, math.prod(self.out_shape))
        # Points live anywhere in the plane; images are scaled to -1..1 so tanh matches the data.
        self.squash = nn.Identity() if spec.data_kind == "points" else nn.Tanh()

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            z = torch.cat([z, one_hot(y, self.num_classes)], dim=1)
        flat = self.squash(self.out(self.hidden(z)))  # [B, prod(out_shape)]
        return flat.view(-1, *self.out_shape)


class MLPDiscriminator(nn.Module):
    """Points [B, 2] or images [B, C, H, W] (+ y [B]) -> raw scores [B]."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        k = spec.num_classes
        self.concat_classes = k if spec.cond_mode == "concat" else 0
        hidden = 4 * spec.width
        in_dim = math.prod(spec.shape) + self.concat_classes
        self.features = _hidden_stack(in_dim, hidden, _leaky_relu, 0.0, spec.spectral_norm_d)
        # Labels enter either as extra inputs (concat) or through the projection head, never both.
        self.head = ProjectionHead(hidden, k - self.concat_classes, spec.spectral_norm_d)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = x.flatten(1)  # [B, C*H*W] (or [B, 2] for points)
        if self.concat_classes:
            h = torch.cat([h, one_hot(y, self.concat_classes)], dim=1)
        return self.head(self.features(h), y)


@MODELS.register("mlp", data_kinds=("points", "image"), sizes=None, conditional="optional")
def build_mlp(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """MLP G and D for 2-D points or flat images of any size (optionally class-conditional)."""
    if spec.data_kind not in ("points", "image"):
        raise UnsupportedShapeError(f"mlp supports points and images of any size; got data kind {spec.data_kind!r}")
    if spec.data_kind == "points" and tuple(spec.shape) != (2, 1, 1):
        raise UnsupportedShapeError(f"mlp supports 2-D points (shape (2, 1, 1)); got {tuple(spec.shape)}")
    check_cond_mode(spec)
    return MLPGenerator(spec), MLPDiscriminator(spec)
