"""Lesson 1, learning to sample (Goodfellow et al. 2014, Fig. 1): a GAN on 1-D data, drawn as in the paper.

The data is a mixture of two Gaussians. G maps a 1-D z ~ N(0, 1) to x; the page draws the data's density,
G's density (z's density pushed through G, exactly), D's curve, the z -> x mapping as lines, and the optimal
discriminator for the two densities, D*(x) = p_data(x) / (p_data(x) + p_g(x)). With G frozen, D climbs to D*.
:class:`OneDGan` is the plain 1-D GAN; the saturation lesson runs two of them.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn

from gan_backend.lessons.frames import (D_CURVE, FAKE, MUTED, OPTIMAL, REAL, SPEED, Control, Experiment, LessonFrame,
                                        Plot, Series, line)
from gan_backend.losses import LOSSES

MIXTURE = ((-1.5, 0.45, 0.5), (1.5, 0.55, 0.5))  # (mean, std, weight) of the data's Gaussians
X_RANGE = (-4.0, 4.0)
GRID = 241  # points where the curves are drawn
Z_CELLS = 4000  # z-grid cells over [-6, 6] pushed through G for its drawn density
SUPPORT = 0.05  # the data's support: where p_data is at least this share of its peak (98.6% of its mass)
MAPPING_LINES = 32  # z -> x lines drawn
Z_LEVEL, X_LEVEL = -0.45, -0.06  # heights of the z line and of the x line under the densities
GAP_CELLS = 20_000  # z-grid cells behind the measured optimal-D gap
DEFAULT_D_STEPS = 2000  # the lesson's default training of D alone, after which D is within 0.1 of D*


def bin_edges() -> np.ndarray:
    return np.linspace(*X_RANGE, GRID + 1)


def centres(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def mixture_pdf(x: np.ndarray, mixture=MIXTURE) -> np.ndarray:
    """The data's density at ``x`` (any shape)."""
    x = np.asarray(x, np.float64)
    return sum(w * np.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi)) for m, s, w in mixture)


def sample_mixture(n: int, gen: torch.Generator, mixture=MIXTURE) -> torch.Tensor:
    """float [n, 1] samples of the mixture."""
    weights = torch.tensor([w for _, _, w in mixture])
    which = torch.multinomial(weights, n, replacement=True, generator=gen)
    means, stds = torch.tensor([m for m, _, _ in mixture]), torch.tensor([s for _, s, _ in mixture])
    return (means[which] + stds[which] * torch.randn(n, generator=gen))[:, None]


