"""What the paint view's worker thread runs: loading a painter, rendering pictures and variations.

Plain functions over plain data, called through :class:`~studio.workers.newest_wins.NewestWins`
and :class:`~studio.workers.background.BackgroundCall`; they return fresh arrays, safe to hand to the
GUI thread. torch is imported here, on the worker thread, never when the view is built.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.state.label_files import Classes

SHIPPED = "painter"
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
    draft: bool = False  # rendered at half size mid-stroke and scaled up (the final picture follows)


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
    title = "Shipped painter (SPADE, scenes)" if source == SHIPPED else f"{Path(source).name} ({model})"
    scene = random_scene(painter, scene_seed, scene_side) if scene_side else None
    details = f"{painter.source}: {model}, {len(classes)} classes, {painter.size} px, step {painter.step:,}"
    return LoadedModel(painter, source, classes, title, details, painter.has_encoder, scene)


def random_scene(painter, seed: int, side: int) -> np.ndarray | None:
    """uint8 [side, side] a procedural landscape for models with the ``scenes`` classes, else None."""
    from gan_backend.data.builtin.scene_layout import CLASS_NAMES, make_layout

    if list(painter.class_names) != CLASS_NAMES:
        return None
    return make_layout(np.random.default_rng([seed, 7]), 1, side).seg[0].copy()


def render(painter, labels: np.ndarray, seed: int, style, side: int, revision: int, requested_at: float,
           draft: bool = False) -> Frame:
    """A picture of ``labels`` (uint8 [H, W], a copy nobody changes) at ``side`` px in seed's (or style's) style.

    ``draft``: mid-stroke, paint at half the side (not below the model's own) and scale up, so the picture
    keeps up with the pointer at a quarter of the cost; the stroke's final picture is painted at full size.
    """
    _set_threads()
    started = time.perf_counter()
    size = max(painter.size, side // 2) if draft else side
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


def render_variation(painter, labels: np.ndarray, seed: int, index: int, token: int) -> Variation:
    """The map in ``seed``'s style at the model's own (small) size: one strip picture per request, so a
    stroke that starts while the strip renders waits for one small picture, not six."""
    _set_threads()
    return Variation(painter.paint(labels, seed=seed), index, token, painter)


def encode_style(painter, picture: np.ndarray):
    """The latent code of a reference picture's style (models with an encoder only)."""
    return painter.encode_style(picture)


def torch_channels_last():
    import torch

    return torch.channels_last


def _set_threads() -> None:
    import torch

    torch.set_num_threads(RENDER_THREADS)  # per call: OpenMP keeps the count per calling thread
