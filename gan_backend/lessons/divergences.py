"""Lesson 3, JS vs Wasserstein (Arjovsky, Chintala & Bottou 2017, Example 1): two parallel lines.

P_0 is (0, Z) and P_theta is (theta, Z) with Z ~ U[0, 1]: the same segment, shifted sideways by theta.
Closed form: W1 = |theta|, JS = log 2 and KL = infinity for every theta != 0 (all 0 at theta = 0), so only
W1 tells G how far it is. Live, a standard D (the minimax loss) and a WGAN-GP critic train on samples of the
two lines at the current theta: (log 4 - D's loss) / 2 estimates JS, E f(P_0) - E f(P_theta) estimates W1.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn

from gan_backend.lessons.frames import (D_CURVE, FAKE, MUTED, OPTIMAL, REAL, SECOND, Control, Experiment,
                                        LessonFrame, Plot, line, vertical)
from gan_backend.losses import LOSSES, gradient_penalty

THETA_RANGE = (-1.0, 1.0)
BIN = 0.05  # estimates are kept per theta bin of this width (the newest wins)
BATCH = 256
ITERS = 15  # updates of D and of the critic per step at the current theta
KL_DRAWN = 1.05  # KL = infinity is drawn at this height, off the top of the plot's JS and W1 range
SWEEP = 0.02  # theta's change per step while sweeping


# --- the closed forms and the generic divergences they are checked against ---
def line_divergences(theta: float) -> dict[str, float]:
    """JS, KL and W1 between P_0 and P_theta (Example 1)."""
    if theta == 0:
        return {"js": 0.0, "kl": 0.0, "w1": 0.0}
    return {"js": math.log(2), "kl": math.inf, "w1": abs(theta)}


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in nats of two discrete distributions on the same support."""
    p, q = np.asarray(p, np.float64) / np.sum(p), np.asarray(q, np.float64) / np.sum(q)
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) in nats of discrete distributions; infinity where p has mass that q lacks."""
    p, q = np.asarray(p, np.float64) / np.sum(p), np.asarray(q, np.float64) / np.sum(q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def wasserstein_1d(a: np.ndarray, b: np.ndarray) -> float:
    """W1 between two 1-D samples of equal size: the mean distance between their sorted values."""
    return float(np.mean(np.abs(np.sort(np.ravel(a)) - np.sort(np.ravel(b)))))


def sample_line(n: int, x: float, gen: torch.Generator) -> torch.Tensor:
    """float [n, 2]: points (x, U[0, 1])."""
    return torch.stack([torch.full((n,), float(x)), torch.rand(n, generator=gen)], 1)


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))


class JsVsWasserstein(Experiment):
    """Lesson 3. A step trains D and the critic ``ITERS`` times at the current theta, then estimates."""

    controls = (Control("theta", "θ (distance)", "slider", 1.0, low=-1.0, high=1.0, step=0.02,
                        tip="Drag to move P_θ; both networks keep training at the new θ"),
                Control("sweep", "Sweep θ", "toggle", True, tip="Move θ back and forth by itself"))
    max_steps_per_s = 25.0
    tour_steps = 70  # a sweep from 1 to -0.4 (0.02 a step)

    def __init__(self, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.d, self.critic = _net(), _net()
        self.opt_d = torch.optim.Adam(self.d.parameters(), 1e-3, betas=(0.5, 0.999))
        self.opt_c = torch.optim.Adam(self.critic.parameters(), 1e-3, betas=(0.5, 0.9))
        self.minimax, self.wgan = LOSSES.get("minimax"), LOSSES.get("wgan_gp")
        self.theta, self.sweep, self.direction = 1.0, True, -1.0
        self.estimates: dict[str, dict[int, float]] = {"js": {}, "w1": {}}  # theta bin -> newest estimate

    def set(self, name, value):
        if name == "theta":
            self.theta = float(np.clip(value, *THETA_RANGE))
        elif name == "sweep":
            self.sweep = bool(value)
        else:
            super().set(name, value)

    def values(self):
        return {"theta": self.theta, "sweep": self.sweep}

    def step(self) -> None:
        if self.sweep:
            if not THETA_RANGE[0] < self.theta + self.direction * SWEEP < THETA_RANGE[1]:
                self.direction = -self.direction
            self.theta = round(self.theta + self.direction * SWEEP, 4)
        for _ in range(ITERS):
            self._train()
        js, w1 = self.estimate()
        key = round(self.theta / BIN)
        self.estimates["js"][key], self.estimates["w1"][key] = js, w1
        self.steps += 1

    def _train(self) -> None:
        real, fake = sample_line(BATCH, 0.0, self.gen), sample_line(BATCH, self.theta, self.gen)
        loss = self.minimax.d(self.d(real).view(-1), self.d(fake).view(-1))
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        c = self.critic
        loss = self.wgan.d(c(real).view(-1), c(fake).view(-1)) + gradient_penalty(lambda x, _y: c(x), real, fake, 10.0)
        self.opt_c.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_c.step()

    @torch.no_grad()
    def estimate(self) -> tuple[float, float]:
        """(JS from D's loss, W1 from the critic) on fresh samples at the current theta."""
        real, fake = sample_line(4 * BATCH, 0.0, self.gen), sample_line(4 * BATCH, self.theta, self.gen)
        d_loss = float(self.minimax.d(self.d(real).view(-1), self.d(fake).view(-1)))
        js = max(0.0, (math.log(4) - d_loss) / 2)
        return js, float(self.critic(real).mean() - self.critic(fake).mean())

    def frame(self) -> LessonFrame:
        return LessonFrame(self.steps, {"divergences": self._divergence_plot(), "slice": self._slice_plot()},
                           self._readout(), self.columns, self.values())

    def _divergence_plot(self) -> Plot:
        t = np.linspace(*THETA_RANGE, 201)
        t = np.sort(np.append(t, 0.0))
        closed = [line_divergences(v) for v in t]
        series = {
            "w1": line(t, [c["w1"] for c in closed], colour=SECOND, label="W1 = |θ|"),
            "js": line(t, [c["js"] for c in closed], colour=D_CURVE, label="JS = log 2 (θ ≠ 0)"),
            "kl": line(t, [KL_DRAWN if math.isinf(c["kl"]) else c["kl"] for c in closed], style="dashed",
                       colour=MUTED, width=1, label="KL = ∞ (θ ≠ 0), drawn at the top"),
        }
        for name, colour, label in (("js", D_CURVE, "D's JS estimate"), ("w1", SECOND, "critic's W1 estimate")):
            keys = sorted(self.estimates[name])
            series[f"{name}_est"] = line(np.array(keys) * BIN, [self.estimates[name][k] for k in keys],
                                         style="points", colour=colour, width=6, label=label)
        series["now"] = vertical(self.theta, 0.0, 1.1, colour=OPTIMAL, width=1)
        return Plot("Divergences of P_0 and P_θ against θ", series, "θ", "nats / distance",
                    x_range=THETA_RANGE, y_range=(-0.02, 1.12))

    @torch.no_grad()
    def _slice_plot(self) -> Plot:
        """D and the critic along x (at height 0.5): a step with no slope between the lines vs a ramp."""
        x = np.linspace(-1.2, 1.2, 161)
        pts = torch.tensor(np.stack([x, np.full_like(x, 0.5)], 1), dtype=torch.float32)
        d = torch.sigmoid(self.d(pts)).view(-1).numpy()
        f = self.critic(pts).view(-1).numpy()
        f = (f - f.min()) / max(1e-6, float(f.max() - f.min()))  # scaled to 0..1 for one axis
        series = {"real": vertical(0.0, 0.0, 1.0, colour=REAL, width=4, label="P_0"),
                  "fake": vertical(self.theta, 0.0, 1.0, colour=FAKE, width=4, label="P_θ"),
                  "d": line(x, d, colour=D_CURVE, label="D(x) (probability)"),
                  "critic": line(x, f, colour=SECOND, label="critic f(x), scaled to 0..1")}
        return Plot("D and the critic along x", series, "x", "D(x) / f(x)",
                    x_range=(-1.2, 1.2), y_range=(-0.05, 1.1))

    def _readout(self) -> str:
        key = round(self.theta / BIN)
        js, w1 = self.estimates["js"].get(key, math.nan), self.estimates["w1"].get(key, math.nan)
        exact = line_divergences(self.theta)
        return (f"θ = {self.theta:+.2f} · exact: JS {exact['js']:.3f}, W1 {exact['w1']:.2f}"
                f" · estimated: JS {js:.3f} (D), W1 {w1:.3f} (critic)")

    def measures(self) -> dict[str, float]:
        js, w1 = self.estimate()
        return {"theta": self.theta, "js_estimate": js, "w1_estimate": w1}


def js_vs_wasserstein(seed: int = 0) -> JsVsWasserstein:
    return JsVsWasserstein(seed)
