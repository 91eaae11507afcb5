"""Latent-space maths for the explorer: interpolation, truncation, principal directions, arithmetic.

All functions take and return float tensors ``z`` [..., latent_dim] on the CPU; none touches Qt.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn


def lerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
    """Straight line: (1 - t) a + t b."""
    return torch.lerp(a, b, torch.as_tensor(t, dtype=a.dtype))


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor | float, eps: float = 1e-7) -> torch.Tensor:
    """Spherical interpolation (White 2016): keeps the norm typical of a Gaussian latent along the path.

    Falls back to lerp when a and b are (anti)parallel.
    """
    t = torch.as_tensor(t, dtype=a.dtype)
    na, nb = a.norm(dim=-1, keepdim=True), b.norm(dim=-1, keepdim=True)
    cos = ((a / na.clamp_min(eps)) * (b / nb.clamp_min(eps))).sum(-1, keepdim=True).clamp(-1 + eps, 1 - eps)
    omega = torch.arccos(cos)
    so = torch.sin(omega)
    out = (torch.sin((1 - t) * omega) / so) * a + (torch.sin(t * omega) / so) * b
    return torch.where(so.abs() < 1e-4, lerp(a, b, t), out)


def path(a: torch.Tensor, b: torch.Tensor, frames: int, spherical: bool = True) -> torch.Tensor:
    """[frames, d] latents from a to b (both ends included)."""
    t = torch.linspace(0, 1, frames, dtype=a.dtype)[:, None]
    return (slerp if spherical else lerp)(a[None], b[None], t)


def grid(corners: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Bilinear grid between four corner latents [4, d] (top-left, top-right, bottom-left, bottom-right)
    -> [rows * cols, d], row-major."""
    tl, tr, bl, br = corners
    v = torch.linspace(0, 1, rows, dtype=corners.dtype)[:, None, None]
    u = torch.linspace(0, 1, cols, dtype=corners.dtype)[None, :, None]
    top, bottom = tl + u * (tr - tl), bl + u * (br - bl)
    return (top + v * (bottom - top)).reshape(rows * cols, -1)


def truncate(z: torch.Tensor, psi: float, mean: torch.Tensor | None = None) -> torch.Tensor:
    """Pull latents toward the mean (BigGAN/StyleGAN truncation): mean + psi (z - mean).

    psi < 1 trades diversity for typical, cleaner samples; psi > 1 exaggerates.
    """
    mean = torch.zeros_like(z) if mean is None else mean
    return mean + psi * (z - mean)


def arithmetic(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """DCGAN Fig. 7: mean(A) - mean(B) + mean(C) over groups of latents [k, d] -> [d]."""
    return a.mean(0) - b.mean(0) + c.mean(0)


@dataclass
class Directions:
    """Principal latent directions: ``vectors`` [k, d] (unit norm), ``sigma`` [k] (latent std along each),
    ``explained`` [k] (share of activation variance)."""

    vectors: torch.Tensor
    sigma: torch.Tensor
    explained: torch.Tensor

    def move(self, z: torch.Tensor, amounts: torch.Tensor) -> torch.Tensor:
        """z + sum_i amounts[i] * sigma[i] * vectors[i]; amounts are in sigmas (sliders at -3..3)."""
        return z + (amounts * self.sigma) @ self.vectors


@torch.no_grad()
def principal_directions(G: nn.Module, latents: torch.Tensor, k: int = 10, labels: torch.Tensor | None = None,
                         layer: nn.Module | None = None) -> Directions:
    """GANSpace (Haerkonen et al. 2020): PCA of an early layer's activations over sampled latents, mapped
    back to latent space by least squares (the latent change that best explains each component).

    ``latents`` [N, d] with N > k; ``layer`` defaults to G's first conv/linear layer.
    """
    layer = layer or first_layer(G)
    feats: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda m, i, o: feats.append(o.detach().flatten(1).float()))
    try:
        was_training = G.training
        G.eval()
        G(latents, labels) if labels is not None else G(latents)
        G.train(was_training)
    finally:
        handle.remove()
    acts = feats[0] - feats[0].mean(0)
    k = min(k, acts.shape[0] - 1, acts.shape[1])
    _, s, v = torch.linalg.svd(acts, full_matrices=False)  # v [r, m]: principal axes of the activations
    coeff = acts @ v[:k].T  # [N, k]
    coeff = coeff / coeff.std(0).clamp_min(1e-8)
    z = latents.float() - latents.float().mean(0)
    dirs = torch.linalg.lstsq(coeff, z).solution  # [k, d]: latent change per unit std of each component
    # Orthonormalise in order of importance (Gram-Schmidt via QR), so sliders do not undo each other.
    q, r = torch.linalg.qr(dirs.T)  # q [d, k]
    vectors = (q * torch.sign(torch.diagonal(r)).clamp_min(0).mul(2).sub(1)).T  # keep each direction's sign
    sigma = (z @ vectors.T).std(0)
    explained = (s[:k] ** 2) / (s ** 2).sum()
    return Directions(vectors, sigma, explained)


