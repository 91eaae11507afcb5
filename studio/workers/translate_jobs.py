"""What the translate view's worker threads run: loading a translator, translating one picture, and a batch.

Plain functions over plain data (torch is imported on the worker thread, never when the view is
built), plus :class:`BatchTranslator`, a worker thread that translates a folder one picture at a time
and stops between pictures when cancelled.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.threads import WorkerThread

SHIPPED = "translator"
EXAMPLE_SIDE = 256  # the example scene a first launch shows: bigger than the model's side, as a photo would be


@dataclass
class LoadedTranslator:
    """A translator ready to use, with what the view shows about it."""

    translator: object  # gan_backend.translator.Translator; used only on worker threads
    source: str  # "translator" or the run directory / checkpoint path
    title: str  # for the model picker
    details: str  # the checkpoint, task and step, for the picker's tooltip
    directions: dict[str, str]  # {"AtoB": "day -> night", ...}: what the direction box offers

    @property
    def size(self) -> int:
        return self.translator.size

    def has_scenes(self) -> bool:
        """Trained on the built-in day/night scenes, so example pictures make sense."""
        return tuple(self.translator.domains) == ("day", "night")


@dataclass
class Translation:
    """One picture and its translation."""

    name: str  # the file name, or "pasted picture" / "example scene"
    picture: np.ndarray  # uint8 [H, W, 3] the input as read (upright, RGB)
    output: np.ndarray  # uint8 [h, w, 3]
    direction: str
    full_res: bool
    model: object = field(repr=False, default=None)  # the translator it came from (stale after a model switch)
    ms: float = 0.0


def load(source: str) -> LoadedTranslator:
    """Load ``source`` ("translator", a cyclegan / pix2pix run directory or checkpoint) on the worker thread.

    Raises ValueError subclasses (CheckpointError, RunDirError) whose first line names the file and what to do.
    """
    from gan_backend.translator import load_translator

    t = load_translator(source)
    a, b = t.domains
    names = {"AtoB": f"{a} \u2192 {b}", "BtoA": f"{b} \u2192 {a}"}
    title = "Shipped translator (CycleGAN, day \u2194 night)" if source == SHIPPED else f"{Path(source).name} ({t.model})"
    details = (f"{t.source}: {t.model} ({t.task}), {t.size} px, {t.channels} channel(s), step {t.step:,}; "
               f"translates {', '.join(names[d] for d in t.directions)}")
    return LoadedTranslator(t, source, title, details, {d: names[d] for d in t.directions})


@dataclass(frozen=True)
class ExampleScene:
    """A source picture rendered on the worker thread when translated (a 256 px scene takes ~0.15 s)."""

    seed: int


def example_scene(seed: int, side: int = EXAMPLE_SIDE) -> np.ndarray:
    """uint8 [side, side, 3] a procedural landscape by day (the shipped translator's domain A)."""
    from gan_backend.data.builtin.scene_layout import make_layout
    from gan_backend.data.builtin.scene_render import render

    rng = np.random.default_rng([seed, 11])
    return np.ascontiguousarray(render(rng, make_layout(rng, 1, side), "day")[0])


def translate(loaded: LoadedTranslator, source: Path | np.ndarray | ExampleScene, name: str, direction: str,
              full_res: bool) -> Translation:
    """Read ``source`` (a file, a picture array or an example) and translate it; TranslateError names the file."""
    from gan_backend.translator import read_picture

    t = loaded.translator
    started = time.perf_counter()
    if isinstance(source, Path):
        picture = read_picture(source, 0 if full_res else t.size)
    elif isinstance(source, ExampleScene):
        picture = example_scene(source.seed)
    else:
        picture = source
    output = t.translate(picture, direction, full_res)
    return Translation(name, np.ascontiguousarray(picture), np.ascontiguousarray(output), direction, full_res, t,
                       (time.perf_counter() - started) * 1000)


def batch_folder(folder: Path, suffix: str) -> Path:
    """Where a folder's translations go: a new sibling ``<folder>-<suffix>`` (``-2``, ``-3``... if it exists)."""
    base = folder.with_name(f"{folder.name}-{suffix}")
    out, n = base, 2
    while out.exists():
        out, n = base.with_name(f"{base.name}-{n}"), n + 1
    return out


class _BatchWorker(QObject):
    """Lives on the batch thread. Signals: progress(int, int, object), done(int, int, bool)."""

    progress = Signal(int, int, object)  # pictures done, total, the FileResult just finished
    done = Signal(int, int, bool)  # translated, failed, cancelled

    def __init__(self, cancelled: threading.Event):
        super().__init__()
        self._cancelled = cancelled

    @Slot(object, object, str, bool)
    def run(self, translator, jobs: list, direction: str, full_res: bool) -> None:
        from gan_backend.translator import translate_files

        ok = failed = 0
        try:
            for i, result in enumerate(translate_files(translator, jobs, direction, full_res), start=1):
                ok, failed = ok + (result.output is not None), failed + (result.output is None)
                self.progress.emit(i, len(jobs), result)
                if self._cancelled.is_set():
                    break
        except Exception as exc:  # e.g. out of memory: end the batch, say why, keep the window
            from gan_backend.translator import FileResult

            failed += 1
            self.progress.emit(ok + failed, len(jobs), FileResult(Path("?"), None, f"batch stopped: {exc}"))
        self.done.emit(ok, failed, self._cancelled.is_set() and ok + failed < len(jobs))


class BatchTranslator(WorkerThread):
    """Translates a list of (input, output) files on its own thread, one picture at a time.

    Signals:
        progress(int, int, object): pictures done, total, and the latest FileResult (GUI thread)
        finished(int, int, bool): translated, failed, and whether it was cancelled before the end
    """

    progress = Signal(int, int, object)
    finished = Signal(int, int, bool)
    _start = Signal(object, object, str, bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__("translate-batch", parent)
        self._cancelled = threading.Event()
        self.running = False

    def start(self, translator, jobs: list[tuple[Path, Path]], direction: str, full_res: bool) -> None:
        if self.running:
            raise RuntimeError("a batch is already running")
        self._ensure_thread()
        self._cancelled.clear()
        self.running = True
        self._start.emit(translator, jobs, direction, full_res)

    def cancel(self) -> None:
        """Stop after the picture being translated now (its result is kept)."""
        self._cancelled.set()

    def _make_worker(self) -> _BatchWorker:
        worker = _BatchWorker(self._cancelled)
        self._start.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.done.connect(self._on_done)
        return worker

    @Slot(int, int, bool)
    def _on_done(self, ok: int, failed: int, cancelled: bool) -> None:
        self.running = False
        self.finished.emit(ok, failed, cancelled)
