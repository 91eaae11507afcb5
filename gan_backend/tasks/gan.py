"""Unconditional and class-conditional GANs: the tasks behind mlp, dcgan, cdcgan and sngan."""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn

from gan_backend.augment import DiscriminatorAugment
from gan_backend.images import make_grid, points_picture, to_uint8
from gan_backend.losses import LOSSES, PENALTIES, report_value
from gan_backend.models import MODELS, ModelSpec
from gan_backend.tasks.base import TASKS, Task

FIXED_SEED_OFFSET = 7919  # fixed-noise latents come from seed + this, never from the training RNG


@TASKS.register("unconditional")
class GanTask(Task):
    """z -> G -> D, one loss from the registry plus an optional penalty; EMA of G for samples."""

    conditional = False

    def __init__(self, cfg, data, device, rank=0, world=1):
        super().__init__(cfg, data, device, rank, world)
        self.loss = LOSSES.get(cfg.loss.name)
        self.penalty = PENALTIES.get(cfg.loss.penalty if cfg.loss.penalty != "none" else self.loss.default_penalty)
        self.G, self.D = MODELS.get(cfg.model.name)(self.model_spec())
        self.G.to(device), self.D.to(device)
        if cfg.train.channels_last and data.kind == "image":
            self.G.to(memory_format=torch.channels_last), self.D.to(memory_format=torch.channels_last)
        self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        self.G_run, self.D_run = self.distribute(self.G), self.distribute(self.D)  # DDP-wrapped when world > 1
        t = cfg.train
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=t.lr_g, betas=(t.beta1, t.beta2))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=t.lr_d, betas=(t.beta1, t.beta2))
        self.ema_updates = 0
        self._fakes = None  # (G(z) with its graph, labels) from the last D step, for the G step
        # What D sees (train.augment): drawn for the global batch like the noise; ADA's r_t averaged over ranks.
        self.augment = DiscriminatorAugment(t, data, device, rank, world, reduce=self.rank_mean)
        self.notices += self.augment.notices
        self.fixed_z, self.fixed_y = self.make_inputs(cfg.run.grid_size if data.kind == "image" else 2000,
                                                      seed=cfg.train.seed + FIXED_SEED_OFFSET)

    # --- construction helpers ---
    def model_spec(self) -> ModelSpec:
        return ModelSpec.from_config(self.cfg.model, self.data.kind, self.data.image_shape,
                                     self.data.num_classes if self.conditional else 0)

    def modules(self):
        return {"G": self.G, "D": self.D, "G_ema": self.G_ema}

    def optimizers(self):
        return {"G": self.opt_g, "D": self.opt_d}

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.ema_updates = int(state.get("ema_updates", 0))
        if "augment" in state:  # ADA's p, exactly; checkpoints written before augmentation have none
            self.augment.load_state_dict(state["augment"])

    # --- inputs ---
    def make_inputs(self, n: int, seed: int | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n latents (and labels for conditional tasks); from a private generator when ``seed`` is given."""
        if seed is not None:  # a private CPU generator keeps fixed noise device- and world-independent
            gen = torch.Generator().manual_seed(seed)
            z = sample_latent(n, self.cfg.model.latent_dim, self.cfg.model.latent_prior, gen)
            y = torch.arange(n) % self.data.num_classes if self.conditional else None
            return z.to(self.device), (y.to(self.device) if y is not None else None)
        # Draw for the global batch and keep this rank's rows: N processes see what one process would.
        total = n * self.world
        z = self.shard(sample_latent(total, self.cfg.model.latent_dim, self.cfg.model.latent_prior, None, self.device))
        y = self.shard(torch.randint(self.data.num_classes, (total,), device=self.device)) if self.conditional else None
        return z, y

    def labels(self, batch):
        return batch.get("y") if self.conditional else None

    def d_input(self, x: torch.Tensor) -> torch.Tensor:
        """Instance noise (annealed to 0 over the run) on what D sees."""
        sigma = self.cfg.train.instance_noise * max(0.0, 1.0 - self.progress)
        return x + sigma * torch.randn_like(x) if sigma > 0 else x

    def targets(self, n: int):
        """Real/fake targets with one-sided label smoothing and noisy flips (sigmoid-type losses only)."""
        t = self.cfg.train
        if not self.loss.uses_targets or (t.label_smoothing == 0 and t.label_flip == 0):
            return {}
        real = torch.full((n,), 1.0 - t.label_smoothing, device=self.device)
        fake = torch.zeros(n, device=self.device)
        if t.label_flip > 0:
            flip = torch.rand(n, device=self.device) < t.label_flip
            real, fake = torch.where(flip, fake, real), torch.where(flip, real, fake)
        return {"real_target": real, "fake_target": fake}

    # --- steps ---
    def d_step(self, batch, measure, keep_fakes=True):
        x, y = batch["x"], self.labels(batch)
        z, y_fake = self.make_inputs(x.shape[0])
        y_fake = y if y is not None else y_fake
        with self.autocast():
            if keep_fakes:
                # Keep G's graph: the G step that follows reuses these fakes, as the classic DCGAN loop
                # does, which saves one G forward per step.
                fake = self.G_run(z, y_fake)
                self._fakes = (fake, y_fake)
            else:
                with torch.no_grad():
                    fake = self.G(z, y_fake)
            x_aug, fake_aug = self.augment.each(x, fake.detach())  # transforms of their own, in one pass
            x_in, fake_in = self.d_input(x_aug), self.d_input(fake_aug)
            r, recon = self.real_scores(x_in, y)  # recon: None unless D has a self-supervised term (fastgan)
            f = self.D_run(fake_in, y_fake)
            loss = self.loss.d(r.float(), f.float(), **self.targets(x.shape[0]))
        # The penalty's double backward goes through the bare D: DDP does not support create_graph, and
        # its gradient hooks still fire once per parameter in the backward below.
        penalty = self.penalty(self.D, x_in, fake_in, self.cfg.loss.penalty_weight, y)
        aux = recon.float() if recon is not None else 0.0
        norm = self.optimise(loss + penalty + aux, self.opt_d, self.D.parameters(), measure)
        if self.loss.clip_weights:
            clip_weights(self.D, self.cfg.loss.clip_value)
        out = {"loss_d": loss.detach() + penalty.detach(), "penalty": penalty.detach(),
               "d_real": report_value(self.loss, r), "d_fake": report_value(self.loss, f),
               **self.augment.observe(r)}  # aug_p, aug_rt under ada
        if recon is not None:
            out["loss_d_recon"] = recon.detach()  # logged on its own, not inside loss_d
        if norm is not None:
            out["grad_norm_d"] = norm
        return out

    def real_scores(self, x_in: torch.Tensor, y: torch.Tensor | None):
        """D's raw scores [B] on reals, and D's optional self-supervised loss on them (None for most models).

        A D with ``has_real_aux_loss = True`` (fastgan's reconstruction decoder) takes ``aux=True`` and returns
        ``(scores, loss)``; d_step adds the loss to D's and logs it as ``loss_d_recon``.
        """
        if getattr(self.D, "has_real_aux_loss", False):
            return self.D_run(x_in, y, aux=True)
        return self.D_run(x_in, y), None

    def g_step(self, batch, measure):
        x, y = batch["x"], self.labels(batch)
        fake, y_fake = self._fakes if self._fakes is not None else self.generate_for_g(x.shape[0], y)
        self._fakes = None  # a second G step in a row needs fresh fakes from the updated G
        # D's weights get no gradient here: G only needs dD/dx, which also keeps D out of DDP's sync.
        self.D.requires_grad_(False)
        try:
            with self.autocast():
                f = self.D(self.d_input(self.augment(fake)), y_fake)
                # Relativistic losses compare with D(x); the others ignore it, so skip that forward.
                r = self.D(self.d_input(self.augment(x)), y) if self.loss.relativistic else f
                loss = self.loss.g(r.float(), f.float())
        finally:
            self.D.requires_grad_(True)
        norm = self.optimise(loss, self.opt_g, self.G.parameters(), measure)
        self.update_ema()
        out = {"loss_g": loss.detach()}
        if norm is not None:
            out["grad_norm_g"] = norm
        return out

    def generate_for_g(self, n: int, y: torch.Tensor | None):
        z, y_fake = self.make_inputs(n)
        y_fake = y if y is not None else y_fake
        with self.autocast():
            return self.G_run(z, y_fake), y_fake

    @torch.no_grad()
    def update_ema(self) -> None:
        decay = self.cfg.train.ema
        self.ema_updates += 1
        if decay <= 0:
            return  # no averaging: G_ema is synced from G when it is used (see ema_generator)
        # Warm-up: early on, follow G closely; the average only starts to matter once G is decent.
        beta = min(decay, (1 + self.ema_updates) / (10 + self.ema_updates)) if decay > 0 else 0.0
        g_params, e_params = list(self.G.parameters()), list(self.G_ema.parameters())
        torch._foreach_lerp_(e_params, g_params, 1.0 - beta)
        for b_ema, b in zip(self.G_ema.buffers(), self.G.buffers()):
            b_ema.copy_(b)

    # --- samples ---
    def ema_generator(self) -> nn.Module:
        """G_ema, or with ``train.ema == 0`` a plain copy of G's current weights."""
        if self.cfg.train.ema <= 0:
            self.G_ema.load_state_dict(self.G.state_dict())
        return self.G_ema

    def state_dict(self):
        self.ema_generator()
        return {**super().state_dict(), "ema_updates": self.ema_updates, "augment": self.augment.state_dict()}

    @torch.no_grad()
    def generate(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """G_ema in eval mode: images [B, C, H, W] in -1..1 or points [B, 2]."""
        with self.autocast():
            return self.ema_generator()(z, y).float()

    def sample_picture(self) -> np.ndarray:
        out = self.generate(self.fixed_z, self.fixed_y)
        if self.data.kind == "points":
            real = self.data.x[:: max(1, len(self.data.x) // 2000)]
            return points_picture(out.cpu().numpy(), real)
        return make_grid(to_uint8(out))


@TASKS.register("conditional")
class ConditionalGanTask(GanTask):
    """Class-conditional: G and D both see the label; fixed samples cycle through the classes."""

    conditional = True

    def __init__(self, cfg, data, device, rank=0, world=1):
        if data.num_classes == 0:
            raise ValueError(f"model {cfg.model.name!r} is class-conditional but dataset {data.name!r} has no labels; "
                             f"pick an unconditional model (dcgan, sngan, mlp) or a labelled dataset")
        super().__init__(cfg, data, device, rank, world)


def sample_latent(n: int, dim: int, prior: str, generator: torch.Generator | None = None,
                  device: torch.device | str = "cpu") -> torch.Tensor:
    """z [n, dim] from the prior: "normal" N(0, I) or "uniform" U[-1, 1]."""
    if prior == "uniform":
        return torch.rand(n, dim, generator=generator, device=device) * 2 - 1
    if prior != "normal":
        raise ValueError(f"model.latent_prior must be 'normal' or 'uniform', got {prior!r}")
    return torch.randn(n, dim, generator=generator, device=device)


@torch.no_grad()
def clip_weights(module: nn.Module, c: float) -> None:
    for p in module.parameters():
        p.clamp_(-c, c)
