"""The augmentation ops of :mod:`gan_backend.augment`: DiffAugment's and ADA's, each a function in ``OPS``.

An op gets its random numbers from a :class:`Draws` and returns what the pipeline applies: a function of
the pictures (kind "pixel"), an inverse 3x3 warp (kind "geometric") or a 4x4 colour matrix (kind "colour"),
one per picture. Each op declares ``draws=(uniforms, normals)``, the numbers it takes per picture, so a
pipeline can draw a whole step's numbers at once (:class:`StepDraws`). Pictures are [B, C, H, W] in -1..1;
colour changes are clamped to that range, as augmenting the files would be.
"""
from __future__ import annotations

import functools
import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from gan_backend.registry import Registry

# kind "pixel": sampler(draw, p, shape) -> a function of a [B, C, H, W] tensor (meta colour=True: pictures only);
# kind "geometric": -> [B, 3, 3] inverse transform (output pixel -> input pixel, centred pixel coordinates);
# kind "colour": -> [B, 4, 4] transform of homogeneous RGB. Consecutive matrices are fused into one warp or recolour.
# meta draws=(u, g): the U[0, 1) and N(0, 1) numbers an op takes per picture, besides the one that decides if it fires.
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


class StepDraws(Draws):
    """One op's columns of a step's pre-drawn numbers: whether it fires for each picture, and its own numbers.

    ``fired`` is bool [n] (None: every picture); ``uniform`` [n, u] and ``normal`` [n, g] are read left to
    right, in the shapes the op asks for.
    """

    def __init__(self, fired: Tensor | None, uniform: Tensor, normal: Tensor):
        super().__init__(len(uniform), uniform.device)
        self._fired = fired
        self._blocks, self._used = {"uniform": uniform, "normal": normal}, {"uniform": 0, "normal": 0}

    def _take(self, kind: str, shape: tuple[int, ...]) -> Tensor:
        block, start = self._blocks[kind], self._used[kind]
        end = start + math.prod(shape)
        if end > block.shape[1]:
            raise RuntimeError(f"an augmentation op takes more {kind} numbers than its registered draws= allow")
        self._used[kind] = end
        return block[:, start:end].reshape(self.n, *shape)

    def uniform(self, *shape: int) -> Tensor:
        return self._take("uniform", shape)

    def normal(self, *shape: int) -> Tensor:
        return self._take("normal", shape)

    def integers(self, low: int, high: int, *shape: int) -> Tensor:
        span = high - low  # floor(u * span) can round up to span in float32 when u is just under 1
        return torch.floor(self.uniform(*shape) * span).clamp_(max=span - 1).long() + low

    def fired(self, p: float, *shape: int) -> Tensor | None:
        """One decision per picture, as bool [n, *shape] with shape all ones; None when p >= 1."""
        return None if p >= 1 or self._fired is None else self._fired.view(self.n, *shape)


def _where(fired: Tensor | None, value: Tensor, default: Tensor | float) -> Tensor:
    return value if fired is None else torch.where(fired, value, default)


@functools.lru_cache(maxsize=64)
def _eye(k: int, device: torch.device, dtype: torch.dtype = torch.float32) -> Tensor:
    """A shared identity; never written to."""
    return torch.eye(k, device=device, dtype=dtype)


TILT_DEGREES = 20.0

# --- DiffAugment (pixel ops, every picture) ---
@OPS.register("color", "DiffAugment: brightness +-0.5, saturation x0..2, contrast x0.5..1.5", kind="pixel", colour=True,
              draws=(3, 0))
def color(draw: Draws, p: float, shape) -> Callable[[Tensor], Tensor]:
    fired = draw.fired(p, 1, 1, 1)
    bright, sat, con = draw.uniform(1, 1, 1) - 0.5, draw.uniform(1, 1, 1) * 2, draw.uniform(1, 1, 1) + 0.5

    def apply(x: Tensor) -> Tensor:
        y = x + bright
        y = (y - y.mean(1, keepdim=True)) * sat + y.mean(1, keepdim=True)
        y = (y - y.mean((1, 2, 3), keepdim=True)) * con + y.mean((1, 2, 3), keepdim=True)
        return _where(fired, y.clamp(-1, 1), x).to(x.dtype)

    return apply


