"""Unconditional and class-conditional GANs: the tasks behind mlp, dcgan, cdcgan and sngan."""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn

from gan_backend.augment import DiscriminatorAugment, Pipeline
from gan_backend.images import make_grid, points_picture, to_uint8
from gan_backend.losses import LOSSES, PENALTIES, report_value
from gan_backend.models import MODELS, ModelSpec
from gan_backend.models.inputs import InfoCodes, sample_model_inputs
from gan_backend.tasks.base import TASKS, Task

PATH_LENGTH_EVERY = 4  # lazy path-length regularisation interval (the paper's)
FIXED_SEED_OFFSET = 7919  # fixed-noise latents come from seed + this, never from the training RNG


@TASKS.register("unconditional")
class GanTask(Task):
    """z -> G -> D, one loss from the registry plus an optional penalty; EMA of G for samples."""

    conditional = False
    loss_names = ("loss_d", "loss_g", "loss_info")

    def __init__(self, cfg, data, device, rank=0, world=1):
        super().__init__(cfg, data, device, rank, world)
        self.loss = LOSSES.get(cfg.loss.name)
        penalty = cfg.loss.penalty if cfg.loss.penalty != "none" else self.setting("loss.penalty")
        penalty = penalty if penalty != "none" else self.loss.default_penalty
        self.penalty = PENALTIES.get(penalty)
        # Lazy regularisation (StyleGAN2): R1 every k-th D step at k times the weight, and Adam's rate and betas
        # corrected for the extra steps as the paper's code does.
        self.penalty_every = max(1, int(self.setting("loss.r1_every"))) if penalty == "r1" else 1
        self.penalty_weight = self.setting("loss.penalty_weight")
        if self.penalty_weight == "auto":  # StyleGAN2-ADA's heuristic, at least 0.01 for short runs at small sizes
            self.penalty_weight = max(0.01, 0.0002 * data.image_shape[-1] ** 2 / cfg.train.batch_size)
        self.d_updates = 0
        self.codes = InfoCodes.parse(cfg.model.info_codes)
        self.G, self.D = MODELS.get(cfg.model.name)(self.model_spec())
        if self.codes and getattr(self.D, "q", None) is None:
            raise ValueError(f"model.info_codes: {cfg.model.name} has no Q head for InfoGAN codes; "
                             f"use dcgan or stylegan, or clear model.info_codes")
        self.G.to(device), self.D.to(device)
        if cfg.train.channels_last and data.kind == "image":
            self.G.to(memory_format=torch.channels_last), self.D.to(memory_format=torch.channels_last)
        self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        self.G_run, self.D_run = self.distribute(self.G), self.distribute(self.D)  # DDP-wrapped when world > 1
        t = cfg.train
        betas = (self.setting("train.beta1"), self.setting("train.beta2"))
        ratio = self.penalty_every / (self.penalty_every + 1) if self.penalty_every > 1 else 1.0
        lr_g, lr_d = self.setting("train.lr_g"), self.setting("train.lr_d") * ratio
        if (lr_g, betas) != (t.lr_g, (t.beta1, t.beta2)):
            self.notices.append(f"{cfg.model.name} trains with its paper's Adam settings (lr {lr_g:g}, betas "
                                f"{betas[0]:g}, {betas[1]:g}) since train.lr_g, lr_d, beta1 and beta2 are at their "
                                f"defaults; set any of them to choose your own")
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr_g, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr_d, betas=tuple(b ** ratio for b in betas))
        self.ema_updates = 0
        self._fakes = None  # (G(z) with its graph, labels) from the last D step, for the G step
        # What D sees (train.augment): drawn for the global batch like the noise; ADA's r_t averaged over ranks.
        self.augment = DiscriminatorAugment(t, data, device, rank, world, reduce=self.rank_mean)
        self.info_augment = self._info_pipeline(cfg.loss.info_augment, rank, world)
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
        self.d_updates = int(state.get("d_updates", 0))
        if "augment" in state:  # ADA's p, exactly; checkpoints written before augmentation have none
            self.augment.load_state_dict(state["augment"])

    # --- inputs ---
    def make_inputs(self, n: int, seed: int | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n latents (with the run's InfoGAN codes at their end), and labels for conditional tasks; from a private
        generator when ``seed`` is given."""
        if seed is not None:  # a private CPU generator keeps fixed noise device- and world-independent
            gen = torch.Generator().manual_seed(seed)
            z = sample_model_inputs(n, self.cfg.model, gen)
            y = torch.arange(n) % self.data.num_classes if self.conditional else None
            return z.to(self.device), (y.to(self.device) if y is not None else None)
        # Draw for the global batch and keep this rank's rows: N processes see what one process would.
        total = n * self.world
        z = self.shard(sample_model_inputs(total, self.cfg.model, None, self.device))
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
                self._fakes = (fake, y_fake, z)
            else:
                with torch.no_grad():
                    fake = self.G(z, y_fake)
            x_aug, fake_aug = self.augment.each(x, fake.detach())  # transforms of their own, in one pass
            x_in, fake_in = self.d_input(x_aug), self.d_input(fake_aug)
            r, recon = self.real_scores(x_in, y)  # recon: None unless D has a self-supervised term (fastgan)
            f, info = self.fake_scores(fake_in, y_fake, z, self.D_run)  # info: InfoGAN's Q loss, None without codes
            loss = self.loss.d(r.float(), f.float(), **self.targets(x.shape[0]))
        # The penalty's double backward goes through the bare D: DDP does not support create_graph, and
        # its gradient hooks still fire once per parameter in the backward below. Lazy: every k-th step, k times.
        self.d_updates += 1
        if self.d_updates % self.penalty_every == 0:
            penalty = self.penalty(self.D, x_in, fake_in, self.penalty_weight * self.penalty_every, y)
        else:
            penalty = loss.new_zeros(())
        aux = recon.float() if recon is not None else 0.0
        aux = aux + (self.cfg.loss.info_weight * info if info is not None else 0.0)
        norm = self.optimise(loss + penalty + aux, self.opt_d, self.D.parameters(), measure)
        if self.loss.clip_weights:
            clip_weights(self.D, self.cfg.loss.clip_value)
        out = {"loss_d": loss.detach() + penalty.detach(), "penalty": penalty.detach(),
               "d_real": report_value(self.loss, r), "d_fake": report_value(self.loss, f),
               **self.augment.observe(r)}  # aug_p, aug_rt under ada
        if recon is not None:
            out["loss_d_recon"] = recon.detach()  # logged on its own, not inside loss_d
        if info is not None:
            out["loss_info"] = info.detach()
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

    def fake_scores(self, fake_in: torch.Tensor, y: torch.Tensor | None, z: torch.Tensor, d_fn):
        """D's raw scores [B] on fakes, and with InfoGAN codes (at the end of z) Q's loss on reading them back:
        from the fakes as they are, or under ``loss.info_augment`` from transformed copies, in the same pass."""
        if not self.codes:
            return d_fn(fake_in, y), None
        if self.info_augment is None:
            f, q = d_fn(fake_in, y, info=True)
        else:
            moved = self.info_augment([fake_in])[0][0]
            f, q = d_fn(torch.cat([fake_in, moved]), None if y is None else torch.cat([y, y]), info=True)
            f, q = f[:len(fake_in)], q[len(fake_in):]
        return f, self.codes.loss(q.float(), z[:, self.cfg.model.latent_dim:].float())

    def _info_pipeline(self, policy: str, rank: int, world: int) -> Pipeline | None:
        """``loss.info_augment``'s ops (None without codes or ops); a ValueError naming the field otherwise."""
        if not self.codes or not policy.strip():
            return None
        try:
            return Pipeline(policy, rank, world)
        except KeyError as exc:
            raise ValueError(f"loss.info_augment: {exc.args[0]}") from None

    def g_step(self, batch, measure):
        x, y = batch["x"], self.labels(batch)
        fake, y_fake, z = self._fakes if self._fakes is not None else self.generate_for_g(x.shape[0], y)
        self._fakes = None  # a second G step in a row needs fresh fakes from the updated G
        # D's weights get no gradient here: G only needs dD/dx, which also keeps D out of DDP's sync.
        self.D.requires_grad_(False)
        try:
            with self.autocast():
                f, info = self.fake_scores(self.d_input(self.augment(fake)), y_fake, z, self.D)
                # Relativistic losses compare with D(x); the others ignore it, so skip that forward.
                r = self.D(self.d_input(self.augment(x)), y) if self.loss.relativistic else f
                loss = self.loss.g(r.float(), f.float())
            total = loss + (self.cfg.loss.info_weight * info if info is not None else 0.0)
            total = total + self.path_length_term(x.shape[0])
        finally:
            self.D.requires_grad_(True)
        norm = self.optimise(total, self.opt_g, self.G.parameters(), measure)
        self.update_ema()
        out = {"loss_g": loss.detach()}
        if info is not None:
            out["loss_info"] = info.detach()
        if norm is not None:
            out["grad_norm_g"] = norm
        return out

    def generate_for_g(self, n: int, y: torch.Tensor | None):
        z, y_fake = self.make_inputs(n)
        y_fake = y if y is not None else y_fake
        with self.autocast():
            return self.G_run(z, y_fake), y_fake, z

    def path_length_term(self, n: int) -> torch.Tensor | float:
        """StyleGAN2's path-length regularisation on half a batch every 4th G step (x4), when ``loss.path_length``
        is set and G is style-based; 0 otherwise."""
        weight = self.cfg.loss.path_length
        if weight <= 0 or not hasattr(self.G, "path_length") or self.ema_updates % PATH_LENGTH_EVERY:
            return 0.0
        z, y_half = self.make_inputs(max(1, n // 2))
        return weight * PATH_LENGTH_EVERY * self.G.path_length(z, y_half)

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
        return {**super().state_dict(), "ema_updates": self.ema_updates, "d_updates": self.d_updates,
                "augment": self.augment.state_dict()}

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


@torch.no_grad()
def clip_weights(module: nn.Module, c: float) -> None:
    for p in module.parameters():
        p.clamp_(-c, c)
