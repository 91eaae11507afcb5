"""Differentiable augmentation of D's inputs, so D cannot memorise a small dataset.

Two published recipes, both applied to reals and fakes in D's step and to fakes in G's step, with
gradients flowing through to G:

- ``diffaug``: DiffAugment (Zhao et al. 2020) on every picture: ``color`` (brightness +-0.5, saturation
  x0..2, contrast x0.5..1.5), ``translation`` (up to 1/8 of the size, zero padded), ``cutout`` (half the size).
- ``ada``: StyleGAN2-ADA's cheap ops (Karras et al. 2020), each applied per picture with probability p:
  x-flip, 90-degree rotations, integer translation, isotropic scale, rotation (one affine warp with
  reflection padding), brightness, contrast, hue, saturation (one colour matrix) and cutout. p follows
  the overfitting heuristic r_t = E[sign(D(real))] (:class:`AdaController`).

Ops live in the ``OPS`` registry. Each draws its random numbers for the global batch and keeps this rank's
rows (:class:`Draws`), as the latent noise does, so N processes augment as one would. Pictures are
[B, C, H, W] in -1..1; colour changes are clamped to that range, as augmenting the files would be.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from gan_backend.registry import Registry

MODES = ("none", "diffaug", "ada", "auto")
AUTO_ADA_BELOW = 20_000  # "auto" picks ada for datasets smaller than this (ADA's paper: it helps up to ~30k)
ADA_POLICY = "xflip,rotate90,xint,scale,rotate,brightness,contrast,hue,saturation,cutout"
ADA_INTERVAL = 4  # D steps between updates of p (StyleGAN2-ADA's ada_interval)

# kind "pixel": sampler(draw, p, shape) -> a function of a [B, C, H, W] tensor (meta colour=True: pictures only);
# kind "geometric": -> [B, 3, 3] inverse transform (output pixel -> input pixel, centred pixel coordinates);
# kind "colour": -> [B, 4, 4] transform of homogeneous RGB. Consecutive matrices are fused into one warp or recolour.
OPS: Registry[Callable] = Registry("augmentation op")


class Draws:
    """Random numbers for the global batch, this rank's rows kept: identical draws on every rank."""

    def __init__(self, n: int, device: torch.device, rank: int = 0, world: int = 1):
        self.n, self.device, self.rank, self.world = n, device, rank, world

    def _keep(self, t: Tensor) -> Tensor:
        return t if self.world <= 1 else t[self.rank * self.n:(self.rank + 1) * self.n]

    def uniform(self, *shape: int) -> Tensor:
        """U[0, 1) of shape [n, *shape]."""
        return self._keep(torch.rand((self.n * self.world, *shape), device=self.device))

    def normal(self, *shape: int) -> Tensor:
        return self._keep(torch.randn((self.n * self.world, *shape), device=self.device))

    def integers(self, low: int, high: int, *shape: int) -> Tensor:
        return self._keep(torch.randint(low, high, (self.n * self.world, *shape), device=self.device))

    def fired(self, p: float, *shape: int) -> Tensor | None:
        """Which pictures an op applies to (bool [n, *shape]); None when p >= 1: all of them."""
        return None if p >= 1 else self.uniform(*shape) < p


def _where(fired: Tensor | None, value: Tensor, default: Tensor | float) -> Tensor:
    return value if fired is None else torch.where(fired, value, default)


# --- DiffAugment (pixel ops, every picture) ---
@OPS.register("color", "DiffAugment: brightness +-0.5, saturation x0..2, contrast x0.5..1.5", kind="pixel", colour=True)
def color(draw: Draws, p: float, shape) -> Callable[[Tensor], Tensor]:
    fired = draw.fired(p, 1, 1, 1)
    bright, sat, con = draw.uniform(1, 1, 1) - 0.5, draw.uniform(1, 1, 1) * 2, draw.uniform(1, 1, 1) + 0.5

    def apply(x: Tensor) -> Tensor:
        y = x + bright
        y = (y - y.mean(1, keepdim=True)) * sat + y.mean(1, keepdim=True)
        y = (y - y.mean((1, 2, 3), keepdim=True)) * con + y.mean((1, 2, 3), keepdim=True)
        return _where(fired, y.clamp(-1, 1), x).to(x.dtype)

    return apply


