"""Coloured geometric shapes, 32x32 RGB: a tiny labelled image set that trains in minutes.

Each image is one circle, square, triangle or star with a random colour, size, position and
rotation on a dark or contrasting background. Shapes are drawn from signed distance fields in
NumPy over the whole batch at once, not with Pillow one image at a time: a pixel's coverage is
``clip(0.5 - distance, 0, 1)``, which antialiases edges as well as supersampling would, and 20000
images take well under a second instead of several.
"""
from __future__ import annotations

import math

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset

CLASS_NAMES = ["circle", "square", "triangle", "star"]
SIZE = 32  # output side in pixels
CHUNK = 4096  # images per vectorised step; bounds the float temporaries to ~100 MB
EXTENT = np.array([0.85, 1.0, 1.1, 1.15])  # outer radius per class as a multiple of the drawn size
STAR_INNER = 0.45  # inner/outer radius of the star; a true pentagram's 0.38 looks spindly at 32 px


def _regular_polygon_sd(rho: np.ndarray, phi: np.ndarray, radius: np.ndarray, sides: int) -> np.ndarray:
    """Signed distance (px, negative inside) to a regular polygon with a vertex at angle 0.

    Folding the angle into one edge's sector turns the polygon into a single half-plane; the
    result is exact near edges and slightly rounded outside corners, which is all antialiasing needs.
    """
    sector = 2 * math.pi / sides
    shifted = phi - sector / 2
    folded = shifted - np.rint(shifted / sector) * sector  # angle from the nearest edge normal
    return rho * np.cos(folded) - radius * math.cos(math.pi / sides)


def _star_sd(rho: np.ndarray, phi: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Signed distance to a five-pointed star with a tip at angle 0 (same folding trick)."""
    half = math.pi / 5
    folded = np.abs(phi - np.rint(phi / (2 * half)) * (2 * half))  # 0..36 deg from the nearest tip
    px, py = rho * np.cos(folded), rho * np.sin(folded)
    inner = STAR_INNER * radius
    # Edge from the tip T=(R, 0) to the inner corner I=(r cos36, r sin36); normal points outwards.
    nx, ny = inner * math.sin(half), radius - inner * math.cos(half)
    norm = np.hypot(nx, ny)
    return ((px - radius) * nx + py * ny) / norm


def _signed_distance(cls: int, rho: np.ndarray, phi: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Distance field [M, H, W] for ``M`` shapes of class ``cls``; ``size`` [M, 1, 1] is in px."""
    radius = float(EXTENT[cls]) * size  # a circle as wide as the square would look bigger, a triangle smaller
    if cls == 0:
        return rho - radius
    if cls == 1:
        return _regular_polygon_sd(rho, phi, radius, 4)
    if cls == 2:
        return _regular_polygon_sd(rho, phi, radius, 3)
    return _star_sd(rho, phi, radius)


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Vectorised HSV -> RGB; inputs [N] in 0..1, output [N, 3] in 0..1."""
    k = np.mod(np.array([5.0, 3.0, 1.0]) + h[:, None] * 6.0, 6.0)
    return v[:, None] - v[:, None] * s[:, None] * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def _colours(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Foreground and background colours [N, 3] in 0..1 that always stand apart.

    The foreground is bright and saturated; half the backgrounds are near black, the other half
    a darker colour from the opposite side of the hue wheel, so shape and ground never blend.
    """
    hue = rng.uniform(0, 1, n)
    fg = _hsv_to_rgb(hue, rng.uniform(0.45, 1.0, n), rng.uniform(0.8, 1.0, n))
    dark = rng.uniform(0, 1, n) < 0.5
    bg_hue = np.mod(hue + 0.5 + rng.uniform(-0.2, 0.2, n), 1.0)
    bg_sat = np.where(dark, rng.uniform(0.0, 0.5, n), rng.uniform(0.4, 0.9, n))
    bg_val = np.where(dark, rng.uniform(0.0, 0.15, n), rng.uniform(0.25, 0.5, n))
    return fg, _hsv_to_rgb(bg_hue, bg_sat, bg_val)


def _render(cls: int, params: np.ndarray, fg: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Draw ``M`` shapes of one class as uint8 [M, H, W, 3].

    ``params`` float32 [M, 4] holds (cx, cy, size, angle); colours are float32 [M, 3] in 0..255.
    """
    centres = np.arange(SIZE, dtype=np.float32) + 0.5  # pixel centres
    dx = centres[None, None, :] - params[:, 0, None, None]
    dy = centres[None, :, None] - params[:, 1, None, None]
    rho = np.sqrt(dx * dx + dy * dy)
    phi = np.arctan2(dy, dx) - params[:, 3, None, None]
    cover = np.clip(0.5 - _signed_distance(cls, rho, phi, params[:, 2, None, None]), 0.0, 1.0)
    img = bg[:, None, None, :] + (fg - bg)[:, None, None, :] * cover[..., None]
    return (img + 0.5).astype(np.uint8)  # +0.5 then truncate: round to nearest


@DATASETS.register("shapes")
def shapes(seed: int = 0, n: int = 20000) -> ArrayDataset:
    """Coloured circles, squares, triangles and stars, 32x32 RGB, 4 balanced classes."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(CLASS_NAMES)).astype(np.int64)
    size = rng.uniform(6.0, 11.5, n)  # nominal radius in px
    extent = EXTENT[labels] * size
    # Keep a one-pixel margin so no shape is cut off by the border.
    cx = rng.uniform(0, 1, n) * (SIZE - 2 * extent - 2) + extent + 1
    cy = rng.uniform(0, 1, n) * (SIZE - 2 * extent - 2) + extent + 1
    params = np.stack([cx, cy, size, rng.uniform(0, 2 * np.pi, n)], axis=1).astype(np.float32)
    fg, bg = (255 * c.astype(np.float32) for c in _colours(rng, n))
    x = np.empty((n, SIZE, SIZE, 3), np.uint8)
    for cls in range(len(CLASS_NAMES)):
        ids = np.flatnonzero(labels == cls)
        for part in np.array_split(ids, max(1, -(-len(ids) // CHUNK))):
            x[part] = _render(cls, params[part], fg[part], bg[part])
    return ArrayDataset("shapes", "image", x, labels, list(CLASS_NAMES))
