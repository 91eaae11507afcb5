"""The contract every registered GAN architecture keeps.

A factory registered in :data:`MODELS` takes a :class:`ModelSpec` and returns ``(G, D)``:

- ``G(z, y=None)``: z float [B, latent_dim] (y int64 [B] for conditional models) -> images
  float [B, C, H, W] in -1..1 (tanh), or points float [B, 2] (no tanh) for point data. A model registered with
  ``output="linear"`` (stylegan, as in its paper) has no tanh: its pictures are clamped to -1..1 when shown.
- ``D(x, y=None)``: -> raw scores float [B] (logits / critic values; no sigmoid).
- Optional: a D with ``has_real_aux_loss = True`` also takes ``aux=True`` and returns ``(scores, loss)``, a
  self-supervised scalar the GAN task adds to D's loss on reals and logs as ``loss_d_recon`` (``models/fastgan.py``).

Registry metadata a model may add: ``defaults={"train.lr_g": 0.002, ...}`` (its paper's settings, used where the
config leaves a field at the generic default: ``Task.setting``).

Factories raise :class:`UnsupportedShapeError` naming the sizes they support when the data does not fit.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import torch.nn as nn

from gan_backend.config import ModelConfig
from gan_backend.registry import Registry


class UnsupportedShapeError(ValueError):
    """The model cannot be built for the dataset's item shape; the message lists what it supports."""


@dataclass(frozen=True, init=False)
class ModelSpec:
    """What a factory builds from: facts of the data, and the config's ``model`` section (the one home of
    its fields and defaults). Model fields read as attributes: ``spec.width`` is ``spec.model.width``.

        ModelSpec("image", (1, 28, 28), num_classes=10, width=16)   # ModelConfig defaults for the rest
        ModelSpec.from_config(cfg.model, "image", (1, 28, 28), 10)
    """

    data_kind: str  # "points", "image", "paired" or "unpaired"
    shape: tuple[int, int, int]  # (C, H, W) of one image; (2, 1, 1) for points
    num_classes: int  # >0 for class-conditional models; the input channels K of paired (label map) models
    model: ModelConfig  # architecture settings: latent_dim, width, g_dropout, cond_mode, ...

    def __init__(self, data_kind: str, shape, num_classes: int = 0, model: ModelConfig | None = None,
                 **model_fields):
        """``model_fields`` override fields of ``model`` (default: ModelConfig()); unknown names raise TypeError."""
        model = dataclasses.replace(model or ModelConfig(), **model_fields)  # a copy: the spec stays frozen
        for name, value in (("data_kind", data_kind), ("shape", tuple(shape)), ("num_classes", num_classes),
                            ("model", model)):
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        if name in _MODEL_FIELDS:  # only called for names the spec itself does not have
            return getattr(self.model, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @classmethod
    def from_config(cls, model_cfg: ModelConfig, data_kind: str, shape, num_classes: int = 0) -> "ModelSpec":
        """The spec for a config's ``model`` section and a dataset's item shape."""
        return cls(data_kind, shape, num_classes, model=model_cfg)


_MODEL_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelConfig))


ModelFactory = Callable[[ModelSpec], "tuple[nn.Module, nn.Module]"]
MODELS: Registry[ModelFactory] = Registry("model")
