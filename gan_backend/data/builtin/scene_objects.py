"""Trees, bushes and boulders for the ``scenes`` dataset: shape templates stamped in perspective.

Each kind has a bank of templates drawn once in the object's own coordinates (x -1..1 left to right,
y 0..1 top to base) with noise-wobbled outlines. Placing objects is one ``grid_sample`` per object
slot for the whole batch, each template resampled over its object's bounding box only: far cheaper
than evaluating shape formulas per pixel of the frame per object. Objects stand on the ground; the
nearer (lower) an object's base, the bigger it is and the more it hides what is behind it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.data.noise import value_noise_2d

KINDS = ("conifer", "round", "bush", "boulder")
TEMPLATE = 48  # template side in samples; objects are at most ~60 px tall at 128 px, so this stays sharp
VARIANTS = 24  # templates per kind: enough that no two neighbouring trees look cloned
SLOTS = 12  # objects per scene at most: 7 trees, 4 bushes, 1 boulder
# Height at the horizon and extra height at the bottom edge (fractions of the frame), and width/height.
HEIGHT = {"conifer": (0.10, 0.36), "round": (0.09, 0.30), "bush": (0.04, 0.11), "boulder": (0.025, 0.07)}
ASPECT = {"conifer": (0.20, 0.30), "round": (0.30, 0.42), "bush": (0.8, 1.3), "boulder": (1.0, 1.6)}


@dataclass
class Objects:
    """What the objects cover, per pixel: kind index (-1 none) and the template's shading channels."""

    kind: np.ndarray  # int8 [B, S, S]: index into KINDS, -1 where no object
    shade: np.ndarray  # float32 [B, S, S] in 0..1: lit from the left, darker low down, leafy texture
    trunk: np.ndarray  # bool [B, S, S]: tree trunks (brown, labelled as tree)


@lru_cache(maxsize=1)
def templates() -> torch.Tensor:
    """float32 [len(KINDS), VARIANTS, 3, T, T]: channels cover (0/1), shade (0..1), trunk (0/1)."""
    rng = np.random.default_rng(20240607)  # fixed: the templates are part of the dataset's definition
    t = TEMPLATE
    x = np.linspace(-1.2, 1.2, t, dtype=np.float32)[None, None, :]  # a margin so wobbles are not cut
    y = np.linspace(-0.05, 1.0, t, dtype=np.float32)[None, :, None]
    wob = value_noise_2d(rng, VARIANTS, t, (5, 5)) - 0.5  # [V, T, T] in -0.5..0.5
    leaf = value_noise_2d(rng, VARIANTS, t, (12, 12)) - 0.5
    trunk = (np.abs(x) < 0.1) & (y <= 1.0)
    conifer_w = np.clip(y, 0, 1) * (0.7 + 0.3 * np.mod(y * 3.2 + 0.15, 1.0))  # three tiers of branches
    shapes = {
        "conifer": ((np.abs(x) <= conifer_w + 0.12 * wob) & (y >= 0.0) & (y < 0.88), trunk & (y >= 0.86)),
        "round": (x ** 2 + ((y - 0.4) / 0.4) ** 2 <= 1 + 0.45 * wob, trunk & (y >= 0.6)),
        "bush": (x ** 2 + ((y - 0.55) / 0.45) ** 2 <= 1 + 0.5 * wob, np.zeros_like(wob, bool)),
        "boulder": ((x ** 2 + (y - 1.0) ** 2 <= 1 + 0.25 * wob) & (y <= 1.0), np.zeros_like(wob, bool)),
    }
    out = np.zeros((len(KINDS), VARIANTS, 3, t, t), np.float32)
    for i, kind in enumerate(KINDS):
        body, stem = (np.broadcast_to(a, (VARIANTS, t, t)) for a in shapes[kind])
        stem = stem & ~body
        # Light from the upper left; the leafy/rocky texture is part of the shape, not of the image.
        shade = 0.55 - 0.25 * x + 0.2 * (0.5 - y) + 0.5 * leaf
        out[i, :, 0] = body | stem
        out[i, :, 1] = np.clip(shade, 0, 1) * (body | stem)
        out[i, :, 2] = stem
    return torch.from_numpy(out)


def _slot_kinds(rng: np.random.Generator, b: int) -> np.ndarray:
    """int [B, SLOTS]: the kind in each slot, -1 for an empty slot."""
    trees = np.where(rng.random(b) < 0.22, 0, rng.integers(1, 8, b))
    bushes, boulders = rng.integers(0, 5, b), (rng.random(b) < 0.3).astype(int)
    conifer_share = rng.choice([0.1, 0.5, 0.9], b)
    k = np.arange(SLOTS)[None, :]
    tree_kind = np.where(rng.random((b, SLOTS)) < conifer_share[:, None], 0, 1)
    kinds = np.full((b, SLOTS), -1)
    kinds = np.where(k < trees[:, None], tree_kind, kinds)
    kinds = np.where((k >= 7) & (k < 7 + bushes[:, None]), 2, kinds)
    return np.where((k == 11) & (boulders[:, None] > 0), 3, kinds)


