"""Lesson 2, why minimax saturates: two 1-D GANs from the same start, one per generator loss.

G starts far from the data, so D soon rejects its samples (D(G(z)) near 0). There the minimax loss
log(1 - D(G(z))) is flat in D's logit and G's gradient vanishes, while the non-saturating -log D(G(z)) is
steepest. The page draws both losses over D(G(z)) with each run's live D(G(z)) values on them, and G's
gradient norm under each loss side by side.
"""
from __future__ import annotations

import numpy as np
import torch

from gan_backend.lessons.frames import OPTIMAL, REAL, SECOND, SPEED, Control, Experiment, LessonFrame, Plot, line
from gan_backend.lessons.one_d import X_RANGE, OneDGan, centres, mixture_pdf

RUNS = (("minimax", "minimax: log(1 − D(G(z)))", OPTIMAL),
        ("nonsaturating", "non-saturating: −log D(G(z))", SECOND))  # (loss, legend, colour)
START = {"g_scale": 0.3, "g_shift": -3.5}  # G's samples start left of the data, where D finds them easily
OPTIMISERS = (("sgd", "SGD"), ("adam", "Adam"))
G_LR = {"sgd": 0.01, "adam": 1e-3}
POINTS = 48  # fakes whose D(G(z)) is drawn on the curves
EPS = 1e-3


def generator_losses(d_fake: np.ndarray) -> dict[str, np.ndarray]:
    """The two G losses as functions of D(G(z)) in (0, 1) (what G minimises)."""
    d = np.clip(d_fake, EPS, 1 - EPS)
    return {"minimax": np.log1p(-d), "nonsaturating": -np.log(d)}


class Saturation(Experiment):
    """Lesson 2. A step is one round of both runs: ``d_steps`` D updates, then one G update each."""

    controls = (Control("d_steps", "D steps", "int", 5, low=1, high=10, step=1,
                        tip="More D steps make D win sooner, which is when the minimax loss goes flat"),
                Control("optimiser", "G's optimiser", "choice", "sgd", OPTIMISERS,
                        tip="SGD steps in proportion to the gradient; Adam divides by its running size, "
                            "so a saturated G still creeps"),
                SPEED)
    max_steps_per_s = 30.0
    tour_steps = 80

    def __init__(self, seed: int = 0):
        super().__init__()
        self.runs = {name: OneDGan(loss=name, seed=seed, lr_g=G_LR["sgd"], g_optimizer="sgd", **START)
                     for name, _, _ in RUNS}
        self.d_steps, self.optimiser = 5, "sgd"
        self.norms: dict[str, list[float]] = {name: [] for name in self.runs}
        self.z = torch.randn(POINTS, 1, generator=torch.Generator().manual_seed(seed + 5))
        self.edges = np.linspace(-5.0, X_RANGE[1], 271)  # wider than lesson 1's: G starts at -3.5
        self.x = centres(self.edges)
        self.grid = np.linspace(EPS, 1 - EPS, 200)

    def set(self, name, value):
        if name == "d_steps":
            self.d_steps = max(1, int(value))
        elif name == "optimiser":
            self.optimiser = str(value)
            for gan in self.runs.values():
                gan.use_g_optimizer(self.optimiser, G_LR[self.optimiser])
        else:
            super().set(name, value)

    def values(self):
        return {"d_steps": self.d_steps, "optimiser": self.optimiser, "speed": self.max_steps_per_s}

    def step(self) -> None:
        for name, gan in self.runs.items():
            for _ in range(self.d_steps):
                gan.step_d()
            self.norms[name].append(gan.step_g())
        self.steps += 1

    def d_fake(self, name: str) -> np.ndarray:
        gan = self.runs[name]
        return gan.d_of(gan.samples(self.z))

    def frame(self) -> LessonFrame:
        curves = generator_losses(self.grid)
        losses, grads, dens = {}, {}, {"p_data": line(self.x, mixture_pdf(self.x), style="dashed", colour=REAL,
                                                      label="p_data")}
        readout = []
        for name, label, colour in RUNS:
            d = self.d_fake(name)
            losses[name] = line(self.grid, curves[name], colour=colour, label=label)
            losses[f"{name}_now"] = line(d, generator_losses(d)[name], style="points", colour=colour, width=7)
            norms = np.asarray(self.norms[name] or [np.nan])
            grads[name] = line(np.arange(1, len(norms) + 1), np.maximum(norms, 1e-8), colour=colour, label=name)
            dens[name] = line(self.x, self.runs[name].density(self.edges), colour=colour, label=f"p_g, {name}")
            readout.append(f"{name}: mean D(G(z)) {d.mean():.3f}, |∇G| {norms[-1]:.2g}")
        panels = {
            "losses": Plot("G's loss vs D(G(z)); dots: the fakes", losses, "D(G(z))", "G's loss",
                           x_range=(0, 1), y_range=(-5, 5)),
            "grads": Plot("G's gradient norm", grads, "G step", "‖∇G‖ (log)", log_y=True),
            "densities": Plot("Where each G's samples are", dens, "x", "density", x_range=(-5.0, X_RANGE[1])),
        }
        return LessonFrame(self.steps, panels, " · ".join(readout), self.columns, self.values())

    def measures(self) -> dict[str, float]:
        last = {name: float(np.median(n[-20:])) for name, n in self.norms.items() if n}
        return {f"grad_norm_{name}": v for name, v in last.items()}


def saturation(seed: int = 0) -> Saturation:
    return Saturation(seed)
