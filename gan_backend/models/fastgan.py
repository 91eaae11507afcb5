"""A lean FastGAN (Liu et al. 2021, "Towards Faster and Stabilized GAN Training for High-fidelity Few-shot
Image Synthesis"): a generator and discriminator meant for a few hundred pictures of your own.

G: z -> 4x4 (transposed conv + BN + GLU), then per 2x step nearest upsample + 3x3 conv + BN + GLU, and
skip-layer excitation (SLE): a low-resolution map gates the channels of a map 8x larger (into the three
highest resolutions of 32 px and up), then 3x3 conv + tanh. D: a strided conv, down blocks (mean of a
strided-conv branch and an average-pool branch) to 8x8, a small decoder that rebuilds the real picture at up to
32 px from the 8x8 features (the paper's self-supervised term, with L1 instead of LPIPS), then down to 4x4 and
one score; ``spectral_norm_d`` wraps D's convs (BN stays, as in the paper's code). Unconditional.
Channels double per halving from ``width / 2``: D has ``width * size / (2 * side)`` (at most ``8 * width``),
G half that (at most ``4 * width``); at 64 px, width 32, D runs 32 -> 256 and G 128 -> 16 channels. A training
step then costs ~1.5x dcgan's at the same width.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.layers import check_image_spec, dcgan_init_, maybe_spectral_norm

FASTGAN_SIZES = (32, 64, 128, 256)
RECON_SIDE = 32  # side of the real picture D's decoder rebuilds (the picture itself at 32 px)
RECON_WEIGHT = 1.0  # weight of the L1 reconstruction in D's loss (the paper adds its LPIPS term unweighted)


def channels(spec: ModelSpec, size: int, side: int, net: str = "D") -> int:
    """Channels at ``side`` x ``side`` for ``size`` px images: double per halving, within bounds.

    G gets half of D's: its 3x3 convs feeding a GLU (2x outputs) cost ~4x a transposed conv of the same width.
    """
    top, per = (8 * spec.width, 2) if net == "D" else (4 * spec.width, 4)
    return max(4, spec.width // 2, min(top, spec.width * size // (per * side)))


def _init(module: nn.Module) -> nn.Module:
    """DCGAN init (N(0, 0.02) convs, N(1, 0.02) BN), as the FastGAN code uses, on every layer."""
    for m in module.modules():
        dcgan_init_(m)
    return module


def _up_block(c_in: int, c_out: int) -> nn.Sequential:
    """[B, c_in, s, s] -> [B, c_out, 2s, 2s]: nearest 2x, 3x3 conv to 2 * c_out, BN, GLU (halves channels)."""
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, 2 * c_out, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(2 * c_out), nn.GLU(dim=1))


class SkipExcitation(nn.Module):
    """SLE: per-channel gates in 0..1 from a low-res map [B, c_low, s, s] multiply a high one [B, c_high, S, S]."""

    def __init__(self, c_low: int, c_high: int):
        super().__init__()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Conv2d(c_low, c_high, 4, 1, 0, bias=False),
                                  nn.SiLU(), nn.Conv2d(c_high, c_high, 1, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
        return high * self.gate(low)  # gate: [B, c_high, 1, 1]


def sle_pairs(size: int) -> dict[int, int]:
    """{high side: low side} for SLE: the three highest sides from 32 up, each fed from 8x smaller (at least 4)."""
    highs = [s for s in (size, size // 2, size // 4) if s >= 32]
    return {high: max(4, high // 8) for high in highs}


class FastGANGenerator(nn.Module):
    """z [B, latent_dim] -> images [B, C, size, size] in -1..1."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        size = check_image_spec(spec, "fastgan", FASTGAN_SIZES)
        sides = [4 * 2 ** i for i in range(int(math.log2(size // 4)) + 1)]  # 4, 8, ..., size
        ch = {s: channels(spec, size, s, "G") for s in sides}
        self.init = nn.Sequential(nn.ConvTranspose2d(spec.latent_dim, 2 * ch[4], 4, 1, 0, bias=False),
                                  nn.BatchNorm2d(2 * ch[4]), nn.GLU(dim=1))
        self.ups = nn.ModuleDict({str(s): _up_block(ch[s // 2], ch[s]) for s in sides[1:]})
        self.pairs = sle_pairs(size)
        self.sle = nn.ModuleDict({str(hi): SkipExcitation(ch[lo], ch[hi]) for hi, lo in self.pairs.items()})
        self.dropout = nn.Dropout(spec.g_dropout) if spec.g_dropout > 0 else nn.Identity()
        self.to_image = nn.Sequential(nn.Conv2d(ch[size], spec.shape[0], 3, 1, 1), nn.Tanh())
        _init(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        # y is accepted for the common signature and ignored: this G is unconditional.
        h = self.init(z[:, :, None, None])  # [B, ch4, 4, 4]
        feats = {4: h}
        for side, up in self.ups.items():
            side = int(side)
            h = self.dropout(up(h))
            if side in self.pairs:
                h = self.sle[str(side)](feats[self.pairs[side]], h)
            feats[side] = h
        return self.to_image(h)  # [B, C, size, size] in -1..1


class _DownBlock(nn.Module):
    """[B, c_in, s, s] -> [B, c_out, s/2, s/2]: mean of a strided-conv branch and an average-pool branch.

    The paper's strided branch has a second 3x3 conv; one conv keeps D as cheap as dcgan's.
    """

    def __init__(self, c_in: int, c_out: int, sn: bool):
        super().__init__()

        def conv(*args):
            return maybe_spectral_norm(_init(nn.Conv2d(*args, bias=False)), sn)

        act = nn.LeakyReLU(0.2, inplace=True)
        self.main = nn.Sequential(conv(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), act)
        self.direct = nn.Sequential(nn.AvgPool2d(2), conv(c_in, c_out, 1, 1, 0), nn.BatchNorm2d(c_out), act)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.main(x) + self.direct(x)) / 2


class FastGANDiscriminator(nn.Module):
    """Images [B, C, size, size] -> raw scores [B]; with ``aux=True`` -> (scores, L1 reconstruction loss).

    ``has_real_aux_loss`` tells the GAN task to call it with ``aux=True`` on real pictures and add the loss
    to D's (logged as ``loss_d_recon``): the decoder must rebuild what D saw from its 8x8 features, which
    makes D learn features that describe the picture instead of memorising a few hundred of them.
    """

    has_real_aux_loss = True

    def __init__(self, spec: ModelSpec):
        super().__init__()
        size = check_image_spec(spec, "fastgan", FASTGAN_SIZES)
        sn, c = spec.spectral_norm_d, spec.shape[0]
        ch = {s: channels(spec, size, s) for s in (4, 8, 16, 32, 64, 128, 256) if s <= size}
        first = maybe_spectral_norm(_init(nn.Conv2d(c, ch[size // 2], 4, 2, 1)), sn)
        downs = [_DownBlock(ch[s], ch[s // 2], sn) for s in (128, 64, 32, 16) if s < size]  # size/2 -> 8
        self.to_8 = nn.Sequential(first, nn.LeakyReLU(0.2, inplace=True), *downs)
        self.to_4 = _DownBlock(ch[8], ch[4], sn)
        self.score = maybe_spectral_norm(_init(nn.Conv2d(ch[4], 1, 4, 1, 0)), sn)
        self.recon_side = min(size, RECON_SIDE)
        # The decoder stays narrow (width / 2 at 16x16, width / 4 at 32x32) whatever the size: a training aid.
        dec = {8: ch[8], 16: max(4, spec.width // 2), 32: max(4, spec.width // 4)}
        ups = [_up_block(dec[s // 2], dec[s]) for s in (16, 32) if s <= self.recon_side]
        self.decoder = _init(nn.Sequential(*ups, nn.Conv2d(dec[self.recon_side], c, 3, 1, 1), nn.Tanh()))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None, aux: bool = False):
        h8 = self.to_8(x)  # [B, ch8, 8, 8]
        scores = self.score(self.to_4(h8)).view(-1)  # [B, 1, 1, 1] -> [B]
        if not aux:
            return scores
        target = F.interpolate(x, size=self.recon_side, mode="area") if x.shape[-1] != self.recon_side else x
        return scores, RECON_WEIGHT * F.l1_loss(self.decoder(h8).float(), target.float())


@MODELS.register("fastgan", data_kinds=("image",), sizes=FASTGAN_SIZES, conditional="never")
def build_fastgan(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """FastGAN (Liu et al.) for small data sets: GLU upsampling, skip-layer excitation, self-supervised D; 32-256 px."""
    return FastGANGenerator(spec), FastGANDiscriminator(spec)
