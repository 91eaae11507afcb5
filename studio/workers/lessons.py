"""The Learn tab's experiments on one QThread: a loop that steps the lesson on screen and emits its frames,
steered by a command queue and flags (the loop occupies its thread, so queued slots would never run).

Each lesson's experiment is built on first visit and kept, so going back to a lesson finds it where it was;
only the lesson on screen steps. Frames go out at most every ``Experiment.frame_interval`` seconds while
running, and once after each command while paused. After sending a frame the loop waits (at most
``SHOWN_WAIT_S``) until the view says it was painted: both threads are mostly Python, and a paint that has to
win the GIL from a stepping loop takes several times longer than one that does not.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.threads import LoopThread, drain
from studio.workers.training import one_line

IDLE_WAIT_S = 0.02  # how often a paused loop looks for commands
SHOWN_WAIT_S = 0.2  # the longest a running loop waits for the view to paint the frame it sent


@dataclass(frozen=True)
class ExperimentInfo:
    """What a lesson page needs to build its controls, sent once the experiment exists."""

    controls: tuple  # gan_backend.lessons.Control
    tour_steps: int  # the tour's screenshot waits for this many steps...
    tour_seconds: float  # ... or this long


class LessonWorker(QObject):
    """Lives on the lessons thread; :meth:`run` loops until ``stop`` is set.

    Signals:
        built(str, object): lesson id and its :class:`ExperimentInfo`, once its experiment was built
        frame_ready(str, object): lesson id and a ``LessonFrame`` whose arrays the receiver owns
        failed(str, str): lesson id and a one-line message; that lesson pauses
        finished(): ``run`` returned
    """

    built = Signal(str, object)
    frame_ready = Signal(str, object)
    failed = Signal(str, str)
    finished = Signal()

    def __init__(self):
        super().__init__()
        self.running, self.stop = threading.Event(), threading.Event()
        self.shown = threading.Event()  # set by the view once it painted the last frame sent
        self.shown.set()
        self.commands: queue.Queue[Callable[["LessonWorker"], None]] = queue.Queue()
        self.experiments: dict[str, Any] = {}
        self.current = ""
        self._last_frame = self._last_step = 0.0
        self._threads = 1

    @Slot()
    def run(self) -> None:
        import torch

        self._threads = torch.get_num_threads()
        try:
            while not self.stop.is_set():
                self._tick()
        finally:
            for experiment in self.experiments.values():
                experiment.close()
            torch.set_num_threads(self._threads)
            self.finished.emit()

    # --- commands (run on this thread) ---
    def open(self, lesson) -> None:
        """Show ``lesson``: build its experiment the first time."""
        self.current = lesson.id
        if lesson.id not in self.experiments:
            self._build(lesson)
        elif self.experiment is not None:
            self._emit_frame()

    def reset(self, lesson) -> None:
        old = self.experiments.pop(lesson.id, None)
        if old is not None:
            old.close()
        if lesson.id == self.current:
            self._build(lesson)

    def apply(self, lesson_id: str, fn: Callable[[Any], None]) -> None:
        """``fn(experiment)`` on one lesson's experiment, if it exists."""
        if lesson_id in self.experiments:
            fn(self.experiments[lesson_id])

    @property
    def experiment(self):
        return self.experiments.get(self.current)

    def _build(self, lesson) -> None:
        import torch

        torch.set_num_threads(1)  # small networks: one thread is faster on a shared CPU and leaves the GUI one
        experiment = lesson.build()
        self.experiments[lesson.id] = experiment
        self.built.emit(lesson.id, ExperimentInfo(tuple(experiment.controls), int(experiment.tour_steps),
                                                  float(experiment.tour_seconds)))
        self._emit_frame()

    # --- the loop ---
    def _tick(self) -> None:
        try:
            changed = self._apply_commands()
            experiment = self.experiment
            if experiment is not None and self.running.is_set():
                self._step(experiment)
            elif changed and experiment is not None:
                self._emit_frame()
            else:
                self.stop.wait(IDLE_WAIT_S)
        except Exception as exc:  # shown on the lesson's page; the user can reset it or go on
            self.running.clear()
            self.failed.emit(self.current, one_line(exc))

    def _apply_commands(self) -> bool:
        return drain(self.commands, self)

    def _step(self, experiment) -> None:
        self.shown.wait(SHOWN_WAIT_S)
        rate = float(experiment.max_steps_per_s)
        if rate > 0:
            wait = 1.0 / rate - (time.perf_counter() - self._last_step)
            if wait > 0:
                self.stop.wait(wait)
        self._last_step = time.perf_counter()
        experiment.step()
        if time.perf_counter() - self._last_frame >= experiment.frame_interval:
            self._emit_frame()

    def _emit_frame(self) -> None:
        frame = self.experiment.frame()
        self.shown.clear()
        self.frame_ready.emit(self.current, frame)
        self._last_frame = time.perf_counter()


class LessonRunner(LoopThread):
    """The Learn tab's handle on the lessons thread. Every method returns at once.

    Signals:
        built(str, object), frame_ready(str, object), failed(str, str): forwarded from :class:`LessonWorker`
        running_changed(bool): Run or Pause took effect
    """

    built = Signal(str, object)
    frame_ready = Signal(str, object)
    failed = Signal(str, str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__("lessons", parent)

    @property
    def is_running(self) -> bool:
        return self._worker is not None and self._worker.running.is_set()

    def open(self, lesson) -> None:
        """Show ``lesson`` (a ``gan_backend.lessons.Lesson``), building its experiment on first use."""
        if self._worker is None:
            self._start_loop(LessonWorker(), forwarded=("built", "frame_ready", "failed"))
        self.set_running(False)
        self.command(lambda w: w.open(lesson))

    def command(self, fn: Callable[[LessonWorker], None]) -> None:
        if self._worker is not None:
            self._worker.commands.put(fn)

    def on_experiment(self, lesson_id: str, fn: Callable[[Any], None]) -> None:
        """Run ``fn(experiment)`` on the lessons thread before its next step; a frame follows."""
        self.command(lambda w: w.apply(lesson_id, fn))

    def set_control(self, lesson_id: str, name: str, value) -> None:
        self.on_experiment(lesson_id, lambda e: e.set(name, value))

    def click(self, lesson_id: str, panel: str, row: int, col: int) -> None:
        self.on_experiment(lesson_id, lambda e: e.click(panel, row, col))

    def frame_shown(self) -> None:
        """The view painted the newest frame: the loop may step on."""
        if self._worker is not None:
            self._worker.shown.set()

    def step_once(self, lesson_id: str) -> None:
        self.on_experiment(lesson_id, lambda e: e.step())

    def reset(self, lesson) -> None:
        self.command(lambda w: w.reset(lesson))

    def set_running(self, running: bool) -> None:
        if self._worker is not None and running != self.is_running:
            (self._worker.running.set if running else self._worker.running.clear)()
            self.running_changed.emit(running)

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.stop.set()
