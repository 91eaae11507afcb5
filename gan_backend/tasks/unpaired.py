"""Unpaired translation (CycleGAN): two generators that undo each other, judged by two discriminators.

Batches carry domain A pictures ``x`` and domain B pictures ``b``, both [B, C, H, W] in -1..1 and
drawn independently (:class:`~gan_backend.engine.batches.Batcher`). junyanz's naming: G_A maps A -> B
and D_A tells real B from G_A(A); G_B maps B -> A and D_B tells real A from G_B(B). G's loss is

    loss_G_A + loss_G_B                              adversarial, the registry's loss (LSGAN by default)
  + lambda (|G_B(G_A(a)) - a| + |G_A(G_B(b)) - b|)    cycle consistency: loss_cycle_A, loss_cycle_B
  + lambda idt (|G_A(b) - b| + |G_B(a) - a|)          identity: loss_idt_A, loss_idt_B

with lambda = ``loss.cycle_weight`` and idt = ``loss.identity_weight``. Each D learns from real
pictures and from fakes drawn through a history pool (:mod:`gan_backend.tasks.image_pool`).
Label smoothing, label flips and instance noise (train.*) are not applied to this task.

``train.augment`` works as in the GAN task, once per D: each D sees augmented reals and fakes in its step
and augmented fakes in G's step, with gradients flowing to G. Under ``ada`` each D has its own p, driven by
its own r_t and logged as ``aug_p_A``, ``aug_rt_A`` (D_A, on B pictures) and ``aug_p_B``, ``aug_rt_B``: the
two domains may differ in size and each D memorises its own at its own pace, so one shared p would
over-augment one D or under-augment the other. ``auto`` decides per D from the size of the domain it judges.
"""
from __future__ import annotations

import itertools

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.augment import DiscriminatorAugment
from gan_backend.config import LossConfig
from gan_backend.data.scan import spread
from gan_backend.images import from_uint8, grey_to_rgb, make_grid, to_uint8
from gan_backend.losses import LOSSES, PENALTIES, report_value
from gan_backend.models import MODELS, ModelSpec
from gan_backend.tasks.base import TASKS, Task
from gan_backend.tasks.gan import clip_weights
from gan_backend.tasks.image_pool import ImagePool

SAMPLE_ROWS = 8  # rows of [A | G_A(A) | B | G_B(B)] in each sample grid


def check_unpaired_data(data, world: int) -> None:
    """ValueError naming what is wrong: not two domains, domains of different shapes, or several processes."""
    if data.kind != "unpaired" or "b" not in data.extra:
        raise ValueError(f"dataset {data.name!r} ({data.kind}) is not two unpaired domains; cyclegan needs unpaired "
                         f"data such as scenes:day2night or unpaired:PATH (trainA/ and trainB/)")
    if data.extra["b"].shape[1:] != data.x.shape[1:]:
        raise ValueError(f"dataset {data.name!r}: domain A pictures are {data.x.shape[1:]} but B's are "
                         f"{data.extra['b'].shape[1:]}; set data.image_size so both are decoded alike")
    if world > 1:
        raise ValueError("cyclegan trains in one process: each generator runs three times per step, which "
                         "DistributedDataParallel does not allow; drop --nproc")