def _sides(shape, ratio: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """(H, W) of [B, C, H, W] pictures, and ``ratio`` of each side rounded: a shift's or a square's extent."""
    h, w = shape[-2:]
    return (h, w), (int(h * ratio + 0.5), int(w * ratio + 0.5))


def _axes(h: int, w: int, device) -> tuple[Tensor, Tensor]:
    """Row indices [1, H, 1] and column indices [1, 1, W], to offset per picture."""
    return torch.arange(h, device=device).view(1, h, 1), torch.arange(w, device=device).view(1, 1, w)


@OPS.register("translation", "DiffAugment: integer shift up to 1/8 of the size, zero (mid-grey) padded", kind="pixel",
              draws=(2, 0))
def translation(draw: Draws, p: float, shape, ratio: float = 0.125) -> Callable[[Tensor], Tensor]:
    (h, w), (sh, sw) = _sides(shape, ratio)
    ty, tx = draw.integers(-sh, sh + 1, 1, 1), draw.integers(-sw, sw + 1, 1, 1)  # [B, 1, 1]
    if (fired := draw.fired(p, 1, 1)) is not None:
        ty, tx = ty * fired, tx * fired
    rows, cols = _axes(h, w, draw.device)
    rows, cols = (rows + ty).clamp(-1, h) + 1, (cols + tx).clamp(-1, w) + 1  # into the padded picture
    batch = torch.arange(shape[0], device=draw.device).view(-1, 1, 1)

    def apply(x: Tensor) -> Tensor:
        padded = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1)  # [B, H+2, W+2, C]
        return padded[batch, rows, cols].permute(0, 3, 1, 2).contiguous()

    return apply


@OPS.register("cutout", "DiffAugment/ADA: a mid-grey square of half the size at a random place", kind="pixel",
              draws=(2, 0))
