"""Paired translation (pix2pix, SPADE): a label map (or an input picture) -> the picture it describes.

Batches carry the target pictures ``x`` [B, C, H, W] in -1..1 and their label maps ``segmap`` int64
[B, H, W] (or input pictures ``a`` [B, C, H, W] for pix2pix A|B data). G sees the one-hot map and a
latent ``z``; D judges (map, picture) pairs at one or more scales, so a picture must both look real
and fit its map. G's loss adds, per the model's registry entry, feature matching on D's features
(SPADE, weight 10) or L1 to the real picture (pix2pix, weight 100).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.config import LossConfig
from gan_backend.data.disk.labels import default_palette
from gan_backend.data.scan import spread
from gan_backend.images import grey_to_rgb, make_grid, to_uint8
from gan_backend.losses import LOSSES, PENALTIES, report_value
from gan_backend.models import MODELS, ModelSpec
from gan_backend.tasks.base import TASKS
from gan_backend.tasks.gan import GanTask, clip_weights

SAMPLE_PAIRS = 16  # (map, generated, real) triplets in each sample grid, two per row


def one_hot(segmap: torch.Tensor, num_classes: int) -> torch.Tensor:
    """int64 [B, H, W] class indices -> float [B, K, H, W] one-hot maps."""
    return F.one_hot(segmap.long(), num_classes).permute(0, 3, 1, 2).float()


def input_channels(data) -> int:
    """G's input channels: the label classes, or the channels of A pictures; ValueError without either."""
    if "segmap" in data.extra:
        return data.num_classes
    if "a" in data.extra:
        return data.extra["a"].shape[-1]
    raise ValueError(f"dataset {data.name!r} ({data.kind}) has no label maps or input pictures; paired models "
                     f"(spade, pix2pix) need paired data such as scenes, labels:PATH or paired:PATH")