@torch.no_grad()
def w_directions(G: nn.Module, latents: torch.Tensor, k: int = 10, labels: torch.Tensor | None = None) -> Directions:
    """GANSpace in W (Haerkonen et al. 2020): PCA of w = G.mapping(z) over sampled latents [N, d], N > k.

    ``vectors`` [k, w_dim] are unit principal axes of W, ``sigma`` the std of w along each: a move of ``a`` sigmas
    is ``w + a * sigma[i] * vectors[i]``, applied to whichever style rows the caller picks.
    """
    w = G.mapping(latents, labels).float()  # [N, w_dim]
    centred = w - w.mean(0)
    k = min(k, centred.shape[0] - 1, centred.shape[1])
    _, s, v = torch.linalg.svd(centred, full_matrices=False)  # v [r, w_dim]: principal axes
    vectors = v[:k]
    sigma = (centred @ vectors.T).std(0)
    explained = (s[:k] ** 2) / (s ** 2).sum().clamp_min(1e-12)
    return Directions(vectors, sigma, explained)


def first_layer(G: nn.Module) -> nn.Module:
    for m in G.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            return m
    raise ValueError(f"{type(G).__name__} has no linear or convolution layer to take directions from")


def save_latent(path: Path, vector: torch.Tensor, run: str, seed: int | None = None, label: int | None = None) -> None:
    """JSON: {"run": ..., "seed": ..., "label": ..., "vector": [...]}; `gan-studio sample RUN --latent FILE` reads it."""
    data = {"run": run, "seed": seed, "label": label, "vector": [float(v) for v in vector.flatten()]}
    Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def load_latent(path: Path, dim: int) -> dict:
    """The saved dict with ``vector`` as a tensor [dim]; ValueError naming the file when it does not fit."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        vec = torch.tensor([float(v) for v in data["vector"]], dtype=torch.float32)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a latent file saved by GAN Studio ({exc})") from None
    if vec.numel() != dim:
        raise ValueError(f"{path}: vector has {vec.numel()} values, the model's latent size is {dim}")
    return {**data, "vector": vec}


class _ReachedLayer(Exception):
    """Raised by UpToLayer's hook to end G's forward pass early."""


class UpToLayer(nn.Module):
    """``G`` run only as far as ``layer`` (its first conv/linear layer by default), returning that layer's output.

    ``principal_directions(UpToLayer(G), ...)`` looks at the same activations as on ``G`` but skips the rest of the
    network: a full DCGAN-64 pass over hundreds of latents takes seconds on a CPU, its first layer milliseconds.
    Takes G's train/eval mode, so the mode principal_directions restores afterwards is G's own.
    """

    def __init__(self, G: nn.Module, layer: nn.Module | None = None):
        super().__init__()
        self.G, self.layer = G, layer or first_layer(G)
        self.train(G.training)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        out: list[torch.Tensor] = []

        def stop(module, inputs, output):
            out.append(output)
            raise _ReachedLayer

        handle = self.layer.register_forward_hook(stop)
        try:
            self.G(z, labels) if labels is not None else self.G(z)
        except _ReachedLayer:
            pass
        finally:
            handle.remove()
        return out[0]


def label_embeddings(G: nn.Module) -> list[nn.Embedding]:
    """G's class embeddings: cdcgan's input embedding, sngan's class-conditional BatchNorm scales and shifts."""
    return [m for m in G.modules() if isinstance(m, nn.Embedding)]


@torch.no_grad()
def class_mix(G: nn.Module, z: torch.Tensor, a: int, b: int, t: torch.Tensor | float) -> torch.Tensor:
    """Images [B, C, H, W] of latents z [B, d] drawn as the mix (1 - t) class a + t class b; t a float or [B].

    Every label embedding of G is mixed (for cdcgan the label vector appended to z, for sngan each class-conditional
    BatchNorm's scale and shift), so t = 0 and t = 1 are exactly classes a and b. A G without embeddings (mlp sees
    a one-hot label) has nothing to mix: its class-a and class-b pictures are blended instead.
    """
    n = len(z)
    t = torch.as_tensor(t, dtype=torch.float32, device=z.device).expand(n)
    ya = torch.full((n,), a, dtype=torch.long, device=z.device)
    yb = torch.full((n,), b, dtype=torch.long, device=z.device)
    embeddings = label_embeddings(G)
    if not embeddings:
        return torch.lerp(G(z, ya), G(z, yb), t[:, None, None, None])

    def mix(module, inputs, output):  # output: embed(a) [B, E]; returned in its place
        other = nn.functional.embedding(yb, module.weight)
        return torch.lerp(output, other, t[:, None].to(output.dtype))

    handles = [m.register_forward_hook(mix) for m in embeddings]
    try:
        return G(z, ya)
    finally:
        for h in handles:
            h.remove()
