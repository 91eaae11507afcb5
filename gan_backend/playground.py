"""The 2-D playground's engine: a small GAN on toy2d points that can be stepped one D or G update at a
time, with the pictures that explain it (D over the plane, G's gradient at each fake, the warped latent grid).

Loss and D/G ratio can change between steps; the networks stay. Qt-free: the playground view calls
:meth:`Playground.step` on a worker thread and draws :class:`PlaygroundFrame` copies.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gan_backend.config import Config
from gan_backend.data import open_dataset
from gan_backend.engine.batches import Batcher
from gan_backend.losses import LOSSES, PENALTIES
from gan_backend.tasks.gan import GanTask


@dataclass
class PlaygroundFrame:
    """What the view draws; all arrays are copies owned by the receiver."""

    step_d: int  # D updates so far
    step_g: int  # G updates so far
    real: np.ndarray  # float32 [N, 2]
    fake: np.ndarray  # float32 [N, 2]
    field: np.ndarray  # float32 [res, res]: D's output over the plane (probability or critic), row 0 = bottom
    extent: float  # the plane shown is [-extent, extent]^2
    arrows: np.ndarray  # float32 [N, 2]: -dLoss_G/dx at each fake point (where D pushes the fakes)
    mesh: np.ndarray  # float32 [g, g, 2]: G applied to a g x g grid over the first two latent dims
    output: str  # "probability" or "critic"
    losses: dict[str, float]


class Playground:
    def __init__(self, dataset: str = "toy2d:ring8", loss: str = "nonsaturating", seed: int = 0, batch: int = 256,
                 latent_dim: int = 2, width: int = 64, lr: float = 1e-3):
        cfg = Config()
        cfg.data.dataset, cfg.model.name, cfg.model.latent_dim, cfg.model.width = dataset, "mlp", latent_dim, width
        cfg.loss.name, cfg.train.seed, cfg.train.batch_size, cfg.train.device = loss, seed, batch, "cpu"
        cfg.train.lr_g = cfg.train.lr_d = lr
        cfg.train.ema = 0.0
        torch.manual_seed(seed)
        self.data = open_dataset(dataset, seed=seed, n=8192)
        self.task = GanTask(cfg, self.data, torch.device("cpu"))
        self.batcher = Batcher(self.data, batch, seed, torch.device("cpu"))
        self.cfg, self.d_steps, self.g_steps = cfg, 1, 1
        self.count_d = self.count_g = 0
        self.losses: dict[str, float] = {}
        self.extent = float(np.abs(self.data.x).max() * 1.25)
        self.view_z = torch.randn(1024, latent_dim, generator=torch.Generator().manual_seed(seed + 1))

    # --- live settings ---
    def set_loss(self, name: str, penalty: str = "none") -> None:
        """Swap the loss between steps (e.g. minimax -> wgan_gp) without touching the networks."""
        self.task.loss = LOSSES.get(name)
        self.task.penalty = PENALTIES.get(penalty if penalty != "none" else self.task.loss.default_penalty)
        self.cfg.loss.name = name

    def set_ratio(self, d_steps: int, g_steps: int) -> None:
        self.d_steps, self.g_steps = max(1, int(d_steps)), max(1, int(g_steps))

    # --- stepping ---
    def step_d(self) -> None:
        stats = self.task.d_step(self.batcher.next(), measure=False, keep_fakes=False)
        self.losses["loss_d"] = float(stats["loss_d"])
        self.count_d += 1

    def step_g(self) -> None:
        stats = self.task.g_step(self.batcher.next(), measure=False)
        self.losses["loss_g"] = float(stats["loss_g"])
        self.count_g += 1

    def step(self, n: int = 1) -> None:
        """n rounds of (d_steps D updates, then g_steps G updates)."""
        for _ in range(n):
            for _ in range(self.d_steps):
                self.step_d()
            for _ in range(self.g_steps):
                self.step_g()

    # --- pictures ---
    def frame(self, res: int = 64, points: int = 512, mesh: int = 16) -> PlaygroundFrame:
        task, e = self.task, self.extent
        real = self.data.x[:points]
        with torch.no_grad():
            fake_t = task.G(self.view_z[:points])
            axis = torch.linspace(-e, e, res)
            yy, xx = torch.meshgrid(axis, axis, indexing="ij")
            plane = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
            scores = task.D(plane)
            field = torch.sigmoid(scores) if task.loss.output == "probability" else scores
            grid = torch.zeros(mesh * mesh, self.cfg.model.latent_dim)
            lin = torch.linspace(-2.5, 2.5, mesh)
            gy, gx = torch.meshgrid(lin, lin, indexing="ij")
            grid[:, 0], grid[:, 1 % self.cfg.model.latent_dim] = gx.reshape(-1), gy.reshape(-1)
            warped = task.G(grid).reshape(mesh, mesh, 2)
        arrows = self._g_gradient(fake_t, torch.from_numpy(real))
        return PlaygroundFrame(self.count_d, self.count_g, real.copy(), fake_t.numpy().copy(),
                               field.reshape(res, res).numpy().copy(), e, arrows, warped.numpy().copy(),
                               task.loss.output, dict(self.losses))

    def _g_gradient(self, fake: torch.Tensor, real: torch.Tensor) -> np.ndarray:
        """-dL_G/dx at each fake point: the direction the generator's loss pushes it."""
        x = fake.detach().clone().requires_grad_(True)
        D = self.task.D
        D.requires_grad_(False)
        try:
            loss = self.task.loss.g(D(real), D(x))
            (grad,) = torch.autograd.grad(loss, x)
        finally:
            D.requires_grad_(True)
        return (-grad * len(x)).numpy().copy()  # undo the batch mean so arrows do not shrink with N
