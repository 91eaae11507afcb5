"""Training on a QThread: the engine loop in a worker, controlled through flags, reported as signals."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from gan_backend.errors import first_line
from studio.workers.threads import LoopThread


@dataclass(frozen=True)
class RunInfo:
    """What the GUI needs to know once a run exists."""

    run_dir: str
    config: dict  # the run's Config as a dict (config.json)
    data_kind: str  # "image" | "points" | ... (the sample picture is a grid only for images)
    device: str  # the torch device it trains on, e.g. "cpu", "cuda:0"
    step: int = 0  # the step it starts from (> 0 when resumed from a checkpoint)


# The runner signal that carries each kind of item the engine yields, by class name
ITEM_SIGNALS = {"TrainReport": "report_ready", "SampleReport": "sample_ready", "EvalReport": "eval_ready",
                "RunEnded": "run_ended"}


class TrainingWorker(QObject):
    """Runs ``Trainer.run`` on its own thread and re-emits every item.

    Pause, stop and checkpoint-now are ``threading.Event`` flags the engine polls between steps; they are
    not queued slots, because ``run`` occupies this thread until training ends.

    Signals:
        run_started(object): a :class:`RunInfo`, once the run directory exists and the networks are built
        item_ready(object): a ``TrainReport``, ``EvalReport``, ``RunEnded``, or a ``SampleReport`` whose ``grid``
            is a copy the receiver owns
        failed(str, str): the exception as one line, and the run directory ("" when none was created)
        finished(): ``run`` returned, whatever happened
    """

    run_started = Signal(object)
    item_ready = Signal(object)
    failed = Signal(str, str)
    finished = Signal()

    def __init__(self, control, cfg=None, resume_dir: str = "", steps: int | None = None):
        super().__init__()
        self.control, self._cfg, self._resume_dir, self._steps = control, cfg, resume_dir, steps

    @Slot()
    def run(self) -> None:
        run_dir = ""
        try:
            from gan_backend.engine.loop import Trainer
            from gan_backend.engine.reports import SampleReport

            trainer = Trainer.resume(self._resume_dir, steps=self._steps) if self._resume_dir \
                else Trainer.new(self._cfg)
            run_dir = str(trainer.run_dir.path)
            self.run_started.emit(RunInfo(run_dir, trainer.cfg.to_dict(), trainer.task.data.kind,
                                          str(trainer.task.device), trainer.step))
            for item in trainer.run(self.control):
                if isinstance(item, SampleReport):
                    item = SampleReport(item.step, item.grid.copy(), item.path)
                self.item_ready.emit(item)  # the other reports hold plain floats, lists and strings: nothing shared
        except Exception as exc:  # shown to the user with the run directory; the app goes on
            self.failed.emit(one_line(exc), run_dir)
        finally:
            self.finished.emit()


class TrainingRunner(LoopThread):
    """Owns the training thread and its worker; the GUI's single handle on training.

    Signals:
        run_started(object), failed(str, str): forwarded from the worker (see :class:`TrainingWorker`)
        report_ready(object), sample_ready(object), eval_ready(object), run_ended(object): the worker's items,
            one signal per kind
        running_changed(bool): a run started, or its thread finished
        paused_changed(bool)
    """

    run_started = Signal(object)
    report_ready = Signal(object)
    sample_ready = Signal(object)
    eval_ready = Signal(object)
    run_ended = Signal(object)
    failed = Signal(str, str)
    running_changed = Signal(bool)
    paused_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__("training", parent)
        self.control = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    @property
    def is_paused(self) -> bool:
        return self.is_running and self.control.pause.is_set()

    def start(self, cfg=None, resume_dir: str = "", steps: int | None = None) -> None:
        """Train ``cfg`` (a ``gan_backend.config.Config``) in a new run, or resume ``resume_dir``."""
        if self.is_running:
            raise RuntimeError("a run is already in progress; stop it first")
        from gan_backend.engine.reports import TrainControl

        self.control = TrainControl()
        worker = TrainingWorker(self.control, cfg, resume_dir, steps)
        worker.item_ready.connect(self._on_item_ready)
        self._start_loop(worker, forwarded=("run_started", "failed"))
        self.running_changed.emit(True)

    def set_paused(self, paused: bool) -> None:
        if self.is_running and paused != self.control.pause.is_set():
            (self.control.pause.set if paused else self.control.pause.clear)()
            self.paused_changed.emit(paused)

    def toggle_pause(self) -> None:
        self.set_paused(not self.is_paused)

    def stop(self) -> None:
        """Ask the loop to stop after its current step; it saves a checkpoint and ends the run."""
        if self.is_running:
            self.control.stop.set()

    def cancel(self) -> None:
        """What ``shutdown`` does first (it then waits up to one step and the checkpoint save)."""
        self.stop()

    def save_checkpoint(self) -> None:
        if self.is_running:
            self.control.checkpoint_now.set()

    def change(self, **values) -> None:
        """Live-safe changes (lr_g, lr_d, d_steps, g_steps), applied before the next step."""
        if self.is_running:
            self.control.change(**values)

    def _loop_ended(self) -> None:
        self.running_changed.emit(False)
        self.paused_changed.emit(False)

    @Slot(object)
    def _on_item_ready(self, item) -> None:
        name = ITEM_SIGNALS.get(type(item).__name__)
        if name is not None:
            getattr(self, name).emit(item)


def one_line(exc: BaseException) -> str:
    text = first_line(exc)
    return text if text == type(exc).__name__ else f"{type(exc).__name__}: {text}"
