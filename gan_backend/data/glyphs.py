"""MNIST-like digits drawn on the fly: 28x28 grey, white strokes on black, 10 balanced classes.

Drawing 20000 digits one by one with Pillow takes too long for a dataset that is rebuilt at
every run start, so the work is split in two:

1. A *bank* of a few hundred clean digit masks at twice the output resolution, built once per
   process: pen strokes through hand-made control points (the "handwritten" look) and text in
   every usable installed font plus Pillow's built-in one (which is always there). Each mask is
   fitted into a 20x20 box and centred by its centre of mass, as MNIST was.
2. Per image, a random pick from the bank goes through one batched ``grid_sample`` with an
   affine jitter (rotation, scale, shear, shift) plus a smooth elastic warp, a random stroke
   thickening or thinning, 2x downsampling and a light blur.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

from gan_backend.data.base import DATASETS, ArrayDataset

SIZE = 28  # output side, as MNIST
BOX = 20  # MNIST fits each digit into a 20x20 box before centring it in 28x28
SS = 2  # the bank and the warp work at SS x the output resolution; downsampling antialiases
CHUNK = 2048  # images per batched warp
FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
             "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts"]
MAX_FONTS = 24  # enough variety; more only slows the bank
STROKE_SHARE = 0.65  # fraction of images drawn from pen strokes rather than fonts
CLASS_NAMES = [str(d) for d in range(10)]


# Pen strokes per digit: a list of variants, each a list of strokes, each a polyline of (x, y)
# control points in a unit box, y down. Corners are where one stroke ends and the next begins;
# within a stroke, corner cutting turns the polyline into a smooth curve.
DIGIT_STROKES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[[(0.5, 0), (0.85, 0.15), (0.95, 0.5), (0.8, 0.88), (0.5, 1), (0.18, 0.85), (0.05, 0.5),
          (0.18, 0.12), (0.5, 0), (0.62, 0.04)]]],
    1: [[[(0.5, 0), (0.5, 1)]], [[(0.25, 0.2), (0.55, 0)], [(0.55, 0), (0.5, 1)]]],
    2: [[[(0.1, 0.25), (0.3, 0.03), (0.65, 0), (0.88, 0.2), (0.8, 0.45), (0.4, 0.75), (0.05, 1)],
         [(0.05, 1), (0.95, 0.98)]]],
    3: [[[(0.1, 0.12), (0.45, 0), (0.8, 0.1), (0.82, 0.32), (0.45, 0.48)],
         [(0.45, 0.48), (0.85, 0.62), (0.88, 0.85), (0.55, 1), (0.1, 0.9)]]],
    4: [[[(0.7, 0), (0.05, 0.68)], [(0.05, 0.68), (0.95, 0.68)], [(0.7, 0), (0.7, 1)]],
        [[(0.15, 0), (0.08, 0.6)], [(0.08, 0.6), (0.9, 0.6)], [(0.7, 0.1), (0.72, 1)]]],
    5: [[[(0.85, 0), (0.25, 0.02)], [(0.25, 0.02), (0.18, 0.45)],
         [(0.18, 0.45), (0.5, 0.38), (0.82, 0.55), (0.85, 0.82), (0.55, 1), (0.12, 0.92)]]],
    6: [[[(0.75, 0), (0.4, 0.2), (0.18, 0.55), (0.2, 0.85), (0.5, 1), (0.8, 0.85), (0.8, 0.6),
          (0.5, 0.48), (0.2, 0.65)]]],
    7: [[[(0.05, 0.02), (0.95, 0)], [(0.95, 0), (0.6, 0.5), (0.4, 1)]],
        [[(0.05, 0.02), (0.95, 0)], [(0.95, 0), (0.6, 0.5), (0.4, 1)], [(0.35, 0.5), (0.85, 0.5)]]],
    8: [[[(0.8, 0.12), (0.5, 0), (0.2, 0.12), (0.22, 0.35), (0.5, 0.5), (0.82, 0.68), (0.8, 0.92),
          (0.5, 1), (0.18, 0.9), (0.2, 0.68), (0.5, 0.5), (0.78, 0.35), (0.8, 0.12)]]],
    9: [[[(0.82, 0.2), (0.55, 0), (0.2, 0.1), (0.15, 0.35), (0.45, 0.5), (0.8, 0.35), (0.82, 0.12)],
         [(0.82, 0.12), (0.78, 0.6), (0.65, 1)]]],
}


def _smooth(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin corner cutting of an open polyline [P, 2]; the end points stay put."""
    for _ in range(rounds):
        a, b = points[:-1], points[1:]
        cut = np.stack([0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b], axis=1).reshape(-1, 2)
        points = np.concatenate([points[:1], cut, points[-1:]])
    return points


