"""Your own picture in latent space: optimise a latent until G draws the picture (GAN inversion).

Style-based runs optimise w (one w for every layer) or W+ (one w per layer, the option that fits best), starting at
``w_avg`` with G's noise held fixed; z-space runs (dcgan, sngan, ...) optimise z from the prior's mean. The loss
needs no downloaded network:

- ``pixels``: mean squared error, the plain fit (sharp colours, blurry when far off);
- ``ssim``: 1 - multi-scale SSIM (Wang et al. 2003) over 3 scales with a Gaussian window: structure and contrast,
  indifferent to small colour shifts;
- ``d``: the distance between the run's own discriminator's features of both pictures (a learnt perceptual
  space the run trained; its first blocks see edges and textures);
- ``lpips:PATH``: a VGG-16 LPIPS-style distance when the user gives torchvision VGG-16 weights (never downloaded).

The default is ``pixels+ssim``: the two are exact and cheap on a CPU, and together fit both colour and shape; ``d``
helps textures but follows whatever the run's D attends to, which early in training is little.

    proj = Projector(gen, picture, space="w+")
    for report in proj.run(steps=300, every=10): show(report.picture)
    proj.result().save("latent.json")
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.images import to_uint8

SPACES = ("auto", "w", "w+", "z")
DEFAULT_STEPS = 300
DEFAULT_LOSS = "pixels+ssim"
LR = {"w": 0.05, "w+": 0.05, "z": 0.05}  # Adam rates (W's scale is normalised by w_std; z is unit-variance)
W_STD_SAMPLES = 2000  # latents mapped to measure W's spread (the paper uses 10k)


@dataclass
class ProjectionReport:
    """One look at the optimisation: the step, the loss, the picture G draws now and its PSNR against the target."""

    step: int
    loss: float
    psnr: float
    picture: np.ndarray  # uint8 [H, W, C]
    seconds: float


@dataclass
class ProjectedLatent:
    """A picture's latent, usable like any other: ``vector`` [d] for z and W runs, ``ws`` [L, w_dim] for W+."""

    space: str
    vector: torch.Tensor  # z [d], w [w_dim], or the W+ rows flattened [L * w_dim]
    num_ws: int = 1
    psnr: float = float("nan")
    steps: int = 0
    seconds: float = 0.0
    run: str = ""

    @property
    def ws(self) -> torch.Tensor:
        """[L, w_dim] rows (W and W+ only)."""
        if self.space == "w":
            return self.vector[None].expand(self.num_ws, -1)
        return self.vector.reshape(self.num_ws, -1)

    def save(self, path: str | Path) -> None:
        data = {"run": self.run, "space": self.space, "num_ws": self.num_ws, "psnr": round(self.psnr, 3),
                "steps": self.steps, "seconds": round(self.seconds, 2),
                "vector": [float(v) for v in self.vector.flatten()]}
        Path(path).write_text(json.dumps(data) + "\n", encoding="utf-8")


