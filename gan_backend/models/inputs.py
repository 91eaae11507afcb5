"""What a noise-to-picture G takes: z from the prior, then InfoGAN's latent codes (Chen et al. 2016) when the run has
them. One vector per sample, ``[z (latent_dim) | one-hot categorical codes | continuous codes]``, so every consumer of
latents (the task, sampling, the explorer, export) handles codes without knowing of them; only the task reads them
back, for the mutual-information loss against the Q head on D's trunk.

``model.info_codes`` spells the codes: ``"cat10"`` (one 10-way code), ``"cat10,cont2"``, ``"cont3"``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

CONTINUOUS_WEIGHT = 0.1  # InfoGAN's lambda for continuous codes (1 for categorical ones); their NLL is a scaled MSE


def sample_latent(n: int, dim: int, prior: str, generator: torch.Generator | None = None,
                  device: torch.device | str = "cpu") -> torch.Tensor:
    """z [n, dim] from the prior: "normal" N(0, I) or "uniform" U[-1, 1]."""
    if prior == "uniform":
        return torch.rand(n, dim, generator=generator, device=device) * 2 - 1
    if prior != "normal":
        raise ValueError(f"model.latent_prior must be 'normal' or 'uniform', got {prior!r}")
    return torch.randn(n, dim, generator=generator, device=device)


@dataclass(frozen=True)
class InfoCodes:
    """Categorical codes (their sizes) and a number of continuous U(-1, 1) codes; empty when the run has none."""

    categorical: tuple[int, ...] = ()
    continuous: int = 0

    @classmethod
    def parse(cls, text: str) -> "InfoCodes":
        """``"cat10,cont2"`` -> InfoCodes((10,), 2); ``""`` -> no codes. ValueError naming the field otherwise."""
        cats, cont = [], 0
        for token in (t.strip() for t in (text or "").split(",") if t.strip()):
            m = re.fullmatch(r"(cat|cont)(\d+)", token)
            if not m or int(m.group(2)) < 1 or (m.group(1) == "cat" and int(m.group(2)) < 2):
                raise ValueError(f"model.info_codes: {token!r} is not a code; write e.g. 'cat10' (a 10-way "
                                 f"categorical code), 'cont2' (two continuous codes) or 'cat10,cont2'")
            if m.group(1) == "cat":
                cats.append(int(m.group(2)))
            else:
                cont += int(m.group(2))
        return cls(tuple(cats), cont)

    @property
    def dim(self) -> int:
        return sum(self.categorical) + self.continuous

    def __bool__(self) -> bool:
        return self.dim > 0

    def sample(self, n: int, generator: torch.Generator | None = None, device="cpu") -> torch.Tensor:
        """[n, dim]: one-hot rows for each categorical code, then U(-1, 1) continuous codes."""
        parts = [F.one_hot(torch.randint(k, (n,), generator=generator, device=device), k).float()
                 for k in self.categorical]
        if self.continuous:
            parts.append(torch.rand(n, self.continuous, generator=generator, device=device) * 2 - 1)
        return torch.cat(parts, 1) if parts else torch.zeros(n, 0, device=device)

    def names(self) -> list[str]:
        """A label per code, as the explorer shows them: "code 1 (10 values)", "continuous 1", ..."""
        return ([f"code {i + 1} ({k} values)" for i, k in enumerate(self.categorical)]
                + [f"continuous {i + 1}" for i in range(self.continuous)])

    def loss(self, q: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """The mutual-information lower bound's negative: cross-entropy per categorical code, plus
        ``CONTINUOUS_WEIGHT`` x a Gaussian NLL (fixed unit variance: a halved squared error) per continuous one.

        q [B, dim]: Q's logits for each categorical code, then its means for the continuous codes.
        """
        loss, at = q.new_zeros(()), 0
        for k in self.categorical:
            loss = loss + F.cross_entropy(q[:, at:at + k], codes[:, at:at + k].argmax(1))
            at += k
        if self.continuous:
            loss = loss + CONTINUOUS_WEIGHT * 0.5 * (q[:, at:] - codes[:, at:]).pow(2).sum(1).mean()
        return loss

    def read(self, q: torch.Tensor) -> torch.Tensor:
        """Q's guess of the codes [B, len(categorical) + continuous]: each categorical code's value, then the means."""
        out, at = [], 0
        for k in self.categorical:
            out.append(q[:, at:at + k].argmax(1, keepdim=True).float())
            at += k
        return torch.cat(out + [q[:, at:]], 1)


def input_dim(model_cfg) -> int:
    """Length of G's input vector: latent_dim plus the InfoGAN codes."""
    return model_cfg.latent_dim + InfoCodes.parse(model_cfg.info_codes).dim


def sample_inputs(n: int, latent_dim: int, prior: str = "normal", codes: str = "",
                  generator: torch.Generator | None = None, device="cpu") -> torch.Tensor:
    """[n, latent_dim + codes' dim]: z from the prior, then the InfoGAN codes spelt ``codes`` (none for most runs)."""
    z = sample_latent(n, latent_dim, prior, generator, device)
    parsed = InfoCodes.parse(codes)
    return torch.cat([z, parsed.sample(n, generator, device)], 1) if parsed else z


def sample_model_inputs(n: int, model_cfg, generator: torch.Generator | None = None, device="cpu") -> torch.Tensor:
    """``sample_inputs`` for a config's ``model`` section."""
    return sample_inputs(n, model_cfg.latent_dim, model_cfg.latent_prior, model_cfg.info_codes, generator, device)


class QHead(nn.Module):
    """InfoGAN's Q: from D's flattened trunk features to the codes' logits and means (a small MLP)."""

    def __init__(self, feat_dim: int, codes: InfoCodes, hidden: int = 128):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(feat_dim, hidden), nn.LeakyReLU(0.2, inplace=True),
                                 nn.Linear(hidden, codes.dim))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.net(h.flatten(1))
