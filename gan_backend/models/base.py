"""The contract every registered GAN architecture keeps.

A factory registered in :data:`MODELS` takes a :class:`ModelSpec` and returns ``(G, D)``:

- ``G(z, y=None)``: z float [B, latent_dim] (y int64 [B] for conditional models) -> images
  float [B, C, H, W] in -1..1 (tanh), or points float [B, 2] (no tanh) for point data.
- ``D(x, y=None)``: -> raw scores float [B] (logits / critic values; no sigmoid).

Factories raise :class:`UnsupportedShapeError` naming the sizes they support when the data does not fit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch.nn as nn

from gan_backend.registry import Registry


class UnsupportedShapeError(ValueError):
    """The model cannot be built for the dataset's item shape; the message lists what it supports."""


@dataclass(frozen=True)
class ModelSpec:
    data_kind: str  # "points" or "image"
    shape: tuple[int, int, int]  # (C, H, W) of one image; (2, 1, 1) for points
    latent_dim: int = 100  # size of z
    num_classes: int = 0  # >0 for class-conditional models
    width: int = 64  # base channel count (ngf = ndf) or hidden units for the MLP
    g_dropout: float = 0.0  # dropout in G (a course training tip; also acts as extra noise)
    cond_mode: str = "projection"  # how a conditional D uses labels: "projection" or "concat"
    spectral_norm_d: bool = False  # wrap D's layers in spectral norm (SNGAN always does)
    g_arch: str = "resnet"  # translation generator (cyclegan): "resnet" or "unet"
    style_encoder: bool = False  # spade: encode a picture's style into z (VAE, as in GauGAN)
    g_widths: str = ""  # spade: G's channel multipliers per resolution, lowest first ("" = the model's default)
    g_noise: bool = False  # spade: per-pixel noise inputs in G's blocks (StyleGAN's)

    @classmethod
    def from_config(cls, model_cfg, data_kind: str, shape, num_classes: int = 0) -> "ModelSpec":
        """The spec for a config's ``model`` section and a dataset's item shape."""
        m = model_cfg
        return cls(data_kind=data_kind, shape=tuple(shape), latent_dim=m.latent_dim, num_classes=num_classes,
                   width=m.width, g_dropout=m.g_dropout, cond_mode=m.cond_mode, spectral_norm_d=m.spectral_norm_d,
                   g_arch=m.g_arch, style_encoder=getattr(m, "style_encoder", False), g_widths=getattr(m, "g_widths", ""),
                   g_noise=getattr(m, "g_noise", False))


ModelFactory = Callable[[ModelSpec], "tuple[nn.Module, nn.Module]"]
MODELS: Registry[ModelFactory] = Registry("model")
