"""pix2pix (Isola et al. 2017): a U-Net generator and a PatchGAN discriminator, for paired translation.

The paired-model contract (shared with :mod:`gan_backend.models.spade`):

- ``G(cond, z=None)``: cond float [B, K, H, W] (a one-hot label map, or an input picture in -1..1)
  -> images float [B, C, H, W] in -1..1. pix2pix ignores ``z``: its noise is dropout, as in the paper.
- ``D(cond, image)`` -> one list per scale of feature maps, the last of each being the patch scores
  [B, 1, h, w] (raw, no sigmoid). The earlier maps feed SPADE's feature-matching loss.

Both networks are fully convolutional, so a model trained at 64x64 also runs on any multiple of 16.
``ModelSpec.num_classes`` is K, the number of input channels (label classes).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.base import MODELS, ModelSpec, UnsupportedShapeError
from gan_backend.models.layers import dcgan_init_

PAIRED_SIZES = (32, 64, 128, 256)  # square sides the paired models are built for (any multiple of 16 runs)
UNET_DEPTH = 4  # down-samplings: 64 px -> a 4x4 bottleneck


def check_paired_spec(spec: ModelSpec, model: str) -> int:
    """Return the image side, or raise naming what paired models need."""
    c, h, w = spec.shape
    if spec.data_kind != "paired":
        raise UnsupportedShapeError(f"{model} translates label maps to pictures: it needs paired data with label "
                                    f"maps (e.g. the scenes dataset or labels:PATH); got {spec.data_kind} data")
    if spec.num_classes < 1:
        raise UnsupportedShapeError(f"{model} needs its input's class (channel) count; to draw pictures from a "
                                    f"paired run use `gan-studio synthesize RUN --labels MAP.png`")
    if c not in (1, 3) or h != w or h not in PAIRED_SIZES:
        listed = ", ".join(str(s) for s in PAIRED_SIZES)
        raise UnsupportedShapeError(f"{model} supports image sizes {listed} with 1 or 3 channels; got {c}x{h}x{w}")
    return h


# --- PatchGAN (junyanz NLayerDiscriminator, with spectral norm instead of BatchNorm) -----------------------
class PatchDiscriminator(nn.Module):
    """concat(cond, image) [B, K+C, H, W] -> features, the last being patch scores [B, 1, H/8 - 2, W/8 - 2].

    Each score sees a 34x34-pixel patch (three stride-2 4x4 convs and two stride-1 ones).
    Spectral norm replaces pix2pix's BatchNorm: it keeps D Lipschitz under the hinge loss and
    behaves the same for batch 1 and batch 64.
    """

    def __init__(self, in_channels: int, width: int, layers: int = 3):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm
        chans = [in_channels] + [width * min(2 ** i, 8) for i in range(layers + 1)]
        self.blocks = nn.ModuleList()
        for i in range(layers + 1):
            stride = 2 if i < layers else 1
            self.blocks.append(nn.Sequential(sn(nn.Conv2d(chans[i], chans[i + 1], 4, stride, 1)), nn.LeakyReLU(0.2)))
        self.head = sn(nn.Conv2d(chans[-1], 1, 4, 1, 1))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats = []
        for block in self.blocks:
            x = block(x)
            feats.append(x)
        return feats + [self.head(x)]


class MultiScaleDiscriminator(nn.Module):
    """PatchGANs on the input at full, 1/2, 1/4 ... size (pix2pixHD / SPADE): coarse ones judge the layout."""

    def __init__(self, num_classes: int, channels: int, width: int, scales: int):
        super().__init__()
        self.scales = nn.ModuleList(PatchDiscriminator(num_classes + channels, width) for _ in range(scales))

    def forward(self, cond: torch.Tensor, image: torch.Tensor) -> list[list[torch.Tensor]]:
        x = torch.cat([cond, image], dim=1)
        out = []
        for i, d in enumerate(self.scales):
            if i:  # halve: SPADE's 3x3 average pool that ignores the zero padding
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            out.append(d(x))
        return out


# --- U-Net generator ---------------------------------------------------------------------------------
class UNetGenerator(nn.Module):
    """cond [B, K, H, W] -> [B, C, H, W] in -1..1; skip connections carry the layout's edges to the output.

    Encoder: UNET_DEPTH stride-2 4x4 convs (LeakyReLU, BatchNorm), widths w, 2w, 4w, 8w. Decoder:
    transposed convs back up, each fed the matching encoder map; dropout on the two innermost
    decoder layers is pix2pix's only source of noise.
    """

    def __init__(self, spec: ModelSpec):
        super().__init__()
        w, depth = spec.width, UNET_DEPTH
        chans = [w * min(2 ** i, 8) for i in range(depth)]  # encoder outputs, outermost first
        self.down = nn.ModuleList()
        c_in = spec.num_classes
        for i, c in enumerate(chans):
            layers = [] if i == 0 else [nn.LeakyReLU(0.2)]
            layers += [nn.Conv2d(c_in, c, 4, 2, 1, bias=i == 0)] + ([nn.BatchNorm2d(c)] if 0 < i < depth - 1 else [])
            self.down.append(nn.Sequential(*layers))
            c_in = c
        dropout = spec.g_dropout or 0.5  # pix2pix's noise: without it G ignores any other noise input
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):
            c_skip = 0 if i == depth - 1 else chans[i]
            c_out = chans[i - 1] if i > 0 else spec.shape[0]
            layers = [nn.ReLU(), nn.ConvTranspose2d(chans[i] + c_skip, c_out, 4, 2, 1, bias=i == 0)]
            layers += [nn.Tanh()] if i == 0 else [nn.BatchNorm2d(c_out)]
            if i >= depth - 2 and i > 0:
                layers.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*layers))
        self.apply(dcgan_init_)

    def forward(self, cond: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        skips = []
        x = cond
        for down in self.down:
            x = down(x)
            skips.append(x)
        x = self.up[0](skips.pop())  # innermost: no skip yet
        for up in self.up[1:]:
            x = up(torch.cat([x, skips.pop()], dim=1))
        return x


@MODELS.register("pix2pix", data_kinds=("paired",), sizes=PAIRED_SIZES, conditional="never", task="paired",
                 loss="hinge", aux="l1", aux_weight=100.0)
def build_pix2pix(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """pix2pix: U-Net G on the one-hot label map (dropout noise), PatchGAN D on (map, image); L1 + adversarial."""
    check_paired_spec(spec, "pix2pix")
    return UNetGenerator(spec), MultiScaleDiscriminator(spec.num_classes, spec.shape[0], spec.width, scales=1)
