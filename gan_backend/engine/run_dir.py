"""The run directory: the interface between every producer (CLI, GUI, torchrun) and every consumer.

    RUN/config.json                  the full Config
    RUN/metrics.jsonl                one flushed JSON object per line: reports and events
    RUN/samples/step_NNNNNNN.png     fixed-noise grids
    RUN/checkpoints/last.pt          newest state; step_NNNNNNN.pt: the last K step checkpoints
    RUN/checkpoints/best.pt          the state at the best evaluation so far (with run.eval_every)
    RUN/tensorboard/                 TensorBoard event files of the same rows and grids (engine/tensorboard.py)
"""
from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Iterator

from gan_backend.config import Config, ConfigError

_STEP_FILE = re.compile(r"step_(\d+)\.(png|pt)$")


class RunDirError(ValueError):
    """A path that does not exist or is not a GAN Studio run."""


class RunDir:
    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()

    # --- layout ---
    config_path = property(lambda self: self.path / "config.json")
    metrics_path = property(lambda self: self.path / "metrics.jsonl")
    samples_dir = property(lambda self: self.path / "samples")
    checkpoints_dir = property(lambda self: self.path / "checkpoints")
    last_checkpoint = property(lambda self: self.checkpoints_dir / "last.pt")
    best_checkpoint = property(lambda self: self.checkpoints_dir / "best.pt")  # best by run.eval_metric

    @classmethod
    def create(cls, path: str | Path, cfg: Config) -> "RunDir":
        run = cls(path)
        if run.config_path.exists():
            raise RunDirError(f"{run.path} already holds a run; use `gan-studio resume {run.path}` or another --run-dir")
        for d in (run.path, run.samples_dir, run.checkpoints_dir):
            d.mkdir(parents=True, exist_ok=True)
        cfg.run.run_dir = str(run.path)
        cfg.save(run.config_path)
        return run

    @classmethod
    def open(cls, path: str | Path) -> "RunDir":
        run = cls(path)
        if not run.path.exists():
            raise RunDirError(f"{run.path}: no such run directory")
        if not run.config_path.is_file():
            raise RunDirError(f"{run.path}: not a GAN Studio run (no config.json); pass the folder `train --run-dir` wrote")
        return run

    def config(self) -> Config:
        try:
            return Config.load(self.config_path)
        except ConfigError as exc:
            raise RunDirError(str(exc)) from None

    # --- metrics ---
    def append_metrics(self, row: dict) -> None:
        """Append one line and flush it, so another process can follow the run live."""
        clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
        with open(self.metrics_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(clean) + "\n")
            fh.flush()

    def truncate_metrics_after(self, step: int) -> None:
        """On resume, drop lines past the checkpoint's step so the metrics read as one continuous run."""
        if not self.metrics_path.exists():
            return
        keep = [row for row in self.read_metrics() if row.get("step", 0) <= step]
        tmp = self.metrics_path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(r) + "\n" for r in keep), encoding="utf-8")
        tmp.replace(self.metrics_path)

    def read_metrics(self, offset: int = 0) -> list[dict]:
        rows, _ = self.follow_metrics(offset)
        return rows

    def follow_metrics(self, offset: int = 0) -> tuple[list[dict], int]:
        """Rows from byte ``offset`` on, and the offset to continue from; a half-written last line waits."""
        try:
            with open(self.metrics_path, "rb") as fh:
                fh.seek(offset)
                data = fh.read()
        except FileNotFoundError:
            return [], offset
        end = data.rfind(b"\n") + 1
        return parse_metric_lines(data[:end]), offset + end

    # --- samples and checkpoints ---
    def sample_path(self, step: int) -> Path:
        return self.samples_dir / f"step_{step:07d}.png"

    def step_checkpoint_path(self, step: int) -> Path:
        return self.checkpoints_dir / f"step_{step:07d}.pt"

    def samples(self) -> list[tuple[int, Path]]:
        return sorted(_stepped(self.samples_dir, ".png"))

    def step_checkpoints(self) -> list[tuple[int, Path]]:
        return sorted(_stepped(self.checkpoints_dir, ".pt"))

    def prune_checkpoints(self, keep: int) -> None:
        for _, p in self.step_checkpoints()[:-keep or None] if keep > 0 else self.step_checkpoints():
            p.unlink(missing_ok=True)


def parse_metric_lines(data: bytes) -> list[dict]:
    """The JSON objects of complete ``metrics.jsonl`` lines, in order; damaged lines and non-objects are skipped.

    One parse of all lines as a JSON array is ~2x faster than a parse per line (100k lines on opening a
    run); a damaged line (a run killed mid-write, a hand edit) makes it fail, and then each line is parsed
    alone so that line never hides the rest of the run.
    """
    lines = data.splitlines()
    try:
        rows = json.loads(b"[" + b",".join(line for line in lines if line.strip()) + b"]")
    except ValueError:
        rows = []
        for line in lines:
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    return [row for row in rows if isinstance(row, dict)]


def _stepped(folder: Path, suffix: str) -> Iterator[tuple[int, Path]]:
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        m = _STEP_FILE.match(p.name)
        if m and p.suffix == suffix:
            yield int(m.group(1)), p


def default_run_dir(cfg: Config, root: str | Path = "runs") -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", cfg.data.dataset.split("/")[-1])[:40]
    return Path(root) / f"{time.strftime('%Y%m%d-%H%M%S')}-{safe}-{cfg.model.name}"
