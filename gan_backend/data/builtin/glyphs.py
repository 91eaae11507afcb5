"""MNIST-like digits drawn on the fly: 28x28 grey, white strokes on black, 10 balanced classes.

Drawing 20000 digits one by one with Pillow is too slow for a dataset rebuilt at every run
start, so the work is split in two:

1. A *bank* of a few hundred clean digits at twice the output resolution, built once per
   process: pen strokes through hand-made control points (the handwritten look) and text in the
   installed fonts plus Pillow's built-in one (always there, so no system font is needed). Each
   is fitted into a 20x20 box and centred by its centre of mass, as MNIST was, then stored
   thinned and thickened and blurred.
2. Per image, one batched ``grid_sample`` reads a bank digit of a random target stroke width
   through an affine jitter (rotation, scale, shear, shift) plus a smooth elastic wobble.

The bank depends on the fonts installed, so a seed gives identical data on one machine but
not necessarily across machines.
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
BOX = 20  # MNIST fits each digit into a 20x20 box before centring it in 28x28 ...
MNIST_COM = 14.0  # ... with its centre of mass on pixel (14, 14) (measured on MNIST)
SS = 2  # the bank holds digits at SS x the output resolution, blurred so sampling it antialiases
CHUNK = 2048  # images per batched warp
FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
             "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts"]
MAX_FONTS = 24  # enough variety; more only slows the bank
STROKE_WIDTH = (2.5, 5.5)  # target stroke widths in bank px, as _stroke_width measures them; fits MNIST
THICKNESS_STEPS = (-2, -1, 0, 1, 2)  # 3x3 erosions (<0) or dilations (>0) kept in the bank
STROKE_SHARE = 0.65  # fraction of images drawn from pen strokes rather than fonts
PEN_VARIANTS = 24  # jittered pen drawings per digit in the bank
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
    glyph = np.asarray(crop.resize((w, h), Image.Resampling.LANCZOS), np.float32) / 255.0
    weight = glyph.sum()
    cy = (glyph.sum(1) * np.arange(h)).sum() / weight
    cx = (glyph.sum(0) * np.arange(w)).sum() / weight
    side, margin = SIZE * SS, 2 * SS
    centre = SS * MNIST_COM + (SS - 1) / 2  # that output pixel's centre in bank pixels
    # Centre by mass, but keep a margin: a top-heavy "7" would otherwise hang off the bottom.
    top = int(np.clip(round(centre - cy), margin, side - h - margin))
    left = int(np.clip(round(centre - cx), margin, side - w - margin))
    canvas = np.zeros((side, side), np.float32)
    canvas[top:top + h, left:left + w] = glyph
    return canvas


def _font_paths() -> list[Path]:
    """Installed TrueType/OpenType fonts, sorted so the bank is the same on every run."""
    found = set()
    for root in FONT_DIRS:
        base = Path(root).expanduser()
        if base.is_dir():
            found.update(p for p in base.rglob("*") if p.suffix.lower() in (".ttf", ".otf"))
    return sorted(found)[:MAX_FONTS * 4]  # some will be rejected; bound the loading time


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
    renders = []  # (ink uint8 [128, 128], digit, from pen strokes)
    for digit, variants in DIGIT_STROKES.items():
        for _ in range(PEN_VARIANTS):
            strokes = stroke_variant(variants[rng.integers(len(variants))], rng)
            renders.append((_draw_strokes(strokes, int(rng.integers(7, 15))), digit, True))
    for font in _usable_fonts():
        renders += [(_render_text(font, str(d), stroke), d, False) for d in range(10) for stroke in (0, 2)]
    kept = [(mask, d, pen) for ink, d, pen in renders if (mask := _fit_and_centre(ink)) is not None]
    masks, digits, pen = zip(*kept)
    return np.stack(masks), np.array(digits, np.int64), np.array(pen, bool)


def _stroke_width(masks: torch.Tensor) -> torch.Tensor:
    """Mean stroke width in px of masks [K, H, W]: area over half the perimeter.

    A stroke of width w and length L has area wL and a perimeter of about 2L.
    """
    area = masks.sum(dim=(1, 2))
    edge = (masks.diff(dim=1).abs().sum(dim=(1, 2)) + masks.diff(dim=2).abs().sum(dim=(1, 2)))
    return 2 * area / edge.clamp(min=1e-6)


def _blur_matrix(side: int, sigma: float) -> torch.Tensor:
    """[side, side] Gaussian blur along one axis as a matrix (zero padding): ``G @ X @ G.T`` blurs X."""
    offset = torch.arange(side, dtype=torch.float32)
    g = torch.exp(-0.5 * ((offset[:, None] - offset[None, :]) / sigma) ** 2)
    return g / g[side // 2].sum()


@functools.lru_cache(maxsize=1)
def _filtered_bank() -> tuple[torch.Tensor, torch.Tensor]:
    """The bank thinned and thickened, blurred, ready to sample.

    Returns masks [K, L, 56, 56] for the dilation steps in THICKNESS_STEPS and the stroke width
    in bank px of each unmodified mask [K]. Doing this once on a few hundred masks keeps the
    per-image work to one ``grid_sample`` at output size. The blur (sigma 1.5 bank px) stands in
    for 2x downsampling plus MNIST's soft edges, and prevents aliasing when sampling at 28x28.
    (Convolutions with one channel are very slow on CPU, so the blur is two matrix products.)
    """
    x = torch.from_numpy(glyph_bank()[0])[:, None]  # [K, 1, 56, 56]
    levels = {0: x}
    for step in range(1, max(THICKNESS_STEPS) + 1):
        levels[step] = F.max_pool2d(levels[step - 1], 3, 1, 1)
    for step in range(-1, min(THICKNESS_STEPS) - 1, -1):
        levels[step] = -F.max_pool2d(-levels[step + 1], 3, 1, 1)
    stack = torch.cat([levels[s] for s in THICKNESS_STEPS], dim=1)  # [K, L, 56, 56]
    g = _blur_matrix(stack.shape[-1], 1.5)
    return g @ stack @ g.T, _stroke_width(x[:, 0])


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
    scale = rng.uniform(0.8, 1.0, n)[:, None] * np.exp(rng.normal(0, 0.06, (n, 2)))  # per axis
    shear = rng.uniform(-0.25, 0.25, n)
    shift = rng.uniform(-0.5, 0.5, (n, 2)) * (2 / SIZE)  # up to half an output pixel
    c, s = np.cos(angle), np.sin(angle)
    # rotation @ [[1, shear], [0, 1]], then each column divided by that axis's scale: [N, 2, 2]
    lin = np.stack([np.stack([c, c * shear - s], 1), np.stack([s, s * shear + c], 1)], 1)
    lin = lin / scale[:, None, :]
    theta = np.concatenate([lin, shift[:, :, None]], axis=2)
    return torch.from_numpy(theta.astype(np.float32))


def _sampling_grid(rng: np.random.Generator, n: int) -> torch.Tensor:
    """Where each output pixel reads the bank: [N, 28, 28, 2] in -1..1 (x, y).

    An affine jitter plus a smooth elastic wobble of about one output pixel (a 4x4 random field
    upsampled bicubically). Both are linear in their parameters, so the grid is a single matrix
    product; F.affine_grid and F.interpolate take seconds on CPU for 20000 images.
    """
    coarse = rng.normal(0, 0.06, (n, 32)).astype(np.float32)  # [N, (x|y) * 4 * 4] displacement
    params = torch.cat([_affine(rng, n).view(n, 6), torch.from_numpy(coarse)], dim=1)
    return (params @ _grid_basis()).view(n, SIZE, SIZE, 2)


@functools.lru_cache(maxsize=1)
def _grid_basis() -> torch.Tensor:
    """[38, 28*28*2]: maps (6 affine entries, 2x4x4 coarse displacements) to the sampling grid."""
    ticks = (torch.arange(SIZE, dtype=torch.float32) * 2 + 1) / SIZE - 1  # pixel centres
    ys, xs = torch.meshgrid(ticks, ticks, indexing="ij")
    pixel = torch.stack([xs.flatten(), ys.flatten(), torch.ones(SIZE * SIZE)])  # [3, P]
    eye = torch.eye(4)[:, None, :, None]  # bicubic upsampling of 4 values to SIZE, one axis
    up = F.interpolate(eye, size=(SIZE, 1), mode="bicubic", align_corners=True)[:, 0, :, 0]  # [4, SIZE]
    wobble = torch.kron(up, up)  # [16, P]: 2-D bicubic is the product of two 1-D ones
    basis = torch.zeros(38, SIZE * SIZE, 2)
    basis[0:3, :, 0], basis[3:6, :, 1] = pixel, pixel
    basis[6:22, :, 0], basis[22:38, :, 1] = wobble, wobble
    return basis.view(38, -1)


def _warp(src: torch.Tensor, rng: np.random.Generator) -> np.ndarray:
    """Jitter filtered bank masks [M, 1, 56, 56] into uint8 [M, 28, 28, 1] images."""
    out = F.grid_sample(src, _sampling_grid(rng, len(src)), align_corners=False)
    out = (out * 1.25).clamp(0, 1)  # restore solid stroke cores that the blur softened
    return (out * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


@DATASETS.register("glyphs")
def glyphs(seed: int = 0, n: int = 20000) -> ArrayDataset:
    """MNIST-like 28x28 grey digits 0-9 from pen strokes and fonts, with affine and elastic jitter."""
    rng = np.random.default_rng(seed)
    _, digits, pen = glyph_bank()
    bank, width = _filtered_bank()
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    idx = torch.from_numpy(_pick(rng, labels, digits, pen))
    # Each dilation step widens a stroke by 2 bank px: pick the step nearest a random target width.
    target = torch.from_numpy(rng.uniform(*STROKE_WIDTH, n).astype(np.float32))
    step = ((target - width[idx]) / 2).round().clamp(min(THICKNESS_STEPS), max(THICKNESS_STEPS))
    thickness = (step - min(THICKNESS_STEPS)).long()  # index into THICKNESS_STEPS
    x = np.empty((n, SIZE, SIZE, 1), np.uint8)
    for start in range(0, n, CHUNK):
        part = slice(start, start + CHUNK)
        x[part] = _warp(bank[idx[part], thickness[part]][:, None], rng)
    return ArrayDataset("glyphs", "image", x, labels, list(CLASS_NAMES))
