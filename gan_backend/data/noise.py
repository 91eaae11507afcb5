"""Smooth random fields for procedural data: value noise and its fractal sums, a whole batch at once.

A field is a coarse grid of uniform random values per item, upsampled by torch's interpolation
(one C loop over the batch instead of a Python loop per item). Summing octaves of doubling grid
density with halving amplitude gives fractal Brownian motion ("fbm"): mountain ridges in 1-D,
cloud and texture fields in 2-D. Every draw comes from the caller's NumPy generator, so a field is
a pure function of the seed.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def value_noise_2d(rng: np.random.Generator, n: int, size: int, cells: tuple[int, int]) -> np.ndarray:
    """float32 [n, size, size] in about 0..1: a (cy+1, cx+1) random grid per item, upsampled bilinearly.

    Fewer cells along x than along y stretches features sideways (clouds, ripples).
    """
    cy, cx = cells
    grid = torch.from_numpy(rng.random((n, 1, cy + 1, cx + 1), dtype=np.float32))
    return F.interpolate(grid, size=(size, size), mode="bilinear", align_corners=True)[:, 0].numpy()


def fbm_2d(rng: np.random.Generator, n: int, size: int, cells: tuple[int, int], octaves: int) -> np.ndarray:
    """float32 [n, size, size], roughly zero-mean in -1..1: ``octaves`` of value noise from ``cells`` up.

    The octaves are summed on a grid just fine enough for the finest one (two samples per cell), then
    upsampled once with bicubic smoothing: a quarter of the work of summing at full size, and the
    bicubic pass hides the diamond pattern of bilinear value noise.
    """
    cy, cx = cells
    work = min(size, 2 * max(cy, cx) * 2 ** (octaves - 1))
    total = torch.zeros(n, 1, work, work)
    amp, norm = 1.0, 0.0
    for _ in range(octaves):
        grid = torch.from_numpy(rng.random((n, 1, min(cy, work) + 1, min(cx, work) + 1), dtype=np.float32))
        total += amp * (F.interpolate(grid, size=(work, work), mode="bilinear", align_corners=True) - 0.5)
        norm += amp
        amp, cy, cx = amp * 0.5, cy * 2, cx * 2
    if work != size:
        total = F.interpolate(total, size=(size, size), mode="bicubic", align_corners=True)
    return total[:, 0].mul_(2.0 / norm).numpy()


def fbm_1d(rng: np.random.Generator, n: int, size: int, cells: int, octaves: int, gain: float = 0.5) -> np.ndarray:
    """float32 [n, size] in 0..1 (min-max scaled per item): a fractal profile along x.

    Linear interpolation keeps the coarse octaves' kinks, which read as mountain peaks.
    """
    total = np.zeros((n, size), np.float32)
    amp = 1.0
    for _ in range(octaves):
        grid = torch.from_numpy(rng.random((n, 1, cells + 1), dtype=np.float32))
        total += amp * F.interpolate(grid, size=size, mode="linear", align_corners=True)[:, 0].numpy()
        amp, cells = amp * gain, min(cells * 2, size)
    lo, hi = total.min(axis=1, keepdims=True), total.max(axis=1, keepdims=True)
    return (total - lo) / np.maximum(hi - lo, 1e-6)