def stroke_variant(strokes: list[list[tuple[float, float]]], rng: np.random.Generator) -> list[np.ndarray]:
    """One hand's version of a template: squeezed or widened, control points jittered, smoothed.

    Stroke ends that meet in the template (corners) keep meeting, because each distinct control
    point is jittered once and shared by every stroke that uses it.
    """
    width = rng.uniform(0.55, 1.0)
    jitter: dict[tuple[float, float], np.ndarray] = {}
    out = []
    for stroke in strokes:
        pts = [jitter.setdefault(p, np.array(p) + rng.normal(0, 0.04, 2)) for p in stroke]
        out.append(_smooth(np.array(pts) * [width, 1.0]))
    return out


def _fit_and_centre(ink: np.ndarray) -> np.ndarray | None:
    """Crop ``ink`` (uint8 [H, W]) to its box, fit the long side to BOX and centre by mass.

    Returns float32 [SIZE*SS, SIZE*SS] in 0..1, or None for a blank render.
    """
    ys, xs = np.nonzero(ink > 24)
    if len(ys) == 0:
        return None
    crop = Image.fromarray(ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
    scale = BOX * SS / max(crop.size)
    w, h = max(1, round(crop.width * scale)), max(1, round(crop.height * scale))
    glyph = np.asarray(crop.resize((w, h), Image.LANCZOS), np.float32) / 255.0
    weight = glyph.sum()
    cy = (glyph.sum(1) * np.arange(h)).sum() / weight
    cx = (glyph.sum(0) * np.arange(w)).sum() / weight
    side = SIZE * SS
    canvas = np.zeros((3 * side, 3 * side), np.float32)  # room to paste off-centre without clipping
    top, left = round(1.5 * side - cy - 0.5), round(1.5 * side - cx - 0.5)
    canvas[top:top + h, left:left + w] = glyph
    return canvas[side:2 * side, side:2 * side]


def _font_paths() -> list[Path]:
    """Installed TrueType/OpenType fonts, sorted so the bank is the same on every run."""
    found = set()
    for root in FONT_DIRS:
        base = Path(root).expanduser()
        if base.is_dir():
            found.update(p for p in base.rglob("*") if p.suffix.lower() in (".ttf", ".otf"))
    return sorted(found)[:MAX_FONTS * 4]


def _render_text(font: ImageFont.ImageFont, text: str, stroke: int) -> np.ndarray:
    """White ``text`` on black, uint8 [128, 128]."""
    img = Image.new("L", (128, 128), 0)
    ImageDraw.Draw(img).text((64, 64), text, font=font, fill=255, anchor="mm",
                             stroke_width=stroke, stroke_fill=255)
    return np.asarray(img)


def _usable_fonts() -> list[ImageFont.ImageFont]:
    """Pillow's built-in font first (always present), then system fonts that draw real digits.

    A font without digit glyphs draws the same box ("tofu") for every digit, or nothing.
    """
    fonts = [ImageFont.load_default(size=72)]
    for path in _font_paths():
        if len(fonts) > MAX_FONTS:
            break
        try:
            font = ImageFont.truetype(str(path), 72)
            one, eight = _render_text(font, "1", 0), _render_text(font, "8", 0)
        except OSError:
            continue
        if one.any() and eight.any() and not np.array_equal(one, eight):
            fonts.append(font)
    return fonts


def _draw_strokes(strokes: list[np.ndarray], width: int) -> np.ndarray:
    """Pen strokes (each [P, 2] in 0..1, y down) drawn white on black, uint8 [128, 128]."""
    img = Image.new("L", (128, 128), 0)
    draw = ImageDraw.Draw(img)
    r = width / 2
    for pts in strokes:
        xy = [(14 + 100 * x, 14 + 100 * y) for x, y in pts]
        draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round pen tips
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img)