@TASKS.register("paired")
class PairedTask(GanTask):
    """cond -> G -> picture; D on (cond, picture) at each scale; adversarial + feature matching or L1."""

    conditional = False

    def __init__(self, cfg, data, device, rank=0, world=1):
        self.in_channels = input_channels(data)  # before super(): model_spec() needs it
        super().__init__(cfg, data, device, rank, world)
        meta = MODELS.entry(cfg.model.name).meta
        # Config's default loss suits the unconditional GANs; paired models default to their paper's.
        name = meta.get("loss", "hinge") if cfg.loss.name == LossConfig().name else cfg.loss.name
        self.loss = LOSSES.get(name)
        self.penalty = PENALTIES.get(cfg.loss.penalty if cfg.loss.penalty != "none" else self.loss.default_penalty)
        self.aux, self.aux_weight = meta.get("aux", "l1"), float(meta.get("aux_weight", 100.0))
        self.loss_names = ("loss_d", "loss_g", "loss_g_gan", f"loss_g_{self.aux}")
        self.encodes = getattr(self.G, "encoder", None) is not None  # spade + model.style_encoder
        if self.encodes:
            self.loss_names += ("loss_g_kld", "loss_g_recon")
        self.sample_rows = spread(len(data), SAMPLE_PAIRS)
        self.fixed_cond = self.cond({k: self.sample_batch(k) for k in ("segmap", "a") if k in data.extra})
        self.fixed_z = self.fixed_z[:len(self.sample_rows)]
        if name != cfg.loss.name:
            self.notices.append(f"loss {name} (the {cfg.model.name} default; set loss.name to choose another)")

    def model_spec(self) -> ModelSpec:
        return ModelSpec.from_config(self.cfg.model, "paired", self.data.image_shape, self.in_channels)

    def meta(self):
        return {"in_channels": self.in_channels}  # G's input: label classes, or a picture's channels (edges: 1)

    def make_inputs(self, n: int, seed: int | None = None):
        z, _ = super().make_inputs(n, seed)  # conditional is False: no labels drawn
        return z, None

    def sample_batch(self, key: str) -> torch.Tensor:
        rows = torch.from_numpy(np.ascontiguousarray(self.data.extra[key][self.sample_rows])).to(self.device)
        return rows.long() if rows.dim() == 3 else rows.permute(0, 3, 1, 2).float() / 127.5 - 1

    def cond(self, batch) -> torch.Tensor:
        """G's and D's condition [B, K, H, W]: the one-hot label map, else the input picture A in -1..1."""
        return one_hot(batch["segmap"], self.in_channels) if "segmap" in batch else batch["a"]

    # --- losses ---
    def adversarial(self, fn, real_outs, fake_outs, **targets) -> torch.Tensor:
        """The loss averaged over D's scales, on each scale's patch scores (the last feature)."""
        terms = [fn(r[-1].float(), f[-1].float(), **targets) for r, f in zip(real_outs, fake_outs)]
        return torch.stack(terms).mean()

    def feature_matching(self, real_outs, fake_outs) -> torch.Tensor:
        """pix2pixHD's loss: L1 between D's features of real and fake pictures, summed over layers, mean over scales."""
        total = sum(F.l1_loss(f.float(), r.detach().float()) for r_s, f_s in zip(real_outs, fake_outs)
                    for r, f in zip(r_s[:-1], f_s[:-1]))
        return total / len(real_outs)

    def scores(self, cond: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """[B] summed mean patch scores over scales, for the gradient penalties."""
        return torch.stack([out[-1].flatten(1).mean(1) for out in self.D(cond, image)]).sum(0)

    # --- steps ---
    def d_step(self, batch, measure, keep_fakes=True):
        x, cond = batch["x"], self.cond(batch)
        z, _ = self.make_inputs(x.shape[0])
        with self.autocast():
            if keep_fakes:  # keep G's graph for the G step that follows (one G forward saved per step)
                fake, kld = self._fake(cond, z, x)
                self._fakes = (fake, cond, kld)
            else:
                with torch.no_grad():
                    fake = self.G(cond, z)
            # One transform per (map, real, fake): colour on the pictures only, geometry on all three.
            (x_aug, fake_aug), (cond,) = self.augment.apply([x, fake.detach()], [cond])
            x_in, fake_in = self.d_input(x_aug), self.d_input(fake_aug)
            r, f = self.D_run(cond, x_in), self.D_run(cond, fake_in)
            targets = {k: v.view(-1, 1, 1, 1) for k, v in self.targets(x.shape[0]).items()}  # per picture
            loss = self.adversarial(self.loss.d, r, f, **targets)
        penalty = self.penalty(lambda img, _y: self.scores(cond, img), x_in, fake_in, self.cfg.loss.penalty_weight)
        norm = self.optimise(loss + penalty, self.opt_d, self.D.parameters(), measure)
        if self.loss.clip_weights:
            clip_weights(self.D, self.cfg.loss.clip_value)
        out = {"loss_d": loss.detach() + penalty.detach(), "penalty": penalty.detach(),
               "d_real": report_value(self.loss, r[0][-1]), "d_fake": report_value(self.loss, f[0][-1]),
               **self.augment.observe(r[0][-1].flatten(1).mean(1))}  # aug_p, aug_rt under ada
        if norm is not None:
            out["grad_norm_d"] = norm
        return out

    def g_step(self, batch, measure):
        x = batch["x"]
        if self._fakes is not None:
            fake, cond, kld = self._fakes
        else:
            cond = self.cond(batch)
            with self.autocast():
                fake, kld = self._fake(cond, self.make_inputs(x.shape[0])[0], x)
        self._fakes = None
        self.D.requires_grad_(False)  # G needs only dD/dx
        try:
            with self.autocast():
                needs_real = self.loss.relativistic or self.aux == "fm"
                # Fake and real share one transform, so feature matching compares like with like.
                pictures, (cond_in,) = self.augment.apply([fake, x] if needs_real else [fake], [cond])
                f = self.D(cond_in, self.d_input(pictures[0]))
                with torch.no_grad():
                    r = self.D(cond_in, self.d_input(pictures[1])) if needs_real else f
                gan = self.adversarial(self.loss.g, r, f)
                aux = self.feature_matching(r, f) if self.aux == "fm" else F.l1_loss(fake.float(), x.float())
                loss = gan + self.aux_weight * aux
                if kld is not None:
                    recon = F.l1_loss(fake.float(), x.float())
                    loss = loss + self.cfg.loss.kld_weight * kld.float() + self.cfg.loss.recon_weight * recon
        finally:
            self.D.requires_grad_(True)
        norm = self.optimise(loss, self.opt_g, self.G.parameters(), measure)
        self.update_ema()
        out = {"loss_g": loss.detach(), "loss_g_gan": gan.detach(), f"loss_g_{self.aux}": aux.detach()}
        if kld is not None:
            out.update(loss_g_kld=kld.detach(), loss_g_recon=recon.detach())
        if norm is not None:
            out["grad_norm_g"] = norm
        return out

    def _fake(self, cond: torch.Tensor, z: torch.Tensor, x: torch.Tensor):
        """(G's pictures with their graph, KL term or None): from the real pictures' encoded styles when G
        has a style encoder (GauGAN's training path), else from the random codes ``z``."""
        return self.G_run(cond, None, x) if self.encodes else (self.G_run(cond, z), None)

    # --- samples ---
    @torch.no_grad()
    def generate(self, cond: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        """G_ema in eval mode: pictures [B, C, H, W] in -1..1."""
        with self.autocast():
            return self.ema_generator()(cond, z).float()

    def sample_picture(self) -> np.ndarray:
        """Rows of [map in palette colours | generated | real], two triplets per row."""
        fake = grey_to_rgb(to_uint8(self.generate(self.fixed_cond, self.fixed_z)))
        real = grey_to_rgb(self.data.x[self.sample_rows])
        if "segmap" in self.data.extra:
            palette = self.data.palette if self.data.palette is not None else default_palette(self.in_channels)
            left = np.asarray(palette, np.uint8)[self.data.extra["segmap"][self.sample_rows]]
        else:
            left = grey_to_rgb(self.data.extra["a"][self.sample_rows])
        tiles = np.stack([left, fake, real], axis=1).reshape(-1, *fake.shape[1:])  # map, fake, real, map, ...
        return make_grid(tiles, ncols=6)

