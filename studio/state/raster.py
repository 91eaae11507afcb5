"""Shapes on a label map as boolean masks: brush segments, rectangles, ellipses and flood fills.

Pure NumPy, no Qt. Points are float (x, y) in pixel units, (0, 0) the top-left corner of the map and
pixel (i, j) covering x in [j, j + 1), y in [i, i + 1). Every function returns ``(mask, (y0, x0))``:
a bool mask of the touched bounding box and where that box sits on the map, so callers assign only
the few pixels a dab touches, never the whole map.
"""
from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]  # (y0, y1, x0, x1), half-open, clipped to the map


def clip_box(shape: tuple[int, int], y0: float, y1: float, x0: float, x1: float) -> Box | None:
    """Pixel rows/columns touched by the float extent, clipped to ``shape``; None when nothing is left."""
    h, w = shape
    box = (max(0, int(np.floor(y0))), min(h, int(np.ceil(y1))), max(0, int(np.floor(x0))), min(w, int(np.ceil(x1))))
    return box if box[0] < box[1] and box[2] < box[3] else None


def _centres(box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres of ``box``: x [1, w] and y [h, 1] (broadcast to [h, w])."""
    y0, y1, x0, x1 = box
    return np.arange(x0, x1, dtype=np.float32)[None, :] + 0.5, np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5


def segment_mask(shape, p0, p1, size: float, square: bool = False):
    """The pixels a brush of diameter ``size`` covers moving from p0 to p1 (a single dab when p0 == p1).

    Round: centres within size/2 of the segment. Square: the segment swept by an axis-aligned square,
    i.e. some t in [0, 1] puts the centre within size/2 of p0 + t (p1 - p0) in both x and y.
    """
    size = max(1, int(round(size)))
    r = size / 2
    (ax, ay), (bx, by) = _snap(p0, size), _snap(p1, size)
    box = clip_box(shape, min(ay, by) - r, max(ay, by) + r, min(ax, bx) - r, max(ax, bx) + r)
    if box is None:
        return None
    x, y = _centres(box)
    dx, dy = bx - ax, by - ay
    if square:
        lo_x, hi_x = _interval(x - ax, dx, r)
        lo_y, hi_y = _interval(y - ay, dy, r)
        mask = np.maximum(np.maximum(lo_x, lo_y), 0) <= np.minimum(np.minimum(hi_x, hi_y), 1)
    else:
        length2 = dx * dx + dy * dy
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / length2, 0, 1) if length2 > 0 else np.zeros((1, 1), np.float32)
        mask = (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= r * r
    return np.broadcast_to(mask, (box[1] - box[0], box[3] - box[2])), box


def _snap(p, size: int) -> tuple[float, float]:
    """Brush centres sit on pixel centres for odd sizes, on pixel corners for even ones, so a dab of
    size n is always the same n-pixel-wide footprint wherever it lands (size 1: exactly one pixel)."""
    if size % 2:
        return float(np.floor(p[0])) + 0.5, float(np.floor(p[1])) + 0.5
    return float(np.round(p[0])), float(np.round(p[1]))


def _interval(offset: np.ndarray, d: float, r: float) -> tuple[np.ndarray, np.ndarray]:
    """The t where |offset - t d| <= r, as (low, high) arrays; empty intervals have low > high."""
    if abs(d) < 1e-9:
        inside = np.abs(offset) <= r
        return np.where(inside, -np.inf, np.inf), np.where(inside, np.inf, -np.inf)
    a, b = (offset - r) / d, (offset + r) / d
    return np.minimum(a, b), np.maximum(a, b)


def rectangle_mask(shape, p0, p1, filled: bool = True, width: float = 1):
    """A rectangle between two corners; outlined ``width`` pixels thick unless ``filled``."""
    box = _integer_corners(shape, p0, p1)
    if box is None:
        return None
    y0, y1, x0, x1 = box
    mask = np.ones((y1 - y0, x1 - x0), bool)
    w = max(1, int(round(width)))
    if not filled:
        mask[w:-w, w:-w] = False
    return _clipped(mask, box, shape)


def ellipse_mask(shape, p0, p1, filled: bool = True, width: float = 1):
    """The ellipse inscribed in the rectangle between two corners; a ring ``width`` thick unless ``filled``."""
    box = _integer_corners(shape, p0, p1)
    if box is None:
        return None
    y0, y1, x0, x1 = box
    x, y = _centres(box)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    mask = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
    w = max(1.0, float(width))
    if not filled and rx > w and ry > w:
        mask &= ((x - cx) / (rx - w)) ** 2 + ((y - cy) / (ry - w)) ** 2 > 1
    return _clipped(mask, box, shape)


def _integer_corners(shape, p0, p1) -> Box | None:
    """Unclipped pixel box of two corner points (so shapes dragged past the edge keep their geometry)."""
    (ax, ay), (bx, by) = p0, p1
    y0, y1 = int(np.floor(min(ay, by))), int(np.floor(max(ay, by))) + 1
    x0, x1 = int(np.floor(min(ax, bx))), int(np.floor(max(ax, bx))) + 1
    return (y0, y1, x0, x1) if clip_box(shape, y0, y1, x0, x1) else None


def _clipped(mask: np.ndarray, box: Box, shape):
    y0, y1, x0, x1 = box
    inner = clip_box(shape, y0, y1, x0, x1)
    cy0, cy1, cx0, cx1 = inner
    return mask[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0], inner


def flood_mask(labels: np.ndarray, x: int, y: int):
    """The 4-connected region of ``labels[y, x]``'s class containing (x, y), found run by run (no SciPy).

    Each row of the class mask is cut into runs of equal pixels; a run joins the region when it overlaps
    a region run in the row above or below, so the work grows with the number of runs, not pixels.
    """
    same = labels == labels[y, x]
    h, w = same.shape
    edges = np.diff(np.pad(same, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    runs = [(np.flatnonzero(edges[r] == 1), np.flatnonzero(edges[r] == -1)) for r in range(h)]  # [start, end)
    region = np.zeros_like(same)
    seen = [set() for _ in range(h)]
    start = int(np.searchsorted(runs[y][0], x, side="right") - 1)
    stack = [(y, start)]
    seen[y].add(start)
    while stack:
        r, i = stack.pop()
        s, e = runs[r][0][i], runs[r][1][i]
        region[r, s:e] = True
        for nr in (r - 1, r + 1):
            if 0 <= nr < h:
                starts, ends = runs[nr]
                first, last = np.searchsorted(ends, s, side="right"), np.searchsorted(starts, e, side="left")
                for j in range(first, last):
                    if j not in seen[nr]:
                        seen[nr].add(j)
                        stack.append((nr, j))
    rows, cols = np.flatnonzero(region.any(1)), np.flatnonzero(region.any(0))
    box = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    return region[box[0]:box[1], box[2]:box[3]], box
