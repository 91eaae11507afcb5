"""A trained generator loaded from a run or a checkpoint, for sampling, exploring and evaluation."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from gan_backend.config import Config
from gan_backend.engine import checkpoint as ckpt
from gan_backend.engine.run_dir import RunDir
from gan_backend.images import to_uint8
from gan_backend.models import MODELS, ModelSpec
from gan_backend.tasks.gan import sample_latent


@dataclass
class TrainedGenerator:
    """G_ema (else G) in eval mode, with what is needed to feed it."""

    net: nn.Module
    cfg: Config
    meta: dict
    step: int
    device: torch.device

    @property
    def latent_dim(self) -> int:
        return self.cfg.model.latent_dim

    @property
    def num_classes(self) -> int:
        return len(self.meta.get("class_names", [])) if self.meta.get("task") == "conditional" else 0

    def latents(self, n: int, seed: int) -> torch.Tensor:
        """[n, latent_dim] from the run's prior, reproducible from ``seed``."""
        gen = torch.Generator().manual_seed(seed)
        return sample_latent(n, self.latent_dim, self.cfg.model.latent_prior, gen)

    @torch.no_grad()
    def __call__(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        z = z.to(self.device, torch.float32)
        y = labels.to(self.device) if labels is not None and self.num_classes else None
        return self.net(z, y).float()

    def images(self, z: torch.Tensor, labels: torch.Tensor | None = None, batch: int = 256) -> np.ndarray:
        """uint8 [N, H, W, C], generated in chunks."""
        outs = [to_uint8(self(z[i:i + batch], None if labels is None else labels[i:i + batch]))
                for i in range(0, len(z), batch)]
        return np.concatenate(outs)


def load_generator(path: str | Path, device: str | torch.device = "cpu") -> TrainedGenerator:
    """From a run directory (its last.pt) or a checkpoint file."""
    path = Path(path)
    ck_path = RunDir.open(path).last_checkpoint if path.is_dir() else path
    state = ckpt.load(ck_path)
    cfg, meta = Config.from_dict(state["config"], source=str(ck_path)), state["meta"]
    if meta.get("task") == "unpaired":  # two picture-to-picture generators: nothing to sample from noise
        raise ckpt.CheckpointError(f"{ck_path}: a {meta['model']} run translates pictures and draws none from noise; "
                                   f"use `gan-studio translate {path} --in PICTURE --out OUT.png`")
    num_classes = len(meta["class_names"]) if meta.get("task") == "conditional" else 0
    spec = ModelSpec.from_config(cfg.model, meta["data_kind"], meta["shape"], num_classes)
    net, _ = MODELS.get(meta["model"])(spec)
    modules = state["modules"]
    try:
        net.load_state_dict(modules.get("G_ema", modules["G"]))
    except (RuntimeError, KeyError) as exc:
        raise ckpt.CheckpointError(f"{ck_path}: generator weights do not fit model {meta['model']!r} "
                                   f"({str(exc).splitlines()[0][:160]})") from None
    device = torch.device(device)
    return TrainedGenerator(net.to(device).eval(), cfg, meta, int(state["step"]), device)
