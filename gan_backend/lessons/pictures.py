"""Picture measures and layouts the image lessons share: sharpness, class coverage, grids, heat overlays."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from gan_backend.images import grey_to_rgb, make_grid

HEAT = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], np.float64)  # inferno


def sharpness(images: np.ndarray) -> float:
    """Mean |Laplacian| of uint8 [N, H, W, C] pictures scaled to 0..1: blur lowers it, noise and edges raise it."""
    x = images.astype(np.float64).mean(axis=-1) / 255.0  # [N, H, W] grey
    lap = x[:, :-2, 1:-1] + x[:, 2:, 1:-1] + x[:, 1:-1, :-2] + x[:, 1:-1, 2:] - 4 * x[:, 1:-1, 1:-1]
    return float(np.abs(lap).mean())


@lru_cache(maxsize=1)
def glyph_classifier():
    """The shipped glyphs classifier (resources/classifiers/glyphs.pt), read once."""
    from gan_backend import resources
    from gan_backend.metrics.classifier import load_classifier

    return load_classifier(resources.path("classifiers", "glyphs.pt"))


def class_coverage(images: np.ndarray, labels: np.ndarray | None = None) -> dict:
    """The evaluator's class histogram of uint8 [N, 28, 28, 1] glyph pictures: classes_covered (of 10),
    class_entropy (0..1), and label_match when ``labels`` (the classes asked for) are given."""
    from gan_backend.metrics.classifier import probabilities
    from gan_backend.metrics.evaluate import class_coverage as coverage

    return coverage(probabilities(glyph_classifier(), images), labels)


def grid(images: np.ndarray, columns: int, pad: int = 2) -> np.ndarray:
    """uint8 [N, H, W, C] -> one C-contiguous uint8 [h, w, 3] picture, ``columns`` per row, on a mid-grey gap."""
    return np.ascontiguousarray(make_grid(images, ncols=columns, pad=pad, pad_value=96))


def heat_overlay(picture: np.ndarray, heat: np.ndarray, full: float | None = None, alpha: float = 0.85) -> np.ndarray:
    """A uint8 [H, W, C] picture with ``heat`` (float [h, w] >= 0; H, W multiples of h, w) laid over it in an
    inferno colour map, opaque and bright at ``full`` (default: the peak) and above, clear at 0."""
    h, w = picture.shape[:2]
    up = np.kron(heat, np.ones((h // heat.shape[0], w // heat.shape[1])))
    up = np.clip(up / max(1e-12, float(full or up.max())), 0.0, 1.0)
    colour = np.stack([np.interp(up, np.linspace(0, 1, len(HEAT)), HEAT[:, c]) for c in range(3)], -1)
    base = grey_to_rgb(picture).astype(np.float64)
    weight = alpha * up[..., None]
    return np.ascontiguousarray(((1 - weight) * base + weight * colour).round().astype(np.uint8))


def upscale(picture: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement of uint8 [H, W, C], so small pictures stay crisp on screen."""
    return np.ascontiguousarray(picture.repeat(factor, 0).repeat(factor, 1))
