"""What the SinGAN view's worker threads run: reading the training picture, building the run config, loading a
pyramid, and drawing with it (random samples, paint / harmonise / edit injections, animations).

Plain functions over plain data, called through :class:`CallbackJobs` (a newest-wins worker that hands each
channel's answer to the function the request named); they return fresh arrays, safe to hand to the GUI thread.
torch is imported here, on the worker thread, never when the view is built.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.newest_wins import NewestWins

SHIPPED = "singan"  # gan_backend.singan.SHIPPED_NAME, without importing torch to read it


@dataclass
class PictureInfo:
    """The picture a run would train on, as the ``picture:PATH`` dataset reads it."""

    path: Path
    picture: np.ndarray  # uint8 [H, W, 3]: grey and RGBA converted, downscaled to the maximum side
    notes: list[str]  # what was done to it, e.g. "... downscaled to 160x120"
    max_side: int  # the maximum side it was read at


@dataclass
class LoadedSinGAN:
    """A pyramid ready to draw, with what the view shows about it."""

    model: object  # gan_backend.singan.SinGANModel; used only on worker threads
    source: str  # "singan", a run directory or a checkpoint
    title: str  # for the model picker
    details: str  # size, scales, step: the picker's tooltip and the caption
    picture: np.ndarray  # uint8 [H, W, 3] the training picture at its finest scale
    size: tuple[int, int]  # (width, height) of the picture
    scales: int
    trained: int  # scales fully trained (== scales once the run finished)
    run_dir: str = ""  # the run directory when the source is one (so an unfinished run can be resumed)

    @property
    def finished(self) -> bool:
        return self.trained >= self.scales


@dataclass
class Drawing:
    """A rendered picture (or animation) and what it came from."""

    mode: str  # the view's channel: "random", "paint", "harmonise", "edit", "animate"
    frames: list[np.ndarray]  # uint8 [H, W, 3] each; one frame except for animations
    caption: str  # what the picture shows, for the line above it
    model: object = field(repr=False, default=None)  # the SinGANModel it came from (stale after a model switch)
    ms: float = 0.0

    @property
    def picture(self) -> np.ndarray:
        return self.frames[0]


def read_picture(path: Path, max_side: int) -> PictureInfo:
    """The picture at ``path`` as training would see it; DatasetError (naming the file and why) otherwise."""
    from gan_backend.data import open_dataset

    data = open_dataset(f"picture:{path}", image_size=max_side)
    return PictureInfo(Path(path), np.ascontiguousarray(data.x[0]), list(data.report.notes), max_side)


def default_max_side() -> int:
    """The maximum side the device trains in about 15 minutes: 160 on a CPU, 250 on a GPU."""
    from gan_backend.singan import default_max_side as side

    return side("auto")


def train_config(path: Path, max_side: int, minutes: float, iters: int, root: str = "", overrides: dict | None = None):
    """The run's ``Config`` (``gan_backend.singan.singan_config``) with ``overrides`` (``{"model.width": 8}``...),
    training into a new folder under ``root`` ("": the engine's default, ``runs/`` in the working folder)."""
    from gan_backend.engine.run_dir import default_run_dir
    from gan_backend.singan import singan_config

    cfg = singan_config(path, max_size=max_side, minutes=minutes, iters=iters)
    for key, value in (overrides or {}).items():
        cfg.set(key, value)
    if root:
        cfg.set("run.run_dir", str(default_run_dir(cfg, root)))
    return cfg


def load(source: str) -> LoadedSinGAN:
    """Load ``source`` ("singan", a run directory or a checkpoint); CheckpointError / RunDirError otherwise."""
    from gan_backend.singan import load_singan

    model = load_singan(source)
    scales, trained, run_dir = model.scales, _scales_trained(source, model.scales), ""
    if Path(source).is_dir():
        run_dir = str(source)
    w, h = model.size
    title = "Shipped example (SinGAN)" if source == SHIPPED else f"{Path(source).name} (SinGAN)"
    state = "" if trained >= scales else f", trained up to scale {trained} of {scales}"
    details = f"{source}: {w} \u00d7 {h} px, {scales} scales{state}"
    return LoadedSinGAN(model, str(source), title, details, np.ascontiguousarray(model.picture()), (w, h), scales,
                        trained, run_dir)


def _scales_trained(source: str, scales: int) -> int:
    """How many scales a run finished (all of them for the shipped model and exported checkpoints)."""
    if source == SHIPPED:
        return scales
    from gan_backend.loader import open_checkpoint

    state = open_checkpoint(source).state.get("singan")
    if not state or state.get("finished", True):
        return scales
    return int(state.get("scale", 0))


def sample(model, width: int, height: int, seed: int, start_scale: int) -> Drawing:
    """A new picture at width x height (ValueError naming the size or scale when it cannot be drawn)."""
    started = time.perf_counter()
    picture = model.sample(width, height, seed=seed, start_scale=start_scale)
    how = "the most varied" if start_scale == 0 else "the picture's layout kept below it"
    return Drawing("random", [picture], f"seed {seed}, from scale {start_scale} ({how})", model, _ms(started))


def inject(mode: str, model, image: np.ndarray, scale: int, seed: int, mask: np.ndarray | None = None) -> Drawing:
    """``image`` (uint8, any size: the backend resizes it to the picture's) redrawn from ``scale`` up."""
    started = time.perf_counter()
    picture = model.inject(image, scale=scale, seed=seed, mask=mask)
    where = "everywhere" if mask is None else f"in the changed region ({int(np.count_nonzero(mask))} px)"
    return Drawing(mode, [picture], f"redrawn from scale {scale} {where}, seed {seed}", model, _ms(started))


def animate(model, frames: int, seed: int) -> Drawing:
    """``frames`` pictures of a random walk in the coarsest noise."""
    started = time.perf_counter()
    out = [np.ascontiguousarray(f) for f in model.animate(frames=frames, seed=seed)]
    return Drawing("animate", out, f"a walk around the picture's noise, seed {seed}", model, _ms(started))


def read_input(path: Path) -> np.ndarray:
    """A picture to paint over or paste, as uint8 [H, W, 3] or [H, W, 4] (alpha kept: it shapes a pasted mask)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            im.thumbnail((1024, 1024))  # a paste is placed on a picture of at most a few hundred pixels
            rgba = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            return np.ascontiguousarray(np.asarray(im.convert("RGBA" if rgba else "RGB")))
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise ValueError(f"{Path(path).name}: not a picture this app can read ({exc.__class__.__name__})") from None


def read_painting(path: Path, size: tuple[int, int]) -> tuple[np.ndarray, str]:
    """A painting file as RGB [H, W, 3] at ``size`` (width, height), as the backend resizes injections, and a
    note when it had another size."""
    from gan_backend.singan import resize_rgb

    picture = read_input(path)
    h, w = picture.shape[:2]
    note = "" if (w, h) == tuple(size) else \
        f"{Path(path).name} is {w}\u00d7{h}: resized to {size[0]}\u00d7{size[1]}, the picture's size"
    return resize_rgb(picture, tuple(size)), note


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class CallbackJobs(NewestWins):
    """A :class:`NewestWins` whose requests name the GUI-thread function that takes their answer.

    Signals:
        failed(str, object): the channel and the exception its newest request raised
        busy_changed(bool): NewestWins'
    """

    failed = Signal(str, object)

    def __init__(self, name: str, priority: tuple[str, ...] = (), busy_channels: tuple[str, ...] = (),
                 parent: QObject | None = None):
        super().__init__(name, priority, busy_channels, parent)
        self._takers: dict = {}  # channel -> the function its answers go to
        self.result_ready.connect(self._on_result_ready)
        self.request_failed.connect(self.failed)

    def submit(self, channel: str, fn, on_done, drop_running: bool = False) -> int:
        """Run ``fn()`` on the worker; ``on_done(value)`` gets its answer on the GUI thread (unless superseded)."""
        self._takers[channel] = on_done
        return self.request(channel, fn, drop_running=drop_running)

    @Slot(str, int, object)
    def _on_result_ready(self, channel: str, _stamp: int, value) -> None:
        taker = self._takers.get(channel)
        if taker is not None:
            taker(value)
