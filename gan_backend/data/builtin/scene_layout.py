"""The label maps behind ``scenes``: its classes and palette, and the layered layout of each scene.

A scene is layered back to front: a sky with clouds, mountain ridges from 1-D fractal noise with snow
caps, rocky cliffs, then water, beach and grass bands below the horizon, and trees, bushes and boulders
standing on the grass in perspective (:mod:`gan_backend.data.builtin.scene_objects`). The renderer
(:mod:`gan_backend.data.builtin.scene_render`) and the night style
(:mod:`gan_backend.data.builtin.scene_night`) shade a :class:`Layout` from here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_backend.data.builtin.scene_objects import KINDS, Objects, place_objects
from gan_backend.data.noise import fbm_1d, fbm_2d

# The palette: one (name, colour) per class, in index order. The colours are what a user paints with.
CLASSES = (
    ("sky", (110, 170, 240)),
    ("cloud", (200, 200, 220)),
    ("mountain", (120, 95, 150)),
    ("rock", (135, 110, 85)),
    ("snow", (250, 250, 255)),
    ("water", (25, 80, 200)),
    ("sand", (235, 205, 130)),
    ("grass", (110, 200, 80)),
    ("tree", (25, 105, 45)),
    ("bush", (215, 85, 165)),  # flowering shrubs
)
CLASS_NAMES = [name for name, _ in CLASSES]
PALETTE = np.array([colour for _, colour in CLASSES], np.uint8)
SKY, CLOUD, MOUNTAIN, ROCK, SNOW, WATER, SAND, GRASS, TREE, BUSH = range(len(CLASSES))
KIND_CLASS = np.array([{"conifer": TREE, "round": TREE, "bush": BUSH, "boulder": ROCK}[k] for k in KINDS], np.uint8)
CHUNK = 64  # scenes per vectorised step: bounds temporaries to ~50 MB at 128 px


@dataclass
class Layout:
    """A chunk of label maps plus the geometry the renderer shades with."""

    seg: np.ndarray  # uint8 [B, S, S] class indices
    horizon: np.ndarray  # float32 [B]: horizon row as a fraction of the height (0 top)
    ridge: np.ndarray  # float32 [B, S]: mountain top row per column (= horizon where none)
    shore: np.ndarray  # float32 [B, S]: bottom row of the water per column (= horizon where none)
    cloud: np.ndarray  # float32 [B, S, S]: the cloud density field, about -1..1
    objects: Objects

    @property
    def ridge_slope(self) -> np.ndarray:
        """float32 [B, S]: d(ridge row)/d(column), both as fractions of the frame; < 0 where the ridge rises."""
        return np.gradient(self.ridge, axis=1) * self.ridge.shape[1]


def coords(s: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres as fractions: u [1, 1, S] left to right, v [1, S, 1] top to bottom."""
    c = (np.arange(s, dtype=np.float32) + 0.5) / s
    return c[None, None, :], c[None, :, None]


def _clouds(rng, b: int, s: int, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Clouds where a sideways-stretched fbm field passes a per-scene threshold (clear to overcast)."""
    field = fbm_2d(rng, b, s, (4, 2), octaves=4)  # [B, S, S] about -1..1, wider than tall
    threshold = np.where(rng.random(b) < 0.15, 9.0, rng.uniform(0.05, 0.5, b)).astype(np.float32)
    fade = 0.5 * np.clip((v - horizon[:, None, None] + 0.2) / 0.2, 0, 1)  # thinner near the horizon
    seg[field - fade > threshold[:, None, None]] = CLOUD
    return field


def _mountains(rng, b: int, s: int, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Mountain ridges from 1-D fbm, with snow above a jagged snow line on tall ones; returns the ridge."""
    height = rng.uniform(0.08, 0.36, b).astype(np.float32) * (rng.random(b) < 0.85)
    profile = fbm_1d(rng, b, s, cells=3, octaves=5, gain=0.45)  # [B, S] in 0..1
    ridge = horizon[:, None] - height[:, None] * (0.15 + 0.85 * profile)
    mountain = (v >= ridge[:, None, :]) & (v < horizon[:, None, None])
    seg[mountain] = MOUNTAIN
    snowy = (rng.random(b) < 0.6) & (height > 0.14)
    line = ridge.min(axis=1) + rng.uniform(0.2, 0.5, b) * height  # [B]
    jag = (fbm_1d(rng, b, s, cells=16, octaves=3) - 0.5) * 0.25 * height[:, None]
    snow = mountain & snowy[:, None, None] & (v < (line[:, None] + jag)[:, None, :])
    seg[snow] = SNOW
    return ridge.astype(np.float32)


def _cliffs(rng, b: int, s: int, u: np.ndarray, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray) -> None:
    """A rocky outcrop rising from the horizon on one part of the view, in front of the mountains."""
    has = rng.random(b) < 0.45
    centre, half = rng.uniform(-0.1, 1.1, b), rng.uniform(0.12, 0.4, b)
    bump = np.clip(1 - ((u[:, 0] - centre[:, None]) / half[:, None]) ** 2, 0, 1) ** 0.6  # [B, S]
    rough = fbm_1d(rng, b, s, cells=10, octaves=3)
    top = horizon[:, None] - rng.uniform(0.05, 0.16, b)[:, None] * bump * (0.55 + 0.45 * rough)
    cliff = (v >= top[:, None, :]) & (v < horizon[:, None, None]) & (bump > 0.02)[:, None, :]
    seg[cliff & has[:, None, None]] = ROCK


def _ground(rng, b: int, s: int, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray):
    """Water, beach and grass bands below the horizon; returns (shore, grass top), each float32 [B, S]."""
    wet = rng.random(b) < 0.7
    depth = rng.uniform(0.06, 0.3, b) * wet
    shore = horizon[:, None] + (depth[:, None] + 0.04 * (fbm_1d(rng, b, s, 4, 3) - 0.5)) * wet[:, None]
    sandy = rng.random(b) < np.where(wet, 0.7, 0.2)
    width = rng.uniform(0.02, 0.1, b) * sandy
    grass_top = shore + width[:, None] * (0.4 + 1.2 * fbm_1d(rng, b, s, 6, 3))
    below = np.broadcast_to(v >= horizon[:, None, None], seg.shape)
    seg[below] = GRASS
    seg[below & (v < grass_top[:, None, :])] = SAND
    seg[below & (v < shore[:, None, :])] = WATER
    return shore.astype(np.float32), grass_top.astype(np.float32)


def make_layout(rng: np.random.Generator, b: int, s: int) -> Layout:
    """``b`` label maps of ``s`` x ``s`` pixels with the geometry behind them."""
    u, v = coords(s)
    horizon = rng.uniform(0.42, 0.66, b).astype(np.float32)
    seg = np.full((b, s, s), SKY, np.uint8)
    cloud = _clouds(rng, b, s, v, horizon, seg)
    ridge = _mountains(rng, b, s, v, horizon, seg)
    _cliffs(rng, b, s, u, v, horizon, seg)
    shore, grass_top = _ground(rng, b, s, v, horizon, seg)
    objects = place_objects(rng, horizon, grass_top)
    covered = objects.kind >= 0
    seg[covered] = KIND_CLASS[objects.kind[covered]]
    return Layout(seg, horizon, ridge, shore, cloud, objects)
