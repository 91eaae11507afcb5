"""Drawings for the Sketch mode, Qt-free: a first drawing, fitting a file to the canvas, saving, the autosave.

A drawing is uint8 [H, W]: ink 0 (black) on paper 255 (white), greys in between. It is painted in a
:class:`~studio.state.canvas.CanvasDocument` (its "classes" are grey levels: the pen paints INK, the eraser
PAPER), so undo and redo work as for label maps.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

INK, PAPER = 0, 255
AUTOSAVE_NAME = "sketch_autosave.png"  # beside it: sketch_autosave.json with the model it was drawn for


def starter_drawing(side: int) -> np.ndarray:
    """uint8 [side, side]: a face's outline (a circle, two eyes, a smile), what a first launch shows."""
    im = Image.new("L", (side, side), PAPER)
    d, s, width = ImageDraw.Draw(im), side / 64, max(1, round(side / 64))
    d.ellipse((12 * s, 12 * s, 52 * s, 52 * s), outline=INK, width=width)
    for x in (24, 36):
        d.ellipse((x * s, 24 * s, (x + 4) * s, 29 * s), outline=INK, width=width)
    d.arc((22 * s, 30 * s, 42 * s, 44 * s), 20, 160, fill=INK, width=width)
    return np.asarray(im).copy()


def fit_drawing(lines: np.ndarray, side: int) -> tuple[np.ndarray, str]:
    """uint8 [H, W] -> [side, side] and a note ("" when it fitted as it was): scaled to fit, centred on paper.

    Never stretched: a drawing's lines keep their shapes, and the margin is white paper.
    """
    h, w = lines.shape
    if (h, w) == (side, side):
        return np.ascontiguousarray(lines, np.uint8), ""
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    resample = Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC
    scaled = np.asarray(Image.fromarray(np.ascontiguousarray(lines, np.uint8)).resize(size, resample))
    out = np.full((side, side), PAPER, np.uint8)
    y0, x0 = (side - size[1]) // 2, (side - size[0]) // 2
    out[y0:y0 + size[1], x0:x0 + size[0]] = scaled
    centred = " and centred on white" if size[0] != size[1] else ""
    return out, f"it is {w}x{h}; scaled to {size[0]}x{size[1]}{centred}"


def resize_drawing(lines: np.ndarray, side: int) -> np.ndarray:
    """The drawing at another canvas size (smooth, so thin lines stay lines rather than dots)."""
    resample = Image.Resampling.LANCZOS if side < lines.shape[0] else Image.Resampling.BICUBIC
    return np.asarray(Image.fromarray(np.ascontiguousarray(lines, np.uint8)).resize((side, side), resample)).copy()


def save_drawing(lines: np.ndarray, path: Path) -> None:
    """A grey PNG (mode L) that ``gan-studio synthesize sketch --labels`` and Open drawing... read back."""
    Image.fromarray(np.ascontiguousarray(lines, np.uint8), "L").save(path, format="PNG")


@dataclass
class SketchAutosave:
    """The drawing as last autosaved, and the model to draw it with again."""

    lines: np.ndarray  # uint8 [S, S]
    model: str  # "sketch" (shipped) or a run directory


def write_autosave(folder: Path, saved: SketchAutosave) -> Path:
    """Write the drawing and its sidecar atomically (a crash mid-write leaves the previous autosave)."""
    folder.mkdir(parents=True, exist_ok=True)
    png, meta = folder / AUTOSAVE_NAME, folder / Path(AUTOSAVE_NAME).with_suffix(".json").name
    tmp_png, tmp_meta = png.with_suffix(".png.tmp"), meta.with_suffix(".json.tmp")
    save_drawing(saved.lines, tmp_png)
    tmp_meta.write_text(json.dumps({"model": saved.model}), encoding="utf-8")
    os.replace(tmp_meta, meta)
    os.replace(tmp_png, png)
    return png


def read_autosave(folder: Path) -> SketchAutosave | None:
    """The last autosaved drawing, or None when there is none or it cannot be read (then it is ignored)."""
    png, meta = folder / AUTOSAVE_NAME, folder / Path(AUTOSAVE_NAME).with_suffix(".json").name
    if not png.is_file():
        return None
    try:
        model = str(json.loads(meta.read_text(encoding="utf-8")).get("model", "")) if meta.is_file() else ""
        with Image.open(png) as im:
            lines = np.asarray(im.convert("L")).copy()
    except (OSError, ValueError, AttributeError):
        return None
    if lines.shape[0] != lines.shape[1]:
        return None
    return SketchAutosave(lines, model)
