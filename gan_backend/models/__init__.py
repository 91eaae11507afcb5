"""GAN architectures. Importing this package registers every model in :data:`MODELS`.

>>> G, D = build_models(ModelSpec("image", (1, 28, 28), num_classes=10), "cdcgan")
"""
from __future__ import annotations

import torch.nn as nn

from gan_backend.models import cdcgan, dcgan, fastgan, mlp, sngan  # noqa: F401  (imported to register)
from gan_backend.models import pix2pix, spade  # noqa: F401  (paired models)
from gan_backend.models import cyclegan  # noqa: F401  (unpaired models)
from gan_backend.models import vae  # noqa: F401  (the variational autoencoder of the VAE-vs-GAN lesson)
from gan_backend.models import singan  # noqa: F401  (single-picture models)
from gan_backend.models import stylegan  # noqa: F401  (the style-based generator)
from gan_backend.models.base import MODELS, ModelSpec, UnsupportedShapeError
from gan_backend.models.conditional import NeedsLabelsError
from gan_backend.models.layers import count_parameters

__all__ = ["MODELS", "ModelSpec", "UnsupportedShapeError", "NeedsLabelsError", "build_models", "count_parameters"]


def build_models(spec: ModelSpec, name: str) -> tuple[nn.Module, nn.Module]:
    """Build ``(G, D)`` with the model registered as ``name``.

    Raises ``KeyError`` (naming the valid models) for an unknown name and
    :class:`UnsupportedShapeError` when the model cannot handle ``spec``'s data.
    """
    return MODELS.get(name)(spec)
