"""Label maps on disk for the paint view: load, save (index or colour PNG), and the autosave (Qt-free).

Index PNGs are written in mode "P" with the model's palette, so they read back as class indices and
still look like the painting in any image viewer. Reading goes through :mod:`gan_backend.painter`
(the same checks as ``gan-studio synthesize``), imported lazily because it imports torch.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from gan_backend import resources

SHIPPED_PALETTE = resources.path("models", "painter", "palette.json")
AUTOSAVE_NAME = "paint_autosave.png"  # beside it: paint_autosave.json with the classes, model and seed


@dataclass
class Classes:
    """The classes a model paints: names and uint8 [K, 3] colours."""

    names: list[str]
    colours: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def read_palette_json(path: Path = SHIPPED_PALETTE) -> Classes:
    """``{"classes": [{"name": .., "color": [r, g, b]}, ...]}`` without importing the engine (no torch)."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))["classes"]
    return Classes([str(c["name"]) for c in items], np.array([c["color"][:3] for c in items], np.uint8))


def save_label_map(labels: np.ndarray, path: Path, colours: np.ndarray, colour_coded: bool = False) -> None:
    """uint8 [H, W] class indices -> PNG: palette colours (RGB) or indices with an embedded palette (mode P)."""
    if colour_coded:
        Image.fromarray(colours[labels]).save(path, format="PNG")
        return
    image = Image.fromarray(np.ascontiguousarray(labels, np.uint8)).convert("P")
    image.putpalette(colours.reshape(-1).tolist() + [0, 0, 0] * (256 - len(colours)))
    image.save(path, format="PNG")


def load_label_map(path: Path, colours: np.ndarray, side: int) -> tuple[np.ndarray, str]:
    """A label PNG as uint8 [side, side] and a note ("" or how it was resized).

    Raises ``LabelMapError`` (a ValueError) naming the file for unreadable pictures and values or
    colours that are not classes of the model. Other sizes are resized by nearest neighbour, so class
    boundaries stay hard; a non-square map is stretched, and the note says so.
    """
    from gan_backend.painter import read_label_map

    notes: list[str] = []
    labels = read_label_map(Path(path), colours, notes)
    h, w = labels.shape
    if (h, w) != (side, side):
        labels = np.asarray(Image.fromarray(labels).resize((side, side), Image.NEAREST))
        stretched = " (stretched: it was not square)" if h != w else ""
        notes.append(f"{Path(path).name} is {w}x{h}; resized to {side}x{side} by nearest neighbour{stretched}")
    return labels, "; ".join(notes)


@dataclass
class Autosave:
    """The painting as it was last autosaved: the map and what it needs to come back as it was."""

    labels: np.ndarray  # uint8 [S, S]
    classes: Classes
    model: str  # "painter" or a run directory
    seed: int


def write_autosave(folder: Path, saved: Autosave) -> Path:
    """Write the map and its sidecar atomically (a crash mid-write leaves the previous autosave)."""
    folder.mkdir(parents=True, exist_ok=True)
    png, meta = folder / AUTOSAVE_NAME, folder / Path(AUTOSAVE_NAME).with_suffix(".json").name
    tmp_png, tmp_meta = png.with_suffix(".png.tmp"), meta.with_suffix(".json.tmp")
    save_label_map(saved.labels, tmp_png, saved.classes.colours)
    tmp_meta.write_text(json.dumps({"model": saved.model, "seed": saved.seed, "classes": [
        {"name": n, "color": c.tolist()} for n, c in zip(saved.classes.names, saved.classes.colours)]}, indent=1))
    os.replace(tmp_meta, meta)
    os.replace(tmp_png, png)
    return png


def read_autosave(folder: Path) -> Autosave | None:
    """The last autosave, or None when there is none or it cannot be read (it is then ignored, not fatal)."""
    png, meta = folder / AUTOSAVE_NAME, folder / Path(AUTOSAVE_NAME).with_suffix(".json").name
    if not png.is_file() or not meta.is_file():
        return None
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        classes = read_palette_json(meta)
        with Image.open(png) as im:
            labels = np.asarray(im).astype(np.uint8)
        if labels.ndim != 2 or labels.shape[0] != labels.shape[1] or labels.max(initial=0) >= len(classes):
            return None
        return Autosave(labels, classes, str(info.get("model", "painter")), int(info.get("seed", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
