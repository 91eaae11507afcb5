"""Whole-dataset transforms on decoded arrays (the engine calls ``resize_dataset`` for ``data.image_size``).

Resizing runs in torch over chunks of images at once (antialiased bilinear, so shrinking does not
alias), which turns 60,000 MNIST digits from 28 to 32 pixels in about a second instead of the
minute a Pillow call per image would take. Label maps ("segmap") are resized by nearest neighbour
so class indices stay class indices.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import torch
import torch.nn.functional as F

from gan_backend.data.base import ArrayDataset

CHUNK = 1024  # images per interpolate call: bounds the float temporaries to ~50 MB at 64x64 RGB


def center_square(images: np.ndarray) -> np.ndarray:
    """The centred square crop of [N, H, W, ...] (a view; no copy when already square)."""
    h, w = images.shape[1:3]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return images[:, top:top + side, left:left + side]


def resize_images(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 [N, H, W, C] -> uint8 [N, size, size, C]: centre square, then antialiased bilinear."""
    square = center_square(images)
    out = np.empty((len(images), size, size, images.shape[3]), np.uint8)
    for start in range(0, len(images), CHUNK):
        part = torch.from_numpy(np.ascontiguousarray(square[start:start + CHUNK])).permute(0, 3, 1, 2).float()
        part = F.interpolate(part, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        out[start:start + CHUNK] = part.round_().clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()
    return out


def resize_maps(maps: np.ndarray, size: int) -> np.ndarray:
    """uint8 [N, H, W] class indices -> [N, size, size] by nearest neighbour (no invented classes)."""
    square = center_square(maps)
    out = np.empty((len(maps), size, size), np.uint8)
    for start in range(0, len(maps), CHUNK):
        part = torch.from_numpy(np.ascontiguousarray(square[start:start + CHUNK]))[:, None].float()
        out[start:start + CHUNK] = F.interpolate(part, size=(size, size), mode="nearest-exact")[:, 0].to(torch.uint8).numpy()
    return out


def resize_dataset(data: ArrayDataset, size: int) -> ArrayDataset:
    """A copy of an image, paired or unpaired dataset with every picture (and label map) at size x size."""
    if data.kind == "points":
        return data
    extra = {k: resize_maps(v, size) if k == "segmap" else resize_images(v, size) for k, v in data.extra.items()}
    x = resize_images(data.x, size)
    h, w = data.x.shape[1:3]
    report = dataclasses.replace(data.report, shape=tuple(x.shape[1:]),
                                 notes=data.report.notes + [f"resized from {w}x{h} to {size}x{size} for the model"])
    return dataclasses.replace(data, x=x, extra=extra, report=report)
