"""Differentiable augmentation of D's inputs, so D cannot memorise a small dataset.

Two published recipes, both applied to reals and fakes in D's step and to fakes in G's step, with
gradients flowing through to G:

- ``diffaug``: DiffAugment (Zhao et al. 2020) on every picture: ``color`` (brightness +-0.5, saturation
  x0..2, contrast x0.5..1.5), ``translation`` (up to 1/8 of the size, zero padded), ``cutout`` (half the size).
- ``ada``: StyleGAN2-ADA's cheap ops (Karras et al. 2020), each applied per picture with probability p:
  x-flip, 90-degree rotations, integer translation, isotropic scale, rotation (one affine warp with
  reflection padding), brightness, contrast, hue, saturation (one colour matrix) and cutout. p follows
  the overfitting heuristic r_t = E[sign(D(real))] (:class:`AdaController`).

Ops live in the ``OPS`` registry (:mod:`gan_backend.augment_ops`). A pipeline draws a step's random numbers
in two calls, for the global batch, and keeps this rank's rows, as the latent noise does, so N processes
augment as one would. On the CPU it then works on the pictures some op fired for and skips the ops that
fired for none (reading which is free there); on a GPU it masks instead, without a host sync.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch
from torch import Tensor

from gan_backend.augment_ops import OPS, Draws, StepDraws, recolour, warp

__all__ = ["ADA_POLICY", "AUTO_ADA_BELOW", "MODES", "OPS", "AdaController", "DiscriminatorAugment", "Draws", "Pipeline",
           "Plan", "check_augment", "parse_policy", "resolve_mode"]

MODES = ("none", "diffaug", "ada", "auto")
AUTO_ADA_BELOW = 20_000  # "auto" picks ada for datasets smaller than this (ADA's paper: it helps up to ~30k)
ADA_POLICY = "xflip,rotate90,xint,scale,rotate,brightness,contrast,hue,saturation,cutout"
ADA_INTERVAL = 4  # D steps between updates of p (StyleGAN2-ADA's ada_interval)


# --- pipelines ---
def parse_policy(policy: str | Sequence[str]) -> list[str]:
    """"color,translation" -> op names, each checked against OPS (a miss names the valid ops)."""
    names = [n.strip() for n in policy.split(",")] if isinstance(policy, str) else list(policy)
    names = [n for n in names if n]
    for name in names:
        OPS.entry(name)
    return names


@dataclass
class Plan:
    """One batch's drawn transforms. ``steps`` [(function, applies to pictures only)] act on the pictures that
    ``rows`` picks (None: all of them); the other pictures come back exactly as they were."""

    steps: list[tuple[Callable[[Tensor], Tensor], bool]] = field(default_factory=list)
    rows: Tensor | None = None  # int64 [K] indices into the batch

    def __call__(self, pictures: Sequence[Tensor], maps: Sequence[Tensor] = ()) -> tuple[list[Tensor], list[Tensor]]:
        """The same transforms on every tensor (colour ones on ``pictures`` only); returns (pictures, maps)."""
        pictures, maps = list(pictures), list(maps)
        if not self.steps:
            return pictures, maps
        pick = (lambda t: t) if self.rows is None else (lambda t: t[self.rows])
        part, part_maps = [pick(t) for t in pictures], [pick(t) for t in maps]
        for fn, pictures_only in self.steps:
            part = [fn(t) for t in part]
            part_maps = part_maps if pictures_only else [fn(t) for t in part_maps]
        if self.rows is None:
            return part, part_maps
        put = lambda whole, t: whole.index_put((self.rows,), t.to(whole.dtype))  # noqa: E731
        return [put(w, t) for w, t in zip(pictures, part)], [put(w, t) for w, t in zip(maps, part_maps)]


class Pipeline:
    """Ops in order, one random transform per picture, shared by every tensor of a call.

    A step's numbers are two blocks per picture: uniforms (one per op that decides whether it fires, then
    each op's own, in policy order) and normals. Each op reads fixed columns, so skipping an op never
    changes another's numbers, and the draws do not depend on the device.
    """

    def __init__(self, policy: str | Sequence[str], rank: int = 0, world: int = 1):
        self.names, self.rank, self.world = parse_policy(policy), rank, world
        self.entries = [OPS.entry(name) for name in self.names]
        self._columns: list[tuple[slice, slice]] = []  # each op's (uniform, normal) columns
        u, g = len(self.entries), 0  # the first len(entries) uniforms decide which ops fire
        for entry in self.entries:
            nu, ng = entry.meta["draws"]
            self._columns.append((slice(u, u + nu), slice(g, g + ng)))
            u, g = u + nu, g + ng
        self.n_uniform, self.n_normal = u, g
        self.sparse: bool | None = None  # only the pictures and ops that fired? None: on the CPU, where reading
        # which did is free; on a GPU it would be a host sync, and masking the whole batch is cheap there

    def plan(self, shape, device: torch.device, p: float, parts: Sequence[int] = ()) -> Plan:
        """Draw the transforms for a batch of ``shape``; ``parts``: the sizes of batches it joins, each drawn
        as a call of its own would draw it (default: one batch)."""
        u, g = self._draw(parts or (shape[0],), device)
        fired = u[:, :len(self.entries)] < p if p < 1 else None  # [B, ops]
        rows, used = None, [True] * len(self.entries)
        if fired is not None and (device.type == "cpu" if self.sparse is None else self.sparse):
            touched = fired.any(1).nonzero().squeeze(1)
            if len(touched) == 0:
                return Plan()
            if len(touched) <= len(u) // 2:  # picking out and putting back costs copies: worth it for a few
                rows, u, g, fired = touched, u[touched], g[touched], fired[touched]
            used = fired.any(0).tolist()
        return Plan(self._steps((len(u), *shape[1:]), p, u, g, fired, used), rows)

    def _draw(self, sizes: Sequence[int], device: torch.device) -> tuple[Tensor, Tensor]:
        """Uniforms [B, n_uniform] and normals [B, n_normal] for batches of ``sizes``, in the order separate calls
        would draw them: two torch calls per batch."""
        us, gs = [], []
        for n in sizes:
            draw = Draws(n, device, self.rank, self.world)
            us.append(draw.uniform(self.n_uniform))
            gs.append(draw.normal(self.n_normal) if self.n_normal else us[-1][:, :0])
        return (us[0], gs[0]) if len(sizes) == 1 else (torch.cat(us), torch.cat(gs))

    def _steps(self, shape, p: float, u: Tensor, g: Tensor, fired: Tensor | None, used: list[bool]):
        """Each used op sampled from its columns; consecutive warps, and consecutive recolours, fused into one."""
        steps, fused, fused_kind = [], None, None

        def flush():
            if fused is not None:
                steps.append(((lambda x, m=fused: warp(x, m)), False) if fused_kind == "geometric"
                             else ((lambda x, m=fused: recolour(x, m)), True))

        for i, (entry, (cu, cg)) in enumerate(zip(self.entries, self._columns)):
            kind = entry.meta["kind"]
            if kind != fused_kind:  # by the policy, not by what fired: a picture's result never depends on the others'
                flush()
                fused, fused_kind = None, kind
            if not used[i]:  # fired for no picture: the identity, and skipping it moves no other op's numbers
                continue
            out = entry.obj(StepDraws(None if fired is None else fired[:, i], u[:, cu], g[:, cg]), p, shape)
            if kind == "pixel":
                steps.append((out, bool(entry.meta.get("colour"))))
            else:  # warps compose output -> input (G_inv @ M); colours input -> output (M @ C)
                fused = out if fused is None else (torch.bmm(fused, out) if kind == "geometric" else torch.bmm(out, fused))
        flush()
        return steps

    def __call__(self, pictures: Sequence[Tensor], maps: Sequence[Tensor] = (), p: float = 1.0):
        """The same transform on every tensor of the call (colour ops on ``pictures`` only, not on label maps);
        returns (pictures, maps) as lists. p = 0 returns them untouched and draws nothing."""
        pictures, maps = list(pictures), list(maps)
        if p <= 0 or not self.names:
            return pictures, maps
        return self.plan(pictures[0].shape, pictures[0].device, p)(pictures, maps)

    def each(self, batches: Sequence[Tensor], p: float = 1.0) -> list[Tensor]:
        """Batches of one shape [B_i, C, H, W], each with transforms of its own: the pictures separate calls
        would give, in one pass (one draw, one warp, one recolour), as for D's reals and fakes."""
        batches = list(batches)
        if p <= 0 or not self.names or len(batches) < 2:
            return [self([t], p=p)[0][0] for t in batches]
        sizes = [len(t) for t in batches]
        joined = torch.cat(batches)
        return list(self.plan(joined.shape, joined.device, p, sizes)([joined])[0][0].split(sizes))


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


