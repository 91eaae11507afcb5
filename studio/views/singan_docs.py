"""The SinGAN view's documents, Qt-free: the colour painting of "Paint to picture" and the placed region of
"Harmonise" and "Edit". Pure NumPy and Pillow over uint8 [H, W, 3] pictures at the model's size; points are
float (x, y) in picture pixels, (0, 0) the top-left corner.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from studio.state.raster import segment_mask

UNDO_DEPTH = 30  # strokes kept for undo (each a copy of a picture of a few hundred pixels a side)
STARTS = {"picture": "The picture", "blobs": "Its colour blobs", "faded": "A faded copy", "blank": "Blank"}


def colour_blobs(picture: np.ndarray, colours: int = 8) -> np.ndarray:
    """The picture as flat blobs of a few colours: what a rough painting for paint-to-picture looks like."""
    side = max(3, (min(picture.shape[:2]) // 12) | 1)  # an odd mode filter about a twelfth of the picture
    im = Image.fromarray(picture).filter(ImageFilter.ModeFilter(side))
    return np.asarray(im.quantize(colours, method=Image.Quantize.MEDIANCUT).convert("RGB")).copy()


def dominant_colours(picture: np.ndarray, k: int = 8) -> list[tuple[int, int, int]]:
    """The picture's ``k`` main colours, most frequent first (for the palette beside the brush)."""
    quantised = Image.fromarray(picture).quantize(k, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette()[: 3 * k]
    counts = sorted(quantised.getcolors(k) or [], reverse=True)
    return [tuple(palette[3 * i: 3 * i + 3]) for _, i in counts]


class PaintDocument:
    """A colour painting the size of the picture, with per-stroke undo. ``rgb`` is uint8 [H, W, 3]."""

    def __init__(self, picture: np.ndarray):
        self.picture = np.ascontiguousarray(picture)
        self.rgb = self.picture.copy()
        self.revision = 0
        self.undo_stack: list[np.ndarray] = []

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]

    def start_from(self, start: str) -> None:
        """Replace the painting (undoably) by one of :data:`STARTS`."""
        if start == "picture":
            rgb = self.picture.copy()
        elif start == "blobs":
            rgb = colour_blobs(self.picture)
        elif start == "faded":
            rgb = (0.35 * self.picture + 0.65 * 235).round().astype(np.uint8)
        else:
            rgb = np.full_like(self.picture, 235)
        self.replace(rgb)

    def replace(self, rgb: np.ndarray) -> None:
        """A whole new painting (already at the picture's size), undoably."""
        self.begin_stroke()
        self.rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        self.revision += 1

    def begin_stroke(self) -> None:
        self.undo_stack = [*self.undo_stack[-(UNDO_DEPTH - 1):], self.rgb.copy()]

    def dab(self, p0, p1, size: float, colour) -> tuple[int, int, int, int] | None:
        """Paint a round brush of diameter ``size`` from p0 to p1; the touched box (y0, y1, x0, x1) or None."""
        hit = segment_mask(self.rgb.shape[:2], p0, p1, size)
        if hit is None:
            return None
        mask, box = hit
        y0, y1, x0, x1 = box
        self.rgb[y0:y1, x0:x1][mask] = np.asarray(colour, np.uint8)
        self.revision += 1
        return box

    def undo(self) -> bool:
        if not self.undo_stack:
            return False
        self.rgb = self.undo_stack.pop()
        self.revision += 1
        return True

    def colour_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """The painting's colour under (x, y) (the picture's where it is not painted over), None off it."""
        h, w = self.rgb.shape[:2]
        if 0 <= x < w and 0 <= y < h:
            return tuple(int(c) for c in self.rgb[int(y), int(x)])
        return None


@dataclass
class Rect:
    """A pixel rectangle, half-open: columns x0..x1-1, rows y0..y1-1."""

    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def spanning(cls, a, b, size: tuple[int, int]) -> "Rect":
        """The rectangle between two points, clipped to a picture of ``size`` (width, height)."""
        w, h = size
        x0, x1 = sorted(int(np.clip(round(v), 0, w)) for v in (a[0], b[0]))  # the pixel corners nearest the points
        y0, y1 = sorted(int(np.clip(round(v), 0, h)) for v in (a[1], b[1]))
        return cls(x0, y0, x1, y1)

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1


