"""SNGAN ResNet for 32x32 images (Miyato et al. 2018, the CIFAR-10 networks).

G: linear z -> 4x4, three up ResBlocks (BN, ReLU, nearest 2x upsample, 3x3 conv) to 32x32,
then BN-ReLU-conv3x3-tanh. D: an optimized first block and three ResBlocks (the first two
downsample), ReLU, global sum pooling and a linear score; every D layer is spectral-normalised.
Channels: G ``4 * width``, D ``2 * width`` (256 and 128 at width 64, as in the paper).
With ``num_classes > 0`` G uses class-conditional BatchNorm and D a projection head.
``model.attention`` (8 or 16) adds a SAGAN self-attention block to G and D at that side, as SAGAN does.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.attention import SelfAttention, check_attention_side
from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.conditional import ClassBatchNorm2d, ProjectionHead, check_cond_mode
from gan_backend.models.layers import check_image_spec, xavier_init_

SNGAN_SIZES = (32,)
ATTENTION_SIDES = (8, 16)  # sides that G's blocks (8, 16, 32) and D's (16, 8, 8, 8) both have


def _sn_conv(c_in: int, c_out: int, kernel: int, residual: bool = True) -> nn.Module:
    """A 'same'-padded conv, Xavier-initialised, wrapped in spectral norm."""
    conv = xavier_init_(nn.Conv2d(c_in, c_out, kernel, 1, kernel // 2), residual)
    return nn.utils.parametrizations.spectral_norm(conv)


class GBlock(nn.Module):
    """Up ResBlock: [B, c_in, s, s] -> [B, c_out, 2s, 2s]."""

    def __init__(self, c_in: int, c_out: int, num_classes: int):
        super().__init__()
        self.bn1 = ClassBatchNorm2d(c_in, num_classes)
        self.conv1 = xavier_init_(nn.Conv2d(c_in, c_out, 3, 1, 1))
        self.bn2 = ClassBatchNorm2d(c_out, num_classes)
        self.conv2 = xavier_init_(nn.Conv2d(c_out, c_out, 3, 1, 1))
        self.shortcut = xavier_init_(nn.Conv2d(c_in, c_out, 1), residual=False)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, y)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h), y)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class DBlock(nn.Module):
    """Down ResBlock: [B, c_in, s, s] -> [B, c_out, s/2 or s, ...].

    The ``optimized`` first block skips the leading ReLU (it would clip the raw image) and pools
    before its shortcut conv, which is cheaper and what the paper's CIFAR D does.
    """

    def __init__(self, c_in: int, c_out: int, downsample: bool, optimized: bool = False):
        super().__init__()
        self.downsample, self.optimized = downsample, optimized
        self.conv1 = _sn_conv(c_in, c_out, 3)
        self.conv2 = _sn_conv(c_out, c_out, 3)
        learn_shortcut = optimized or downsample or c_in != c_out
        self.shortcut = _sn_conv(c_in, c_out, 1, residual=False) if learn_shortcut else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv2(F.relu(self.conv1(x if self.optimized else F.relu(x))))
        if self.downsample:
            h = F.avg_pool2d(h, 2)
        return h + self._skip(x)

    def _skip(self, x: torch.Tensor) -> torch.Tensor:
        if self.shortcut is None:
            return x
        if self.optimized:
            return self.shortcut(F.avg_pool2d(x, 2))
        x = self.shortcut(x)
        return F.avg_pool2d(x, 2) if self.downsample else x


class SNGANGenerator(nn.Module):
    """z [B, latent_dim] (+ y [B]) -> images [B, C, 32, 32] in -1..1."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.ch = ch = 4 * spec.width
        self.num_classes = spec.num_classes
        self.linear = xavier_init_(nn.Linear(spec.latent_dim, 4 * 4 * ch), residual=False)
        self.blocks = nn.ModuleList(GBlock(ch, ch, spec.num_classes) for _ in range(3))
        side = check_attention_side(spec, "sngan", ATTENTION_SIDES)
        self.attention_after = {8: 0, 16: 1}.get(side, -1)  # index of the block whose output it attends over
        self.attention = SelfAttention(ch) if side else None
        self.dropout = nn.Dropout(spec.g_dropout) if spec.g_dropout > 0 else nn.Identity()
        self.bn = nn.BatchNorm2d(ch)
        self.out = xavier_init_(nn.Conv2d(ch, spec.shape[0], 3, 1, 1), residual=False)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.linear(z).view(-1, self.ch, 4, 4)  # [B, ch, 4, 4]
        for i, block in enumerate(self.blocks):  # -> 8, 16, 32
            h = self.dropout(block(h, y if self.num_classes else None))
            if i == self.attention_after:
                h = self.attention(h)
        return torch.tanh(self.out(F.relu(self.bn(h))))  # [B, C, 32, 32] in -1..1


class SNGANDiscriminator(nn.Module):
    """Images [B, C, 32, 32] (+ y [B]) -> raw scores [B]."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        ch = 2 * spec.width
        side = check_attention_side(spec, "sngan", ATTENTION_SIDES)
        blocks = [DBlock(spec.shape[0], ch, downsample=True, optimized=True),  # 32 -> 16
                  DBlock(ch, ch, downsample=True),  # 16 -> 8
                  DBlock(ch, ch, downsample=False),
                  DBlock(ch, ch, downsample=False)]
        if side:  # after the first block (16 x 16) or the second (8 x 8)
            blocks.insert({16: 1, 8: 2}[side], SelfAttention(ch, spectral_norm=True))
        self.blocks = nn.Sequential(*blocks)
        self.head = ProjectionHead(ch, spec.num_classes, spectral_norm=True)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = F.relu(self.blocks(x)).sum(dim=(2, 3))  # global sum pooling: [B, ch, 8, 8] -> [B, ch]
        return self.head(h, y)


@MODELS.register("sngan", data_kinds=("image",), sizes=SNGAN_SIZES, conditional="optional")
def build_sngan(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """SNGAN ResNet (Miyato et al.) for 32x32 images; spectral norm in D, optional projection conditioning."""
    check_image_spec(spec, "sngan", SNGAN_SIZES)
    check_cond_mode(spec, supported=("projection",))
    return SNGANGenerator(spec), SNGANDiscriminator(spec)
