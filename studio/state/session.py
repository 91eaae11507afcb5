"""TrainingSession: everything the plots and the status bar show about one run, Qt-free.

Filled from ``TrainReport`` rows while the app trains, or from a run directory's ``metrics.jsonl``
(bulk on open, then tailed). Views connect a callback that schedules a redraw to ``changed`` and
compare ``version`` when it fires, so however fast reports arrive, drawing costs at most one pass per frame.
"""
from __future__ import annotations

import math
import operator
import time
from dataclasses import dataclass, field

import numpy as np

from studio.state.buffers import Series
from studio.state.events import Event

# Row keys that are bookkeeping, not curves.
NOT_PLOTTED = {"step", "epoch", "images_seen", "lr_d", "lr_g"}
# Metrics an "eval" row may be plotted by, when it does not name its own (runs written before it did).
EVAL_METRICS = ("fid", "kid", "modes_covered", "classes_covered")


@dataclass
class ChangeMarker:
    """A live change applied during training (engine ``{"event": "change"}`` row)."""

    step: int
    field: str  # e.g. "train.lr_d"
    value: object

    @property
    def label(self) -> str:
        return f"{self.field.split('.')[-1]}={self.value:g}" if isinstance(self.value, float) else \
            f"{self.field.split('.')[-1]}={self.value}"


@dataclass
class TrainingSession:
    """Metric buffers and run status of one run (live in the app, or followed from disk)."""

    run_dir: str = ""
    total_steps: int = 0
    d_output: str = "probability"  # "probability" (sigmoid losses) or "critic"
    step: int = 0
    images_per_sec: float = math.nan
    ended: str = ""  # end reason once the run ended ("done", "stopped", ...)
    series: dict[str, Series] = field(default_factory=dict)
    changes: list[ChangeMarker] = field(default_factory=list)
    samples: list[tuple[int, str]] = field(default_factory=list)  # (step, path relative to run_dir) from events
    version: int = 0  # bumped on every mutation; views redraw when it moved
    changed: Event = field(default_factory=Event, repr=False, compare=False)  # emit() after each mutation
    started_at: float = field(default_factory=time.monotonic)

    # --- input ---
    def add_rows(self, rows: list[dict]) -> None:
        """Metric and event rows as written to ``metrics.jsonl`` (or ``TrainReport.to_row()``), in order."""
        metric_rows: list[dict] = []
        for row in rows:
            if "event" in row:
                self._add_metric_rows(metric_rows)
                metric_rows = []
                self._add_event(row)
            else:
                metric_rows.append(row)
        self._add_metric_rows(metric_rows)
        self._changed()

    def _add_metric_rows(self, rows: list[dict]) -> None:
        if rows:
            self.ended = ""  # metrics after an "end" row: the run was resumed
        for keys, group in _runs_of_same_keys(rows):
            self._add_metric_block(keys, group)

    def _changed(self) -> None:
        self.version += 1
        self.changed.emit()

    def add_change(self, step: int, field_name: str, value) -> None:
        """A change requested from the GUI: marked at the newest reported step."""
        self.changes.append(ChangeMarker(step, field_name, value))
        self._changed()

    def truncate_after(self, step: int) -> None:
        """Forget what came after ``step``, as the engine does to metrics.jsonl when a run resumes."""
        for series in self.series.values():
            series.truncate_after(step)
        self.changes = [c for c in self.changes if c.step <= step]
        self.samples = [s for s in self.samples if s[0] <= step]
        self.step, self.ended = min(self.step, step), ""
        self._changed()

    def _add_event(self, row: dict) -> None:
        kind, step = row.get("event"), int(row.get("step", 0))
        if kind == "change":
            self.changes.append(ChangeMarker(step, str(row.get("field", "?")), row.get("value")))
        elif kind == "sample" and row.get("path"):
            self.samples.append((step, str(row["path"])))
        elif kind == "end":
            self.ended = str(row.get("reason", "done"))
        elif kind == "eval":
            metric = row.get("eval_metric") or next((m for m in EVAL_METRICS if m in row), "")
            if _is_number(row.get(metric)):  # the metric that picks best.pt, as an "eval_<metric>" curve
                self.series.setdefault(f"eval_{metric}", Series(f"eval_{metric}")).extend(
                    np.array([step], np.float64), np.array([row[metric]], np.float64))

    def _add_metric_block(self, keys: tuple[str, ...], rows: list[dict]) -> None:
        first = rows[0]
        if isinstance(first.get("d_output"), str):
            self.d_output = rows[-1]["d_output"]
        numeric = [k for k in keys if k != "step" and _is_number(first[k])]
        if not numeric or "step" not in first:
            return
        # Rows of a block share their keys, so C-level itemgetters can pull the columns; None (a
        # non-finite value in JSON) becomes NaN in the float conversion. Keeps 100k rows well under 0.1 s.
        pick = operator.itemgetter(*numeric) if len(numeric) > 1 else (lambda r, k=numeric[0]: (r[k],))
        table = np.array(list(map(pick, rows)), dtype=np.float64).reshape(len(rows), -1)
        steps = np.array(list(map(operator.itemgetter("step"), rows)), dtype=np.float64)
        for j, key in enumerate(numeric):
            self.series.setdefault(key, Series(key)).extend(steps, table[:, j])
        self.step = int(steps[-1])
        if "images_per_sec" in numeric:
            self.images_per_sec = float(table[-1, numeric.index("images_per_sec")])

    # --- output ---
    def plotted_names(self) -> list[str]:
        return [n for n in self.series if n not in NOT_PLOTTED]

    def eta_seconds(self) -> float:
        """Seconds left at the recent pace (steps per second of training time), NaN when unknown."""
        wall = self.series.get("wall_time")
        if wall is None or len(wall) < 2 or not self.total_steps or self.ended:
            return math.nan
        steps, times = wall.steps.view()[-10:], wall.values.view()[-10:]
        spent = times[-1] - times[0]
        if not spent > 0:
            return math.nan
        return max(0.0, (self.total_steps - self.step) * spent / (steps[-1] - steps[0]))


def _is_number(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _runs_of_same_keys(rows: list[dict]):
    """Consecutive rows with the same key set (a run's report rows nearly always share one)."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i].keys() != rows[start].keys():
            yield tuple(rows[start]), rows[start:i]
            start = i


def format_eta(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--:--"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"