@TASKS.register("unpaired")
class UnpairedTask(Task):
    """A -> G_A -> B' -> G_B -> A'' and back; D_A on B pictures, D_B on A pictures; adversarial + cycle + identity."""

    loss_names = ("loss_d", "loss_g", "loss_G_A", "loss_G_B", "loss_D_A", "loss_D_B",
                  "loss_cycle_A", "loss_cycle_B", "loss_idt_A", "loss_idt_B")

    def __init__(self, cfg, data, device, rank=0, world=1):
        super().__init__(cfg, data, device, rank, world)
        check_unpaired_data(data, world)
        meta = MODELS.entry(cfg.model.name).meta
        # Config's default loss suits the unconditional GANs; CycleGAN defaults to its paper's LSGAN.
        name = meta.get("loss", "lsgan") if cfg.loss.name == LossConfig().name else cfg.loss.name
        self.loss = LOSSES.get(name)
        self.penalty = PENALTIES.get(cfg.loss.penalty if cfg.loss.penalty != "none" else self.loss.default_penalty)
        spec = ModelSpec.from_config(cfg.model, "unpaired", data.image_shape)
        build = MODELS.get(cfg.model.name)
        self.G_A, self.D_A = (m.to(device) for m in build(spec))
        self.G_B, self.D_B = (m.to(device) for m in build(spec))
        self.G_A_run, self.G_B_run = self.distribute(self.G_A), self.distribute(self.G_B)  # compiled when asked
        t = cfg.train
        self.opt_g = torch.optim.Adam(itertools.chain(self.G_A.parameters(), self.G_B.parameters()),
                                      lr=t.lr_g, betas=(t.beta1, t.beta2))
        self.opt_d = torch.optim.Adam(itertools.chain(self.D_A.parameters(), self.D_B.parameters()),
                                      lr=t.lr_d, betas=(t.beta1, t.beta2))
        self.pool_A, self.pool_B = ImagePool(cfg.loss.pool_size), ImagePool(cfg.loss.pool_size)  # fakes of A, of B
        self._fakes = None  # (G_A(a), G_B(b)) with their graphs, from the last D step, for the G step
        # What each D sees (train.augment): D_A judges B pictures, D_B judges A pictures; one ADA p per D.
        self.augment_A = DiscriminatorAugment(t, data, device, count=len(data.extra["b"]))
        self.augment_B = DiscriminatorAugment(t, data, device, count=len(data.x))
        self.sample_rows = (spread(len(data.x), SAMPLE_ROWS), spread(len(data.extra["b"]), SAMPLE_ROWS))
        if name != cfg.loss.name:
            self.notices.append(f"loss {name} (the {cfg.model.name} default; set loss.name to choose another)")

    def modules(self):
        return {"G_A": self.G_A, "G_B": self.G_B, "D_A": self.D_A, "D_B": self.D_B}

    def optimizers(self):
        return {"G": self.opt_g, "D": self.opt_d}

    def state_dict(self):
        return {**super().state_dict(), "pools": {"A": self.pool_A.state_dict(), "B": self.pool_B.state_dict()},
                "augment": {"A": self.augment_A.state_dict(), "B": self.augment_B.state_dict()}}

    def load_state_dict(self, state):
        super().load_state_dict(state)
        pools, augment = state.get("pools", {}), state.get("augment", {})  # checkpoints from before have no p
        for key, pool, aug in (("A", self.pool_A, self.augment_A), ("B", self.pool_B, self.augment_B)):
            if key in pools:
                pool.load_state_dict(pools[key], self.device)
            if key in augment:
                aug.load_state_dict(augment[key])

    # --- steps ---
    def d_step(self, batch, measure, keep_fakes=True):
        a, b = batch["x"], batch["b"]
        with self.autocast():
            if keep_fakes:  # keep G's graphs: the G step that follows reuses these fakes
                fake_b, fake_a = self.G_A_run(a), self.G_B_run(b)
                self._fakes = (fake_b, fake_a)
            else:
                with torch.no_grad():
                    fake_b, fake_a = self.G_A(a), self.G_B(b)
            old_b, old_a = self.pool_B.query(fake_b), self.pool_A.query(fake_a)
            b_in, old_b_in = self.augment_A.each(b, old_b)  # what D_A sees
            a_in, old_a_in = self.augment_B.each(a, old_a)  # what D_B sees
            r_a, f_a = self.D_A(b_in), self.D_A(old_b_in)
            r_b, f_b = self.D_B(a_in), self.D_B(old_a_in)
            loss_a, loss_b = self.loss.d(r_a.float(), f_a.float()), self.loss.d(r_b.float(), f_b.float())
        penalty = (self._penalty(self.D_A, b_in, old_b_in) + self._penalty(self.D_B, a_in, old_a_in))
        params = list(itertools.chain(self.D_A.parameters(), self.D_B.parameters()))
        norm = self.optimise(loss_a + loss_b + penalty, self.opt_d, params, measure)
        if self.loss.clip_weights:
            clip_weights(self.D_A, self.cfg.loss.clip_value), clip_weights(self.D_B, self.cfg.loss.clip_value)
        out = {"loss_d": (loss_a + loss_b + penalty).detach(), "loss_D_A": loss_a.detach(), "loss_D_B": loss_b.detach(),
               "penalty": penalty.detach(), "d_real": (report_value(self.loss, r_a) + report_value(self.loss, r_b)) / 2,
               "d_fake": (report_value(self.loss, f_a) + report_value(self.loss, f_b)) / 2,
               **self._observe(self.augment_A, r_a, "A"), **self._observe(self.augment_B, r_b, "B")}
        if norm is not None:
            out["grad_norm_d"] = norm
        return out

    @staticmethod
    def _observe(augment: DiscriminatorAugment, real_scores: torch.Tensor, d: str) -> dict[str, torch.Tensor]:
        """ADA's ``aug_p_<d>`` and ``aug_rt_<d>`` for one D, from its patch scores averaged per picture."""
        return {f"{k}_{d}": v for k, v in augment.observe(real_scores.flatten(1).mean(1)).items()}

    def _penalty(self, d, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """The configured gradient penalty on one D, its patch scores averaged to one score [B] per picture."""
        return self.penalty(lambda img, _y: d(img).flatten(1).mean(1), real, fake, self.cfg.loss.penalty_weight)

    def g_step(self, batch, measure):
        a, b = batch["x"], batch["b"]
        if self._fakes is not None:
            fake_b, fake_a = self._fakes
        else:
            with self.autocast():
                fake_b, fake_a = self.G_A_run(a), self.G_B_run(b)
        self._fakes = None  # a second G step in a row needs fresh fakes from the updated generators
        for d in (self.D_A, self.D_B):
            d.requires_grad_(False)  # G needs only dD/dx
        try:
            with self.autocast():
                losses = self._g_losses(a, b, fake_b, fake_a)
        finally:
            for d in (self.D_A, self.D_B):
                d.requires_grad_(True)
        total = sum(losses.values())
        params = list(itertools.chain(self.G_A.parameters(), self.G_B.parameters()))
        norm = self.optimise(total, self.opt_g, params, measure)
        out = {"loss_g": total.detach(), **{k: v.detach() for k, v in losses.items()}}
        if norm is not None:
            out["grad_norm_g"] = norm
        return out

    def _g_losses(self, a, b, fake_b, fake_a) -> dict[str, torch.Tensor]:
        """The six weighted terms of G's loss, each a scalar tensor with its graph."""
        lam, idt = self.cfg.loss.cycle_weight, self.cfg.loss.identity_weight
        f_a, f_b = self.D_A(self.augment_A(fake_b)).float(), self.D_B(self.augment_B(fake_a)).float()
        with torch.no_grad():  # relativistic losses compare with real scores; the others ignore them
            r_a, r_b = (self.D_A(self.augment_A(b)).float(), self.D_B(self.augment_B(a)).float()) \
                if self.loss.relativistic else (f_a, f_b)
        out = {"loss_G_A": self.loss.g(r_a, f_a), "loss_G_B": self.loss.g(r_b, f_b),
               "loss_cycle_A": lam * F.l1_loss(self.G_B_run(fake_b).float(), a.float()),
               "loss_cycle_B": lam * F.l1_loss(self.G_A_run(fake_a).float(), b.float())}
        if idt > 0:
            out["loss_idt_A"] = lam * idt * F.l1_loss(self.G_A_run(b).float(), b.float())
            out["loss_idt_B"] = lam * idt * F.l1_loss(self.G_B_run(a).float(), a.float())
        else:
            out["loss_idt_A"] = out["loss_idt_B"] = a.new_zeros(())
        return out

    # --- samples ---
    @torch.no_grad()
    def translate(self, pictures: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """[B, C, H, W] in -1..1 through G_A ("AtoB") or G_B ("BtoA") in eval mode -> same shape in -1..1."""
        g = self.G_A if direction == "AtoB" else self.G_B
        was_training = g.training
        g.eval()  # the U-Net option has BatchNorm and dropout; the ResNet G behaves the same either way
        try:
            with self.autocast():
                return g(pictures).float()
        finally:
            g.train(was_training)

    def sample_picture(self) -> np.ndarray:
        """Rows of [A | G_A(A) | B | G_B(B)] for fixed pictures of each domain."""
        rows_a, rows_b = self.sample_rows
        a, b = self.data.x[rows_a], self.data.extra["b"][rows_b]  # uint8 [R, H, W, C]
        fake_b, fake_a = (to_uint8(self.translate(from_uint8(torch.from_numpy(p).to(self.device)), direction))
                          for p, direction in ((a, "AtoB"), (b, "BtoA")))
        n = min(len(a), len(b))
        tiles = np.stack([a[:n], fake_b[:n], b[:n], fake_a[:n]], axis=1).reshape(-1, *a.shape[1:])
        return make_grid(grey_to_rgb(tiles), ncols=4)
