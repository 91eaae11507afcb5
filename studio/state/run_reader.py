"""Reading a run directory written by anyone (CLI, another app, a cluster job) into a TrainingSession.

``open_run`` does the bulk read (on a worker thread: 100k metric lines take a moment); ``RunTail`` then
picks up lines appended since, from the byte offset where the bulk read stopped.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from studio.state.session import TrainingSession


@dataclass
class OpenedRun:
    path: str
    config: dict  # config.json as a dict
    session: TrainingSession
    samples: list[tuple[int, str]]  # (step, absolute PNG path), step order
    offset: int  # byte offset of metrics.jsonl already read


def open_run(path: str | Path) -> OpenedRun:
    """Everything a run directory holds so far; raises RunDirError for paths that are not runs."""
    from gan_backend.engine.run_dir import RunDir

    run = RunDir.open(path)
    config = json.loads(run.config_path.read_text(encoding="utf-8"))
    rows, offset = run.follow_metrics()
    session = TrainingSession(run_dir=str(run.path), total_steps=int(config.get("train", {}).get("steps", 0)))
    session.add_rows(rows)
    samples = [(step, str(p)) for step, p in run.samples()]
    return OpenedRun(str(run.path), config, session, samples, offset)


@dataclass
class RunTail:
    """Follows ``metrics.jsonl`` of a run another process is writing."""

    path: str
    offset: int = 0
    rewritten: bool = False  # the file got shorter (a resume rewound it): read the run again
    _run: object = field(default=None, repr=False)

    def poll(self) -> list[dict]:
        """New complete lines since the last poll (a half-written last line waits for the next one)."""
        if self._run is None:
            from gan_backend.engine.run_dir import RunDir

            self._run = RunDir(self.path)
        try:
            self.rewritten = self._run.metrics_path.stat().st_size < self.offset
        except OSError:
            return []
        if self.rewritten:
            return []
        rows, self.offset = self._run.follow_metrics(self.offset)
        return rows

