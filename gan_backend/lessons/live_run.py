"""A real training run inside a lesson: the engine's own loop (:class:`~gan_backend.engine.loop.Trainer`),
advanced one report at a time, in a temporary run directory that :meth:`LiveRun.close` removes.

Lessons 5 to 8 train small image models this way, so what the page shows is what `gan-studio train` does.
Settings are config keys over :data:`LESSON_DEFAULTS` (tiny, CPU, one thread: the GUI keeps the other core).
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from gan_backend.config import Config
from gan_backend.engine.reports import TrainControl, TrainReport

LESSON_DEFAULTS = {
    "data.dataset": "glyphs", "data.n": 4000, "model.width": 16, "model.latent_dim": 32,
    "train.batch_size": 32, "train.lr_g": 5e-4, "train.lr_d": 5e-4, "train.ema": 0.0, "train.augment": "none",
    "train.device": "cpu", "train.num_threads": 1, "train.steps": 10 ** 9, "train.seed": 0,
    "run.log_every": 5, "run.sample_every": 10 ** 9, "run.checkpoint_every": 10 ** 9, "run.tensorboard": False,
}


def lesson_config(settings: dict) -> Config:
    cfg = Config()
    for key, value in {**LESSON_DEFAULTS, **settings}.items():
        cfg.set(key, value)
    return cfg


class LiveRun:
    """One engine run. ``advance()`` trains to the next report; ``seconds`` is the training time spent so far."""

    def __init__(self, settings: dict):
        from gan_backend.engine.loop import Trainer

        self.folder = tempfile.mkdtemp(prefix="gan-lesson-")
        cfg = lesson_config(settings)
        cfg.run.run_dir = str(Path(self.folder) / "run")
        try:
            self.trainer = Trainer.new(cfg)
        except Exception:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.control = TrainControl()
        self._items = self.trainer.run(self.control)
        self.seconds = 0.0
        self.reports: list[TrainReport] = []

    @property
    def task(self):
        return self.trainer.task

    @property
    def step(self) -> int:
        return self.trainer.step

    def advance(self) -> TrainReport | None:
        """Train until the loop's next report (``run.log_every`` steps); None once the run has ended."""
        start = time.perf_counter()
        try:
            for item in self._items:
                if isinstance(item, TrainReport):
                    self.reports.append(item)
                    return item
            return None
        finally:
            self.seconds += time.perf_counter() - start

    def curve(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one loss of the reports so far."""
        pairs = [(r.step, r.losses[key]) for r in self.reports if key in r.losses]
        return (np.array([p[0] for p in pairs], np.float64), np.array([p[1] for p in pairs], np.float64))

    @torch.no_grad()
    def samples(self, z: torch.Tensor, y: torch.Tensor | None = None) -> np.ndarray:
        """G_ema's pictures for latents ``z`` (labels ``y``) as uint8 [B, H, W, C]."""
        from gan_backend.images import to_uint8

        return to_uint8(self.task.generate(z, y))

    def close(self) -> None:
        self.control.stop.set()
        self._items.close()
        shutil.rmtree(self.folder, ignore_errors=True)