def pushforward_density(z: np.ndarray, x_of_z: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The density of x = G(z), z ~ N(0, 1), on the bins between ``edges``, exactly for G linear between the
    grid points ``z`` (ascending): each z-cell's probability is spread evenly over the x-interval it maps to,
    so folds (several z giving one x) add up as the change of variables says."""
    cdf_z = 0.5 * (1 + torch.erf(torch.as_tensor(z, dtype=torch.float64) / math.sqrt(2)).numpy())
    mass = np.diff(cdf_z)  # [M] probability of each z-cell
    lo, hi = np.minimum(x_of_z[:-1], x_of_z[1:]), np.maximum(x_of_z[:-1], x_of_z[1:])
    width = np.maximum(hi - lo, 1e-12)
    cdf_x = np.array([(mass * np.clip((e - lo) / width, 0.0, 1.0)).sum() for e in edges])
    return np.diff(cdf_x) / np.diff(edges)


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g) (Goodfellow et al., Prop. 1); 0.5 where both densities vanish."""
    total = p_data + p_g
    return np.where(total > 1e-300, p_data / np.maximum(total, 1e-300), 0.5)


def _mlp(width: int, act: type[nn.Module]) -> nn.Sequential:
    return nn.Sequential(nn.Linear(1, width), act(), nn.Linear(width, width), act(), nn.Linear(width, 1))


class Generator1D(nn.Module):
    """x = scale * z + shift + MLP(z): starts near an affine map of z (small last layer), learns the rest."""

    def __init__(self, width: int, scale: float, shift: float):
        super().__init__()
        self.net, self.scale, self.shift = _mlp(width, nn.Tanh), scale, shift
        with torch.no_grad():
            self.net[-1].weight.mul_(0.1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.scale * z + self.shift + self.net(z)


class OneDGan:
    """A 1-D GAN stepped one D or G update at a time; data drawn fresh from the mixture each step."""

    def __init__(self, loss: str = "nonsaturating", seed: int = 0, g_scale: float = 1.0, g_shift: float = 0.0,
                 lr_d: float = 3e-3, lr_g: float = 1e-3, batch: int = 512, width: int = 32, g_optimizer: str = "adam"):
        torch.manual_seed(seed)
        self.gen = torch.Generator().manual_seed(seed + 1)
        self.loss, self.batch = LOSSES.get(loss), batch
        self.G, self.D = Generator1D(width, g_scale, g_shift), _mlp(width, nn.Tanh)
        self.use_g_optimizer(g_optimizer, lr_g)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr_d, betas=(0.5, 0.999))
        self.view_z = torch.randn(2000, 1, generator=torch.Generator().manual_seed(seed + 2))
        self.count_d = self.count_g = 0

    def use_g_optimizer(self, name: str, lr: float) -> None:
        """"adam", or "sgd" (a step in proportion to the gradient, which shows a saturated loss as a stuck G)."""
        if name not in ("adam", "sgd"):
            raise ValueError(f"G's optimiser {name!r}: choose adam or sgd")
        self.opt_g = (torch.optim.Adam(self.G.parameters(), lr, betas=(0.5, 0.999)) if name == "adam"
                      else torch.optim.SGD(self.G.parameters(), lr))

    def step_d(self) -> float:
        real = sample_mixture(self.batch, self.gen)
        with torch.no_grad():
            fake = self.G(torch.randn(self.batch, 1, generator=self.gen))
        loss = self.loss.d(self.D(real).view(-1), self.D(fake).view(-1))
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        self.count_d += 1
        return float(loss.detach())

    def step_g(self) -> float:
        """One G update; returns the norm of G's gradient (what saturates under minimax)."""
        fake = self.G(torch.randn(self.batch, 1, generator=self.gen))
        self.D.requires_grad_(False)
        try:
            loss = self.loss.g(None, self.D(fake).view(-1))
        finally:
            self.D.requires_grad_(True)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        norm = float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in self.G.parameters()])))
        self.opt_g.step()
        self.count_g += 1
        return norm

    @torch.no_grad()
    def d_of(self, x: np.ndarray) -> np.ndarray:
        """D(x) as a probability at ``x`` [N]."""
        return torch.sigmoid(self.D(torch.as_tensor(x, dtype=torch.float32)[:, None])).view(-1).double().numpy()

    @torch.no_grad()
    def samples(self, z: torch.Tensor | None = None) -> np.ndarray:
        return self.G(self.view_z if z is None else z).view(-1).double().numpy()

    def density(self, edges: np.ndarray, cells: int = Z_CELLS) -> np.ndarray:
        """p_g on the bins between ``edges``: N(0, 1) pushed through G on a grid of ``cells`` z-cells over [-6, 6]."""
        z = np.linspace(-6.0, 6.0, cells + 1)
        return pushforward_density(z, self.samples(torch.as_tensor(z, dtype=torch.float32)[:, None]), edges)

    def optimal_d_gap(self, cells: int = GAP_CELLS) -> float:
        """max |D(x) - D*(x)| over the data's support (bin centres), p_g from ``cells`` z-cells."""
        edges = bin_edges()
        x = centres(edges)
        p_data = mixture_pdf(x)
        gap = np.abs(self.d_of(x) - optimal_discriminator(p_data, self.density(edges, cells)))
        return float(gap[p_data >= SUPPORT * p_data.max()].max())