class Placement:
    """A patch (pasted picture, or a region of the picture) placed on the picture, maybe leaving a hole.

    ``composite()`` gives the picture to inject and the bool mask of what changed: the placed patch, and the
    hole a moved region left (filled with the colour around it, for SinGAN to redraw).
    """

    def __init__(self, base: np.ndarray):
        self.base = np.ascontiguousarray(base)
        self.source: np.ndarray | None = None  # uint8 [h, w, 3|4] the patch as given, before any resizing
        self.patch: np.ndarray | None = None  # uint8 [h, w, 3] as placed
        self.patch_mask: np.ndarray | None = None  # bool [h, w]: its opaque pixels
        self.x, self.y = 0, 0  # where the patch's top-left corner sits (may be off the picture)
        self.taken_from: Rect | None = None  # the region of the picture the patch was taken from
        self.hole: Rect | None = None  # taken_from when the region was moved (not copied): it is redrawn

    @property
    def size(self) -> tuple[int, int]:
        return self.base.shape[1], self.base.shape[0]

    def clear(self) -> None:
        self.source = self.patch = self.patch_mask = self.taken_from = self.hole = None

    def paste(self, picture: np.ndarray, fraction: float) -> None:
        """Place ``picture`` (RGB or RGBA, any size) at ``fraction`` of the picture's height, centred."""
        self.source, self.taken_from, self.hole = np.ascontiguousarray(picture), None, None
        self.resize(fraction)
        w, h = self.size
        self.x, self.y = (w - self.patch.shape[1]) // 2, (h - self.patch.shape[0]) // 2

    def resize(self, fraction: float) -> None:
        """The pasted picture at ``fraction`` (0..1) of the picture's height (not wider than the picture),
        keeping its centre in place."""
        if self.source is None:
            return  # a region of the picture keeps its own size
        w, h = self.size
        sh, sw = self.source.shape[:2]
        k = min(fraction * h / sh, w / sw)
        size = (max(2, round(sw * k)), max(2, round(sh * k)))
        old = None if self.patch is None else (self.x + self.patch.shape[1] / 2, self.y + self.patch.shape[0] / 2)
        im = np.asarray(Image.fromarray(self.source).resize(size, Image.Resampling.LANCZOS))
        if im.shape[2] == 4:
            self.patch_mask = im[..., 3] > 127
            alpha = im[..., 3:].astype(np.float32) / 255
            self.patch = (im[..., :3] * alpha + self.base.mean((0, 1)) * (1 - alpha)).round().astype(np.uint8)
        else:
            self.patch, self.patch_mask = np.ascontiguousarray(im), np.ones(im.shape[:2], bool)
        if old is not None:
            self.x, self.y = round(old[0] - size[0] / 2), round(old[1] - size[1] / 2)

    def take(self, rect: Rect, move: bool) -> None:
        """A region of the picture as the patch: copied, or moved (leaving a hole to redraw)."""
        self.source = None
        self.patch = self.base[rect.y0:rect.y1, rect.x0:rect.x1].copy()
        self.patch_mask = np.ones(self.patch.shape[:2], bool)
        self.x, self.y = rect.x0, rect.y0
        self.taken_from = rect
        self.set_move(move)

    def set_move(self, move: bool) -> None:
        """A taken region is moved (its old place is redrawn too) or copied (its old place stays)."""
        self.hole = self.taken_from if move else None

    def patch_rect(self) -> Rect | None:
        if self.patch is None:
            return None
        return Rect(self.x, self.y, self.x + self.patch.shape[1], self.y + self.patch.shape[0])

    def move_to(self, x: float, y: float) -> None:
        """Put the patch's top-left corner at (x, y), rounded to a pixel."""
        self.x, self.y = round(x), round(y)

    def composite(self) -> tuple[np.ndarray, np.ndarray]:
        """(uint8 [H, W, 3] the edited picture, bool [H, W] where it differs from the picture's layout)."""
        out, mask = self.base.copy(), np.zeros(self.base.shape[:2], bool)
        if self.hole is not None:
            r = self.hole
            out[r.y0:r.y1, r.x0:r.x1] = _surrounding_colour(self.base, r)
            mask[r.y0:r.y1, r.x0:r.x1] = True
        if self.patch is not None:
            h, w = out.shape[:2]
            ph, pw = self.patch.shape[:2]
            x0, y0, x1, y1 = max(0, self.x), max(0, self.y), min(w, self.x + pw), min(h, self.y + ph)
            if x0 < x1 and y0 < y1:
                sub = (slice(y0 - self.y, y1 - self.y), slice(x0 - self.x, x1 - self.x))
                keep = self.patch_mask[sub]
                out[y0:y1, x0:x1][keep] = self.patch[sub][keep]
                mask[y0:y1, x0:x1] |= keep
        return out, mask


def _surrounding_colour(picture: np.ndarray, r: Rect) -> np.ndarray:
    """The median colour of a 2-pixel ring around ``r``: a neutral fill for the hole a moved region leaves."""
    h, w = picture.shape[:2]
    x0, y0, x1, y1 = max(0, r.x0 - 2), max(0, r.y0 - 2), min(w, r.x1 + 2), min(h, r.y1 + 2)
    ring = np.ones((y1 - y0, x1 - x0), bool)
    ring[r.y0 - y0:r.y1 - y0, r.x0 - x0:r.x1 - x0] = False
    pixels = picture[y0:y1, x0:x1][ring]
    return np.median(pixels, axis=0).astype(np.uint8) if len(pixels) else picture.mean((0, 1)).astype(np.uint8)
