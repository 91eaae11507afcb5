"""Paint a ``scenes:rich`` picture: the plain painters, five more, then light that crosses class borders.

Road, building, fence, dirt and flowers get painters like the plain classes' (per-scene materials,
textures sized to the picture, haze by distance). Then three passes over the whole picture give what
a per-class painter cannot:

* **soft shadows**: trees, houses and fences cast a blurred shadow to the lower right (light from the upper
  left) on the ground classes, and darken the ground at their feet;
* **reflections**: water mirrors the picture above the horizon, rippled sideways, strongest far off
  (a Fresnel-like falloff), so mountains, trees and houses by the shore show in the lake;
* **light by depth**: the ground darkens slightly toward the viewer and the whole scene takes a warm or
  cool cast per scene.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.data.builtin.scene_layout import BUSH, GRASS, ROCK, SAND, SKY, TREE, WATER
from gan_backend.data.builtin.scene_render import PAINTERS, _fields, _lerp, _look, _pick, paint_classes, to_uint8
from gan_backend.data.builtin.scene_rich import (BUILDING, DIRT, DOOR, FENCE, FLOWERS, POST, ROAD, ROOF, WINDOW,
                                                 RichLayout)
from gan_backend.data.noise import value_noise_2d

GROUND = (GRASS, SAND, ROCK, ROAD, DIRT, FLOWERS)


def _near(p) -> np.ndarray:
    """0 at the horizon .. 1 at the bottom edge, for each pixel."""
    return np.clip((p.v - p.horizon) / (1 - p.horizon), 0, 1)


def _hazed(p, look, colour: np.ndarray, amount: float = 0.3) -> np.ndarray:
    return _lerp(colour, p.colour(look, "haze"), amount * (1 - _near(p)))


def _road(p, look) -> np.ndarray:
    across = p.field("road_u")
    paved = p.colour(look, "paved")[:, 0] > 0.5  # per scene: asphalt or a dirt footpath
    surface = np.where(paved[:, None], p.colour(look, "asphalt"), p.colour(look, "path"))
    light = 0.9 + 0.08 * p.field("tex") + 0.1 * p.field("fine") - 0.12 * np.abs(across) ** 4  # worn, darker kerbs
    c = surface * light[:, None]
    dash = paved & (np.abs(across) < 0.05) & (np.sin(p.field("road_t")) > 0.2)
    c = np.where(dash[:, None], np.array([0.92, 0.9, 0.8], np.float32)[None], c)
    return _hazed(p, look, c)


def _building(p, look) -> np.ndarray:
    part = p.field("parts")
    shade = 0.88 + 0.08 * p.field("fine")
    wall = p.colour(look, "wall") * shade[:, None]
    brick = p.layout.wall[p.scene] == 1
    mortar = brick & ((np.mod(p.row, 4) == 0) | (np.mod(p.col + 2 * (np.mod(p.row // 4, 2)), 8) == 0))
    wall = np.where(mortar[:, None], wall * 0.7 + 0.2, wall)
    roof = p.colour(look, "roof") * (0.8 + 0.15 * np.sin(p.col * 1.3) ** 2 + 0.06 * p.field("fine"))[:, None]
    window = _lerp(np.array([0.12, 0.16, 0.24], np.float32)[None], p.colour(look, "haze"),
                   0.35 * np.clip(p.field("tex") + 0.5, 0, 1))  # the sky's glint on the panes
    door = np.array([0.30, 0.18, 0.10], np.float32)[None] * shade[:, None]
    c = np.where((part == ROOF)[:, None], roof, wall)
    c = np.where((part == WINDOW)[:, None], window, c)
    c = np.where((part == DOOR)[:, None], door, c)
    return _hazed(p, look, c, 0.4)


def _fence(p, look) -> np.ndarray:
    post = p.field("parts") == POST
    wood = p.colour(look, "wood") * (0.85 + 0.12 * p.field("grain"))[:, None]
    return np.where(post[:, None], wood * 0.78, wood)


def _dirt(p, look) -> np.ndarray:
    light = 0.85 + 0.12 * p.field("tex") + 0.12 * p.field("fine") + 0.08 * p.field("petals")
    return _hazed(p, look, p.colour(look, "dirt") * light[:, None])


def _flowers(p, look) -> np.ndarray:
    near = _near(p)
    green = p.colour(look, "grass") * (0.8 + 0.12 * p.field("blades"))[:, None]
    which = p.field("hue") > 0.5
    bloom = np.where(which[:, None], p.colour(look, "flower"), p.colour(look, "flower2"))
    dots = p.field("petals") > 0.35 - 0.2 * near  # denser and bigger close by
    return _hazed(p, look, np.where(dots[:, None], bloom * (0.85 + 0.15 * p.field("fine"))[:, None], green))


RICH_PAINTERS = {**PAINTERS, ROAD: _road, BUILDING: _building, FENCE: _fence, DIRT: _dirt, FLOWERS: _flowers}


def _rich_look(rng, b: int) -> dict[str, np.ndarray]:
    return {
        "paved": np.repeat((rng.random(b) < 0.5).astype(np.float32)[:, None], 3, axis=1),
        "asphalt": _pick(rng, b, [(0.30, 0.30, 0.32), (0.38, 0.37, 0.36)]),
        "path": _pick(rng, b, [(0.66, 0.56, 0.40), (0.58, 0.50, 0.40)]),
        "wall": _pick(rng, b, [(0.90, 0.87, 0.80), (0.72, 0.34, 0.24), (0.80, 0.68, 0.50), (0.68, 0.68, 0.66)]),
        "roof": _pick(rng, b, [(0.62, 0.20, 0.14), (0.30, 0.30, 0.34), (0.45, 0.28, 0.18)]),
        "wood": _pick(rng, b, [(0.55, 0.40, 0.24), (0.85, 0.83, 0.78), (0.40, 0.30, 0.22)]),
        "dirt": _pick(rng, b, [(0.45, 0.33, 0.20), (0.52, 0.40, 0.28)]),
        "flower2": _pick(rng, b, [(0.98, 0.92, 0.30), (0.95, 0.40, 0.60), (0.97, 0.97, 0.97), (0.55, 0.40, 0.90)]),
        "tint": _pick(rng, b, [(1.04, 1.0, 0.94), (0.96, 0.99, 1.04), (1.0, 1.0, 1.0)]),
    }


def _rich_fields(rng, layout: RichLayout) -> dict[str, np.ndarray]:
    b, s, _ = layout.seg.shape
    rows = np.arange(s, dtype=np.float32)[None, :, None]
    depth = np.maximum(rows / s - layout.horizon[:, None, None], 1e-3)
    ridge_slope = torch.from_numpy(layout.ridge_slope)[:, None]
    k = max(1, s // 64)  # the slope over a few pixels, not per column: no vertical streaks on big mountains
    ridge_slope = F.avg_pool1d(F.pad(ridge_slope, (k, k), mode="replicate"), 2 * k + 1, stride=1)[:, 0].numpy()
    return {
        "ridge_slope": ridge_slope,
        "road_u": layout.road_u,
        "road_t": np.broadcast_to(1.2 / depth, (b, s, s)),  # dashes get longer toward the viewer
        "parts": layout.parts,
        "grain": value_noise_2d(rng, b, s, (s // 2, s // 16)) * 2 - 1,  # wood grain: vertical streaks
        "hue": value_noise_2d(rng, b, s, (max(s // 24, 2), max(s // 24, 2))),  # which flower colour where
    }


def _blur(mask: np.ndarray, radius: int) -> np.ndarray:
    """float32 [B, S, S] soft version of a mask: two box blurs of ``radius`` (about a Gaussian)."""
    x = torch.from_numpy(np.ascontiguousarray(mask, np.float32))[:, None]
    for _ in range(2):
        x = F.avg_pool2d(F.pad(x, (radius,) * 4, mode="replicate"), 2 * radius + 1, stride=1)
    return x[:, 0].numpy()


def _shadows(layout: RichLayout, out: np.ndarray) -> None:
    """Casters (trees, bushes, houses, fences) darken the ground to their lower right, softly."""
    b, s, _ = layout.seg.shape
    seg = layout.seg
    caster = np.isin(seg, (TREE, BUSH, BUILDING, FENCE)).astype(np.float32)
    dx, dy = max(1, s // 40), max(1, s // 120)
    shifted = np.zeros_like(caster)
    shifted[:, dy:, dx:] = caster[:, :-dy, :-dx]
    shadow = _blur(shifted, max(1, s // 64))
    ground = np.isin(seg, GROUND)
    out *= (1 - 0.45 * shadow * ground)[..., None]


def _reflections(rng, layout: RichLayout, out: np.ndarray) -> None:
    """Water shows the picture mirrored at the horizon, rippled, more of it toward the horizon."""
    b, s, _ = layout.seg.shape
    water = layout.seg == WATER
    if not water.any():
        return
    rows = np.arange(s)[None, :, None]
    horizon_row = (layout.horizon * s)[:, None, None]
    source = np.clip((2 * horizon_row - rows - 1).astype(int), 0, s - 1)  # [B, S, 1]
    wobble = (value_noise_2d(rng, b, s, (max(s // 3, 2), 6)) - 0.5) * max(2.0, s / 48)
    cols = np.clip((np.arange(s)[None, None, :] + wobble).astype(int), 0, s - 1)
    mirrored = out[np.arange(b)[:, None, None], np.broadcast_to(source, (b, s, s)), cols]
    far = np.clip(1 - (rows - horizon_row) / (0.35 * s), 0, 1)  # 1 at the horizon
    mix = (0.25 + 0.45 * far) * water
    out[:] = out * (1 - mix[..., None]) + 0.85 * mirrored * mix[..., None]


def render_rich(rng: np.random.Generator, layout: RichLayout) -> np.ndarray:
    """uint8 [B, S, S, 3] pictures of a chunk of rich label maps."""
    b, s, _ = layout.seg.shape
    fields, look = _fields(rng, layout), _look(rng, b)
    fields.update(_rich_fields(rng, layout))
    look.update(_rich_look(rng, b))
    out = paint_classes(layout, fields, look, RICH_PAINTERS)
    _shadows(layout, out)
    _reflections(rng, layout, out)
    rows = (np.arange(s, dtype=np.float32)[None, :, None] + 0.5) / s
    near = np.clip((rows - layout.horizon[:, None, None]) / (1 - layout.horizon[:, None, None]), 0, 1)
    ground = layout.seg != SKY
    out *= (1 - 0.12 * near * ground)[..., None]  # the foreground in the shade of the viewer's side
    out *= look["tint"][:, None, None, :]
    return to_uint8(out)