def _placement(rng: np.random.Generator, kinds: np.ndarray, horizon: np.ndarray, ground: np.ndarray):
    """Per slot: centre x, base y, height and half-width (all [B, SLOTS], fractions of the frame)."""
    b, s = ground.shape
    cx = rng.uniform(-0.05, 1.05, kinds.shape).astype(np.float32)
    top = ground[np.arange(b)[:, None], np.clip((cx * s).astype(int), 0, s - 1)]  # grass top under each object
    base = top + (1.04 - top) * rng.uniform(0.04, 1.0, kinds.shape).astype(np.float32)
    depth = np.clip((base - horizon[:, None]) / (1 - horizon[:, None]), 0, 1)  # 0 at the horizon, 1 at the bottom
    lo, hi = (np.array([HEIGHT[k][i] for k in KINDS], np.float32)[kinds.clip(0)] for i in (0, 1))
    height = (lo + hi * depth) * rng.uniform(0.8, 1.25, kinds.shape).astype(np.float32)
    a_lo, a_hi = (np.array([ASPECT[k][i] for k in KINDS], np.float32)[kinds.clip(0)] for i in (0, 1))
    half_w = height * rng.uniform(a_lo, a_hi).astype(np.float32)
    return cx, base, height, half_w


def place_objects(rng: np.random.Generator, horizon: np.ndarray, ground: np.ndarray) -> Objects:
    """Stamp up to SLOTS objects per scene; ``ground`` float32 [B, S] is the first grass row (0..1) per column.

    Each scene's objects are sorted far to near, so stamping slot by slot lets nearer objects hide
    farther ones, and within one slot every object belongs to a different scene (no write conflicts).
    """
    b, s = ground.shape
    kinds = _slot_kinds(rng, b)
    variant = rng.integers(0, VARIANTS, kinds.shape)
    cx, base, height, half_w = _placement(rng, kinds, horizon, ground)
    order = np.argsort(np.where(kinds >= 0, base, -1.0), axis=1, kind="stable")  # empty slots first
    kinds, variant, cx, base, height, half_w = (np.take_along_axis(a, order, axis=1)
                                                for a in (kinds, variant, cx, base, height, half_w))
    kind_map = np.full(b * s * s, -1, np.int8)
    shade, trunk = np.zeros(b * s * s, np.float32), np.zeros(b * s * s, bool)
    for k in range(SLOTS):
        rows = np.flatnonzero(kinds[:, k] >= 0)
        if not len(rows):
            continue
        flat, stamp = _stamp(kinds[rows, k], variant[rows, k], *(a[rows, k] for a in (cx, base, height, half_w)),
                             rows, s)
        kind_map[flat], shade[flat], trunk[flat] = stamp[2], stamp[0], stamp[1] > 0.5
    shape = (b, s, s)
    return Objects(kind_map.reshape(shape), shade.reshape(shape), trunk.reshape(shape))


def _stamp(kinds, variants, cx, base, height, half_w, scenes, s):
    """Resample each object's template over its bounding box only.

    Returns (flat pixel indices [M] into the chunk, [3, M] values: shade, trunk, kind) for the covered
    pixels inside the frame.
    """
    f32 = lambda a: torch.from_numpy(np.asarray(a, np.float32))  # noqa: E731
    top = base - 1.05 * height  # the template spans y -0.05..1 and x -1.2..1.2
    r0, c0 = np.floor(top * s).astype(int) - 1, np.floor((cx - 1.2 * half_w) * s).astype(int) - 1
    box_h, box_w = int(np.ceil(1.05 * height.max() * s)) + 3, int(np.ceil(2.4 * half_w.max() * s)) + 3
    rows, cols = r0[:, None] + np.arange(box_h), c0[:, None] + np.arange(box_w)  # [R, box_h], [R, box_w]
    gx = ((f32(cols) + 0.5) / s - f32(cx)[:, None]) / f32(half_w)[:, None] / 1.2
    gy = (((f32(rows) + 0.5) / s - f32(top)[:, None]) / f32(height)[:, None]) / 1.05 * 2 - 1
    r = len(kinds)
    grid = torch.stack([gx[:, None, :].expand(r, box_h, box_w), gy[:, :, None].expand(r, box_h, box_w)], dim=-1)
    src = templates()[torch.from_numpy(kinds), torch.from_numpy(variants)]  # [R, 3, T, T]
    out = F.grid_sample(src, grid, mode="bilinear", padding_mode="zeros", align_corners=True).numpy()
    inside = (out[:, 0] > 0.5) & ((rows >= 0) & (rows < s))[:, :, None] & ((cols >= 0) & (cols < s))[:, None, :]
    which, rr, cc = np.nonzero(inside)
    flat = scenes[which] * s * s + rows[which, rr] * s + cols[which, cc]
    values = np.stack([out[which, 1, rr, cc], out[which, 2, rr, cc], kinds[which]])
    return flat, values
