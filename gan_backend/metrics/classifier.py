"""A small CNN image classifier whose penultimate layer serves as the feature space for FID/KID/PR.

Inception-v3 features (the usual FID) need a large weight download and mean little for 28x28 digits;
a classifier trained on the data set itself is the usual stand-in for MNIST-like data. Its
numbers are comparable only between runs measured with the same trained classifier.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.engine import checkpoint as ckpt
from gan_backend.errors import first_line
from gan_backend.images import from_uint8

FEATURES = 128  # size of the penultimate layer, the feature vector
KIND = "small_classifier"  # marker in saved files, so a generator checkpoint is not read as one
BATCH = 1000  # images per inference chunk: 1.7x faster than 256 on a 2-core CPU (benchmarks/metric_speed.py)


class SmallClassifier(nn.Module):
    """Two conv blocks (16, 32 channels, each halving the side), a 128-d feature layer, a linear head.

    Kept small so that training it on 8k digits takes well under a minute on a shared CPU.
    """

    def __init__(self, in_channels: int, num_classes: int, size: int):
        super().__init__()
        if size % 4:
            raise ValueError(f"SmallClassifier: image side must be a multiple of 4, got {size}")
        self.in_channels, self.num_classes, self.size = in_channels, num_classes, size
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * (size // 4) ** 2, FEATURES)
        self.head = nn.Linear(FEATURES, num_classes)
        # features() divides by this, set after training to the RMS value of the training features, so
        # feature units do not depend on the training run and x.y / D in KID's cubic kernel stays near -1..1.
        self.register_buffer("feature_scale", torch.ones(()))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """[B, C, size, size] in -1..1 -> [B, 128] features, taken before the ReLU (closer to Gaussian)."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[B, C, size, size] in -1..1 -> class logits [B, num_classes]."""
        return self.head(F.relu(self.embed(x)))


def _to_input(model: SmallClassifier, images: np.ndarray) -> torch.Tensor:
    """uint8 [N, H, W, C] -> float [N, C, H, W] in -1..1, checked against the model's input size."""
    if images.ndim != 4 or images.shape[1:] != (model.size, model.size, model.in_channels):
        raise ValueError(f"classifier expects uint8 [N, {model.size}, {model.size}, {model.in_channels}] "
                         f"images, got shape {images.shape}")
    return from_uint8(torch.from_numpy(np.ascontiguousarray(images)))


@contextmanager
def _torch_threads(n: int):
    """Run the block with ``n`` intra-op threads (0 = leave as is), then restore the previous count."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_classifier(images: np.ndarray, labels: np.ndarray, epochs: int = 3, seed: int = 0,
                     batch_size: int = 32, lr: float = 1e-3, num_threads: int = 1) -> SmallClassifier:
    """Train on uint8 [N, H, W, C] images with int labels [N]; returns the model in eval mode.

    Seeded inside a forked RNG so the caller's torch random state is left as it was. ``num_threads``
    defaults to 1: batches of 32 small images gain little from more threads, and on a shared CPU
    extra threads spin against other processes (measured 3-6x slower with 2 threads on a busy 2-core box).
    """
    labels_t = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    with torch.random.fork_rng(devices=[]), _torch_threads(num_threads):
        torch.manual_seed(seed)
        model = SmallClassifier(images.shape[3], int(labels_t.max()) + 1, images.shape[1])
        x = _to_input(model, images)
        opt = torch.optim.Adam(model.parameters(), lr)
        model.train()
        for _ in range(epochs):
            for idx in torch.randperm(len(x)).split(batch_size):
                loss = F.cross_entropy(model(x[idx]), labels_t[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        model.eval()
        model.feature_scale.fill_(np.sqrt(np.mean(features(model, images) ** 2)))
    return model


@torch.no_grad()
def _map(model: SmallClassifier, images: np.ndarray, fn) -> torch.Tensor:
    """Apply ``fn(model, x)`` to uint8 images in chunks of BATCH, in eval mode; concatenated output."""
    model.eval()
    x = _to_input(model, images)
    return torch.cat([fn(model, chunk) for chunk in x.split(BATCH)])


def features(model: SmallClassifier, images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, C] -> float64 [N, 128] penultimate features, in units of ``feature_scale``."""
    return _map(model, images, lambda m, x: m.embed(x) / m.feature_scale).double().numpy()


def probabilities(model: SmallClassifier, images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, C] -> float64 [N, num_classes] softmax class probabilities."""
    return _map(model, images, lambda m, x: m(x).softmax(dim=1)).double().numpy()


def accuracy(model: SmallClassifier, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of images whose most probable class is the label, 0..1."""
    return float((probabilities(model, images).argmax(axis=1) == np.asarray(labels)).mean())


def save_classifier(model: SmallClassifier, path: str | Path) -> None:
    """Write the weights and the constructor's arguments atomically (see ``engine.checkpoint``)."""
    ckpt.save_atomic({"kind": KIND, "in_channels": model.in_channels, "num_classes": model.num_classes,
                      "size": model.size, "weights": model.state_dict()}, Path(path))


def load_classifier(path: str | Path) -> SmallClassifier:
    """Read a file written by :func:`save_classifier`; anything else raises CheckpointError."""
    state = ckpt.load(Path(path))
    if state.get("kind") != KIND:
        raise ckpt.CheckpointError(f"{path}: a GAN Studio checkpoint, but not a {KIND} (kind "
                                   f"{state.get('kind')!r})")
    model = SmallClassifier(state["in_channels"], state["num_classes"], state["size"])
    try:
        model.load_state_dict(state["weights"])
    except RuntimeError as exc:
        raise ckpt.CheckpointError(f"{path}: weights do not fit {KIND} ({first_line(exc, 160)})") from None
    return model.eval()
