"""Lesson 6, conditional GANs (Mirza & Osindero 2014): cDCGAN on glyphs, trained live by the engine.

G gets a class label beside z and D judges (picture, label) pairs (projection D, Miyato & Koyama 2018). The
page shows the same noise across all ten classes (a row keeps its style, a column keeps its digit), sixteen
samples of the class picked, and how often the shipped glyph classifier reads the class G was asked for.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_backend.lessons.frames import FAKE, Control, Experiment, LessonFrame, Picture, Plot, line
from gan_backend.lessons.live_run import LiveRun
from gan_backend.lessons.pictures import class_coverage, grid

CLASSES = 10
NOISE_ROWS = 6  # rows of the same-noise grid, one latent each
MEASURED = 400  # samples behind each label-match point
MEASURE_EVERY = 4  # reports between label-match points


class ConditionalGan(Experiment):
    """Lesson 6. A step is one report (``run.log_every`` training steps) of the cDCGAN run."""

    controls = (Control("label", "Class to draw", "choice", 3, tuple((k, str(k)) for k in range(CLASSES))),
                Control("noise", "New noise", "button", tip="Draw other latents for both pictures"))
    columns = 3
    frame_interval = 0.4
    tour_steps = 40  # reports: 200 training steps

    def __init__(self, seed: int = 0, n: int = 4000):
        super().__init__()
        self.run = LiveRun({"model.name": "cdcgan", "data.n": n, "train.seed": seed})
        self.label, self.noise_seed = 3, seed + 21
        self.latent_dim = self.run.task.cfg.model.latent_dim
        self._draw_noise()
        gen = torch.Generator().manual_seed(seed + 22)
        self.z_measure = torch.randn(MEASURED, self.latent_dim, generator=gen)
        self.y_measure = torch.arange(MEASURED) % CLASSES
        self.matches: list[tuple[int, float]] = []  # (training step, label match)
        self._measure()

    def _draw_noise(self) -> None:
        gen = torch.Generator().manual_seed(self.noise_seed)
        self.z_rows = torch.randn(NOISE_ROWS, self.latent_dim, generator=gen)
        self.z_class = torch.randn(16, self.latent_dim, generator=gen)

    def set(self, name, value):
        if name == "label":
            self.label = int(value) % CLASSES
        elif name == "noise":
            self.noise_seed += 1
            self._draw_noise()
        else:
            super().set(name, value)

    def values(self):
        return {"label": self.label}

    def step(self) -> None:
        self.run.advance()
        self.steps += 1
        if self.steps % MEASURE_EVERY == 0:
            self._measure()

    def _measure(self) -> None:
        pictures = self.run.samples(self.z_measure, self.y_measure)
        self.matches.append((self.run.step, class_coverage(pictures, self.y_measure.numpy())["label_match"]))

    def same_noise(self) -> np.ndarray:
        """uint8 [NOISE_ROWS * 10, 28, 28, 1]: row r is latent r drawn as classes 0..9."""
        z = self.z_rows.repeat_interleave(CLASSES, 0)
        y = torch.arange(CLASSES).repeat(NOISE_ROWS)
        return self.run.samples(z, y)

    def frame(self) -> LessonFrame:
        picked = self.run.samples(self.z_class, torch.full((16,), self.label))
        steps, match = (np.array(v, np.float64) for v in zip(*self.matches))
        panels = {
            "same_noise": Picture("Rows: one noise each; columns: classes 0-9",
                                  grid(self.same_noise(), CLASSES)),
            "picked": Picture(f"Sixteen latents, all asked for a {self.label}", grid(picked, 4)),
            "match": Plot("Read as the class asked for",
                          {"match": line(steps, 100 * match, colour=FAKE, label="label match")},
                          "training step", "% of samples", y_range=(0, 101)),
        }
        readout = (f"step {self.run.step:,} · label match {100 * match[-1]:.0f}% (chance: 10%) · "
                   f"training time {self.run.seconds:.0f} s")
        return LessonFrame(self.steps, panels, readout, self.columns, self.values())

    def measures(self) -> dict[str, float]:
        return {"label_match": self.matches[-1][1]}

    def close(self) -> None:
        self.run.close()


def conditional_gan(seed: int = 0, n: int = 4000) -> ConditionalGan:
    return ConditionalGan(seed, n)
