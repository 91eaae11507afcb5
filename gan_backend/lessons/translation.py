"""Lesson 8, paired vs unpaired: day to night with the shipped CycleGAN, beside a pix2pix trained live on pairs.

``scenes:day2night`` keeps the true night render of held-out day scenes, so both translations can be checked
against the truth. CycleGAN (the shipped ``translator``) never saw a pair: it learned G_A: day -> night and
G_B: night -> day with cycle consistency, shown as A -> B -> A. pix2pix learns from aligned pairs
(``scenes:day2night_paired``) with an L1 loss to the truth, trained here by the engine for a few seconds.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_backend.data.builtin.day2night import true_pairs
from gan_backend.images import from_uint8, to_uint8
from gan_backend.lessons.frames import FAKE, MUTED, SECOND, Control, Experiment, LessonFrame, Picture, Plot, line
from gan_backend.lessons.live_run import LiveRun
from gan_backend.lessons.pictures import grid

SCENES = 3  # held-out scenes shown at a time
POOL = 24  # held-out scenes rendered (the Next button walks through them)
PIX2PIX = {"model.name": "pix2pix", "data.dataset": "scenes:day2night_paired", "data.n": 128, "model.width": 8,
           "train.batch_size": 4, "train.lr_g": 1e-3, "train.lr_d": 1e-3}  # 5x the paper's rates: a lesson has seconds


def l1(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 picture stacks, in 0..1 units."""
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean() / 255)


class PairedVsUnpaired(Experiment):
    """Lesson 8. A step is one report (``run.log_every`` steps) of the pix2pix run; CycleGAN is fixed."""

    controls = (Control("next", "Next scenes", "button", tip="Three other held-out scenes"),)
    columns = 3
    frame_interval = 0.5
    tour_steps = 30  # reports: 150 pix2pix steps

    def __init__(self, seed: int = 0, n: int = 128):
        super().__init__()
        from gan_backend.translator import load_translator

        self.cyclegan = load_translator("translator64")  # at the 64 px of the live pix2pix beside it
        self.run = LiveRun({**PIX2PIX, "data.n": n, "train.seed": seed})
        self.day, self.night = true_pairs(POOL, self.cyclegan.size, seed=seed)  # uint8 [POOL, 64, 64, 3] each
        self.first = 0
        self.errors: list[tuple[int, float]] = []  # (pix2pix step, L1 to the truth)
        self._translate_cyclegan()
        self._measure()

    def set(self, name, value):
        if name == "next":
            self.first = (self.first + SCENES) % POOL
            self._translate_cyclegan()
        else:
            super().set(name, value)

    def _shown(self) -> slice:
        return slice(self.first, self.first + SCENES)

    def _translate_cyclegan(self) -> None:
        a = from_uint8(torch.from_numpy(self.day[self._shown()]))
        night = self.cyclegan.run(a, "AtoB")
        self.cycle_night, self.cycle_back = to_uint8(night), to_uint8(self.cyclegan.run(night, "BtoA"))
        self.cycle_error = l1(self.cycle_night, self.night[self._shown()])
        self.cycle_consistency = l1(self.cycle_back, self.day[self._shown()])

    def pix2pix(self, day: np.ndarray) -> np.ndarray:
        cond = from_uint8(torch.from_numpy(day))
        z, _ = self.run.task.make_inputs(len(day), seed=7)
        return to_uint8(self.run.task.generate(cond, z))

    def step(self) -> None:
        self.run.advance()
        self.steps += 1
        self._measure()

    def _measure(self) -> None:
        self.errors.append((self.run.step, l1(self.pix2pix(self.day[:SCENES * 2]), self.night[:SCENES * 2])))

    def frame(self) -> LessonFrame:
        day, truth = self.day[self._shown()], self.night[self._shown()]
        cycle = np.stack([day, self.cycle_night, self.cycle_back, truth], 1).reshape(-1, *day.shape[1:])
        paired = np.stack([day, self.pix2pix(day), truth], 1).reshape(-1, *day.shape[1:])
        steps, errors = (np.array(v, np.float64) for v in zip(*self.errors))
        span = [0, max(1.0, steps[-1])]
        panels = {
            "cycle": Picture("CycleGAN: day, night, back to day, true night", grid(cycle, 4)),
            "paired": Picture(f"pix2pix ({self.run.step} steps): day, night, true night", grid(paired, 3)),
            "errors": Plot("Distance to the true night (L1)",
                           {"pix2pix": line(steps, errors, colour=FAKE, label="pix2pix, training"),
                            "cyclegan": line(span, [self.cycle_error] * 2, style="dashed", colour=SECOND,
                                             label="CycleGAN (shipped)"),
                            "cycle": line(span, [self.cycle_consistency] * 2, style="dashed", colour=MUTED,
                                          label="CycleGAN: |A − G_B(G_A(A))|")},
                           "pix2pix step", "mean |difference| (0..1)"),
        }
        readout = (f"CycleGAN: L1 to the truth {self.cycle_error:.3f}, cycle A→B→A {self.cycle_consistency:.3f} · "
                   f"pix2pix after {self.run.step} steps ({self.run.seconds:.0f} s): L1 {errors[-1]:.3f}")
        return LessonFrame(self.steps, panels, readout, self.columns, self.values())

    def measures(self) -> dict[str, float]:
        return {"cyclegan_l1": self.cycle_error, "cycle_l1": self.cycle_consistency, "pix2pix_l1": self.errors[-1][1]}

    def close(self) -> None:
        self.run.close()


def paired_vs_unpaired(seed: int = 0, n: int = 128) -> PairedVsUnpaired:
    return PairedVsUnpaired(seed, n)
