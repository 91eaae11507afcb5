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
from gan_backend.data.builtin.scene_rich import RICH_NAMES, RICH_PALETTE, make_rich_layout
from gan_backend.data.builtin.scene_rich_render import render_rich

DEFAULT_SIZE = 128
RICH_SIZE = 256
RICH_STREAM = 1  # rich scenes draw from their own seed stream: never the plain scenes' shapes


def generate(seed: int, n: int, size: int = DEFAULT_SIZE, rich: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(label maps uint8 [n, S, S], pictures uint8 [n, S, S, 3]); scene i depends on (seed, i, size) only."""
    maps = np.empty((n, size, size), np.uint8)
    pictures = np.empty((n, size, size, 3), np.uint8)
    chunk = max(4, CHUNK * 128 * 128 // (size * size)) if rich and size > 128 else CHUNK  # bounds the temporaries
    for start in range(0, n, chunk):
        key = [seed, RICH_STREAM, start // chunk, size] if rich else [seed, start // chunk, size]
        rng = np.random.default_rng(key)
        layout = (make_rich_layout if rich else make_layout)(rng, chunk, size)
        pics = (render_rich if rich else render)(rng, layout)
        stop = min(n, start + chunk)
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


@DATASETS.register("scenes:rich")
def rich_scenes(seed: int = 0, n: int = 2000, size: int = RICH_SIZE) -> ArrayDataset:
    """Richer landscapes at 256 px: the ten scenes classes plus road, building, fence, dirt and flowers, with shadows
    and reflections. The first ten classes keep their colours, so 10-class maps are valid 15-class maps."""
    if not 16 <= int(size) <= 512:
        raise ValueError(f"scenes:rich: size must be 16..512 pixels, got {size}")
    maps, pictures = generate(seed, int(n), int(size), rich=True)
    data = ArrayDataset("scenes:rich", "paired", pictures, None, list(RICH_NAMES), {"segmap": maps},
                        palette=RICH_PALETTE.copy())
    data.report.class_counts = [int((maps == k).any(axis=(1, 2)).sum()) for k in range(len(RICH_NAMES))]
    data.report.notes.append(f"rich procedural landscapes (15 classes), seed {seed}, {size}x{size}; counts are images "
                             f"showing each class")
    return data
