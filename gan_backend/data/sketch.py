"""Inputs computed from any picture, for pix2pix without labelling: a line drawing (``edges:``) and grey (``gray:``).

The line drawing is Canny's recipe (Canny 1986), in torch on whole batches:

1. blur (Gaussian, sigma 0.7 px up to 128 px, side/192 above) so pixel noise and JPEG blocks make no lines;
2. Sobel gradients of each colour channel and of the luminance, keeping per pixel the strongest: an edge
   between two colours of equal brightness (a red shape on green) is still a line;
3. non-maximum suppression across the gradient direction: lines one pixel thick, as a pen draws them;
4. hysteresis: keep pixels above a high threshold and the pixels above 0.5x it connected to them, so a faint
   stretch of a real contour survives while isolated texture specks do not. The high threshold is ``HIGH`` on
   flat drawings and, per picture, the magnitude of its strongest 3% of thinned pixels on soft photos;
5. at 384 px and more, lines are thickened to about 1/256 of the side, the width a person's pen has there.

The result is black ink (0) on white paper (255), uint8 [N, H, W, 1]. On flat drawings such as emoji it traces
the outlines and the boundaries between colours; on photos it keeps the strong contours (a few percent ink).
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

HIGH = 0.20  # gradient magnitude (0..1 intensity per pixel) that starts a line, at most (flat drawings)
LOW_RATIO = 0.5  # a line continues down to this share of HIGH
STRONG_SHARE = 0.03  # on photos HIGH falls to the magnitude of the picture's strongest 3% of (thinned) pixels
FLOOR = 0.03  # ... but never below this: a flat picture has no lines
BATCH = 256


def _gaussian(sigma: float) -> torch.Tensor:
    radius = max(1, math.ceil(2.5 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def _blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    k = _gaussian(sigma)
    c, r = x.shape[1], len(k) // 2
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def _sobel(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
    c = x.shape[1]
    x = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gx = F.conv2d(x, kx.view(1, 1, 3, 3).repeat(c, 1, 1, 1), groups=c)
    gy = F.conv2d(x, kx.T.contiguous().view(1, 1, 3, 3).repeat(c, 1, 1, 1), groups=c)
    return gx, gy


def _thin(mag: torch.Tensor, gx: torch.Tensor, gy: torch.Tensor) -> torch.Tensor:
    """Non-maximum suppression: magnitude where it is a maximum across the edge, else 0. [N, 1, H, W]."""
    angle = torch.rad2deg(torch.atan2(gy, gx)) % 180
    sector = ((angle + 22.5) // 45).long() % 4  # 0: horizontal gradient, 1: 45 deg, 2: vertical, 3: 135 deg
    p = F.pad(mag, (1, 1, 1, 1))
    h, w = mag.shape[-2:]
    at = lambda dy, dx: p[..., 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]  # noqa: E731
    pairs = [(at(0, 1), at(0, -1)), (at(1, 1), at(-1, -1)), (at(1, 0), at(-1, 0)), (at(1, -1), at(-1, 1))]
    keep = torch.zeros_like(mag, dtype=torch.bool)
    for s, (a, b) in enumerate(pairs):
        keep |= (sector == s) & (mag >= a) & (mag >= b)
    return mag * keep


def _thresholds(thin: torch.Tensor, high: float) -> torch.Tensor:
    """Per picture [N, 1, 1, 1]: ``high``, or lower for a picture whose edges are soft (most photos)."""
    out = []
    for t in thin.flatten(1):
        out.append(torch.clamp(torch.quantile(t, 1 - STRONG_SHARE), FLOOR, high))
    return torch.stack(out).view(-1, 1, 1, 1)


def _hysteresis(thin: torch.Tensor, high: torch.Tensor, low: torch.Tensor) -> torch.Tensor:
    strong, weak = thin >= high, thin >= low
    for _ in range(max(thin.shape[-2:])):  # grow strong lines along weak pixels until nothing changes
        grown = (F.max_pool2d(strong.float(), 3, 1, 1) > 0) & weak
        if torch.equal(grown, strong):
            break
        strong = grown
    return strong


@torch.no_grad()
def line_drawing(images: np.ndarray, high: float = HIGH) -> np.ndarray:
    """uint8 [N, H, W, C] pictures (C = 1 or 3) -> uint8 [N, H, W, 1]: black lines (0) on white (255)."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"line_drawing: expected [N, H, W, C] pictures, got shape {images.shape}")
    out = []
    side = min(images.shape[1:3])
    sigma = max(0.7, side / 192)
    width = max(1, round(side / 256))
    for start in range(0, len(images), BATCH):
        x = torch.from_numpy(np.array(images[start:start + BATCH, ..., :3])).permute(0, 3, 1, 2)
        x = x.float() / 255
        if x.shape[1] == 3:
            luma = (0.299 * x[:, :1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
            x = torch.cat([x, luma], 1)
        gx, gy = _sobel(_blur(x, sigma))
        mag = torch.sqrt(gx ** 2 + gy ** 2)
        best = mag.argmax(dim=1, keepdim=True)  # the channel with the strongest edge gives its direction
        mag, gx, gy = (t.gather(1, best) for t in (mag, gx, gy))
        thin = _thin(mag, gx, gy)
        top = _thresholds(thin, high)
        lines = _hysteresis(thin, top, LOW_RATIO * top).float()
        if width > 1:
            lines = (F.max_pool2d(lines, 2 * (width // 2) + 1, 1, width // 2) > 0).float()
        out.append(((1 - lines) * 255).to(torch.uint8).permute(0, 2, 3, 1).numpy())
    return np.concatenate(out) if out else np.zeros((0, *images.shape[1:3], 1), np.uint8)


def to_grey(images: np.ndarray) -> np.ndarray:
    """uint8 [N, H, W, 3] -> [N, H, W, 1] luminance (ITU-R 601-2, as Pillow's "L")."""
    x = np.asarray(images, np.float32)[..., :3]
    return np.clip(np.round(x @ np.array([0.299, 0.587, 0.114], np.float32)), 0, 255).astype(np.uint8)[..., None]


def is_grey(images: np.ndarray, tolerance: int = 2) -> np.ndarray:
    """bool [N]: pictures with no colour (every pixel's channels within ``tolerance``)."""
    images = np.asarray(images)
    if images.shape[-1] == 1:
        return np.ones(len(images), bool)
    x = images[..., :3].astype(np.int16)
    return (x.max(axis=-1) - x.min(axis=-1)).reshape(len(images), -1).max(axis=1) <= tolerance


def ink_share(drawing: np.ndarray) -> float:
    """The share of pixels that are ink (dark) in line drawings uint8 [..., 1]."""
    return float((np.asarray(drawing) < 128).mean())