def load_projected(path: str | Path) -> ProjectedLatent:
    """A latent file written by ``gan-studio project`` (or the explorer); ValueError naming the file otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        vector = torch.tensor([float(v) for v in data["vector"]], dtype=torch.float32)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a latent file saved by GAN Studio ({exc})") from None
    return ProjectedLatent(str(data.get("space", "z")), vector, int(data.get("num_ws", 1)),
                           float(data.get("psnr", "nan")), int(data.get("steps", 0)), float(data.get("seconds", 0)),
                           str(data.get("run", "")))


def latent_problem(latent: ProjectedLatent, net: nn.Module) -> str:
    """Why the W/W+ ``latent`` cannot be drawn by generator ``net`` ("" when it can): it needs a style-based G with
    the same rows and width. (z files are checked against G's input length by ``latent.load_latent``.)"""
    if not hasattr(net, "synthesis"):
        return f"a {latent.space} latent of a style-based run; this generator takes z"
    if latent.ws.shape != (net.num_ws, net.w_dim):
        return (f"{latent.num_ws} styles of {latent.ws.shape[-1]}; this run takes {net.num_ws} of {net.w_dim}")
    return ""


def load_projected_for(path: str | Path, net: nn.Module) -> ProjectedLatent | None:
    """A W/W+ latent file that ``net`` can draw; None for a z file (read those with ``latent.load_latent``).
    ValueError naming the file when it does not fit."""
    latent = load_projected(path)
    if latent.space == "z":
        return None
    problem = latent_problem(latent, net)
    if problem:
        raise ValueError(f"{path}: {problem}")
    return latent


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR in dB of two pictures in -1..1 (peak 2)."""
    mse = F.mse_loss(a.float(), b.float()).item()
    return float("inf") if mse == 0 else 10 * math.log10(4.0 / mse)


def _gaussian_window(size: int = 7, sigma: float = 1.5) -> torch.Tensor:
    x = torch.arange(size, dtype=torch.float32) - size // 2
    g = torch.exp(-x ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


def ms_ssim(x: torch.Tensor, y: torch.Tensor, scales: int = 3) -> torch.Tensor:
    """Mean multi-scale SSIM of images in -1..1 [B, C, H, W] (the product of per-scale terms, equal weights):
    contrast-structure at every scale, luminance at the coarsest. Scales stop where the side would drop below 8."""
    x, y = (x + 1) / 2, (y + 1) / 2
    window = _gaussian_window().to(x)
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    c = x.shape[1]
    kernel = window.expand(c, 1, -1, -1)
    values = []
    for i in range(scales):
        pad = kernel.shape[-1] // 2
        mu_x = F.conv2d(F.pad(x, [pad] * 4, mode="reflect"), kernel, groups=c)
        mu_y = F.conv2d(F.pad(y, [pad] * 4, mode="reflect"), kernel, groups=c)
        sxx = F.conv2d(F.pad(x * x, [pad] * 4, mode="reflect"), kernel, groups=c) - mu_x ** 2
        syy = F.conv2d(F.pad(y * y, [pad] * 4, mode="reflect"), kernel, groups=c) - mu_y ** 2
        sxy = F.conv2d(F.pad(x * y, [pad] * 4, mode="reflect"), kernel, groups=c) - mu_x * mu_y
        cs = (2 * sxy + c2) / (sxx + syy + c2)
        last = i == scales - 1 or min(x.shape[-2:]) < 16
        if last:
            lum = (2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)
            values.append((lum * cs).mean((1, 2, 3)).clamp_min(1e-6))
            break
        values.append(cs.mean((1, 2, 3)).clamp_min(1e-6))
        x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    return torch.stack(values).prod(0) ** (1.0 / len(values))


class FeatureDistance(nn.Module):
    """Mean squared distance between the activations of chosen layers of a fixed network (D's blocks, VGG's)."""

    def __init__(self, net: nn.Module, layers: list[nn.Module], prepare: Callable = lambda x: x):
        super().__init__()
        self.net, self.layers, self.prepare = net.eval().requires_grad_(False), layers, prepare

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        out: list[torch.Tensor] = []
        handles = [m.register_forward_hook(lambda m, i, o: out.append(o)) for m in self.layers]
        try:
            self.net(self.prepare(x))
        finally:
            for h in handles:
                h.remove()
        return out

    def forward(self, x: torch.Tensor, target_feats: list[torch.Tensor]) -> torch.Tensor:
        return sum(F.mse_loss(a, b) for a, b in zip(self.features(x), target_feats)) / len(target_feats)


def d_features(critic: nn.Module) -> FeatureDistance:
    """The run's D, up to its trunk: the outputs of its downsampling blocks (stylegan) or its conv stages (dcgan)."""
    blocks = list(getattr(critic, "blocks", []))
    if not blocks:
        blocks = [m for m in critic.modules() if isinstance(m, nn.Conv2d)][:4]
    if not blocks:
        raise ValueError(f"{type(critic).__name__} has no conv blocks to compare features with; use the pixels loss")
    return FeatureDistance(critic, blocks, lambda x: x)


def vgg_features(weights: str | Path) -> FeatureDistance:
    """LPIPS-style: VGG-16 relu1_2 .. relu4_3 of the user's torchvision weights file (no learnt linear heads)."""
    import torchvision

    path = Path(weights).expanduser()
    if not path.is_file():
        raise ValueError(f"{path}: no such VGG-16 weights file; give torchvision's vgg16 state dict, or use the "
                         f"pixels+ssim loss")
    vgg = torchvision.models.vgg16()
    try:
        vgg.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    except Exception as exc:  # noqa: BLE001 - any unreadable file: one message naming it
        raise ValueError(f"{path}: not torchvision VGG-16 weights ({type(exc).__name__}); use the pixels+ssim "
                         f"loss") from None
    net = vgg.features[:23]
    layers = [net[i] for i in (3, 8, 15, 22)]
    mean = torch.tensor([0.485, 0.456, 0.406])[None, :, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[None, :, None, None]

    def prepare(x):
        x = x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
        x = F.interpolate(x, size=max(64, x.shape[-1]), mode="bilinear", align_corners=False)
        return ((x + 1) / 2 - mean) / std

    return FeatureDistance(net, layers, prepare)


def target_tensor(picture: np.ndarray, shape: tuple[int, int, int]) -> torch.Tensor:
    """uint8 [H, W, C] of any size and channel count -> float [1, C, S, S] in -1..1 for a G of ``shape`` (C, S, S):
    resized (Lanczos) after a centre crop to square, grey or RGB as G draws."""
    from PIL import Image

    from gan_backend.translator import as_rgb

    rgb = as_rgb(picture)
    h, w = rgb.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    img = Image.fromarray(rgb[top:top + side, left:left + side]).resize((shape[2], shape[1]), Image.LANCZOS)
    arr = np.asarray(img.convert("L"))[..., None] if shape[0] == 1 else np.asarray(img)
    return torch.from_numpy(arr.astype(np.float32) / 127.5 - 1).permute(2, 0, 1)[None]


class Projector:
    """Step-wise optimisation of one latent toward a picture; ``run`` yields a report every few steps.

    ``space``: "auto" (W+ for style-based runs, z otherwise), "w", "w+" or "z". ``loss``: terms joined by "+" from
    pixels, ssim, d, lpips:PATH. ``critic``: the run's D for the "d" term.
    """

    def __init__(self, gen, picture: np.ndarray, space: str = "auto", loss: str = DEFAULT_LOSS,
                 label: int | None = None, critic: nn.Module | None = None, seed: int = 0):
        if space not in SPACES:
            raise ValueError(f"space must be one of {', '.join(SPACES)}; got {space!r}")
        self.gen, self.net = gen, gen.net
        self.style = hasattr(self.net, "synthesis")
        self.space = ("w+" if self.style else "z") if space == "auto" else space
        if self.space != "z" and not self.style:
            raise ValueError(f"{gen.meta.get('model')} has no W space (it is not style-based); project into z")
        self.target = target_tensor(picture, tuple(gen.meta["shape"])).to(gen.device)
        self.label = None if label is None or not gen.num_classes else torch.tensor([int(label)], device=gen.device)
        self.terms = self._losses(loss, critic)
        self.net.requires_grad_(False)
        if self.style:
            with torch.no_grad():
                z = gen.latents(W_STD_SAMPLES, seed + 1).to(gen.device)
                labels = None
                if gen.num_classes:
                    labels = torch.randint(gen.num_classes, (len(z),), generator=torch.Generator().manual_seed(seed))
                w = self.net.mapping(z, labels if labels is None else labels.to(gen.device))
                self.w_avg = w.mean(0)  # of the run's labels and codes mix, better than the EMA for a start
                self.w_std = float(((w - self.w_avg).square().sum(1).mean()) ** 0.5) / math.sqrt(w.shape[1])
            rows = self.net.num_ws if self.space == "w+" else 1
            self.param = (torch.zeros(rows, w.shape[1], device=gen.device)).requires_grad_(True)
        else:
            self.param = torch.zeros(gen.latent_dim, device=gen.device).requires_grad_(True)
        self.opt = torch.optim.Adam([self.param], lr=LR[self.space], betas=(0.9, 0.999))
        self.steps_done = 0
        self.seconds = 0.0
        self.last_loss = float("nan")

    def _losses(self, spec: str, critic: nn.Module | None) -> list[tuple[str, Callable]]:
        terms = []
        for name in (t.strip() for t in spec.split("+") if t.strip()):
            if name == "pixels":
                terms.append((name, lambda img: F.mse_loss(img, self.target)))
            elif name == "ssim":
                terms.append((name, lambda img: 1 - ms_ssim(img, self.target).mean()))
            elif name in ("d", "lpips") or name.startswith("lpips:"):
                if name == "d":
                    if critic is None:
                        raise ValueError("loss 'd' needs the run's discriminator; this checkpoint has none")
                    dist = d_features(critic.to(self.target.device))
                else:
                    if ":" not in name:
                        raise ValueError("loss 'lpips' needs VGG-16 weights: write lpips:PATH/TO/vgg16.pth")
                    dist = vgg_features(name.split(":", 1)[1]).to(self.target.device)
                with torch.no_grad():
                    feats = [f.detach() for f in dist.features(self.target)]
                terms.append((name.split(":")[0], lambda img, d=dist, f=feats: d(img, f)))
            else:
                raise ValueError(f"projection loss {name!r} is not one of pixels, ssim, d, lpips:PATH")
        if not terms:
            raise ValueError("projection loss is empty; use e.g. pixels+ssim")
        return terms

    # --- the latent being fitted ---
    def latent_input(self) -> torch.Tensor:
        """ws [1, L, w_dim] (style-based) or z [1, d]."""
        if self.space == "z":
            return self.param[None]
        w = self.w_avg + self.param * self.w_std
        return (w if self.space == "w+" else w.expand(self.net.num_ws, -1))[None]

    def draw(self, latent: torch.Tensor) -> torch.Tensor:
        if self.space == "z":
            return self.net(latent, self.label)
        return self.net.synthesis(latent, noise_mode="const")

    def step(self, total: int) -> float:
        """One Adam step with a cosine-ramped rate (warm-up 5%, down to 0 at ``total``)."""
        t = self.steps_done / max(1, total)
        ramp = min(1.0, t / 0.05) * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))
        for group in self.opt.param_groups:
            group["lr"] = LR[self.space] * max(ramp, 0.02)
        img = self.draw(self.latent_input())
        loss = sum(fn(img) for _, fn in self.terms)
        if self.space == "z":  # keep z where the prior puts latents: a pull toward the typical norm sqrt(d)
            loss = loss + 1e-3 * (self.param.norm() - math.sqrt(self.param.numel())).pow(2) / self.param.numel()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.steps_done += 1
        self.last_loss = float(loss.detach())
        return self.last_loss

    @torch.no_grad()
    def report(self) -> ProjectionReport:
        img = self.draw(self.latent_input())
        return ProjectionReport(self.steps_done, self.last_loss, psnr(img, self.target), to_uint8(img)[0],
                                self.seconds)

    def run(self, steps: int = DEFAULT_STEPS, every: int = 10,
            stop: Callable[[], bool] = lambda: False) -> Iterator[ProjectionReport]:
        """Optimise for ``steps`` (fewer when ``stop()`` turns true), yielding a report every ``every`` steps and at
        the end."""
        start = time.perf_counter()
        with torch.enable_grad():
            while self.steps_done < steps and not stop():
                self.step(steps)
                if self.steps_done % every == 0 and self.steps_done < steps:
                    self.seconds = time.perf_counter() - start
                    yield self.report()
        self.seconds = time.perf_counter() - start
        yield self.report()

    @torch.no_grad()
    def result(self, run: str = "") -> ProjectedLatent:
        latent = self.latent_input()[0]
        vector = latent.flatten() if self.space == "w+" else (latent[0] if self.space == "w" else latent)
        img = self.draw(self.latent_input())
        return ProjectedLatent(self.space, vector.detach().cpu().clone(), self.net.num_ws if self.style else 1,
                               psnr(img, self.target), self.steps_done, self.seconds, run)


def draw_latent(net: nn.Module, latent: ProjectedLatent, label=None) -> torch.Tensor:
    """The picture [1, C, H, W] of a projected latent (W and W+ with G's fixed noise)."""
    if latent.space == "z":
        return net(latent.vector[None], label)
    return net.synthesis(latent.ws[None].to(next(net.parameters()).device), noise_mode="const")
