"""Two-dimensional point clouds for watching a GAN cover (or drop) modes.

``ring8`` and ``grid25`` are the classic mode-collapse benchmarks (Metz et al. 2017, "Unrolled
GANs"; Srivastava et al. 2017, "VEEGAN"): a generator that collapses visibly misses Gaussians.
``spiral`` is one connected, curved manifold, which shows whether a model can bend its output.
"""
from __future__ import annotations

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset

RING_RADIUS = 2.0  # the classic setting: 8 modes on a circle of radius 2 ...
RING_STD = 0.02  # ... each a Gaussian with std 0.02
GRID_STEPS = (-4.0, -2.0, 0.0, 2.0, 4.0)  # 5x5 modes on this lattice
GRID_STD = 0.05


def _mixture(rng: np.random.Generator, means: np.ndarray, std: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``n`` points from equal-weight isotropic Gaussians at ``means`` [K, 2].

    Labels are balanced (each mode gets n // K or one more) and then shuffled, so class counts
    in the report are exact rather than multinomial noise.
    """
    k = len(means)
    labels = rng.permutation(np.arange(n) % k).astype(np.int64)
    points = means[labels] + rng.normal(0.0, std, size=(n, 2))
    return points.astype(np.float32), labels


def ring8_means() -> np.ndarray:
    """[8, 2] mode centres, counter-clockwise from (2, 0)."""
    angles = np.arange(8) * (2 * np.pi / 8)
    return RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid25_means() -> np.ndarray:
    """[25, 2] mode centres, row-major over y then x."""
    ys, xs = np.meshgrid(GRID_STEPS, GRID_STEPS, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


@DATASETS.register("toy2d:ring8")
def ring8(seed: int = 0, n: int = 20000) -> ArrayDataset:
    """8 Gaussians on a circle of radius 2 (std 0.02): the classic mode-collapse test."""
    points, labels = _mixture(np.random.default_rng(seed), ring8_means(), RING_STD, n)
    names = [f"mode {i} ({a} deg)" for i, a in enumerate(range(0, 360, 45))]
    return ArrayDataset("toy2d:ring8", "points", points, labels, names)


@DATASETS.register("toy2d:grid25")
def grid25(seed: int = 0, n: int = 20000) -> ArrayDataset:
    """25 Gaussians on a 5x5 grid at -4..4 (std 0.05): many modes close together."""
    means = grid25_means()
    points, labels = _mixture(np.random.default_rng(seed), means, GRID_STD, n)
    names = [f"({x:+.0f}, {y:+.0f})" for x, y in means]
    return ArrayDataset("toy2d:grid25", "points", points, labels, names)


@DATASETS.register("toy2d:spiral")
def spiral(seed: int = 0, n: int = 20000) -> ArrayDataset:
    """A noisy 1.5-turn spiral (2-D swiss roll) in about [-2, 2]: one curved manifold."""
    rng = np.random.default_rng(seed)
    # sqrt spreads points evenly along the arc length instead of crowding the centre.
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 3.0 * np.pi + 0.5 * np.pi  # angle, 0.5pi..3.5pi
    radius = t / (3.5 * np.pi) * 2.0  # grows to 2 at the outer end
    points = np.stack([radius * np.cos(t), radius * np.sin(t)], axis=1)
    points += rng.normal(0.0, 0.05, size=(n, 2))
    return ArrayDataset("toy2d:spiral", "points", points.astype(np.float32), None, [])
