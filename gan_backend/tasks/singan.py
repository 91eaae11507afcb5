"""SinGAN's training as a Task: the pyramid, coarsest scale first, inside the engine's one loop.

One engine step is one SinGAN iteration at the current scale: ``train.d_steps`` critic updates (3 in the
paper) on fakes drawn through the frozen coarser scales with fresh noise, then ``train.g_steps`` generator
updates, each adversarial plus ``loss.recon_weight`` (alpha, 10) times the MSE of the reconstruction: the
fixed noise ``z_rec`` at the coarsest scale, and no noise above it, must give back the picture. The critic
is WGAN-GP with ``loss.penalty_weight`` (0.1 in the paper), the gradient's norm taken per pixel as in the
paper's code (:func:`patch_gradient_penalty`).

The per-scale schedule lives here, not in the loop. A scale ends after ``train.steps / scales`` iterations,
or when its share of ``train.max_time`` is spent (the time left divided over the scales left, so time a
fast coarse scale does not use goes to the finer ones). Then its generator is frozen, the next scale's
generator starts from its weights (the critic simply goes on), the next scale's noise amplitude is set to
0.1 x the RMSE between the picture and the upsampled reconstruction, and the loop writes a sample grid and
a step checkpoint (``take_milestone``). Everything the schedule needs is in the checkpoint, so a run
stopped mid-pyramid resumes at the iteration it stopped at.
"""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.images import from_uint8, make_grid, to_uint8
from gan_backend.losses import LOSSES
from gan_backend.models import MODELS, ModelSpec
from gan_backend.models.singan import upsample
from gan_backend.tasks.base import TASKS, Task

NOISE_WEIGHT = 0.1  # a scale's noise amplitude is this times the RMSE its coarser scales leave (the paper's)
LR_DROP_AT = 0.8  # each scale's learning rates drop 10x after this share of it (the paper: 1600 of 2000)
SAMPLE_SEED = 4099  # the sample grid's noise: the same every time, so grids compare across steps
SAMPLES = 4  # random samples in a grid, beside the picture and its reconstruction
REC_SEED_OFFSET = 104729  # the fixed reconstruction noise comes from seed + this


def scale_pictures(real: torch.Tensor, sizes: list[tuple[int, int]]) -> list[torch.Tensor]:
    """The picture [1, C, H, W] in -1..1 at every scale's size (antialiased bicubic, as imresize)."""
    return [F.interpolate(real, size=s, mode="bicubic", antialias=True, align_corners=False).clamp(-1, 1)
            if tuple(s) != tuple(real.shape[-2:]) else real for s in sizes]


def patch_gradient_penalty(D, real: torch.Tensor, fake: torch.Tensor, weight: float) -> torch.Tensor:
    """SinGAN's WGAN-GP: (||grad||_2 - 1)^2 with the norm over the channels of each pixel, not the whole picture.

    The critic is a map of patch scores; a norm over the whole picture would hold the sum of hundreds of patch
    critics to slope 1, leaving each nearly flat (critic gaps of ~0.01 and a generator that learns nothing).
    """
    eps = torch.rand((), device=real.device)
    x = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return weight * ((grad.norm(2, dim=1) - 1) ** 2).mean()


