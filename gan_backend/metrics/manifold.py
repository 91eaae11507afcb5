"""Improved precision and recall (Kynkäänniemi et al. 2019) from k-nearest-neighbour manifolds.

Each set's manifold is the union of balls around its points, each ball reaching the point's k-th
nearest neighbour in the same set. Precision: the share of fake points inside the real manifold
(are samples realistic?). Recall: the share of real points inside the fake manifold (is the data's
variety covered?). Mode collapse keeps precision high and drops recall.
"""
from __future__ import annotations

import numpy as np
import torch

CHUNK = 1024  # rows of the distance matrix held at once: [CHUNK, N] float64


def _as_tensor(features: np.ndarray | torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(np.asarray(features), dtype=torch.float64)


def knn_radii(points: torch.Tensor, k: int) -> torch.Tensor:
    """[N] distance from each point to its k-th nearest other point of the same set."""
    if len(points) <= k:
        raise ValueError(f"precision_recall: need more than k={k} points per set, got {len(points)}")
    radii = [torch.cdist(chunk, points).kthvalue(k + 1, dim=1).values  # +1: a point is its own 0-th neighbour
             for chunk in points.split(CHUNK)]
    return torch.cat(radii)


def coverage(queries: torch.Tensor, points: torch.Tensor, radii: torch.Tensor) -> float:
    """Share of ``queries`` [M, D] inside at least one ball (``points`` [N, D], ``radii`` [N])."""
    inside = [(torch.cdist(chunk, points) <= radii[None]).any(dim=1) for chunk in queries.split(CHUNK)]
    return float(torch.cat(inside).double().mean())


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = 3) -> tuple[float, float]:
    """(precision, recall) in 0..1 of fake features [M, D] against real features [N, D]."""
    r, f = _as_tensor(real), _as_tensor(fake)
    precision = coverage(f, r, knn_radii(r, k))
    recall = coverage(r, f, knn_radii(f, k))
    return precision, recall
