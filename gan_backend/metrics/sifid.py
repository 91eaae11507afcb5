"""Single-image statistics for SinGAN: SIFID, diversity, and how far a sample is from a shifted copy.

SIFID (Shaham et al. 2019) is the Fréchet distance between the distributions of the *spatial* feature
vectors of two pictures, so it compares the patches of one picture with the patches of another. SinGAN
used Inception's first pooling layer; nothing is downloaded here, so the features are the three stages of the
fixed random conv net of :mod:`gan_backend.metrics.random_features` (seeded, built in code), 64 channels at 1/8
resolution, averaged over 3x3 neighbours: each vector sees a 31x31-pixel patch, large enough that shuffling the
picture's 16x16 tiles changes it (the high reference) while shifting the picture does not (the low one). They
measure colour, contrast, texture and local structure, not meaning; numbers compare only between pictures
measured with this module.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.metrics.frechet import feature_stats, frechet_distance
from gan_backend.metrics.random_features import random_weights

STAGES = 3  # random_features' three stride-2 stages (32, 64, 64 channels): 15x15-pixel receptive fields
POOL = 3  # then a 3x3 average: 31x31 pixels per vector


@torch.no_grad()
def patch_features(picture: np.ndarray) -> np.ndarray:
    """uint8 [H, W, 3] -> float64 [h * w, 64]: one vector per location at 1/8 resolution."""
    x = torch.from_numpy(np.array(picture[..., :3])).permute(2, 0, 1)[None].float() / 127.5 - 1.0
    for w in random_weights(3)[:STAGES]:
        x = F.relu(F.conv2d(x, w, stride=2, padding=1))
    x = F.avg_pool2d(x, POOL, stride=1)
    return x[0].flatten(1).T.double().numpy()


def sifid(real: np.ndarray, fake: np.ndarray) -> float:
    """SIFID between two pictures (any sizes); 0 for the same patch statistics."""
    return frechet_distance(*feature_stats(patch_features(real)), *feature_stats(patch_features(fake)))


def shifted(picture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The picture moved by a random offset of up to 1/8 of each side, the uncovered edge mirrored: the same
    patches in nearly the same places (the low reference)."""
    h, w = picture.shape[:2]
    dy, dx = int(rng.integers(-(h // 8), h // 8 + 1)), int(rng.integers(-(w // 8), w // 8 + 1))
    pad = np.pad(picture, ((abs(dy),) * 2, (abs(dx),) * 2, (0, 0)), mode="reflect")
    return pad[abs(dy) + dy:abs(dy) + dy + h, abs(dx) + dx:abs(dx) + dx + w]


def patch_shuffled(picture: np.ndarray, rng: np.random.Generator, patch: int = 16) -> np.ndarray:
    """The picture's patch x patch tiles in random order: its colours, scrambled structure (a high reference)."""
    h, w = (picture.shape[0] // patch) * patch, (picture.shape[1] // patch) * patch
    tiles = picture[:h, :w].reshape(h // patch, patch, w // patch, patch, -1).swapaxes(1, 2).reshape(-1, patch, patch,
                                                                                                   picture.shape[2])
    tiles = tiles[rng.permutation(len(tiles))]
    out = picture.copy()
    out[:h, :w] = tiles.reshape(h // patch, w // patch, patch, patch, -1).swapaxes(1, 2).reshape(h, w, -1)
    return out


def diversity(samples: np.ndarray, picture: np.ndarray) -> float:
    """Pixel std across samples [N, H, W, C], averaged over pixels, over the picture's own pixel std."""
    across = np.asarray(samples, np.float64).std(axis=0).mean()
    return float(across / max(1e-9, np.asarray(picture, np.float64).std()))


def copy_distance(sample: np.ndarray, picture: np.ndarray, max_shift: float = 0.25) -> float:
    """Mean L1 (0..1 units) between a sample and the picture at the best integer shift of up to
    ``max_shift`` of each side, over their overlap: near 0 for a copy or a shifted copy."""
    a, b = np.asarray(sample, np.float32) / 255, np.asarray(picture, np.float32) / 255
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    a, b = a[:h, :w], b[:h, :w]
    best = np.inf
    for dy in range(-int(h * max_shift), int(h * max_shift) + 1):
        for dx in range(-int(w * max_shift), int(w * max_shift) + 1):
            ya, yb = (dy, 0) if dy >= 0 else (0, -dy)
            xa, xb = (dx, 0) if dx >= 0 else (0, -dx)
            d = np.abs(a[ya:h - yb, xa:w - xb] - b[yb:h - ya, xb:w - xa]).mean()
            best = min(best, float(d))
    return best
