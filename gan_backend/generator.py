"""A trained generator loaded from a run or a checkpoint, for sampling, exploring and evaluation."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from gan_backend.config import Config
from gan_backend.images import to_uint8
from gan_backend.loader import CheckpointError, Which, open_checkpoint
from gan_backend.models.inputs import input_dim, sample_model_inputs


@dataclass
class TrainedGenerator:
    """G_ema (else G) in eval mode, with what is needed to feed it."""

    net: nn.Module
    cfg: Config
    meta: dict
    step: int
    device: torch.device
    path: Path | None = None  # the checkpoint file read
    note: str = ""  # e.g. last.pt was damaged and a step checkpoint was read instead

    @property
    def latent_dim(self) -> int:
        """Length of G's input: z, and any InfoGAN codes after it."""
        return input_dim(self.cfg.model)

    @property
    def num_classes(self) -> int:
        return len(self.meta.get("class_names", [])) if self.meta.get("task") == "conditional" else 0

    def latents(self, n: int, seed: int) -> torch.Tensor:
        """[n, latent_dim] from the run's prior, reproducible from ``seed``."""
        gen = torch.Generator().manual_seed(seed)
        return sample_model_inputs(n, self.cfg.model, gen)

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


def load_generator(source: str | Path, device: str | torch.device = "cpu", which: Which = "last") -> TrainedGenerator:
    """From a run directory (its last.pt, else its newest readable step checkpoint), a checkpoint file or ``which``."""
    ck = open_checkpoint(source, which)
    if ck.task == "unpaired":  # two picture-to-picture generators: nothing to sample from noise
        raise CheckpointError(f"{ck.path}: a {ck.model} run translates pictures and draws none from noise; "
                              f"use `gan-studio translate {source} --in PICTURE --out OUT.png`")
    device = torch.device(device)
    return TrainedGenerator(ck.network(device=device), ck.cfg, ck.meta, ck.step, device, ck.path, ck.note)
