"""What the paint view's worker threads run: loading a painter or a sketch model, rendering pictures and
variations, drawing a sketch, colourising a photo, finding sketch runs.

Plain functions over plain data, called through :class:`~studio.workers.newest_wins.NewestWins`
and :class:`~studio.workers.background.BackgroundCall`; they return fresh arrays, safe to hand to the
GUI thread. torch is imported here, on the worker thread, never when the view is built.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.state.label_files import Classes

SHIPPED = "painter"
SKETCH_SHIPPED = "sketch"  # gan_backend.sketch.SHIPPED_NAME, named here so the views need not import the backend
# One torch thread renders: on a 2-core laptop the other core stays with the GUI thread, so strokes stay
# smooth, and a second thread gains little at these sizes (and loses badly on a busy CPU). torch's thread
# count is process-wide, so a training run in the same window also uses one thread while the view paints.
RENDER_THREADS = 1


@dataclass
class LoadedModel:
    """A painter ready to render, with what the view shows about it."""

    painter: object  # gan_backend.painter.Painter; used only on the render thread
    source: str  # "painter" or the run directory / checkpoint path
    classes: Classes
    title: str  # for the model picker and status line
    details: str  # the checkpoint and its step, for the picker's tooltip
    has_encoder: bool  # can take the style of a reference picture
    scene: np.ndarray | None = None  # uint8 [S, S] a first random scene, when the model paints scenes


@dataclass
class Frame:
    """A rendered picture and what it shows."""

    picture: np.ndarray  # uint8 [S, S, 3]
    revision: int  # the map revision it was rendered from
    model: object = field(repr=False, default=None)  # the painter it came from (stale after a model switch)
    requested_at: float = 0.0  # time.perf_counter() when the request was made
    render_ms: float = 0.0
    draft: bool = False  # rendered smaller mid-stroke and scaled up (the final picture follows)


def load_model(source: str, scene_side: int = 0, scene_seed: int = 0) -> LoadedModel:
    """Load ``source`` ("painter" or a paired run directory / checkpoint) on the worker thread.

    Raises ValueError subclasses (CheckpointError, RunDirError) whose first line names the file.
    """
    from gan_backend.painter import load_painter

    painter = load_painter(source)
    # channels_last lets oneDNN pick faster convolution kernels: 1.3x at 128 px, 2x at 256 px on a CPU,
    # same pictures (to within one level).
    painter.net = painter.net.to(memory_format=torch_channels_last())
    classes = Classes(list(painter.class_names), np.asarray(painter.palette, np.uint8))
    model = type(painter.net).__name__.removesuffix("Generator") or "model"
    title = "Shipped painter (SPADE, rich scenes, 256 px)" if source == SHIPPED else f"{Path(source).name} ({model})"
    scene = painter.random_scene(scene_seed, scene_side) if scene_side else None
    details = f"{painter.source}: {model}, {len(classes)} classes, {painter.size} px, step {painter.step:,}"
    return LoadedModel(painter, source, classes, title, details, painter.has_encoder, scene)


def render(painter, labels: np.ndarray, seed: int, style, side: int, revision: int, requested_at: float,
           draft: int = 0) -> Frame:
    """A picture of ``labels`` (uint8 [H, W], a copy nobody changes) at ``side`` px in seed's (or style's) style.

    ``draft``: mid-stroke, paint at this smaller side (a multiple of 16) and scale up, so the picture keeps
    up with the pointer at a fraction of the cost; the stroke's final picture is painted at full size (0).
    """
    _set_threads()
    started = time.perf_counter()
    size = draft if 0 < draft < side else side
    picture = painter.paint(labels, seed=seed, z=style, size=size)
    if size != side:
        from PIL import Image

        picture = np.asarray(Image.fromarray(picture).resize((side, side), Image.BILINEAR))
    return Frame(np.ascontiguousarray(picture), revision, painter, requested_at,
                 (time.perf_counter() - started) * 1000, draft and size != side)


@dataclass
class Variation:
    """One picture of the style strip."""

    picture: np.ndarray  # uint8 [S, S, 3] at the model's own size
    index: int  # its place in the strip
    token: int  # which request of the strip it belongs to (newer strips void older ones)
    model: object = field(repr=False, default=None)


STRIP_SIDE = 128  # the style strip's thumbnails are painted at most this big


def render_variation(painter, labels: np.ndarray, seed: int, index: int, token: int) -> Variation:
    """The map in ``seed``'s style as a thumbnail (the model's own size, at most STRIP_SIDE): one strip picture
    per request, so a stroke that starts while the strip renders waits for one small picture, not six."""
    _set_threads()
    return Variation(painter.paint(labels, seed=seed, size=min(painter.size, STRIP_SIDE)), index, token, painter)


def encode_style(painter, picture: np.ndarray):
    """The latent code of a reference picture's style (models with an encoder only)."""
    return painter.encode_style(picture)


def torch_channels_last():
    import torch

    return torch.channels_last


def _set_threads() -> None:
    import torch

    torch.set_num_threads(RENDER_THREADS)  # per call: OpenMP keeps the count per calling thread


# --- sketch and colourise (pix2pix models of 1-channel pictures: gan_backend.sketch) ---
@dataclass
class LoadedSketcher:
    """A sketch model (a line drawing or a BW photo -> a picture) ready to draw, with what the view shows."""

    sketcher: object  # gan_backend.translator.Translator with in_channels 1; used only on the render thread
    source: str  # "sketch" or the run directory / checkpoint path
    title: str  # for the model picker
    details: str  # the checkpoint, what it was trained on, its size and step, for the picker's tooltip
    dataset: str  # what it was trained on, e.g. "edges:/pictures/shoes" ("" when unknown)


