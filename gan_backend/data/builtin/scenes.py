"""``scenes``: procedural landscapes, each a semantic label map and the picture it describes.

The built-in paired data for SPADE and pix2pix (the "paint to image" feature). Each scene's label map
is laid out by :mod:`gan_backend.data.builtin.scene_layout` (sky, mountains, water, grass, objects in
perspective); :mod:`gan_backend.data.builtin.scene_render` paints the picture from the map with noise
textures, shading and sky gradients, so a class is never a flat colour.

Scenes are made in chunks of CHUNK, each from its own generator seeded by (seed, chunk), so scene i
is the same whatever ``n`` is. Gives kind "paired": ``x`` uint8 [N, S, S, 3], ``extra["segmap"]``
uint8 [N, S, S] class indices, ``class_names`` and ``palette`` uint8 [K, 3] (:data:`PALETTE`).
"""
from __future__ import annotations

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset
from gan_backend.data.builtin.scene_layout import CHUNK, CLASS_NAMES, CLASSES, PALETTE, make_layout
from gan_backend.data.builtin.scene_render import render

DEFAULT_SIZE = 128


def generate(seed: int, n: int, size: int = DEFAULT_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """(label maps uint8 [n, S, S], pictures uint8 [n, S, S, 3]); scene i depends on (seed, i) only."""
    maps = np.empty((n, size, size), np.uint8)
    pictures = np.empty((n, size, size, 3), np.uint8)
    for start in range(0, n, CHUNK):
        rng = np.random.default_rng([seed, start // CHUNK, size])
        layout = make_layout(rng, CHUNK, size)
        pics = render(rng, layout)
        stop = min(n, start + CHUNK)
        maps[start:stop], pictures[start:stop] = layout.seg[:stop - start], pics[:stop - start]
    return maps, pictures


@DATASETS.register("scenes")
def scenes(seed: int = 0, n: int = 2000, size: int = DEFAULT_SIZE) -> ArrayDataset:
    """Procedural landscapes: label maps (sky, cloud, mountain, rock, snow, water, sand, grass, tree, bush) and renders."""
    if not 16 <= int(size) <= 512:
        raise ValueError(f"scenes: size must be 16..512 pixels, got {size}")
    maps, pictures = generate(seed, int(n), int(size))
    data = ArrayDataset("scenes", "paired", pictures, None, list(CLASS_NAMES), {"segmap": maps}, palette=PALETTE.copy())
    data.report.class_counts = [int((maps == k).any(axis=(1, 2)).sum()) for k in range(len(CLASSES))]
    data.report.notes.append(f"procedural landscapes, seed {seed}, {size}x{size}; counts are images showing each class")
    return data
