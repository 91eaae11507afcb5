"""Feature spaces for evaluation: the classifiers shipped in ``gan_backend/resources/classifiers/``, a seeded
random conv net for a user's own pictures (:mod:`~gan_backend.metrics.random_features`) and, when the user
gives its weights file, Inception-v3 (never downloaded).

A feature space turns uint8 images [N, H, W, C] into float64 features [N, D]; FID, KID and
precision/recall are then computed in it. Numbers are comparable only within one feature space.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend import resources
from gan_backend.engine.checkpoint import CheckpointError
from gan_backend.errors import first_line
from gan_backend.images import grey_to_rgb
from gan_backend.metrics.classifier import SmallClassifier, features, load_classifier
from gan_backend.metrics.random_features import FEATURE_DIM, SEED, random_features

CLASSIFIER_DIR = resources.path("classifiers")
# Dataset -> (shipped file, image shape (C, H, W), class names); written by scripts/train_classifiers.py.
SHIPPED = {"glyphs": ("glyphs.pt", (1, 28, 28), [str(d) for d in range(10)]),
           "shapes": ("shapes.pt", (3, 32, 32), ["circle", "square", "triangle", "star"])}
# "kind:PATH" datasets measured with another dataset's classifier: MNIST digits are 28x28 grey digits 0-9.
BORROWED = {"mnist": "glyphs"}
# "kind:PATH" datasets of a user's own pictures: no classifier knows them, so a seeded random conv net measures them.
RANDOM_KINDS = ("folder", "npz")
INCEPTION_SIDE = 299  # Inception-v3's input side
INCEPTION_BATCH = 32  # images per forward: [32, 3, 299, 299] floats is ~34 MB


class EvalError(ValueError):
    """A run or request that cannot be evaluated; the message says what is supported."""


@dataclass
class FeatureSpace:
    """How images become features; ``name`` is printed next to the numbers."""

    name: str
    embed: Callable[[np.ndarray], np.ndarray]  # uint8 [N, H, W, C] -> float64 [N, D]


def supported_text() -> str:
    """One phrase listing what `eval` can measure, for error messages."""
    kinds = ", ".join(f"{k}:PATH (with the {v} classifier)" for k, v in BORROWED.items())
    own = ", ".join(f"{k}:PATH" for k in RANDOM_KINDS)
    return (f"image datasets {', '.join(SHIPPED)}, {kinds}, {own} (with random conv features), toy2d:* points, "
            f"or any image dataset with --inception FILE")


def classifier_name(dataset: str) -> str | None:
    """Which shipped classifier measures ``dataset`` ("glyphs", "shapes"), or None."""
    if dataset in SHIPPED:
        return dataset
    kind, sep, _ = dataset.partition(":")
    return BORROWED.get(kind) if sep else None


def classifier_note(dataset: str) -> str:
    """Says so when a run is measured with another dataset's classifier (mnist: -> glyphs)."""
    name = classifier_name(dataset)
    if name is None or name == dataset:
        return ""
    return f"{dataset.partition(':')[0]}: data is measured with the {name} classifier (trained on synthetic {name})"


@functools.lru_cache(maxsize=None)
def shipped_classifier(name: str) -> SmallClassifier:
    """The shipped classifier ``name`` (cached: the trainer asks at every evaluation)."""
    path = CLASSIFIER_DIR / SHIPPED[name][0]
    if not path.is_file():
        raise EvalError(f"{path} is missing; rebuild it with `bash scripts/env.sh python scripts/train_classifiers.py`")
    try:
        return load_classifier(path)
    except CheckpointError as exc:
        raise EvalError(f"{exc}; rebuild it with scripts/train_classifiers.py") from None


def classifier_space(name: str) -> FeatureSpace:
    model = shipped_classifier(name)
    return FeatureSpace(f"{name} classifier ({SHIPPED[name][0]}, 128-d)", lambda images: features(model, images))


def random_space() -> FeatureSpace:
    """Features of a fixed random conv net: colour, texture and layout statistics, not semantics."""
    return FeatureSpace(f"random conv features (seed {SEED}, {FEATURE_DIM}-d: colour, texture, layout; "
                        f"not semantics)", random_features)


# --- Inception-v3 ---
def load_inception(path: str | Path) -> nn.Module:
    """torchvision's inception_v3 with the state_dict in ``path``; its fc replaced so it returns 2048-d pool features."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise EvalError(f"--inception {path}: no such file; give the path of a torchvision inception_v3 "
                        f"state_dict (e.g. inception_v3_google-0cc3c7bd.pth); it is never downloaded")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a foreign or damaged file can fail anywhere in the unpickler
        raise EvalError(f"--inception {path}: not a readable PyTorch weights file ({first_line(exc, 160)})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise EvalError(f"--inception {path}: not a state_dict (a dict of tensors); save one with "
                        f"torch.save(model.state_dict(), FILE)")
    from torchvision.models import inception_v3

    aux = any(k.startswith("AuxLogits.") for k in state)
    net = inception_v3(weights=None, aux_logits=aux, init_weights=False, transform_input=False)
    try:
        net.load_state_dict(state)
    except RuntimeError as exc:
        raise EvalError(f"--inception {path}: not an inception_v3 state_dict "
                        f"({first_line(exc, 160)})") from None
    net.fc = nn.Identity()
    return net.eval()


@torch.no_grad()
def inception_features(net: nn.Module, images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, C] (C = 1 or 3) -> float64 [N, 2048], each image resized to 299x299 in -1..1."""
    out = []
    for start in range(0, len(images), INCEPTION_BATCH):
        x = torch.from_numpy(np.ascontiguousarray(grey_to_rgb(images[start:start + INCEPTION_BATCH]))).permute(0, 3, 1, 2)
        x = x.float() / 127.5 - 1.0  # the Google weights expect -1..1 (what transform_input would produce)
        x = F.interpolate(x, size=(INCEPTION_SIDE, INCEPTION_SIDE), mode="bilinear", align_corners=False)
        out.append(net(x).double())
    return torch.cat(out).numpy()


def inception_space(path: str | Path) -> FeatureSpace:
    net = load_inception(path)
    return FeatureSpace(f"Inception-v3 pool ({Path(path).name}, 2048-d)", lambda images: inception_features(net, images))


def image_space(dataset: str, shape: tuple[int, int, int], inception: str | Path | None = None) -> FeatureSpace:
    """The feature space for an image dataset with images of ``shape`` (C, H, W): Inception when given,
    else the dataset's shipped classifier, else (a user's own pictures) the random conv net."""
    if inception:
        return inception_space(inception)
    name = classifier_name(dataset)
    if name is None and dataset.partition(":")[0] in RANDOM_KINDS:
        return random_space()
    if name is None:
        raise EvalError(f"no shipped classifier for dataset {dataset!r}; supported: {supported_text()}")
    check_size(name, shape)
    return classifier_space(name)


def check_size(name: str, shape: tuple[int, int, int]) -> None:
    """The run's images, (C, H, W), must be what classifier ``name`` was trained on."""
    want = SHIPPED[name][1]
    if tuple(shape) != want:
        hwc = lambda s: f"{s[1]}x{s[2]}x{s[0]}"
        raise EvalError(f"the {name} classifier measures {hwc(want)} images, this run makes {hwc(shape)}; "
                        f"train at the dataset's own size (data.image_size=0) or pass --inception FILE")
