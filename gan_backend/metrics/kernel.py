"""Kernel Inception Distance: an unbiased MMD^2 with a cubic polynomial kernel (Binkowski et al. 2018).

Unlike FID it has an unbiased estimator, so small sample sets do not inflate it and the value of
identical distributions is 0 on average (single subsets can dip below 0). Computed over random
subsets, whose spread gives an error bar.
"""
from __future__ import annotations

import numpy as np


def _poly_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k(x, y) = (x.y / D + 1)^3 for all pairs: [n, m]."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 of two equal-sized samples [m, D]: diagonals of k(x, x) and k(y, y) left out."""
    m = len(x)
    kxx, kyy, kxy = _poly_kernel(x, x), _poly_kernel(y, y), _poly_kernel(x, y)
    within = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return float(within - 2 * kxy.sum() / (m * m))


def kid(feat_a: np.ndarray, feat_b: np.ndarray, subsets: int = 50, subset_size: int = 1000,
        seed: int = 0) -> tuple[float, float]:
    """(mean, std) of the unbiased MMD^2 over ``subsets`` random subsets of features [Na, D], [Nb, D].

    ``subset_size`` is capped at the smaller set's size; each subset is drawn without replacement.
    """
    a, b = np.asarray(feat_a, np.float64), np.asarray(feat_b, np.float64)
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError(f"kid: need at least 2 features per set, got {len(a)} and {len(b)}")
    rng = np.random.default_rng(seed)
    values = [_mmd2_unbiased(a[rng.choice(len(a), m, replace=False)], b[rng.choice(len(b), m, replace=False)])
              for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))