def cutout(draw: Draws, p: float, shape, ratio: float = 0.5) -> Callable[[Tensor], Tensor]:
    (h, w), (ch, cw) = _sides(shape, ratio)
    cy, cx = draw.integers(0, h + 1 - ch % 2, 1, 1), draw.integers(0, w + 1 - cw % 2, 1, 1)  # centres [B, 1, 1]
    ys, xs = _axes(h, w, draw.device)
    ys, xs = ys - (cy - ch // 2), xs - (cx - cw // 2)
    in_rows, in_cols = (ys >= 0) & (ys < ch), (xs >= 0) & (xs < cw)  # [B, H, 1], [B, 1, W]
    if (fired := draw.fired(p, 1, 1)) is not None:
        in_rows = in_rows & fired
    keep = (~(in_rows & in_cols)).unsqueeze(1).float()  # [B, 1, H, W]: 0 in the square (a product is cheaper
    # than masked_fill on the CPU, forward and backward)

    def apply(x: Tensor) -> Tensor:
        return x * keep.to(x.dtype)

    return apply


# --- ADA geometric ops: inverse 3x3 matrices, fused into one warp ---
# Each op writes its entries into identity matrices: a few torch calls per op, however many pictures.
def _identities(k: int, n: int, device: torch.device) -> Tensor:
    """n fresh k x k identity matrices [n, k, k] for an op to write its entries into."""
    return _eye(k, device).expand(n, k, k).clone()


def _rotation(theta: Tensor) -> Tensor:
    m = _identities(3, len(theta), theta.device)
    cos, sin = torch.cos(theta), torch.sin(theta)
    m[:, :2, :2] = torch.stack([cos, -sin, sin, cos], 1).view(-1, 2, 2)
    return m


@OPS.register("xflip", "ADA: mirror left-right", kind="geometric", draws=(1, 0))
def xflip(draw: Draws, p: float, shape) -> Tensor:
    flip = _where(draw.fired(p), torch.floor(draw.uniform() * 2), 0.0)
    m = _identities(3, len(flip), draw.device)
    m[:, 0, 0] = 1 - 2 * flip
    return m


@OPS.register("rotate90", "ADA: rotate by 0, 90, 180 or 270 degrees", kind="geometric", draws=(1, 0))
def rotate90(draw: Draws, p: float, shape) -> Tensor:
    quarter = _where(draw.fired(p), torch.floor(draw.uniform() * 4), 0.0)
    return _rotation(quarter * (math.pi / 2)).round()  # exact 0/1/-1 entries: a pure pixel permutation


@OPS.register("xint", "ADA: integer translation up to 1/8 of the size, reflected at the edges", kind="geometric",
              draws=(2, 0))
def xint(draw: Draws, p: float, shape, most: float = 0.125) -> Tensor:
    _, _, h, w = shape
    t = _where(draw.fired(p, 1), (draw.uniform(2) * 2 - 1) * most, 0.0)
    m = _identities(3, len(t), draw.device)
    m[:, 0, 2], m[:, 1, 2] = -torch.round(t[:, 0] * w), -torch.round(t[:, 1] * h)
    return m


@OPS.register("scale", "ADA: isotropic scale, log2-normal with std 0.2", kind="geometric", draws=(0, 1))
def scale(draw: Draws, p: float, shape, std: float = 0.2) -> Tensor:
    s = _where(draw.fired(p), torch.exp2(draw.normal() * std), 1.0)
    m = _identities(3, len(s), draw.device)
    m.diagonal(dim1=1, dim2=2)[:, :2] = (1 / s).unsqueeze(1)
    return m


@OPS.register("rotate", "ADA: rotation by a uniform angle, full circle", kind="geometric", draws=(1, 0))
def rotate(draw: Draws, p: float, shape, most: float = 1.0) -> Tensor:
    return _rotation(_where(draw.fired(p), (draw.uniform() * 2 - 1) * math.pi * most, 0.0))


@OPS.register("tilt", "a small rotation, uniform in +-20 degrees (a digit stays that digit)", kind="geometric",
              draws=(1, 0))
def tilt(draw: Draws, p: float, shape) -> Tensor:
    return rotate(draw, p, shape, most=TILT_DEGREES / 180)


@functools.lru_cache(maxsize=16)
def _grid_frame(h: int, w: int, device: torch.device, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    """(scale [3, 3] taking centred pixel coordinates' matrices to affine_grid's -1..1 ones, elementwise;
    affine_grid's base grid [1, H*W, 3]: each output pixel's (x, y, 1) in -1..1, align_corners=False)."""
    unit = torch.tensor([2 / w, 2 / h, 1.0], device=device, dtype=torch.float64)
    xs = torch.linspace(-1, 1, w, device=device, dtype=dtype) * ((w - 1) / w)
    ys = torch.linspace(-1, 1, h, device=device, dtype=dtype) * ((h - 1) / h)
    base = torch.stack([xs.expand(h, w), ys.view(h, 1).expand(h, w), torch.ones(h, w, device=device, dtype=dtype)], 2)
    return torch.outer(unit, 1 / unit).float(), base.view(1, h * w, 3)


def warp(x: Tensor, g_inv: Tensor) -> Tensor:
    """Bilinear resampling of x [B, C, H, W] by inverse transforms [B, 3, 3] (centred pixel coordinates),
    reflection padded; pictures whose transform is the identity come back unchanged."""
    n, _, h, w = x.shape
    frame, base = _grid_frame(h, w, x.device, x.dtype)
    changed = (g_inv != _eye(3, x.device)).flatten(1).any(1)
    if x.device.type == "cpu":  # resample only the pictures a transform touched (at small p, a few of the batch);
        rows = changed.nonzero().squeeze(1)  # on a GPU this would cost a host sync, and the full batch is cheap there
        if len(rows) == 0:
            return x
        whole = len(rows) == n
        moved = _resampled(x if whole else x[rows], g_inv if whole else g_inv[rows], frame, base)
        return moved if whole else x.index_put((rows,), moved)
    return torch.where(changed.view(-1, 1, 1, 1), _resampled(x, g_inv, frame, base), x)


def _resampled(x: Tensor, g_inv: Tensor, frame: Tensor, base: Tensor) -> Tensor:
    """F.affine_grid + F.grid_sample, with the base grid made once per size."""
    n, _, h, w = x.shape
    theta = (g_inv * frame)[:, :2].to(x.dtype)  # [B, 2, 3] in affine_grid's -1..1 coordinates
    with torch.autocast(x.device.type, enabled=False):  # as affine_grid: coordinates at x's precision, not autocast's
        grid = torch.bmm(base.expand(n, h * w, 3), theta.transpose(1, 2)).view(n, h, w, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


# --- ADA colour ops: 4x4 matrices on homogeneous RGB, fused into one recolour ---
LUMA = torch.full((3,), 1 / math.sqrt(3))  # the grey axis that hue rotates about and saturation scales from


@functools.lru_cache(maxsize=8)
def _grey_axis(device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
    """(v v^T, I - v v^T, the cross-product matrix of v) for the grey axis v, as [3, 3] each."""
    v = LUMA.to(device)
    cross = torch.tensor([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]], device=device) * v[0]
    vv = torch.outer(v, v)
    return vv, _eye(3, device) - vv, cross


def _colour_matrix(linear: Tensor) -> Tensor:
    """[B, 3, 3] -> [B, 4, 4] with no offset."""
    m = _identities(4, len(linear), linear.device)
    m[:, :3, :3] = linear
    return m


@OPS.register("brightness", "ADA: add N(0, 0.2) to every channel", kind="colour", draws=(0, 1))
def brightness(draw: Draws, p: float, shape, std: float = 0.2) -> Tensor:
    b = _where(draw.fired(p), draw.normal() * std, 0.0)
    m = _identities(4, len(b), draw.device)
    m[:, :3, 3] = b.view(-1, 1)
    return m


@OPS.register("contrast", "ADA: scale about mid-grey by 2^N(0, 0.5)", kind="colour", draws=(0, 1))
def contrast(draw: Draws, p: float, shape, std: float = 0.5) -> Tensor:
    c = _where(draw.fired(p), torch.exp2(draw.normal() * std), 1.0)
    m = _identities(4, len(c), draw.device)
    m.diagonal(dim1=1, dim2=2)[:, :3] = c.view(-1, 1)
    return m


@OPS.register("hue", "ADA: rotate colours about the grey axis by a uniform angle", kind="colour", draws=(1, 0))
def hue(draw: Draws, p: float, shape, most: float = 1.0) -> Tensor:
    theta = _where(draw.fired(p), (draw.uniform() * 2 - 1) * math.pi * most, 0.0).view(-1, 1, 1)
    vv, off_axis, cross = _grey_axis(draw.device)
    return _colour_matrix(torch.addcmul(torch.addcmul(vv, torch.cos(theta), off_axis), torch.sin(theta), cross))  # Rodrigues


@OPS.register("saturation", "ADA: scale colour away from grey by 2^N(0, 1)", kind="colour", draws=(0, 1))
def saturation(draw: Draws, p: float, shape, std: float = 1.0) -> Tensor:
    s = _where(draw.fired(p), torch.exp2(draw.normal() * std), 1.0).view(-1, 1, 1)
    vv, off_axis, _ = _grey_axis(draw.device)
    return _colour_matrix(torch.addcmul(vv, s, off_axis))


def recolour(x: Tensor, m: Tensor) -> Tensor:
    """x [B, C, H, W] by colour matrices [B, 4, 4]; grey pictures (C != 3) use the matrix's mean row, so
    hue and saturation leave them alone. Clamped to -1..1; untouched pictures come back unchanged."""
    m = m.to(x.dtype)
    changed = (m != _eye(4, x.device, x.dtype)).flatten(1).any(1)
    if x.device.type == "cpu":  # as warp does: recolour only the pictures a matrix changes
        rows = changed.nonzero().squeeze(1)
        if len(rows) == len(x):
            return _recoloured(x, m)
        return x.index_put((rows,), _recoloured(x[rows], m[rows])) if len(rows) else x
    return torch.where(changed.view(-1, 1, 1, 1), _recoloured(x, m), x)


def _recoloured(x: Tensor, m: Tensor) -> Tensor:
    n, c, h, w = x.shape
    if c == 3:
        y = torch.baddbmm(m[:, :3, 3:], m[:, :3, :3], x.reshape(n, 3, h * w)).view(n, c, h, w)
    else:
        row = m[:, :3].mean(1)  # [B, 4]
        y = torch.addcmul(row[:, 3].view(n, 1, 1, 1), x, row[:, :3].sum(1).view(n, 1, 1, 1))
    return y.clamp(-1, 1)