@functools.lru_cache(maxsize=1)
def glyph_bank() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clean digits: masks float32 [K, 56, 56] in 0..1, digits int64 [K], from_strokes bool [K].

    Built once per process from a fixed seed, so every dataset seed shares the same bank.
    """
    rng = np.random.default_rng(1234)
    masks, digits, pen = [], [], []

    def add(ink: np.ndarray, digit: int, from_strokes: bool) -> None:
        mask = _fit_and_centre(ink)
        if mask is not None:
            masks.append(mask), digits.append(digit), pen.append(from_strokes)

    for digit, variants in DIGIT_STROKES.items():
        for _ in range(24):
            strokes = stroke_variant(variants[rng.integers(len(variants))], rng)
            add(_draw_strokes(strokes, int(rng.integers(7, 15))), digit, True)
    for font in _usable_fonts():
        for digit in range(10):
            for stroke in (1, 3):
                add(_render_text(font, str(digit), stroke), digit, False)
    return np.stack(masks), np.array(digits, np.int64), np.array(pen, bool)


def _pick(rng: np.random.Generator, labels: np.ndarray, digits: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """For each label, a bank index of that digit: from pen strokes with P=STROKE_SHARE, else a font."""
    use_pen = rng.uniform(0, 1, len(labels)) < STROKE_SHARE
    idx = np.empty(len(labels), np.int64)
    for d in range(10):
        for p in (True, False):
            pool = np.flatnonzero((digits == d) & (pen == p))
            if len(pool) == 0:  # e.g. no usable fonts would leave pen strokes only
                pool = np.flatnonzero(digits == d)
            m = (labels == d) & (use_pen == p)
            idx[m] = pool[rng.integers(0, len(pool), m.sum())]
    return idx


def _affine(rng: np.random.Generator, n: int) -> torch.Tensor:
    """[N, 2, 3] maps from output to input coordinates (-1..1): the inverse of the jitter."""
    angle = np.deg2rad(rng.uniform(-15, 15, n))
    scale = rng.uniform(0.85, 1.1, n)[:, None] * np.exp(rng.normal(0, 0.06, (n, 2)))  # per axis
    shear = rng.uniform(-0.25, 0.25, n)
    shift = rng.uniform(-1.0, 1.0, (n, 2)) * (2 / SIZE)  # up to one output pixel
    c, s = np.cos(angle), np.sin(angle)
    rot = np.stack([np.stack([c, -s], 1), np.stack([s, c], 1)], 1)  # [N, 2, 2]
    shr = np.zeros((n, 2, 2))
    shr[:, 0, 0], shr[:, 0, 1], shr[:, 1, 1] = 1.0, shear, 1.0
    lin = rot @ shr / scale[:, None, :]
    theta = np.concatenate([lin, shift[:, :, None]], axis=2)
    return torch.from_numpy(theta.astype(np.float32))


def _elastic(rng: np.random.Generator, n: int, side: int) -> torch.Tensor:
    """A smooth random displacement [N, side, side, 2] of about one output pixel: handwriting wobble."""
    coarse = torch.from_numpy(rng.normal(0, 0.06, (n, 2, 4, 4)).astype(np.float32))
    field = F.interpolate(coarse, size=(side, side), mode="bicubic", align_corners=True)
    return field.permute(0, 2, 3, 1)


def _morph(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Thin a quarter of the strokes and thicken another quarter by one bank pixel (half an output pixel)."""
    choice = torch.from_numpy(rng.integers(0, 4, len(x)))[:, None, None, None]
    thick = F.max_pool2d(x, 3, 1, 1)
    thin = -F.max_pool2d(-x, 3, 1, 1)
    return torch.where(choice == 0, thin, torch.where(choice == 1, thick, x))


def _warp(masks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Jitter and downsample bank masks [M, 56, 56] into uint8 [M, 28, 28, 1] images."""
    n, side = len(masks), masks.shape[-1]
    src = torch.from_numpy(masks)[:, None]
    grid = F.affine_grid(_affine(rng, n), [n, 1, side, side], align_corners=False)
    out = F.grid_sample(src, grid + _elastic(rng, n, side), align_corners=False)
    out = F.avg_pool2d(_morph(out, rng), SS)
    blur = torch.tensor([0.25, 0.5, 0.25])
    out = F.conv2d(out, (blur[:, None] * blur[None, :])[None, None], padding=1)
    out = (out * 1.25).clamp(0, 1)  # restore solid stroke cores that the blur softened
    return (out * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


@DATASETS.register("glyphs")
def glyphs(seed: int = 0, n: int = 20000) -> ArrayDataset:
    """MNIST-like 28x28 grey digits 0-9 from pen strokes and fonts, with affine and elastic jitter."""
    rng = np.random.default_rng(seed)
    masks, digits, pen = glyph_bank()
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    idx = _pick(rng, labels, digits, pen)
    x = np.empty((n, SIZE, SIZE, 1), np.uint8)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        x[part] = _warp(masks[idx[part]], rng)
    return ArrayDataset("glyphs", "image", x, labels, list(CLASS_NAMES))