def resolve_mode(train, data, count: int | None = None) -> tuple[str, str]:
    """(mode, notice): ``train.augment`` for this dataset; "auto" is ada under AUTO_ADA_BELOW pictures
    (``count``: the real pictures this D sees, by default the dataset's items). Data that is not pictures
    trains without, with a notice when augmentation was asked for."""
    check_augment(train)
    if data.kind not in ("image", "paired", "unpaired"):
        asked = train.augment in ("diffaug", "ada")
        return "none", (f"train.augment={train.augment} is not applied to {data.kind} data; training without "
                        f"augmentation" if asked else "")
    if train.augment == "auto":
        return ("ada" if (len(data) if count is None else count) < AUTO_ADA_BELOW else "none"), ""
    return train.augment, ""


class DiscriminatorAugment:
    """What a task does to one D's inputs: ``train.augment`` resolved for its data, with ADA's p when adaptive.

    ``count``: the real pictures this D sees, for "auto" (default: the dataset's items; CycleGAN's two Ds
    each see one domain).
    """

    def __init__(self, train, data, device: torch.device, rank: int = 0, world: int = 1, reduce=lambda t: t,
                 count: int | None = None):
        self.mode, notice = resolve_mode(train, data, count)
        self.notices = [notice] if notice else []
        self.device = device
        policy = {"diffaug": train.augment_policy, "ada": ADA_POLICY}.get(self.mode, ())
        self.pipeline = Pipeline(policy, rank, world)
        self.ada = AdaController(train.ada_target, train.batch_size, train.ada_kimg, reduce) \
            if self.mode == "ada" else None
        self._p_tensor, self._p_value = None, math.nan  # ADA's p on the device, made again only when p moves

    @property
    def p(self) -> float:
        """The probability each op applies with: ADA's p, 1 for diffaug, 0 for none."""
        return self.ada.p if self.ada is not None else float(self.mode == "diffaug")

    def __call__(self, x: Tensor) -> Tensor:
        return self.pipeline([x], p=self.p)[0][0]

    def apply(self, pictures: Sequence[Tensor], maps: Sequence[Tensor] = ()):
        """One transform per item for several aligned tensors: (pictures, maps) lists."""
        return self.pipeline(pictures, maps, p=self.p)

    def each(self, *batches: Tensor) -> list[Tensor]:
        """Each batch with its own transforms (reals and fakes), as separate calls would give, in one pass."""
        return self.pipeline.each(batches, p=self.p)

    def observe(self, real_scores: Tensor) -> dict[str, Tensor]:
        """Report fields for a D step (ADA only): ``aug_p`` (before this step's update) and ``aug_rt``."""
        if self.ada is None:
            return {}
        if self._p_value != self.ada.p or self._p_tensor.device != real_scores.device:
            self._p_value = self.ada.p  # a new tensor every step would be a host-to-device copy every step
            self._p_tensor = torch.tensor(self.ada.p, device=real_scores.device)
        return {"aug_p": self._p_tensor, "aug_rt": self.ada.observe(real_scores)}

    def state_dict(self) -> dict:
        return {"mode": self.mode, "ada": self.ada.state_dict() if self.ada is not None else None}

    def load_state_dict(self, state: dict) -> None:
        if self.ada is not None and state.get("ada"):
            self.ada.load_state_dict(state["ada"], self.device)
