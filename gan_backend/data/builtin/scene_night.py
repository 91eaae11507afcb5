"""The night style of ``scenes``: the day picture relit by moonlight, under a starry sky with a moon.

Night is a change of style, not a dimmer: by moonlight the eye loses colour and sees what is left as
blue (the Purkinje shift), so every surface keeps a third of its day colour, takes the rest as blue
grey of its own luminance, and is scaled by a per-class brightness (snow and clouds stay light, trees
go nearly black). The sky is replaced: a deep navy gradient, paler towards the horizon, with stars,
and on most nights a moon whose glow lights the clouds near it and whose reflection streaks the water.

:func:`relight` runs after the day painters, on the same noise fields, so a scene drawn from one
generator state in both styles has the same layout pixel for pixel: the true pairs of ``scenes:day2night``.
"""
from __future__ import annotations

import numpy as np

from gan_backend.data.builtin.scene_layout import (BUSH, CLOUD, GRASS, MOUNTAIN, ROCK, SAND, SKY, SNOW, TREE, WATER,
                                                   Layout, coords)

MOONLIGHT = np.array([0.55, 0.68, 1.0], np.float32)  # what colour survives at night reads blue
KEEP_COLOUR = 0.35  # share of the day colour kept: enough that night -> day can still tell grass from sand
BRIGHTNESS = np.zeros(10, np.float32)  # per class; the sky is repainted, not relit
BRIGHTNESS[[CLOUD, MOUNTAIN, ROCK, SNOW, WATER, SAND, GRASS, TREE, BUSH]] = (
    0.42, 0.34, 0.34, 0.65, 0.32, 0.38, 0.32, 0.26, 0.30)
ZENITH, HORIZON = (0.015, 0.025, 0.09), (0.09, 0.13, 0.28)  # night sky, overhead and at the horizon
MOON_COLOUR = np.array([0.95, 0.94, 0.82], np.float32)
STAR_DENSITY = 0.012  # stars per sky pixel: about 25 in the sky of a 64 px scene


def relight(rng: np.random.Generator, layout: Layout, fields: dict[str, np.ndarray], day: np.ndarray) -> np.ndarray:
    """float32 [B, S, S, 3] day colours in 0..1 -> the night picture (float, clipped by the caller)."""
    seg = layout.seg
    lum = day @ np.array([0.30, 0.59, 0.11], np.float32)  # [B, S, S]
    moonlit = KEEP_COLOUR * day + (1 - KEEP_COLOUR) * lum[..., None] * MOONLIGHT
    out = moonlit * BRIGHTNESS[seg][..., None]
    sky = seg == SKY
    out[sky] = _sky(rng, layout, fields)[sky]
    moon = _moon(rng, layout)
    lit = sky | (seg == CLOUD)
    out += (moon["glow"] * lit)[..., None] * np.array([0.55, 0.62, 0.75], np.float32)
    out[sky] += _stars(rng, layout)[sky][:, None] * (1 - moon["disc"][sky])[:, None]
    out[sky] = _lerp(out[sky], MOON_COLOUR * (0.9 + 0.1 * fields["tex"][sky])[:, None], moon["disc"][sky])
    water = seg == WATER
    out[water] += (moon["reflection"] * np.clip(fields["streak"], 0, 1))[water][:, None] * MOON_COLOUR
    return out


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    return a + (b - a) * t[:, None]


def _sky(rng: np.random.Generator, layout: Layout, fields: dict[str, np.ndarray]) -> np.ndarray:
    """float32 [B, S, S, 3]: navy overhead, a paler blue band at the horizon, faint mottling."""
    b, s, _ = layout.seg.shape
    _, v = coords(s)
    t = np.clip(v / layout.horizon[:, None, None], 0, 1) ** 1.3  # [B, S, 1]
    jitter = rng.normal(1.0, 0.1, (b, 1, 1, 3)).astype(np.float32)
    zenith, horizon = np.array(ZENITH, np.float32) * jitter, np.array(HORIZON, np.float32) * jitter
    sky = zenith + (horizon - zenith) * t[..., None]
    return sky + 0.012 * fields["tex"][..., None]


def _moon(rng: np.random.Generator, layout: Layout) -> dict[str, np.ndarray]:
    """Per pixel float32 [B, S, S]: the moon's disc (0..1, soft edge), its glow and its reflection on water."""
    b, s, _ = layout.seg.shape
    u, v = coords(s)
    has = (rng.random(b) < 0.85).astype(np.float32)[:, None, None]
    mu = rng.uniform(0.12, 0.88, b).astype(np.float32)[:, None, None]
    mv = (layout.horizon * rng.uniform(0.2, 0.65, b)).astype(np.float32)[:, None, None]
    radius = rng.uniform(0.035, 0.055, b).astype(np.float32)[:, None, None]
    d = np.sqrt((u - mu) ** 2 + (v - mv) ** 2)  # [B, S, S] in frame fractions
    disc = np.clip((radius - d) * s + 0.5, 0, 1) * has  # anti-aliased over one pixel
    glow = 0.22 * np.exp(-np.maximum(d - radius, 0) / 0.08) * has
    column = np.clip(1 - np.abs(u - mu) / (2.5 * radius), 0, 1)  # a vertical streak under the moon
    return {"disc": disc, "glow": glow, "reflection": 0.5 * column * has}


def _stars(rng: np.random.Generator, layout: Layout) -> np.ndarray:
    """float32 [B, S, S]: single-pixel stars of random brightness, fading into the horizon haze."""
    b, s, _ = layout.seg.shape
    _, v = coords(s)
    star = rng.random((b, s, s)) < STAR_DENSITY
    brightness = rng.uniform(0.3, 0.9, (b, s, s)).astype(np.float32)
    fade = np.clip((1 - v / layout.horizon[:, None, None]) * 2.5, 0, 1)
    return star * brightness * fade
