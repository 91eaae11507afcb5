"""The label maps of ``scenes:rich``: the ten ``scenes`` classes plus road, building, fence, dirt and flowers.

The first ten classes keep their index and colour, so a map painted for the 10-class ``scenes`` is
already a valid map here (old paintings and old runs keep working). A rich scene is laid out like a
plain one (sky, clouds, mountains, cliffs, water and beach and grass bands), then, on the ground:

* dirt patches and flower beds where two fbm fields pass per-scene thresholds (flowers thicker near),
* a road or footpath running in perspective from the bottom edge to a vanishing point on the horizon,
* houses standing on the grass, their walls, roofs, windows and doors sized by depth,
* the trees, bushes and boulders of :mod:`gan_backend.data.builtin.scene_objects`, nearer ones in front,
* a fence of posts and two rails across part of the foreground.

Besides the map, :class:`RichLayout` keeps what the renderer (:mod:`gan_backend.data.builtin.scene_rich_render`)
shades with: the road's cross coordinate and the building parts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_backend.data.builtin.scene_layout import (CLASSES, GRASS, KIND_CLASS, SAND, Layout, _cliffs, _clouds, _ground,
                                                   _mountains, coords)
from gan_backend.data.builtin.scene_objects import place_objects
from gan_backend.data.noise import fbm_2d

RICH_CLASSES = CLASSES + (
    ("road", (95, 95, 100)),
    ("building", (200, 60, 40)),
    ("fence", (190, 150, 40)),
    ("dirt", (120, 70, 20)),
    ("flowers", (255, 225, 0)),
)
RICH_NAMES = [name for name, _ in RICH_CLASSES]
RICH_PALETTE = np.array([colour for _, colour in RICH_CLASSES], np.uint8)
ROAD, BUILDING, FENCE, DIRT, FLOWERS = range(len(CLASSES), len(RICH_CLASSES))
WALL, ROOF, WINDOW, DOOR = 1, 2, 3, 4  # RichLayout.parts inside buildings
POST, RAIL = 1, 2  # RichLayout.parts inside fences
HOUSES = 2  # houses per scene at most


@dataclass
class RichLayout(Layout):
    """A plain :class:`Layout` plus the geometry of the rich classes."""

    road_u: np.ndarray = None  # float32 [B, S, S]: -1..1 across the road (0 on its centre line), 9 elsewhere
    parts: np.ndarray = None  # uint8 [B, S, S]: WALL/ROOF/WINDOW/DOOR in buildings, POST/RAIL in fences, 0 elsewhere
    wall: np.ndarray = None  # int8 [B]: each scene's wall material (0 plaster, 1 brick, 2 timber), for the renderer


def _patches(rng, b: int, s: int, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray) -> None:
    """Dirt patches and flower beds on grass, from two fbm fields stretched sideways by perspective."""
    near = np.clip((v - horizon[:, None, None]) / (1 - horizon[:, None, None]), 0, 1)
    grass = seg == GRASS
    dirt = fbm_2d(rng, b, s, (8, 4), octaves=4)
    dirt_at = np.where(rng.random(b) < 0.55, rng.uniform(0.25, 0.55, b), 9.0).astype(np.float32)
    seg[grass & (dirt > dirt_at[:, None, None])] = DIRT
    flowers = fbm_2d(rng, b, s, (8, 4), octaves=4)
    flower_at = np.where(rng.random(b) < 0.6, rng.uniform(0.15, 0.45, b), 9.0).astype(np.float32)
    seg[(seg == GRASS) & (flowers + 0.35 * near > flower_at[:, None, None] + 0.2)] = FLOWERS


def _road(rng, b: int, s: int, u: np.ndarray, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """A road from the bottom edge to the horizon (on the ground classes only); returns road_u [B, S, S]."""
    has = rng.random(b) < 0.5
    vanish, bottom = rng.uniform(0.2, 0.8, b), rng.uniform(-0.1, 1.1, b)
    bend, width = rng.uniform(-0.5, 0.5, b), rng.uniform(0.12, 0.35, b)  # half-width at the bottom edge
    h = horizon[:, None, None]
    t = np.clip((v - h) / (1 - h), 0, 1)  # 0 at the horizon .. 1 at the bottom
    centre = vanish[:, None, None] + (bottom - vanish)[:, None, None] * t + bend[:, None, None] * t * (1 - t)
    half = width[:, None, None] * t + 0.002
    road_u = ((u - centre) / half).astype(np.float32)
    ground = (seg == GRASS) | (seg == SAND) | (seg == DIRT) | (seg == FLOWERS)
    on = has[:, None, None] & (np.abs(road_u) < 1) & (v > h + 0.004) & ground
    seg[on] = ROAD
    return np.where(on, road_u, np.float32(9)).astype(np.float32)


def _houses(rng, b: int, s: int, u: np.ndarray, v: np.ndarray, horizon: np.ndarray, grass_top: np.ndarray,
            seg: np.ndarray, parts: np.ndarray) -> None:
    """Up to HOUSES houses per scene standing on the grass: walls with windows and a door, pitched roofs."""
    count = np.where(rng.random(b) < 0.5, rng.integers(1, HOUSES + 1, b), 0)
    for k in range(HOUSES):
        cx = rng.uniform(0.05, 0.95, b).astype(np.float32)
        col = np.clip((cx * s).astype(int), 0, s - 1)
        top = grass_top[np.arange(b), col]
        base = top + 0.01 + (1 - top) * rng.uniform(0.0, 0.45, b).astype(np.float32)
        depth = np.clip((base - horizon) / (1 - horizon), 0, 1)
        height = (0.05 + 0.2 * depth) * rng.uniform(0.8, 1.2, b).astype(np.float32)
        half_w = 0.5 * height * rng.uniform(0.9, 1.6, b).astype(np.float32)
        eave = base - 0.58 * height  # the wall's top
        cx_, base_, height_, half_, eave_ = (a[:, None, None] for a in (cx, base, height, half_w, eave))
        fx = (u - cx_) / half_  # -1..1 across the wall
        wall = (np.abs(fx) <= 1) & (v >= eave_) & (v < base_)
        rise = (eave_ - v) / (height_ - (base_ - eave_))  # 0 at the eave .. 1 at the ridge
        roof = (v < eave_) & (rise <= 1) & (np.abs(fx) <= 1.12 * (1 - rise))
        fy = (v - eave_) / (base_ - eave_)  # 0 at the eave .. 1 at the base
        cell = np.mod((fx + 1) * 2.0, 1.0)  # four window columns
        window = wall & (cell > 0.3) & (cell < 0.72) & (fy > 0.18) & (fy < 0.5)
        door = wall & (np.abs(fx - 0.1) < 0.16) & (fy > 0.55)
        present = (k < count)[:, None, None]
        house = present & (wall | roof)
        seg[house] = BUILDING
        parts[house] = np.where(roof, ROOF, WALL)[house]
        parts[present & window] = WINDOW
        parts[present & door & ~window] = DOOR


def _fence(rng, b: int, s: int, u: np.ndarray, v: np.ndarray, horizon: np.ndarray, seg: np.ndarray,
           parts: np.ndarray) -> None:
    """A fence across part of the foreground: posts at even spacing and two rails, in front of everything."""
    has = rng.random(b) < 0.4
    base = rng.uniform(0.0, 1.0, b) * (0.95 - horizon - 0.12) + horizon + 0.12
    depth = np.clip((base - horizon) / (1 - horizon), 0, 1)
    height = (0.03 + 0.1 * depth).astype(np.float32)
    start = rng.uniform(-0.2, 0.5, b)
    stop = start + rng.uniform(0.3, 1.2, b)
    spacing = (0.6 + 0.6 * rng.random(b)) * height
    base_, height_, spacing_ = (a[:, None, None] for a in (base, height, spacing))
    fy = (base_ - v) / height_  # 0 at the ground .. 1 at the post tops
    span = (u >= start[:, None, None]) & (u <= stop[:, None, None]) & (fy >= 0) & (fy <= 1)
    post = span & (np.mod((u - start[:, None, None]) / spacing_, 1.0) < 0.14)
    rail = span & (fy <= 0.92) & ((np.abs(fy - 0.75) < 0.07) | (np.abs(fy - 0.38) < 0.07))
    on = has[:, None, None] & (post | rail)
    seg[on] = FENCE
    parts[on] = np.where(post, POST, RAIL)[on]


def make_rich_layout(rng: np.random.Generator, b: int, s: int) -> RichLayout:
    """``b`` rich label maps of ``s`` x ``s`` pixels (classes :data:`RICH_NAMES`) with their geometry."""
    u, v = coords(s)
    horizon = rng.uniform(0.42, 0.62, b).astype(np.float32)
    seg = np.full((b, s, s), 0, np.uint8)
    parts = np.zeros((b, s, s), np.uint8)
    cloud = _clouds(rng, b, s, v, horizon, seg)
    ridge = _mountains(rng, b, s, v, horizon, seg)
    _cliffs(rng, b, s, u, v, horizon, seg)
    shore, grass_top = _ground(rng, b, s, v, horizon, seg)
    _patches(rng, b, s, v, horizon, seg)
    road_u = _road(rng, b, s, u, v, horizon, seg)
    _houses(rng, b, s, u, v, horizon, grass_top, seg, parts)
    objects = place_objects(rng, horizon, grass_top)
    covered = objects.kind >= 0
    seg[covered] = KIND_CLASS[objects.kind[covered]]
    parts[covered] = 0
    _fence(rng, b, s, u, v, horizon, seg, parts)
    wall = rng.integers(0, 3, b).astype(np.int8)
    return RichLayout(seg, horizon, ridge, shore, cloud, objects, road_u=road_u, parts=parts, wall=wall)