@OPS.register("translation", "DiffAugment: integer shift up to 1/8 of the size, zero (mid-grey) padded", kind="pixel")
def translation(draw: Draws, p: float, shape, ratio: float = 0.125) -> Callable[[Tensor], Tensor]:
    n, _, h, w = shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ty, tx = draw.integers(-sh, sh + 1, 1, 1), draw.integers(-sw, sw + 1, 1, 1)  # [B, 1, 1]
    if (fired := draw.fired(p, 1, 1)) is not None:
        ty, tx = ty * fired, tx * fired
    rows = (torch.arange(h, device=draw.device).view(1, h, 1) + ty).clamp(-1, h) + 1  # into the padded picture
    cols = (torch.arange(w, device=draw.device).view(1, 1, w) + tx).clamp(-1, w) + 1
    batch = torch.arange(n, device=draw.device).view(n, 1, 1)

    def apply(x: Tensor) -> Tensor:
        padded = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1)  # [B, H+2, W+2, C]
        return padded[batch, rows, cols].permute(0, 3, 1, 2).contiguous()

    return apply


@OPS.register("cutout", "DiffAugment/ADA: a mid-grey square of half the size at a random place", kind="pixel")
def cutout(draw: Draws, p: float, shape, ratio: float = 0.5) -> Callable[[Tensor], Tensor]:
    _, _, h, w = shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy, cx = draw.integers(0, h + 1 - ch % 2, 1, 1), draw.integers(0, w + 1 - cw % 2, 1, 1)  # centres [B, 1, 1]
    ys = torch.arange(h, device=draw.device).view(1, h, 1) - (cy - ch // 2)
    xs = torch.arange(w, device=draw.device).view(1, 1, w) - (cx - cw // 2)
    cut = (ys >= 0) & (ys < ch) & (xs >= 0) & (xs < cw)  # [B, H, W]
    if (fired := draw.fired(p, 1, 1)) is not None:
        cut = cut & fired
    keep = (~cut).unsqueeze(1)

    def apply(x: Tensor) -> Tensor:
        return x * keep.to(x.dtype)

    return apply


# --- ADA geometric ops: inverse 3x3 matrices, fused into one warp ---
def _affine(a: Tensor, b: Tensor, c: Tensor, d: Tensor, tx: Tensor, ty: Tensor) -> Tensor:
    """[[a, b, tx], [c, d, ty], [0, 0, 1]] per picture -> [B, 3, 3]."""
    zero, one = torch.zeros_like(a), torch.ones_like(a)
    return torch.stack([a, b, tx, c, d, ty, zero, zero, one], 1).view(-1, 3, 3)


def _rotation(theta: Tensor) -> Tensor:
    cos, sin = torch.cos(theta), torch.sin(theta)
    return _affine(cos, -sin, sin, cos, torch.zeros_like(theta), torch.zeros_like(theta))


@OPS.register("xflip", "ADA: mirror left-right", kind="geometric")
def xflip(draw: Draws, p: float, shape) -> Tensor:
    flip = _where(draw.fired(p), torch.floor(draw.uniform() * 2), 0.0)
    zero = torch.zeros_like(flip)
    return _affine(1 - 2 * flip, zero, zero, torch.ones_like(flip), zero, zero)


@OPS.register("rotate90", "ADA: rotate by 0, 90, 180 or 270 degrees", kind="geometric")
def rotate90(draw: Draws, p: float, shape) -> Tensor:
    quarter = _where(draw.fired(p), torch.floor(draw.uniform() * 4), 0.0)
    return _rotation(quarter * (math.pi / 2)).round()  # exact 0/1/-1 entries: a pure pixel permutation


@OPS.register("xint", "ADA: integer translation up to 1/8 of the size, reflected at the edges", kind="geometric")
def xint(draw: Draws, p: float, shape, most: float = 0.125) -> Tensor:
    _, _, h, w = shape
    t = _where(draw.fired(p, 1), (draw.uniform(2) * 2 - 1) * most, 0.0)
    one, zero = torch.ones_like(t[:, 0]), torch.zeros_like(t[:, 0])
    return _affine(one, zero, zero, one, -torch.round(t[:, 0] * w), -torch.round(t[:, 1] * h))


@OPS.register("scale", "ADA: isotropic scale, log2-normal with std 0.2", kind="geometric")
def scale(draw: Draws, p: float, shape, std: float = 0.2) -> Tensor:
    s = _where(draw.fired(p), torch.exp2(draw.normal() * std), 1.0)
    zero = torch.zeros_like(s)
    return _affine(1 / s, zero, zero, 1 / s, zero, zero)


@OPS.register("rotate", "ADA: rotation by a uniform angle, full circle", kind="geometric")
def rotate(draw: Draws, p: float, shape, most: float = 1.0) -> Tensor:
    return _rotation(_where(draw.fired(p), (draw.uniform() * 2 - 1) * math.pi * most, 0.0))


def warp(x: Tensor, g_inv: Tensor) -> Tensor:
    """Bilinear resampling of x [B, C, H, W] by inverse transforms [B, 3, 3] (centred pixel coordinates),
    reflection padded; pictures whose transform is the identity come back unchanged."""
    _, _, h, w = x.shape
    to_unit = torch.diag(torch.tensor([2 / w, 2 / h, 1.0], device=x.device))
    theta = to_unit @ g_inv @ torch.linalg.inv(to_unit)  # affine_grid's -1..1 coordinates
    changed = (g_inv - torch.eye(3, device=x.device)).abs().amax((1, 2)) > 0
    if x.device.type == "cpu":  # resample only the pictures a transform touched (at small p, a few of the batch);
        rows = changed.nonzero().squeeze(1)  # on a GPU this would cost a host sync, and the full batch is cheap there
        if len(rows) == 0:
            return x
        grid = F.affine_grid(theta[rows, :2].to(x.dtype), [len(rows), *x.shape[1:]], align_corners=False)
        moved = F.grid_sample(x[rows], grid, mode="bilinear", padding_mode="reflection", align_corners=False)
        return x.index_put((rows,), moved)
    grid = F.affine_grid(theta[:, :2].to(x.dtype), list(x.shape), align_corners=False)
    moved = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    return torch.where(changed.view(-1, 1, 1, 1), moved, x)


# --- ADA colour ops: 4x4 matrices on homogeneous RGB, fused into one recolour ---
LUMA = torch.full((3,), 1 / math.sqrt(3))  # the grey axis that hue rotates about and saturation scales from


def _colour_matrix(linear: Tensor, offset: Tensor) -> Tensor:
    """[B, 3, 3] and [B, 3] -> [B, 4, 4]."""
    top = torch.cat([linear, offset.unsqueeze(2)], 2)
    bottom = torch.tensor([0, 0, 0, 1.0], device=linear.device).expand(len(linear), 1, 4)
    return torch.cat([top, bottom], 1)


@OPS.register("brightness", "ADA: add N(0, 0.2) to every channel", kind="colour")
def brightness(draw: Draws, p: float, shape, std: float = 0.2) -> Tensor:
    b = _where(draw.fired(p), draw.normal() * std, 0.0)
    return _colour_matrix(torch.eye(3, device=draw.device).expand(len(b), 3, 3), b.view(-1, 1).expand(-1, 3))


@OPS.register("contrast", "ADA: scale about mid-grey by 2^N(0, 0.5)", kind="colour")
def contrast(draw: Draws, p: float, shape, std: float = 0.5) -> Tensor:
    c = _where(draw.fired(p), torch.exp2(draw.normal() * std), 1.0)
    linear = torch.eye(3, device=draw.device) * c.view(-1, 1, 1)
    return _colour_matrix(linear, torch.zeros(len(c), 3, device=draw.device))


@OPS.register("hue", "ADA: rotate colours about the grey axis by a uniform angle", kind="colour")
def hue(draw: Draws, p: float, shape, most: float = 1.0) -> Tensor:
    theta = _where(draw.fired(p), (draw.uniform() * 2 - 1) * math.pi * most, 0.0).view(-1, 1, 1)
    v = LUMA.to(draw.device)
    vv, cross = torch.outer(v, v), torch.tensor([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]], device=draw.device) * v[0]
    linear = vv + torch.cos(theta) * (torch.eye(3, device=draw.device) - vv) + torch.sin(theta) * cross  # Rodrigues
    return _colour_matrix(linear, torch.zeros(len(linear), 3, device=draw.device))


@OPS.register("saturation", "ADA: scale colour away from grey by 2^N(0, 1)", kind="colour")
def saturation(draw: Draws, p: float, shape, std: float = 1.0) -> Tensor:
    s = _where(draw.fired(p), torch.exp2(draw.normal() * std), 1.0).view(-1, 1, 1)
    vv = torch.outer(LUMA, LUMA).to(draw.device)
    return _colour_matrix(vv + (torch.eye(3, device=draw.device) - vv) * s, torch.zeros(len(s), 3, device=draw.device))


def recolour(x: Tensor, m: Tensor) -> Tensor:
    """x [B, C, H, W] by colour matrices [B, 4, 4]; grey pictures (C != 3) use the matrix's mean row, so
    hue and saturation leave them alone. Clamped to -1..1; untouched pictures come back unchanged."""
    n, c, h, w = x.shape
    m = m.to(x.dtype)
    if c == 3:
        y = (m[:, :3, :3] @ x.reshape(n, 3, h * w) + m[:, :3, 3:]).view(n, c, h, w)
    else:
        row = m[:, :3].mean(1)  # [B, 4]
        y = x * row[:, :3].sum(1).view(n, 1, 1, 1) + row[:, 3].view(n, 1, 1, 1)
    changed = (m - torch.eye(4, device=x.device, dtype=x.dtype)).abs().amax((1, 2)) > 0
    return torch.where(changed.view(-1, 1, 1, 1), y.clamp(-1, 1), x)


# --- pipelines ---
def parse_policy(policy: str | Sequence[str]) -> list[str]:
    """"color,translation" -> op names, each checked against OPS (a miss names the valid ops)."""
    names = [n.strip() for n in policy.split(",")] if isinstance(policy, str) else list(policy)
    names = [n for n in names if n]
    for name in names:
        OPS.entry(name)
    return names


class Pipeline:
    """Ops in order, one random transform per picture, shared by every tensor of a call."""

    def __init__(self, policy: str | Sequence[str], rank: int = 0, world: int = 1):
        self.names, self.rank, self.world = parse_policy(policy), rank, world

    def plan(self, shape, device: torch.device, p: float) -> list[tuple[Callable[[Tensor], Tensor], bool]]:
        """Draw the transforms for a batch of ``shape``: [(function, applies to pictures only)]."""
        draw = Draws(shape[0], device, self.rank, self.world)
        steps, fused, fused_kind = [], None, None

        def flush():
            if fused is not None:
                steps.append(((lambda x, m=fused: warp(x, m)), False) if fused_kind == "geometric"
                             else ((lambda x, m=fused: recolour(x, m)), True))

        for name in self.names:
            entry = OPS.entry(name)
            kind, out = entry.meta["kind"], entry.obj(draw, p, shape)
            if kind != fused_kind:
                flush()
                fused, fused_kind = None, None
            if kind == "pixel":
                steps.append((out, bool(entry.meta.get("colour"))))
            else:  # warps compose output -> input (G_inv @ M); colours input -> output (M @ C)
                fused = out if fused is None else (fused @ out if kind == "geometric" else out @ fused)
                fused_kind = kind
        flush()
        return steps

    def __call__(self, pictures: Sequence[Tensor], maps: Sequence[Tensor] = (), p: float = 1.0):
        """The same transform on every tensor of the call (colour ops on ``pictures`` only, not on label maps);
        returns (pictures, maps) as lists. p = 0 returns them untouched and draws nothing."""
        pictures, maps = list(pictures), list(maps)
        if p <= 0 or not self.names:
            return pictures, maps
        for fn, pictures_only in self.plan(pictures[0].shape, pictures[0].device, p):
            pictures = [fn(t) for t in pictures]
            maps = maps if pictures_only else [fn(t) for t in maps]
        return pictures, maps


class AdaController:
    """ADA's p: every ``interval`` D steps, p += sign(r_t - target) * batch * interval / (kimg * 1000).

    r_t = E[sign(D(real))] over the interval, averaged over ranks with ``reduce`` (one host sync per
    interval). With the paper's kimg = 500, p can go from 0 to 1 in 500k images.
    """

    def __init__(self, target: float, batch_size: int, kimg: float, reduce=lambda t: t, interval: int = ADA_INTERVAL):
        if kimg <= 0:
            raise ValueError(f"train.ada_kimg must be > 0, got {kimg}")
        self.target, self.interval, self.reduce = target, interval, reduce
        self.step_size = batch_size * interval / (kimg * 1000)
        self.p, self.rt = 0.0, math.nan
        self._sum, self._count = None, 0  # sign means of the current interval

    def observe(self, real_scores: Tensor) -> Tensor:
        """Record D's scores of (augmented) reals; returns this batch's sign mean; moves p at interval ends."""
        rt = torch.sign(real_scores.detach().float()).mean()
        self._sum = rt if self._sum is None else self._sum + rt
        self._count += 1
        if self._count >= self.interval:
            self.rt = float(self.reduce(self._sum / self._count))
            self.p = min(1.0, max(0.0, self.p + math.copysign(self.step_size, self.rt - self.target)
                                  * (self.rt != self.target)))
            self._sum, self._count = None, 0
        return rt

    def state_dict(self) -> dict:
        return {"p": self.p, "rt": self.rt, "sum": float(self._sum) if self._sum is not None else 0.0,
                "count": self._count}

    def load_state_dict(self, state: dict, device: torch.device) -> None:
        self.p, self.rt, self._count = float(state["p"]), float(state["rt"]), int(state["count"])
        self._sum = torch.tensor(state["sum"], dtype=torch.float32, device=device) if self._count else None


def check_augment(train) -> None:
    """Fail fast on a misspelt ``train.augment`` or op of ``train.augment_policy`` (ValueError / KeyError)."""
    if train.augment not in MODES:
        raise ValueError(f"train.augment must be one of {', '.join(MODES)}; got {train.augment!r}")
    parse_policy(train.augment_policy)


def resolve_mode(train, data) -> tuple[str, str]:
    """(mode, notice): ``train.augment`` for this dataset; "auto" is ada under AUTO_ADA_BELOW pictures.
    Data that is not pictures (or unpaired domains) trains without, with a notice when it was asked for."""
    check_augment(train)
    if data.kind not in ("image", "paired"):
        asked = train.augment in ("diffaug", "ada")
        return "none", (f"train.augment={train.augment} is not applied to {data.kind} data; training without "
                        f"augmentation" if asked else "")
    if train.augment == "auto":
        return ("ada" if len(data) < AUTO_ADA_BELOW else "none"), ""
    return train.augment, ""


class DiscriminatorAugment:
    """What a task does to D's inputs: ``train.augment`` resolved for its data, with ADA's p when adaptive."""

    def __init__(self, train, data, device: torch.device, rank: int = 0, world: int = 1, reduce=lambda t: t):
        self.mode, notice = resolve_mode(train, data)
        self.notices = [notice] if notice else []
        self.device = device
        policy = {"diffaug": train.augment_policy, "ada": ADA_POLICY}.get(self.mode, ())
        self.pipeline = Pipeline(policy, rank, world)
        self.ada = AdaController(train.ada_target, train.batch_size, train.ada_kimg, reduce) \
            if self.mode == "ada" else None

    @property
    def p(self) -> float:
        """The probability each op applies with: ADA's p, 1 for diffaug, 0 for none."""
        return self.ada.p if self.ada is not None else float(self.mode == "diffaug")

    def __call__(self, x: Tensor) -> Tensor:
        return self.pipeline([x], p=self.p)[0][0]

    def apply(self, pictures: Sequence[Tensor], maps: Sequence[Tensor] = ()):
        """One transform per item for several aligned tensors: (pictures, maps) lists."""
        return self.pipeline(pictures, maps, p=self.p)

    def observe(self, real_scores: Tensor) -> dict[str, Tensor]:
        """Report fields for a D step (ADA only): ``aug_p`` (before this step's update) and ``aug_rt``."""
        if self.ada is None:
            return {}
        p = torch.tensor(self.ada.p, device=real_scores.device)
        return {"aug_p": p, "aug_rt": self.ada.observe(real_scores)}

    def state_dict(self) -> dict:
        return {"mode": self.mode, "ada": self.ada.state_dict() if self.ada is not None else None}

    def load_state_dict(self, state: dict) -> None:
        if self.ada is not None and state.get("ada"):
            self.ada.load_state_dict(state["ada"], self.device)
