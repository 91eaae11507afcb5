"""Lesson 4, mode collapse: the Playground's ring of 8 Gaussians under minimax with 5 D steps, then WGAN-GP.

The experiment is a :class:`~gan_backend.playground.Playground` (the 2-D playground's engine). It trains with
the minimax loss and 5 D steps per G step; at the switch round the loss becomes WGAN-GP and the networks stay.
The page shows the plane (D's output, real and generated points) and the modes covered over time.
A mode counts as covered when at least 1% of the samples near a mode are near it; "near" is within
``NEAR`` of its centre (the Playground's own counter uses 3 std = 0.06, sharp enough that no run this short passes).
"""
from __future__ import annotations

import numpy as np

from gan_backend.lessons.frames import (FAKE, OPTIMAL, REAL, SPEED, Control, Experiment, Heatmap, LessonFrame, Plot,
                                        line, vertical)
from gan_backend.metrics.modes import MODES, mode_coverage
from gan_backend.playground import Playground

DATASET = "toy2d:ring8"
NEAR = 0.3  # a sample within this of a mode centre is near it (the ring's radius is 2, its modes 1.5 apart)
LOSSES = (("minimax", "minimax"), ("wgan_gp", "WGAN-GP"))
COUNT_EVERY = 5  # rounds between points of the coverage curve
POINTS = 512  # generated points drawn and counted
FIELD_RES = 40  # D's output over the plane: FIELD_RES x FIELD_RES


class ModeCollapse(Experiment):
    """Lesson 4. A step is one Playground round: ``d_steps`` D updates, then one G update."""

    controls = (Control("loss", "Loss", "choice", "minimax", LOSSES,
                        tip="Switch between steps; the networks stay, as in the Playground"),
                Control("switch_at", "Switch at round", "int", 200, low=0, high=5000, step=50,
                        tip="The round where the loss becomes WGAN-GP by itself (0: never)"),
                Control("d_steps", "D steps", "int", 5, low=1, high=10, step=1),
                SPEED)
    max_steps_per_s = 60.0
    frame_interval = 1 / 15  # a frame (D over the plane, G's gradients) costs as much as a round
    tour_steps = 250
    tour_seconds = 14.0

    def __init__(self, seed: int = 0):
        super().__init__()
        self.playground = Playground(DATASET, loss="minimax", seed=seed, batch=128, width=16, lr=1e-3)
        self.playground.set_ratio(5, 1)
        self.switch_at = 200
        means, _ = MODES[DATASET]
        self.means = means()
        self.switches: list[tuple[int, str]] = []  # (round, loss) where the loss changed
        self.history = [(0, self.covered(self.playground.frame(res=2, points=POINTS, mesh=2).fake))]  # (round, modes)

    @property
    def loss(self) -> str:
        return self.playground.cfg.loss.name

    def set(self, name, value):
        if name == "loss":
            self._use(str(value))
        elif name == "switch_at":
            self.switch_at = max(0, int(value))
        elif name == "d_steps":
            self.playground.set_ratio(int(value), 1)
        else:
            super().set(name, value)

    def values(self):
        return {"loss": self.loss, "switch_at": self.switch_at, "d_steps": self.playground.d_steps,
                "speed": self.max_steps_per_s}

    def _use(self, loss: str) -> None:
        if loss != self.loss:
            self.playground.set_loss(loss)
            self.switches.append((self.steps, loss))

    def step(self) -> None:
        if self.switch_at and self.steps == self.switch_at:
            self._use("wgan_gp")
        self.playground.step(1)
        self.steps += 1
        if self.steps % COUNT_EVERY == 0:
            self.history.append((self.steps, self.covered(self.playground.frame(res=2, points=POINTS, mesh=2).fake)))

    def covered(self, fake: np.ndarray) -> int:
        return mode_coverage(fake, self.means, NEAR / 3)["modes_covered"]

    def frame(self) -> LessonFrame:
        f = self.playground.frame(res=FIELD_RES, points=POINTS, mesh=2)
        e = f.extent
        bound = float(np.abs(f.field).max()) or 1.0
        levels = (0.0, 1.0) if f.output == "probability" else (-bound, bound)
        plane = Plot(f"The plane after {self.steps} rounds ({dict(LOSSES)[self.loss]})",
                     {"real": line(f.real[:, 0], f.real[:, 1], style="points", colour=REAL, width=4, label="real"),
                      "fake": line(f.fake[:, 0], f.fake[:, 1], style="points", colour=FAKE, width=5,
                                   label="generated")},
                     x_range=(-e, e), y_range=(-e, e), square=True,
                     heatmap=Heatmap(f.field.astype(np.float32), (-e, -e, 2 * e, 2 * e), levels))
        rounds, counts = (np.array(v, np.float64) for v in zip(*self.history)) if self.history else ([], [])
        curve = {"covered": line(rounds, counts, colour=FAKE, label="modes covered")}
        for i, (at, loss) in enumerate(self.switches):
            curve[f"switch{i}"] = vertical(at, 0, 8, colour=OPTIMAL, width=1.5, label=f"→ {dict(LOSSES)[loss]}")
        counter = Plot("Modes covered (of 8) over time", curve, "round", "modes covered", y_range=(-0.3, 8.5))
        now = self.covered(f.fake)
        readout = (f"round {self.steps:,} · loss {dict(LOSSES)[self.loss]} · {self.playground.d_steps} D steps per "
                   f"G step · modes covered now {now}/8")
        return LessonFrame(self.steps, {"plane": plane, "counter": counter}, readout, self.columns, self.values())

    def prepare_tour(self) -> None:
        super().prepare_tour()
        if self.steps == 0:
            self.switch_at = 100  # the tour's seconds show both halves

    def measures(self) -> dict[str, float]:
        return {"modes_covered": float(self.history[-1][1]) if self.history else 0.0}


def mode_collapse(seed: int = 0) -> ModeCollapse:
    return ModeCollapse(seed)
