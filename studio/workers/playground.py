"""The 2-D playground on a QThread: a loop that steps a ``gan_backend.playground.Playground`` and emits
frames, controlled through flags and a command queue (the loop occupies its thread, so queued slots
would never run).
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.threads import LoopThread, drain
from studio.workers.training import one_line

IDLE_WAIT_S = 0.02  # how often a paused loop looks for commands


@dataclass
class PlaygroundSpeed:
    """Slow motion: rounds of (D steps, G steps) per frame, and the most frames a second."""

    steps_per_frame: int = 1
    max_fps: float = 30.0
    res: int = 40  # D field resolution (res x res): the frame costs as much as a round of steps
    points: int = 256  # real and fake points drawn (and counted for mode coverage)
    mesh: int = 10  # latent grid lines each way


class PlaygroundWorker(QObject):
    """Lives on the playground thread; :meth:`run` loops until ``stop`` is set.

    Signals:
        ready(str): the playground for this dataset was built (or rebuilt)
        frame_ready(object): a ``PlaygroundFrame`` whose arrays the receiver owns
        failed(str): a command or step raised; the loop pauses and goes on
        finished(): ``run`` returned
    """

    ready = Signal(str)
    frame_ready = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, dataset: str, loss: str, speed: PlaygroundSpeed):
        super().__init__()
        self.running, self.stop = threading.Event(), threading.Event()
        self.commands: queue.Queue[Callable] = queue.Queue()
        self.speed, self.playground = speed, None
        self._spec = (dataset, loss)
        self._last_emit = 0.0
        self._threads = 1  # torch's intra-op threads before the loop started

    @Slot()
    def run(self) -> None:
        import torch

        self._threads = torch.get_num_threads()
        try:
            self._build(*self._spec)
            while not self.stop.is_set():
                self._tick()
        finally:
            self._one_thread(False)
            self.finished.emit()

    def _tick(self) -> None:
        try:
            changed = self._apply_commands()
            if self.running.is_set():
                self._one_thread(True)
                self.playground.step(max(1, self.speed.steps_per_frame))
                self._emit_when_due()
            elif changed:
                self._emit_frame()
            else:
                self._one_thread(False)
                self.stop.wait(IDLE_WAIT_S)
        except Exception as exc:  # shown in the view; the user can change the loss or dataset and go on
            self.running.clear()
            self.failed.emit(one_line(exc))

    def _one_thread(self, on: bool) -> None:
        """The networks are tiny MLPs: one intra-op thread is several times faster than two on a shared
        2-core CPU (thread hand-offs dominate). Depending on torch's parallel backend the setting is per
        thread (OpenMP) or process-wide, so it holds only while the playground runs."""
        import torch

        want = 1 if on else self._threads
        if torch.get_num_threads() != want:
            torch.set_num_threads(want)

    def _apply_commands(self) -> bool:
        return drain(self.commands, self)

    def _emit_when_due(self) -> None:
        wait = 1.0 / max(0.1, self.speed.max_fps) - (time.perf_counter() - self._last_emit)
        if wait > 0 and self.speed.steps_per_frame <= 1:
            self.stop.wait(wait)  # slow motion: cap the frame rate rather than stepping ahead
        if time.perf_counter() - self._last_emit >= 1.0 / max(0.1, self.speed.max_fps):
            self._emit_frame()

    def _emit_frame(self) -> None:
        s = self.speed
        self.frame_ready.emit(self.playground.frame(res=s.res, points=s.points, mesh=s.mesh))
        self._last_emit = time.perf_counter()

    def _build(self, dataset: str, loss: str) -> None:
        from gan_backend.playground import Playground

        self.playground = Playground(dataset=dataset, loss=loss)
        self.ready.emit(dataset)
        self._emit_frame()


class PlaygroundRunner(LoopThread):
    """The view's handle on the playground thread. Every method returns at once.

    Signals:
        ready(str), frame_ready(object), failed(str): forwarded from :class:`PlaygroundWorker`
        running_changed(bool): Run or Pause took effect
    """

    ready = Signal(str)
    frame_ready = Signal(object)
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__("playground", parent)
        self.speed = PlaygroundSpeed()

    @property
    def is_running(self) -> bool:
        return self._worker is not None and self._worker.running.is_set()

    def start(self, dataset: str, loss: str, d_steps: int = 1, g_steps: int = 1) -> None:
        """Build a playground on a new thread (paused), or rebuild it for another dataset."""
        if self._worker is not None:
            self.command(lambda w: w._build(dataset, loss))
            self.set_ratio(d_steps, g_steps)
            return
        self._start_loop(PlaygroundWorker(dataset, loss, self.speed), forwarded=("ready", "frame_ready", "failed"))
        self.set_ratio(d_steps, g_steps)

    def command(self, fn: Callable[[PlaygroundWorker], None]) -> None:
        """Run ``fn(worker)`` on the playground thread before its next step; a frame follows when paused."""
        if self._worker is not None:
            self._worker.commands.put(fn)

    def set_running(self, running: bool) -> None:
        if self._worker is not None and running != self.is_running:
            (self._worker.running.set if running else self._worker.running.clear)()
            self.running_changed.emit(running)

    def step_d(self) -> None:
        self.command(lambda w: w.playground.step_d())

    def step_g(self) -> None:
        self.command(lambda w: w.playground.step_g())

    def set_loss(self, name: str) -> None:
        self.command(lambda w: w.playground.set_loss(name))

    def set_ratio(self, d_steps: int, g_steps: int) -> None:
        self.command(lambda w: w.playground.set_ratio(d_steps, g_steps))

    def cancel(self) -> None:
        """What ``shutdown`` does first: the loop stops after its current step."""
        if self._worker is not None:
            self._worker.stop.set()