@TASKS.register("singan")
class SinGANTask(Task):
    loss_names = ("loss_d", "loss_g", "loss_g_gan", "loss_g_rec")
    owns_time_budget = True  # train.max_time is divided over the scales; the loop does not cut the run short

    def __init__(self, cfg, data, device, rank=0, world=1):
        super().__init__(cfg, data, device, rank, world)
        if world > 1:
            raise ValueError("singan trains one picture in one process; run it without torchrun / --nproc")
        if data.kind != "picture" or len(data) != 1:
            raise ValueError(f"singan learns from one picture: use the dataset picture:PATH "
                             f"(dataset {data.name!r} is {len(data)} {data.kind} items)")
        self.notices += data.report.notes  # e.g. a large picture downscaled to the maximum side
        self.loss = LOSSES.get("wgan_gp")  # the method's own loss: the critic's outputs read as critic values
        self.net, self.D = MODELS.get(cfg.model.name)(ModelSpec.from_config(cfg.model, data.kind, data.image_shape))
        self.net.to(device), self.D.to(device)
        real = from_uint8(torch.from_numpy(np.array(data.x[:1])).to(device))
        self.net.real.copy_(real)
        self.reals = scale_pictures(real, self.net.sizes)
        gen = torch.Generator().manual_seed(cfg.train.seed + REC_SEED_OFFSET)
        self.net.z_rec.copy_(self.net.noise(0, self.net.sizes[0], gen))
        self.scale, self.iters, self.seconds, self.spent, self.lr_dropped = 0, 0, 0.0, 0.0, False
        self.finished = False
        self._milestone = False
        self.recs: list[torch.Tensor] = []  # each finished scale's reconstruction (no grad)
        self._enter_scale(0, carry_weights=False)

    # --- the schedule ---
    @property
    def scales(self) -> int:
        return self.net.scales

    def iters_per_scale(self) -> int:
        return max(1, self.cfg.train.steps // self.scales)

    def seconds_for_scale(self) -> float:
        """This scale's share of train.max_time (0 = no time limit)."""
        budget = self.cfg.train.max_time
        return max(0.0, budget - self.spent) / (self.scales - self.scale) if budget > 0 else 0.0

    def scale_fraction(self) -> float:
        """How far the current scale is, 0..1, by iterations or by time, whichever is further."""
        done = self.iters / self.iters_per_scale()
        limit = self.seconds_for_scale()
        return min(1.0, max(done, self.seconds / limit if limit > 0 else 0.0))

    def schedule_done(self) -> bool:
        return self.finished

    def take_milestone(self) -> bool:
        """True once after each scale ends: the loop then writes a sample grid and a step checkpoint."""
        hit, self._milestone = self._milestone, False
        return hit

    def _enter_scale(self, n: int, carry_weights: bool = True) -> None:
        """Freeze the scales below n, start scale n from scale n-1's weights, set its noise amplitude."""
        self.scale = n
        for k, g in enumerate(self.net.gens):
            g.train(k == n).requires_grad_(k == n)
        if carry_weights and n > 0:
            self.net.gens[n].load_state_dict(self.net.gens[n - 1].state_dict())
        with torch.no_grad():
            if n == 0:
                self.net.amps[0] = 1.0
            else:
                rmse = torch.sqrt(F.mse_loss(self.reals[n], self.rec_prev(n)))
                self.net.amps[n] = NOISE_WEIGHT * rmse
        t = self.cfg.train
        self.opt_g = torch.optim.Adam(self.net.gens[n].parameters(), lr=t.lr_g, betas=(t.beta1, t.beta2))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=t.lr_d, betas=(t.beta1, t.beta2))

    def _finish_scale(self) -> None:
        n = self.scale
        self.net.gens[n].eval().requires_grad_(False)
        with torch.no_grad():
            self.recs.append(self.reconstruct(n))
        self.spent += self.seconds
        self.iters, self.seconds, self.lr_dropped = 0, 0.0, False
        self._milestone = True
        if n + 1 < self.scales:
            self._enter_scale(n + 1)
        else:
            self.finished = True

    def rec_prev(self, n: int) -> torch.Tensor:
        """Scale n's reconstruction input: the finished scale below, upsampled (zeros at the coarsest)."""
        if n == 0:
            return torch.zeros_like(self.reals[0])
        return upsample(self.recs[n - 1], self.net.sizes[n])

    def reconstruct(self, n: int) -> torch.Tensor:
        prev = self.rec_prev(n)
        return self.net.step(n, prev, self.net.z_rec if n == 0 else None)

    @torch.no_grad()
    def random_prev(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Scale n's input when drawing anew: the frozen scales below with fresh noise, upsampled."""
        if n == 0:
            return torch.zeros_like(self.reals[0])
        noises = [self.net.noise(k, self.net.sizes[k], generator) for k in range(n)]
        return upsample(self.net(noises, last=n - 1), self.net.sizes[n])

    # --- Task ---
    def modules(self):
        return {"G": self.net, "D": self.D}

    def optimizers(self):
        return {"G": self.opt_g, "D": self.opt_d}

    def train_step(self, next_batch, d_steps: int, g_steps: int, measure: bool):
        started = time.perf_counter()
        n = self.scale
        if not self.lr_dropped and self.scale_fraction() >= LR_DROP_AT:
            for opt in (self.opt_g, self.opt_d):
                for group in opt.param_groups:
                    group["lr"] *= 0.1
            self.lr_dropped = True
        real, G, D = self.reals[n], self.net.gens[n], self.D
        weight = self.cfg.loss.penalty_weight
        for j in range(d_steps):
            prev = self.random_prev(n)
            with torch.no_grad():
                fake = self.net.step(n, prev, self.net.noise(n, self.net.sizes[n]))
            d_real, d_fake = D(real).mean(), D(fake).mean()
            penalty = patch_gradient_penalty(D, real, fake, weight)
            loss_d = d_fake - d_real + penalty
            norm = self.optimise(loss_d, self.opt_d, D.parameters(), measure and j == d_steps - 1)
            stats = {"loss_d": loss_d.detach(), "d_real": d_real.detach(), "d_fake": d_fake.detach(),
                     "penalty": penalty.detach()}
            yield stats if norm is None else {**stats, "grad_norm_d": norm}
        D.requires_grad_(False)
        try:
            for j in range(g_steps):
                fake = self.net.step(n, prev, self.net.noise(n, self.net.sizes[n]))
                gan = -D(fake).mean()
                rec = F.mse_loss(self.reconstruct(n), real)
                loss_g = gan + self.cfg.loss.recon_weight * rec
                norm = self.optimise(loss_g, self.opt_g, G.parameters(), measure and j == g_steps - 1)
                stats = {"loss_g": loss_g.detach(), "loss_g_gan": gan.detach(), "loss_g_rec": rec.detach()}
                yield stats if norm is None else {**stats, "grad_norm_g": norm}
        finally:
            D.requires_grad_(True)
        self.iters += 1
        self.seconds += time.perf_counter() - started
        done = self.scale_fraction()
        yield {"scale_progress": torch.tensor(n + done), "scales": torch.tensor(float(self.scales))}
        if done >= 1.0:
            self._finish_scale()

    @torch.no_grad()
    def sample_picture(self) -> np.ndarray:
        """The picture, its reconstruction and SAMPLES random draws at the current scale (the finished top
        scale once the run is done), each shown at the picture's full size: [H', W', 3] uint8."""
        n = min(self.scale, self.scales - 1) if not self.finished else self.scales - 1
        was_training = self.net.gens[n].training
        self.net.gens[n].eval()
        gen = torch.Generator().manual_seed(SAMPLE_SEED)
        tiles = [self.reals[n], self.reconstruct(n) if n >= len(self.recs) else self.recs[n]]
        for _ in range(SAMPLES):
            tiles.append(self.net.step(n, self.random_prev(n, gen), self.net.noise(n, self.net.sizes[n], gen)))
        self.net.gens[n].train(was_training)
        full = self.net.sizes[-1]
        shown = torch.cat([F.interpolate(t.clamp(-1, 1), size=full, mode="nearest") for t in tiles])
        return make_grid(to_uint8(shown), ncols=3)

    # --- checkpoints ---
    def state_dict(self):
        return {**super().state_dict(), "singan": {
            "scale": self.scale, "iters": self.iters, "seconds": self.seconds, "spent": self.spent,
            "lr_dropped": self.lr_dropped, "finished": self.finished}}

    def load_state_dict(self, state):
        s = state["singan"]
        self.net.load_state_dict(state["modules"]["G"])  # the frozen scales, before their reconstructions
        self.recs = []
        for k in range(s["scale"]):
            self.net.gens[k].eval().requires_grad_(False)
            with torch.no_grad():
                self.recs.append(self.reconstruct(k))
        self._enter_scale(s["scale"], carry_weights=False)
        super().load_state_dict(state)  # weights (amps included), then this scale's optimizers
        self.iters, self.seconds, self.spent = int(s["iters"]), float(s["seconds"]), float(s["spent"])
        self.lr_dropped, self.finished = bool(s["lr_dropped"]), bool(s["finished"])
        if self.finished:
            self.net.gens[-1].eval().requires_grad_(False)
            with torch.no_grad():
                self.recs.append(self.reconstruct(self.scales - 1))
