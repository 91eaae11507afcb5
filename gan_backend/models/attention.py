"""SAGAN self-attention (Zhang, Goodfellow, Metaxas & Odena 2018): every position of a feature map looks at
every other, so a generator can keep distant parts of a picture consistent.

    x [B, C, H, W] -> x + gamma * o,   o_j = sum_i softmax_i(f(x_j) . g(x_i)) h(x_i)

f, g are 1x1 convs to C/8 channels (query, key), h a 1x1 conv to C (value); gamma is a learned scalar that
starts at 0, so the block opens gradually as training finds it useful. ``model.attention`` places one block
in G and one in D at the feature maps of that side (:func:`check_attention_side` names the sides there are).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from gan_backend.models.base import ModelSpec, UnsupportedShapeError
from gan_backend.models.layers import maybe_spectral_norm


class SelfAttention(nn.Module):
    """[B, C, H, W] -> [B, C, H, W]. With ``keep_map = True`` a forward stores ``last_map``: float [B, N, N],
    N = H * W, row j is the softmax over positions i that query j attends to (each row sums to 1)."""

    def __init__(self, channels: int, spectral_norm: bool = False):
        super().__init__()
        inner = max(1, channels // 8)
        conv = lambda c_out: maybe_spectral_norm(nn.Conv2d(channels, c_out, 1, bias=False), spectral_norm)
        self.query, self.key, self.value = conv(inner), conv(inner), conv(channels)
        self.gamma = nn.Parameter(torch.zeros(()))
        self.keep_map = False
        self.last_map: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)  # [B, N, C/8]
        k = self.key(x).flatten(2)  # [B, C/8, N]
        attn = torch.softmax(torch.bmm(q, k), dim=-1)  # [B, N queries, N keys]
        if self.keep_map:
            self.last_map = attn.detach()
        out = torch.bmm(self.value(x).flatten(2), attn.transpose(1, 2))  # [B, C, N]
        return x + self.gamma * out.view(b, c, h, w)


def check_attention_side(spec: ModelSpec, model: str, sides: tuple[int, ...]) -> int:
    """``spec.attention`` (0 = none) when it is one of the feature-map ``sides``; else raise naming them."""
    side = int(spec.attention)
    if side and side not in sides:
        listed = ", ".join(str(s) for s in sides)
        raise UnsupportedShapeError(f"model.attention={side}: {model} at {spec.shape[1]} px has feature maps of "
                                    f"side {listed}; choose one of them (0 = no attention)")
    return side


def attention_blocks(module: nn.Module) -> list[SelfAttention]:
    """The self-attention blocks inside ``module``, in order."""
    return [m for m in module.modules() if isinstance(m, SelfAttention)]


@torch.no_grad()
def attention_for_pixel(generator: nn.Module, z: torch.Tensor, row: int, col: int,
                        y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """G's picture for one latent and where its first attention block looks from pixel (row, col).

    ``z`` [1, latent_dim] -> (picture [1, C, H, W] in -1..1, map float [h, w] of the feature map the block
    attends over, summing to 1): the softmax row of the query position under the pixel (the SAGAN figure).
    """
    blocks = attention_blocks(generator)
    if not blocks:
        raise ValueError("this generator has no self-attention block; train with model.attention set")
    block = blocks[0]
    block.keep_map = True
    try:
        picture = generator(z, y)
        attn = block.last_map[0]  # [N, N]
    finally:
        block.keep_map, block.last_map = False, None
    side_h, side_w = picture.shape[2], picture.shape[3]
    n = int(round(attn.shape[0] ** 0.5))  # the attended feature map is square, n x n
    query = (row * n // side_h) * n + col * n // side_w
    return picture, attn[query].view(n, n).clone()
