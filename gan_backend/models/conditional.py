"""Ways to tell G which class to draw and D which class to judge; shared by mlp, cdcgan and sngan."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.base import ModelSpec, UnsupportedShapeError
from gan_backend.models.layers import maybe_spectral_norm, xavier_init_

COND_MODES = ("projection", "concat")


class NeedsLabelsError(UnsupportedShapeError):
    """A class-conditional model was asked for on a dataset without labels."""


def require_labels(model: str, spec: ModelSpec) -> None:
    """Raise unless the dataset has classes; a subclass of UnsupportedShapeError so callers need one except."""
    if spec.num_classes <= 0:
        raise NeedsLabelsError(
            f"{model} is class-conditional but the dataset has no labels (num_classes=0); "
            "pick a labelled dataset or an unconditional model such as dcgan"
        )


def check_cond_mode(spec: ModelSpec, supported: tuple[str, ...] = COND_MODES) -> None:
    """Raise when ``spec.cond_mode`` is not one this model implements."""
    if spec.num_classes > 0 and spec.cond_mode not in supported:
        raise ValueError(f"cond_mode {spec.cond_mode!r} is not supported here; choose one of: {', '.join(supported)}")


def labels_or_raise(y: torch.Tensor | None) -> torch.Tensor:
    """A conditional network called without labels is a caller bug; say so instead of a shape error."""
    if y is None:
        raise ValueError("this model is class-conditional: call it with labels y (int64 [B])")
    return y


def one_hot(y: torch.Tensor | None, num_classes: int) -> torch.Tensor:
    """int64 [B] -> float [B, K] in {0, 1}."""
    return F.one_hot(labels_or_raise(y), num_classes).float()


class LabelConcatGenerator(nn.Module):
    """Conditions an unconditional G by concatenating a learned label embedding to z.

    ``inner`` must accept [B, latent_dim + embed_dim] vectors.
    """

    def __init__(self, inner: nn.Module, num_classes: int, embed_dim: int):
        super().__init__()
        self.embed = nn.Embedding(num_classes, embed_dim)
        self.inner = inner

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.inner(torch.cat([z, self.embed(labels_or_raise(y))], dim=1))


class LabelPlanesDiscriminator(nn.Module):
    """The "concat" conditional D: appends the one-hot label as K constant input planes.

    ``inner`` must accept [B, C + K, H, W] images.
    """

    def __init__(self, inner: nn.Module, num_classes: int):
        super().__init__()
        self.inner = inner
        self.num_classes = num_classes

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        b, _, h, w = x.shape
        planes = one_hot(y, self.num_classes)[:, :, None, None].expand(b, self.num_classes, h, w)  # [B, K, H, W]
        return self.inner(torch.cat([x, planes], dim=1))


class ProjectionHead(nn.Module):
    """Score from D's features: ``linear(h) + <embed(y), h>`` (Miyato & Koyama 2018).

    With ``num_classes=0`` it is just ``linear(h)``, so unconditional Ds can use it too.
    """

    def __init__(self, feat_dim: int, num_classes: int, spectral_norm: bool):
        super().__init__()
        self.linear = maybe_spectral_norm(xavier_init_(nn.Linear(feat_dim, 1), residual=False), spectral_norm)
        self.embed = None
        if num_classes > 0:
            embed = nn.Embedding(num_classes, feat_dim)
            nn.init.xavier_uniform_(embed.weight)
            self.embed = maybe_spectral_norm(embed, spectral_norm)

    def forward(self, h: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        score = self.linear(h).squeeze(1)  # h [B, F] -> [B]
        if self.embed is not None:
            score = score + (self.embed(labels_or_raise(y)) * h).sum(dim=1)
        return score


class ClassBatchNorm2d(nn.Module):
    """BatchNorm whose scale and shift are looked up per class; plain affine BatchNorm when num_classes=0."""

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=num_classes == 0)
        self.gamma = self.beta = None
        if num_classes > 0:
            self.gamma = nn.Embedding(num_classes, channels)
            self.beta = nn.Embedding(num_classes, channels)
            # Near the identity, but not exactly: identical scales would make G ignore y until trained.
            nn.init.normal_(self.gamma.weight, 1.0, 0.02)
            nn.init.zeros_(self.beta.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        out = self.bn(x)
        if self.gamma is None:
            return out
        y = labels_or_raise(y)
        return self.gamma(y)[:, :, None, None] * out + self.beta(y)[:, :, None, None]
