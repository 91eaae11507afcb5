"""Paint a ``scenes`` picture from its label map: per-class colours, noise textures and shading.

Pixels are grouped by class once (a stable argsort of the map) and each class's painter computes
colours for its own pixels only, so a picture costs one pass however many classes it shows.
Every scene draws its own look (sky and grass hues, sunset or not, flower colour), so the same
label map can come out as several plausible pictures: the one-to-many mapping SPADE's latent
noise is there for. Painters return float32 [M, 3] colours in 0..1.
"""
from __future__ import annotations

import numpy as np

from gan_backend.data.builtin.scene_layout import (BUSH, CLOUD, GRASS, MOUNTAIN, ROCK, SAND, SKY, SNOW, TREE, WATER,
                                                   Layout)
from gan_backend.data.builtin.scene_night import relight
from gan_backend.data.noise import fbm_2d, value_noise_2d


def _pick(rng, b: int, options) -> np.ndarray:
    """float32 [B, 3]: one of ``options`` per scene, each channel jittered by about 6%."""
    base = np.asarray(options, np.float32)[rng.integers(0, len(options), b)]
    return np.clip(base * rng.normal(1.0, 0.06, (b, 3)).astype(np.float32), 0, 1)


def _look(rng, b: int) -> dict[str, np.ndarray]:
    """Per-scene colours, each float32 [B, 3] in 0..1."""
    sunset = (rng.random(b) < 0.15)[:, None]
    look = {
        "zenith": np.where(sunset, _pick(rng, b, [(0.30, 0.32, 0.62)]), _pick(rng, b, [(0.22, 0.45, 0.85), (0.30, 0.55, 0.90)])),
        "haze": np.where(sunset, _pick(rng, b, [(1.0, 0.66, 0.45), (0.98, 0.58, 0.55)]), _pick(rng, b, [(0.75, 0.85, 0.96)])),
        "cloud": np.where(sunset, _pick(rng, b, [(1.0, 0.85, 0.80)]), _pick(rng, b, [(0.98, 0.98, 0.99)])),
        "cloud_dark": _pick(rng, b, [(0.62, 0.65, 0.74), (0.55, 0.55, 0.62)]),
        "mountain": _pick(rng, b, [(0.40, 0.44, 0.58), (0.46, 0.40, 0.55), (0.50, 0.42, 0.36)]),
        "rock": _pick(rng, b, [(0.50, 0.44, 0.37), (0.45, 0.45, 0.45), (0.55, 0.42, 0.30)]),
        "deep": _pick(rng, b, [(0.04, 0.20, 0.42), (0.03, 0.28, 0.38)]),
        "sand": _pick(rng, b, [(0.88, 0.78, 0.56), (0.82, 0.70, 0.50)]),
        "grass": _pick(rng, b, [(0.30, 0.58, 0.20), (0.50, 0.60, 0.24), (0.22, 0.48, 0.18)]),
        "leaf": _pick(rng, b, [(0.10, 0.30, 0.12), (0.16, 0.36, 0.10)]),
        "bush": _pick(rng, b, [(0.22, 0.45, 0.18)]),
        "flower": _pick(rng, b, [(0.90, 0.15, 0.20), (0.98, 0.85, 0.20), (0.95, 0.50, 0.75), (0.97, 0.97, 0.97), (0.60, 0.35, 0.85)]),
    }
    return look


