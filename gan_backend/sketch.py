"""Sketch to picture, headless: a pix2pix trained on ``edges:`` (or ``gray:``) pairs, drawn on like paper.

    sketcher = load_sketcher("sketch")                  # the shipped emoji model, a run directory or a checkpoint
    lines, notes = read_sketch(Path("lines.png"))       # uint8 [H, W]: black lines on white (colour/alpha converted)
    picture = draw(sketcher, lines)                      # uint8 [H, W, 3] at the drawing's size
    coloured = colourise(load_sketcher("runs/bw"), bw)   # a gray: model: its colours on the photo's own detail

A sketch model is a picture-to-picture paired model (the translator's kind, A -> B): this module is the
translator with the input a person draws. Drawings of any size are scaled to the model's size (the line
width it learned, about one pixel at 64 px) and the picture is scaled back to the drawing's size.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from gan_backend.data import decode
from gan_backend.data.recipes import Recipe
from gan_backend.translator import Translator, as_rgb, load_translator

SHIPPED_NAME = "sketch"
# What "Train as" offers for a folder (the derived paired kinds), and how the recipe names them.
TRAIN_KINDS = {"edges": "sketch \u2192 picture", "gray": "BW \u2192 colour"}
RECIPE_SIZE = 64  # the shipped sketch model's side: minutes per thousand steps on a CPU; 128 and 256 are sharper
RECIPE_BATCH = 16
RECIPE_STEPS = ((0, 3000), (1000, 6000), (10_000, 10_000))  # (at least this many pictures, steps)


class SketchError(ValueError):
    """A drawing that cannot be read, or a model that does not draw from sketches; names the file."""


def load_sketcher(source: str | Path = SHIPPED_NAME, device: str = "cpu") -> Translator:
    """A paired picture-to-picture model that reads one channel (a line drawing or a BW photo)."""
    from gan_backend.loader import CheckpointError

    sketcher = load_translator(source, device)
    if sketcher.task != "paired" or sketcher.in_channels != 1:
        raise CheckpointError(f"{source}: a {sketcher.model} model of {sketcher.in_channels}-channel pictures, not a "
                              f"sketch model; train pix2pix on edges:FOLDER or gray:FOLDER")
    return sketcher


def is_sketch_model(source: str | Path) -> bool:
    """Whether ``source`` is a run or checkpoint of a sketch model (for ``synthesize`` to pick the path)."""
    from gan_backend.loader import open_checkpoint

    ck = open_checkpoint(source)
    return ck.task == "paired" and not ck.class_names and ck.in_channels == 1


def as_lines(picture: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Any uint8 picture -> uint8 [H, W] grey on white; notes say what was converted."""
    a = np.asarray(picture)
    if a.ndim == 2 or a.shape[2] == 1:
        return np.ascontiguousarray(a.reshape(a.shape[:2]), np.uint8), []
    notes = ["the drawing's transparency was composited on white"] if a.shape[2] == 4 else []
    rgb = as_rgb(a)  # alpha composited on white
    if np.ptp(rgb.astype(np.int16), axis=2).max(initial=0) > 8:
        notes.append("the drawing is in colour; it was converted to grey (draw dark lines on white)")
    return np.asarray(Image.fromarray(rgb).convert("L")), notes


def read_sketch(path: Path) -> tuple[np.ndarray, list[str]]:
    """A drawing file as uint8 [H, W] (dark lines on white) and notes on what was converted."""
    path = Path(path)
    if not path.is_file():
        raise SketchError(f"{path}: no such file")
    try:
        with Image.open(path) as im:
            im.load()
            has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
            arr = np.asarray(im.convert("RGBA") if has_alpha else decode.to_rgb(im))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one message
        raise SketchError(f"{path}: not a readable picture ({decode.reason_for(exc, path)})") from None
    return as_lines(arr)


def draw(sketcher: Translator, lines: np.ndarray) -> np.ndarray:
    """uint8 [H, W] (or any picture) -> uint8 [H, W, 3]: the model's picture at the drawing's size."""
    grey, _ = as_lines(lines)
    out = sketcher.translate(np.repeat(grey[..., None], 3, axis=2))
    h, w = grey.shape
    if out.shape[:2] == (h, w):
        return out
    return np.asarray(Image.fromarray(out).resize((w, h), Image.Resampling.BICUBIC))


def colourise(sketcher: Translator, picture) -> np.ndarray:
    """A BW (or any) picture -> uint8 [H, W, 3] in colour at the picture's own size.

    The model colours it at its own scale (shorter side = its size); its colour (Cb, Cr of YCbCr) is scaled up
    and put on the picture's own brightness (Y, the same ITU-R 601 luma the ``gray:`` inputs were), so the
    detail is the photo's and only the colour is the model's.
    """
    rgb = as_rgb(picture)
    h, w = rgb.shape[:2]
    coloured = Image.fromarray(sketcher.translate(rgb)).convert("YCbCr").resize((w, h), Image.Resampling.BICUBIC)
    _, cb, cr = coloured.split()
    return np.asarray(Image.merge("YCbCr", (Image.fromarray(rgb).convert("L"), cb, cr)).convert("RGB"))


def train_recipe(kind: str, count: int) -> Recipe:
    """What "Train as sketch -> picture / BW -> colour" fills in for ``edges:`` / ``gray:`` of a folder of ``count``."""
    if kind not in TRAIN_KINDS:
        raise KeyError(f"train as {kind!r}: choose one of {', '.join(TRAIN_KINDS)}")
    steps = max(s for at_least, s in RECIPE_STEPS if count >= at_least)
    batch = max(1, min(RECIPE_BATCH, count))
    fields: dict[str, object] = {"model.name": "pix2pix", "data.image_size": RECIPE_SIZE, "data.flip": True,
                                 "train.batch_size": batch, "train.steps": steps, "train.augment": "none"}
    why = (f"{count} picture{'s' if count != 1 else ''} as {TRAIN_KINDS[kind]} pairs ({kind}:): pix2pix at "
           f"{RECIPE_SIZE} px (128 or 256 are sharper and about 4x or 16x slower), batch {batch}, {steps:,} steps, "
           f"flips, no augmentation (the L1 loss ties each picture to its input)")
    return Recipe(fields, why)