def load_sketch_model(source: str, colourise: bool = False) -> LoadedSketcher:
    """Load a sketch model on the worker thread; ``colourise``: it must be a ``gray:`` (BW -> colour) one.

    Raises ValueError subclasses (CheckpointError, RunDirError) whose first line names the file.
    """
    from gan_backend.loader import CheckpointError
    from gan_backend.sketch import load_sketcher

    sketcher = load_sketcher(source)
    dataset = trained_on(source)
    name = Path(source).name
    if colourise and dataset and not dataset.startswith("gray:"):
        raise CheckpointError(f"{name} was trained on {dataset}, not on gray:FOLDER, so it draws from lines rather "
                              f"than colouring photos; use it in Sketch mode, or train BW \u2192 colour")
    kind = "colourise" if dataset.startswith("gray:") else "edges" if dataset.startswith("edges:") else "sketch"
    shipped = source == SKETCH_SHIPPED
    title = "Shipped sketch model (pix2pix, emoji)" if shipped else f"{name} ({sketcher.model}, {kind})"
    details = (f"{sketcher.source}: {sketcher.model} from {dataset or 'grey pictures'}, {sketcher.size} px, "
               f"step {sketcher.step:,}")
    return LoadedSketcher(sketcher, source, title, details, dataset)


def trained_on(source: str) -> str:
    """The ``data.dataset`` a run, checkpoint or shipped model was trained on, from its config.json ("" if none)."""
    from gan_backend import resources

    path = Path(source)
    config = (resources.path("models", source, "config.json") if source == SKETCH_SHIPPED else
              path / "config.json" if path.is_dir() else path.parent.parent / "config.json")
    try:
        return str(json.loads(Path(config).read_text(encoding="utf-8"))["data"]["dataset"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def render_sketch(sketcher, lines: np.ndarray, revision: int, requested_at: float, draft: bool = False) -> Frame:
    """The picture of a drawing (uint8 [S, S], a copy nobody changes) at the drawing's size.

    The model draws at its own size (lines about a pixel wide there) and the picture is scaled back, so a
    picture costs the same at any canvas size; ``draft`` only marks a mid-stroke picture (the stroke goes on).
    """
    from gan_backend.sketch import draw

    _set_threads()
    started = time.perf_counter()
    picture = np.ascontiguousarray(draw(sketcher, lines))
    return Frame(picture, revision, sketcher, requested_at, (time.perf_counter() - started) * 1000, draft)


@dataclass
class Colourised:
    """A BW photo in colour, at its own size."""

    picture: np.ndarray  # uint8 [H, W, 3]
    token: int  # which opened photo it is of
    model: object = field(repr=False, default=None)
    render_ms: float = 0.0


def colourise_photo(sketcher, picture: np.ndarray, token: int) -> Colourised:
    from gan_backend.sketch import colourise

    _set_threads()
    started = time.perf_counter()
    return Colourised(np.ascontiguousarray(colourise(sketcher, picture)), token, sketcher,
                      (time.perf_counter() - started) * 1000)


def read_photo(path: str) -> tuple[np.ndarray, str]:
    """A photo to colourise as uint8 [H, W] grey and a note ("" or that its colour was dropped first)."""
    from gan_backend.data.sketch import is_grey
    from gan_backend.translator import read_picture

    rgb = read_picture(Path(path))
    note = "" if is_grey(rgb[None], tolerance=8)[0] else \
        f"{Path(path).name} is in colour; its colour was dropped and the model coloured its grey version"
    return np.ascontiguousarray(rgb @ np.array([0.299, 0.587, 0.114])).round().astype(np.uint8), note


@dataclass(frozen=True)
class FoundRun:
    """A run directory of a sketch model, found under the runs folders."""

    path: str
    colourise: bool  # trained on gray: (BW -> colour), else on edges: or other 1-channel pictures


_SKETCH_RUNS: dict[tuple[str, float], bool] = {}  # (run, last.pt mtime) -> is a sketch model; a run is read once


def find_sketch_runs(roots: list[str]) -> list[FoundRun]:
    """pix2pix runs with a checkpoint under ``roots`` (one level) whose checkpoint is a sketch model."""
    from gan_backend.sketch import is_sketch_model

    found = []
    for root in dict.fromkeys(Path(r) for r in roots):
        for config in sorted(root.glob("*/config.json")) if root.is_dir() else []:
            run, last = config.parent, config.parent / "checkpoints" / "last.pt"
            try:
                cfg = json.loads(config.read_text(encoding="utf-8"))
                model, dataset = cfg["model"]["name"], str(cfg["data"]["dataset"])
                key = (str(run), last.stat().st_mtime)
            except (OSError, ValueError, KeyError, TypeError):
                continue  # no checkpoint yet, or not a run
            if model != "pix2pix":
                continue
            if key not in _SKETCH_RUNS:
                try:
                    _SKETCH_RUNS[key] = is_sketch_model(run)
                except (ValueError, OSError):  # a damaged checkpoint: not listed (opening it says why)
                    _SKETCH_RUNS[key] = False
            if _SKETCH_RUNS[key]:
                found.append(FoundRun(str(run), dataset.startswith("gray:")))
    return found
