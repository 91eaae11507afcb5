"""A fixed, seeded random conv net: the feature space for a user's own pictures, which no shipped classifier knows.

The net is built in code from a seed (no weights file, nothing downloaded), so the same seed gives the same
features on every machine and every call. It takes the pictures at the size the run trained on.

What it can see: colour, contrast, edges and texture at three scales (the mean and spread of each channel of
each stage) and coarse layout (the last stage averaged over a 3x3 grid of cells). Random conv filters do
carry such statistics (Ustyuzhaninov et al. 2016 synthesise textures with them; Naeem et al. 2020 suggest
randomly initialised embeddings for data far from ImageNet).
What it cannot see: meaning. It was never trained, so it does not know a cat from a dog, whether a face has
two eyes, or whether an object is whole. Two pictures of different things with the same colours and textures
land close together. FID/KID in this space say whether the samples' image statistics match the folder's,
not whether they look like real objects; numbers are comparable only between runs measured with the same seed
at the same image size. Give ``--inception FILE`` for semantic features.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

SEED = 1234  # the net's weights; changing it changes every number measured in this space
# Output channels of the three 3x3 stride-2 conv stages. Kept small: FID's cost grows with FEATURE_DIM cubed.
WIDTHS = (32, 64, 64)
LAYOUT_CELLS = 3  # the last stage averaged over LAYOUT_CELLS x LAYOUT_CELLS cells
BATCH = 64
FEATURE_DIM = 2 * sum(WIDTHS) + WIDTHS[-1] * LAYOUT_CELLS ** 2  # 320 statistics + 576 layout = 896


@functools.lru_cache(maxsize=None)
def random_weights(channels: int, seed: int = SEED) -> tuple[torch.Tensor, ...]:
    """Conv kernels [out, in, 3, 3] of each stage, He-scaled so that activations keep their size through ReLU."""
    gen = torch.Generator().manual_seed(seed)
    weights, fan_in = [], channels
    for width in WIDTHS:
        w = torch.randn((width, fan_in, 3, 3), generator=gen) * math.sqrt(2.0 / (fan_in * 9))
        weights.append(w)
        fan_in = width
    return tuple(weights)


@torch.no_grad()
def random_features(images: np.ndarray, seed: int = SEED) -> np.ndarray:
    """uint8 [N, H, W, C] (C = 1, 3 or 4; alpha dropped) -> float64 [N, FEATURE_DIM]."""
    images = images[..., :3]
    weights = random_weights(images.shape[-1], seed)
    out = []
    for start in range(0, len(images), BATCH):
        x = torch.from_numpy(np.ascontiguousarray(images[start:start + BATCH])).permute(0, 3, 1, 2)
        x = x.float() / 127.5 - 1.0  # [B, C, H, W] in -1..1
        stats = []
        for w in weights:
            x = F.relu(F.conv2d(x, w, stride=2, padding=1))
            stats += [x.mean(dim=(2, 3)), x.std(dim=(2, 3), correction=0)]
        layout = F.adaptive_avg_pool2d(x, LAYOUT_CELLS).flatten(1)
        out.append(torch.cat(stats + [layout], dim=1).double())
    return torch.cat(out).numpy() if out else np.empty((0, FEATURE_DIM))
