"""Conversions between tensors and uint8 pictures, and sample grids."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """[B, C, H, W] in -1..1 -> uint8 [B, H, W, C] (a copy, safe to hand to another thread)."""
    x = ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).cpu().numpy().copy()


def from_uint8(images: torch.Tensor) -> torch.Tensor:
    """uint8 [B, H, W, C] -> float [B, C, H, W] in -1..1."""
    # Contiguous before the float conversion: converting the NHWC view directly is ~10x slower on CPU.
    return images.permute(0, 3, 1, 2).contiguous().float().div_(127.5).sub_(1.0)


def grey_to_rgb(images: np.ndarray) -> np.ndarray:
    """uint8 [..., 1|3] (channels last) -> [..., 3]: a grey channel repeated three times; RGB as it is (no copy)."""
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


def make_grid(images: np.ndarray, ncols: int | None = None, pad: int = 2, pad_value: int = 0) -> np.ndarray:
    """uint8 [B, H, W, C] -> one uint8 [rows*(H+pad)+pad, cols*(W+pad)+pad, 3] picture."""
    b, h, w, c = images.shape
    ncols = ncols or max(1, int(math.ceil(math.sqrt(b))))
    nrows = int(math.ceil(b / ncols))
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, 3), pad_value, np.uint8)
    rgb = grey_to_rgb(images[..., :3])  # RGBA loses its alpha
    for i in range(b):
        r, col = divmod(i, ncols)
        y, x = pad + r * (h + pad), pad + col * (w + pad)
        grid[y:y + h, x:x + w] = rgb[i]
    return grid


def points_picture(points: np.ndarray, real: np.ndarray | None = None, size: int = 256, extent: float = 0.0) -> np.ndarray:
    """A scatter of 2-D points as uint8 [size, size, 3]: real points grey, generated ones orange."""
    pic = np.full((size, size, 3), 255, np.uint8)
    clouds = [(real, (170, 170, 170)), (points, (230, 110, 20))] if real is not None else [(points, (230, 110, 20))]
    extent = extent or float(max(np.abs(c).max() for c, _ in clouds if c is not None and len(c)) * 1.1 or 1.0)
    for cloud, colour in clouds:
        ij = np.clip(((cloud / extent + 1) / 2 * (size - 1)).round().astype(int), 0, size - 1)
        for dy in (0, 1):
            for dx in (0, 1):
                pic[np.clip(size - 1 - ij[:, 1] - dy, 0, size - 1), np.clip(ij[:, 0] + dx, 0, size - 1)] = colour
    return pic


def save_png(picture: np.ndarray, path: Path) -> None:
    """Write a uint8 [H, W, 3|1] picture; written to a temporary name first so followers never see half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    Image.fromarray(picture.squeeze(-1) if picture.shape[-1] == 1 else picture).save(tmp, format="PNG")
    tmp.replace(path)