MODES = (("both", "D and G"), ("d", "D only (G frozen)"), ("g", "G only (D frozen)"))


class LearningToSample(Experiment):
    """Lesson 1. A step is a round: ``d_steps`` D updates then one G update, or one update of the network trained."""

    controls = (Control("mode", "Train", "choice", "both", MODES,
                        tip="Freeze G to watch D climb to the optimal D*; freeze D to watch G chase it"),
                Control("d_steps", "D steps/round", "int", 1, low=1, high=10, step=1),
                SPEED)
    columns = 1
    max_steps_per_s = 60.0
    tour_steps = 300

    def __init__(self, seed: int = 0):
        super().__init__()
        self.gan = OneDGan(seed=seed)
        self.mode, self.d_steps = "both", 1
        self.edges = bin_edges()
        self.x = centres(self.edges)
        self.p_data = mixture_pdf(self.x)
        quantiles = (torch.arange(MAPPING_LINES) + 0.5) / MAPPING_LINES
        self.line_z = (math.sqrt(2) * torch.erfinv(2 * quantiles - 1))[:, None]  # evenly spread N(0, 1) quantiles

    def set(self, name, value):
        if name == "mode":
            self.mode = str(value)
        elif name == "d_steps":
            self.d_steps = max(1, int(value))
        else:
            super().set(name, value)

    def values(self):
        return {"mode": self.mode, "d_steps": self.d_steps, "speed": self.max_steps_per_s}

    def step(self) -> None:
        if self.mode in ("both", "d"):
            for _ in range(self.d_steps if self.mode == "both" else 1):
                self.gan.step_d()
        if self.mode in ("both", "g"):
            self.gan.step_g()
        self.steps += 1

    def frame(self) -> LessonFrame:
        p_g = self.gan.density(self.edges)
        d_star = optimal_discriminator(self.p_data, p_g)
        d = self.gan.d_of(self.x)
        z = self.line_z.view(-1).double().numpy()
        xs = self.gan.samples(self.line_z)
        starts, ends = np.stack([z, np.full_like(z, Z_LEVEL)], 1), np.stack([xs, np.full_like(xs, X_LEVEL)], 1)
        mapping = np.stack([starts, ends], 1)  # [lines, 2, 2]: (z, Z_LEVEL) -> (G(z), X_LEVEL)
        support = self.p_data >= SUPPORT * self.p_data.max()
        gap = float(np.abs(d - d_star)[support].max())
        series = {
            "axes": Series(np.array([*X_RANGE, *X_RANGE]), np.array([Z_LEVEL, Z_LEVEL, X_LEVEL, X_LEVEL]),
                           style="segments", colour=MUTED, width=1),
            "mapping": Series(mapping[..., 0].ravel(), mapping[..., 1].ravel(), style="segments", colour=FAKE,
                              width=1, label="z → x = G(z)"),
            "p_data": line(self.x, self.p_data, style="dashed", colour=REAL, label="p_data (data)"),
            "p_g": line(self.x, p_g, colour=FAKE, label="p_g (z's density through G)"),
            "d": line(self.x, d, colour=D_CURVE, label="D(x)"),
            "d_star": line(self.x, d_star, style="dashed", colour=OPTIMAL, width=1.5, label="optimal D*(x)"),
        }
        plot = Plot("Data, G's density and D (lower lines: z mapped to x)", series, "x", "density / D(x)",
                    x_range=X_RANGE, y_range=(Z_LEVEL - 0.1, 1.05))
        readout = (f"D steps {self.gan.count_d:,} · G steps {self.gan.count_g:,} · "
                   f"max |D − D*| over the data {gap:.3f}")
        return LessonFrame(self.steps, {"densities": plot}, readout, self.columns, self.values())

    def measures(self) -> dict[str, float]:
        return {"optimal_d_gap": self.gan.optimal_d_gap()}


def learning_to_sample(seed: int = 0) -> LearningToSample:
    return LearningToSample(seed)

