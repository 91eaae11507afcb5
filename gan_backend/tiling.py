"""Run a fully convolutional picture-to-picture network on a picture of any size.

Small pictures go through in one piece, padded to the sides the network accepts. Larger ones are cut
into overlapping tiles: memory stays bounded, and each tile is normalised (InstanceNorm) over a view
the size of what the network usually sees rather than over a whole poster. Where tiles overlap their
outputs are cross-faded with linear ramps, so no seam shows where two tiles' statistics differ.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

TILE = 256  # tile side: holds a good part of a scene, and takes ~0.2 s through the shipped model on a CPU
OVERLAP = 32  # pixels two neighbouring tiles share and cross-fade over

Net = Callable[[torch.Tensor], torch.Tensor]  # [1, C, h, w] -> [1, C', h, w], h and w multiples of ``multiple``


def translate_tiled(net: Net, x: torch.Tensor, multiple: int = 16, tile: int = TILE,
                    overlap: int = OVERLAP) -> torch.Tensor:
    """x [1, C, H, W] -> net's output [1, C', H, W], in one piece when it fits in a tile, else in blended tiles."""
    h, w = x.shape[2:]
    if h <= tile and w <= tile:
        return run_padded(net, x, multiple)
    out, weight = None, x.new_zeros(1, 1, h, w)
    for top in starts(h, tile, overlap):
        for left in starts(w, tile, overlap):
            part = x[:, :, top:top + tile, left:left + tile]
            y = run_padded(net, part, multiple)
            ramp = window(part.shape[2], overlap, x.device)[:, None] * window(part.shape[3], overlap, x.device)[None]
            if out is None:
                out = x.new_zeros(1, y.shape[1], h, w)
            out[:, :, top:top + tile, left:left + tile] += y * ramp
            weight[:, :, top:top + tile, left:left + tile] += ramp
    return out / weight


def run_padded(net: Net, x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Replicate-pad [1, C, h, w] on the right and bottom to multiples of ``multiple``, run, crop back."""
    h, w = x.shape[2:]
    ph, pw = -h % multiple, -w % multiple
    y = net(F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x)
    return y[:, :, :h, :w]


def starts(length: int, tile: int, overlap: int) -> list[int]:
    """Tile offsets along one side: a stride of tile - overlap, the last tile flush with the end."""
    if length <= tile:
        return [0]
    offsets = list(range(0, length - tile, tile - overlap))
    return offsets + [length - tile]


def window(n: int, overlap: int, device) -> torch.Tensor:
    """float [n]: 1 inside, ramping down linearly over ``overlap`` pixels at each end (never to 0)."""
    i = torch.arange(n, device=device, dtype=torch.float32)
    return ((torch.minimum(i, n - 1 - i) + 1) / (overlap + 1)).clamp(max=1.0)