class Pixels:
    """The pixels of one class across a chunk: their scene, position and noise values, as flat arrays [M]."""

    def __init__(self, flat: np.ndarray, s: int, layout: Layout, fields: dict[str, np.ndarray]):
        self.flat, self.s, self.layout, self.fields = flat, s, layout, fields
        self.scene = flat // (s * s)
        self.row, self.col = (flat // s) % s, flat % s
        self.v = (self.row.astype(np.float32) + 0.5) / s  # 0 top .. 1 bottom
        self.horizon = layout.horizon[self.scene]

    def field(self, name: str) -> np.ndarray:
        return self.fields[name].reshape(-1)[self.flat]

    def per_column(self, array: np.ndarray) -> np.ndarray:
        """Values of a [B, S] per-column array at these pixels."""
        return array[self.scene, self.col]

    def colour(self, look: dict[str, np.ndarray], name: str) -> np.ndarray:
        return look[name][self.scene]


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    return a + (b - a) * t[:, None]


def _sky(p: Pixels, look) -> np.ndarray:
    t = np.clip(p.v / p.horizon, 0, 1) ** 1.6  # deep blue overhead, pale at the horizon
    return _lerp(p.colour(look, "zenith"), p.colour(look, "haze"), t) + 0.015 * p.field("tex")[:, None]


def _cloud(p: Pixels, look) -> np.ndarray:
    light = np.clip(0.72 + p.field("cloud_top") + 0.12 * p.field("tex"), 0, 1)  # lit tops, grey bellies
    return _lerp(p.colour(look, "cloud_dark"), p.colour(look, "cloud"), light)


def _slope_light(p: Pixels) -> np.ndarray:
    """Brightness of a mountain face lit from the left: the ridge's slope near the crest, rocky facets below."""
    slope = p.per_column(p.fields["ridge_slope"])  # [B, S] computed once per chunk
    below = np.exp(-12 * (p.v - p.per_column(p.layout.ridge)))  # 1 at the crest, fading down the face
    return 0.85 + np.clip(-1.2 * slope, -0.3, 0.25) * below + 0.8 * p.field("facets")


def _mountain(p: Pixels, look) -> np.ndarray:
    ridge = p.per_column(p.layout.ridge)
    c = p.colour(look, "mountain") * (_slope_light(p) + 0.14 * p.field("tex") + 0.04 * p.field("fine"))[:, None]
    haze = 0.2 + 0.4 * np.clip((p.v - ridge) / np.maximum(p.horizon - ridge, 1e-3), 0, 1)  # mist at the foot
    return _lerp(c, p.colour(look, "haze"), haze)


def _snow(p: Pixels, look) -> np.ndarray:
    light = np.clip(_slope_light(p) - 0.2 + 0.06 * p.field("fine"), 0, 1)
    return _lerp(np.array([0.62, 0.68, 0.84], np.float32)[None], np.array([0.97, 0.97, 1.0], np.float32)[None], light)


def _rock(p: Pixels, look) -> np.ndarray:
    boulder = p.field("obj_shade")
    strata = 0.82 + 0.12 * np.sin(p.v * p.s * 0.9 + 5 * p.field("tex"))  # layered cliff faces
    light = np.where(boulder > 0, 0.45 + 0.75 * boulder, strata + 0.1 * p.field("tex"))
    return p.colour(look, "rock") * (light + 0.12 * p.field("fine"))[:, None]


def _water(p: Pixels, look) -> np.ndarray:
    shore = p.per_column(p.layout.shore)
    t = np.clip((p.v - p.horizon) / np.maximum(shore - p.horizon, 1e-3), 0, 1)
    c = _lerp(0.85 * p.colour(look, "haze"), p.colour(look, "deep"), 0.25 + 0.6 * t)  # reflects the sky far off
    ripple = p.field("streak")
    c = c * (1 + 0.14 * ripple)[:, None]
    return c + 0.25 * np.clip(ripple - 0.7, 0, 1)[:, None]  # glints


def _sand(p: Pixels, look) -> np.ndarray:
    wet = np.clip((p.v - p.per_column(p.layout.shore)) * p.s / 3, 0, 1)  # darker right by the water
    light = (0.78 + 0.17 * wet) + 0.07 * p.field("tex") + 0.06 * p.field("fine")
    return p.colour(look, "sand") * light[:, None]


def _grass(p: Pixels, look) -> np.ndarray:
    near = np.clip((p.v - p.horizon) / (1 - p.horizon), 0, 1)  # 0 far .. 1 at the bottom edge
    light = 0.95 - 0.15 * near + 0.14 * p.field("tex") + 0.07 * p.field("blades") * (0.3 + near)
    c = p.colour(look, "grass") * light[:, None]
    return _lerp(c, p.colour(look, "haze"), 0.25 * (1 - near))  # distant fields fade into the haze


def _tree(p: Pixels, look) -> np.ndarray:
    shade = p.field("obj_shade")
    leaves = p.colour(look, "leaf") * (0.45 + 0.95 * shade + 0.05 * p.field("fine"))[:, None]
    bark = np.array([0.33, 0.22, 0.14], np.float32)[None] * (0.6 + 0.6 * shade)[:, None]
    return np.where(p.field("obj_trunk")[:, None] > 0, bark, leaves)


def _bush(p: Pixels, look) -> np.ndarray:
    shade = p.field("obj_shade")
    leaves = p.colour(look, "bush") * (0.45 + 0.8 * shade)[:, None]
    blossom = p.colour(look, "flower") * (0.75 + 0.3 * shade)[:, None]
    return np.where((p.field("petals") > 0.45)[:, None], blossom, leaves)


PAINTERS = {SKY: _sky, CLOUD: _cloud, MOUNTAIN: _mountain, ROCK: _rock, SNOW: _snow, WATER: _water,
            SAND: _sand, GRASS: _grass, TREE: _tree, BUSH: _bush}


def _fields(rng, layout: Layout) -> dict[str, np.ndarray]:
    """Noise fields shared by all classes (classes never overlap, so one field serves them all)."""
    b, s, _ = layout.seg.shape
    cloud = layout.cloud
    tex = fbm_2d(rng, b, s, (6, 6), octaves=3)  # [B, S, S] -1..1 mottling
    return {
        "tex": tex,
        "fine": value_noise_2d(rng, b, s, (s // 2, s // 2)) * 2 - 1,  # pixel-scale grain
        "petals": value_noise_2d(rng, b, s, (s // 3, s // 3)) * 2 - 1,  # flower speckles
        "streak": value_noise_2d(rng, b, s, (s // 2, 5)) * 2 - 1,  # horizontal ripples
        "blades": value_noise_2d(rng, b, s, (s // 6, s // 2)) * 2 - 1,  # short upright grass blades
        "cloud_top": 3.0 * (cloud - np.roll(cloud, 3, axis=1)),  # > 0 where density falls upwards
        "facets": tex - np.roll(tex, 2, axis=2),  # > 0 where the texture rises to the right: lit faces
        "ridge_slope": layout.ridge_slope,
        "obj_shade": layout.objects.shade,
        "obj_trunk": layout.objects.trunk.astype(np.float32),
    }


def render(rng: np.random.Generator, layout: Layout, style: str = "day") -> np.ndarray:
    """uint8 [B, S, S, 3] pictures of a chunk of label maps.

    ``style`` "night" relights the day colours by moonlight (:mod:`gan_backend.data.builtin.scene_night`) after
    the same draws, so a scene rendered from the same generator state in both styles shares every shape.
    """
    if style not in ("day", "night"):
        raise ValueError(f"scenes: style must be 'day' or 'night', got {style!r}")
    b, s, _ = layout.seg.shape
    fields, look = _fields(rng, layout), _look(rng, b)
    out = paint_classes(layout, fields, look, PAINTERS)
    if style == "night":
        out = relight(rng, layout, fields, out)
    return to_uint8(out)


def paint_classes(layout: Layout, fields: dict[str, np.ndarray], look: dict[str, np.ndarray],
                  painters: dict) -> np.ndarray:
    """float32 [B, S, S, 3]: each class's painter run once on all of its pixels in the chunk."""
    b, s, _ = layout.seg.shape
    flat = layout.seg.reshape(-1)
    order = np.argsort(flat, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(flat, minlength=len(painters)))])
    out = np.zeros((flat.size, 3), np.float32)
    for cls, paint in painters.items():
        idx = order[bounds[cls]:bounds[cls + 1]]
        if idx.size:
            out[idx] = paint(Pixels(idx, s, layout, fields), look)
    return out.reshape(b, s, s, 3)


def to_uint8(pictures: np.ndarray) -> np.ndarray:
    """float32 [..., 3] in about 0..1 -> uint8, clipped and rounded."""
    return (np.clip(pictures, 0, 1) * 255 + 0.5).astype(np.uint8)
