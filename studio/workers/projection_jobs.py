"""Projecting a picture into a generator's latent space on a worker thread (``gan_backend.projection``).

The optimisation is one long loop, so it is a :class:`~studio.workers.threads.LoopThread`: Stop sets a flag that
``Projector.run`` polls between steps. The worker loads its own copy of the generator (and D for the "d" loss)
from the checkpoint the explorer shows, so the explorer's renderer thread never shares a network with it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gan_backend.errors import first_line
from studio.workers.threads import LoopThread

REPORT_EVERY = 10  # steps between live reconstructions


@dataclass(frozen=True)
class ProjectionJob:
    """What to project: a picture uint8 [H, W, 3] into the latent space of ``checkpoint``."""

    checkpoint: str
    run: str  # written into the latent file
    picture: np.ndarray
    space: str  # "w+", "w" or "z"
    loss: str  # e.g. "pixels+ssim"
    steps: int
    label: int | None = None


class ProjectionWorker(QObject):
    """Runs one projection on the projection thread.

    Signals:
        reported(object): a ``ProjectionReport`` (its picture is the receiver's)
        projected(object): the final ``ProjectedLatent`` (also after Stop)
        failed(str): a one-line reason (a bad loss, a checkpoint without D for the "d" loss)
        finished(): ``run`` returned
    """

    reported = Signal(object)
    projected = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, job: ProjectionJob):
        super().__init__()
        self.job, self.stop = job, threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            self._project()
        except Exception as exc:  # noqa: BLE001 - shown in the panel as one line; the explorer goes on
            self.failed.emit(first_line(exc))
        finally:
            self.finished.emit()

    def _project(self) -> None:
        from gan_backend.generator import load_generator
        from gan_backend.loader import open_checkpoint
        from gan_backend.projection import Projector

        job = self.job
        gen = load_generator(job.checkpoint)
        critic = open_checkpoint(gen.path).discriminator("cpu") if "d" in job.loss.split("+") else None
        proj = Projector(gen, job.picture, job.space, job.loss, label=job.label, critic=critic)
        for report in proj.run(job.steps, every=REPORT_EVERY, stop=self.stop.is_set):
            report.picture = np.ascontiguousarray(report.picture).copy()
            self.reported.emit(report)
        self.projected.emit(proj.result(run=job.run))


class ProjectionRunner(LoopThread):
    """The Project panel's handle on its thread: ``start(job)``, ``stop()``; one projection at a time.

    Signals:
        reported(object), projected(object), failed(str): forwarded from :class:`ProjectionWorker`
        running_changed(bool): a projection started, or ended (finished, stopped or failed)
    """

    reported = Signal(object)
    projected = Signal(object)
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__("projection", parent)

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, job: ProjectionJob) -> None:
        """Start projecting (a running projection is stopped and joined first)."""
        self.shutdown()
        self._start_loop(ProjectionWorker(job), forwarded=("reported", "projected", "failed"))
        self.running_changed.emit(True)

    def stop(self) -> None:
        """End the projection after its current step; its latent so far still comes as ``projected``."""
        self.cancel()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.stop.set()

    def _loop_ended(self) -> None:
        self.running_changed.emit(False)
