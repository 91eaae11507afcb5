"""Plain data the engine hands out (reports) and takes in (controls). No Qt, no tensors."""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

import numpy as np

from gan_backend.config import LIVE_FIELDS


@dataclass
class TrainReport:
    """Metrics averaged over the steps since the previous report."""

    step: int  # generator steps done
    epoch: float  # passes over the dataset (fractional)
    images_seen: int  # real images shown to D
    wall_time: float  # seconds of training in this run (across resumes)
    images_per_sec: float  # real images per second since the previous report
    losses: dict[str, float]  # the task's named losses: loss_d, loss_g (+ penalty, cycle, ...)
    d_real: float  # mean D(x): a probability, or a raw critic value (see d_output)
    d_fake: float  # mean D(G(z)), same units
    d_output: str  # "probability" or "critic"
    grad_norm_d: float  # L2 norm of D's gradient at the report step
    grad_norm_g: float  # L2 norm of G's gradient at the report step
    lr_d: float
    lr_g: float
    extras: dict[str, float] = field(default_factory=dict)  # further task statistics: aug_p, aug_rt (ADA)

    def to_row(self) -> dict:
        """Flat dict for one metrics.jsonl line."""
        row = asdict(self)
        row.update(row.pop("losses"))
        row.update(row.pop("extras"))
        return row


@dataclass
class SampleReport:
    """A fixed-noise sample grid. ``grid`` is uint8 [H, W, 3], a copy owned by the receiver."""

    step: int
    grid: np.ndarray
    path: str  # where the PNG was written


@dataclass
class EvalReport:
    """A quality evaluation of G_ema (``run.eval_every``), also logged as an "eval" row of metrics.jsonl."""

    step: int
    metrics: dict  # fid, kid, kid_std, precision, recall (+ modes_covered, classes_covered, class_histogram, ...)
    metric: str  # run.eval_metric, the one that chooses best.pt
    value: float  # metrics[metric]
    best_value: float | None  # the best value so far, this one included (None while no value was finite)
    best_step: int | None
    is_best: bool  # this evaluation wrote checkpoints/best.pt
    checkpoint: str = ""  # path of best.pt when is_best

    def to_row(self) -> dict:
        """The "eval" line of metrics.jsonl: step, the metric that picks best.pt, and every metric."""
        return {"step": self.step, "event": "eval", "eval_metric": self.metric, **self.metrics}


@dataclass
class RunEnded:
    """Last item of every run. reason: "done", "stopped", "time", "nan", "error"."""

    step: int
    reason: str
    message: str
    checkpoint: str = ""  # the checkpoint that holds the final state ("" when none was written)


@dataclass
class TrainControl:
    """Flags polled by the loop between steps: set from any thread."""

    stop: threading.Event = field(default_factory=threading.Event)
    pause: threading.Event = field(default_factory=threading.Event)
    checkpoint_now: threading.Event = field(default_factory=threading.Event)
    _pending: dict = field(default_factory=dict)  # train field -> value, applied at the next step
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def change(self, **values) -> None:
        """Queue changes of ``config.LIVE_FIELDS``, e.g. ``change(lr_d=1e-4, d_steps=5)``; others raise TypeError."""
        fixed = [k for k in values if k not in LIVE_FIELDS]
        if fixed:
            raise TypeError(f"{fixed[0]!r} cannot be changed during training; live fields: {', '.join(LIVE_FIELDS)}")
        with self._lock:
            self._pending.update(values)

    def take_changes(self) -> dict:
        with self._lock:
            out, self._pending = self._pending, {}
        return out
