"""Compare runs: metric curves aligned on one step axis, and a table of final metrics (exported as CSV).

    cmp = compare(["runs/minimax", "runs/wgan_gp"])
    steps, by_run = cmp.curves["loss_d"]   # steps int [S]; by_run {label: float [S], NaN where that run has no point}
    to_csv(cmp.table, "final.csv")

Reads only run directories (config.json, metrics.jsonl), so CLI, GUI and cluster runs compare alike.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_backend.config import Config
from gan_backend.engine.run_dir import RunDir

SKIP = {"step", "event", "d_output"}  # row keys that are not curves
# Report keys worth a column in the final table, besides every loss_* and every eval metric.
TABLE_REPORT_KEYS = ("d_real", "d_fake", "wall_time")


@dataclass
class RunSeries:
    """One run's curves: metric -> (steps int [S], values float [S]); eval metrics only have eval steps."""

    label: str
    path: Path
    config: Config
    curves: dict[str, tuple[np.ndarray, np.ndarray]]
    last_eval: dict  # the last "eval" row ({} when the run was never evaluated)


@dataclass
class Comparison:
    runs: list[RunSeries]
    curves: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]  # metric -> (steps [S], {label: values [S]})
    table: list[dict]  # one row per run: settings and final metrics


def _curves(rows: list[dict]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Numeric series from report and eval rows; a step logged twice keeps its last value."""
    points: dict[str, dict[int, float]] = {}
    for row in rows:
        if row.get("event") not in (None, "eval") or "step" not in row:
            continue
        for key, v in row.items():
            if key in SKIP or isinstance(v, (bool, list, str, dict)):
                continue
            points.setdefault(key, {})[int(row["step"])] = math.nan if v is None else float(v)
    return {k: (np.array(sorted(p), dtype=np.int64), np.array([p[s] for s in sorted(p)], dtype=np.float64))
            for k, p in points.items()}


def load_run(path: str | Path, label: str | None = None) -> RunSeries:
    run = RunDir.open(path)
    rows = run.read_metrics()
    evals = [r for r in rows if r.get("event") == "eval"]
    return RunSeries(label or run.path.name, run.path, run.config(), _curves(rows), evals[-1] if evals else {})


def _labels(paths: list[Path]) -> list[str]:
    """Folder names, widened with the parent (then numbered) where two runs would share one."""
    names = [p.name for p in paths]
    names = [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name for p in paths]
    return [f"{n} ({i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]


def align(series: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """{label: (steps, values)} -> (union of steps [S], {label: values [S] with NaN where missing})."""
    steps = np.unique(np.concatenate([s for s, _ in series.values()])) if series else np.zeros(0, np.int64)
    out = {}
    for label, (s, v) in series.items():
        full = np.full(len(steps), np.nan)
        full[np.searchsorted(steps, s)] = v
        out[label] = full
    return steps, out


def _last_finite(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if len(finite) else None


def final_row(r: RunSeries) -> dict:
    """Settings and last values of one run: every loss, a few report keys, every metric of its last eval."""
    cfg = r.config
    row = {"run": r.label, "dataset": cfg.data.dataset, "model": cfg.model.name, "loss": cfg.loss.name,
           "steps": int(max((s[-1] for s, _ in r.curves.values() if len(s)), default=0))}
    for key in sorted(k for k in r.curves if k.startswith("loss")) + list(TABLE_REPORT_KEYS):
        if key in r.curves and key not in r.last_eval:
            row[key] = _last_finite(r.curves[key][1])
    if r.last_eval:
        row["eval_step"] = r.last_eval["step"]
        row.update({k: v for k, v in r.last_eval.items() if k not in SKIP and isinstance(v, (int, float))})
    return row


def compare(paths: list[str | Path]) -> Comparison:
    """Load runs and align every metric any of them logged."""
    resolved = [RunDir.open(p).path for p in paths]
    runs = [load_run(p, label) for p, label in zip(resolved, _labels(resolved))]
    metrics = sorted({k for r in runs for k in r.curves})
    curves = {m: align({r.label: r.curves[m] for r in runs if m in r.curves}) for m in metrics}
    return Comparison(runs, curves, [final_row(r) for r in runs])


def to_csv(table: list[dict], path: str | Path) -> None:
    """Write table rows as CSV; columns in first-seen order, empty cells for missing or non-finite values."""
    columns = list(dict.fromkeys(k for row in table for k in row))

    def cell(v):
        return "" if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in table:
            writer.writerow({k: cell(row.get(k)) for k in columns})
