"""A lean StyleGAN2 (Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN") for a CPU at 16-128 px.

G = mapping + synthesis. The mapping network normalises z, appends the class embedding (conditional runs) and maps it
through ``model.map_depth`` equalised-lr layers at a 0.01 learning-rate multiplier to w. The synthesis network
starts from a learned 4x4 constant. Each resolution has modulated, demodulated 3x3 convolutions (one at 4x4, then an
upsampling one and a plain one per doubling), per-pixel noise with a learned strength that starts at 0, and a skip
toRGB whose outputs are upsampled and summed. Layer i takes the i-th of ``num_ws`` styles, so picking rows of ``ws``
is style mixing; ``w_avg`` (tracked by EMA while training) is the centre that truncation in W pulls toward.

Lighter than the paper: strided (transposed) convs and bilinear skips instead of FIR filters, and channels
``16 width / side`` within 16 .. 4 width (width 32: 128 at 4 px, 64 at 8, 32 at 16, 16 above). A step still costs
about 3x dcgan's at the same width and size: two 3x3 convs per resolution against one 4x4.
D is the paper's residual one (fromRGB, two 3x3 convs and a 1x1 skip per halving, minibatch std at 4x4, two linear
layers), with a projection head for classes and an optional InfoGAN Q head on its trunk. Style
mixing and path length live in G; lazy R1 and the paper's Adam settings come from the registry entry's ``defaults``
(``Task.setting``). The layers are in ``models/style_layers.py``.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_backend.models.base import MODELS, ModelSpec
from gan_backend.models.conditional import ProjectionHead
from gan_backend.models.inputs import InfoCodes, QHead
from gan_backend.models.layers import check_image_spec
from gan_backend.models.style_layers import (NOISE_MODES, DBlock, EqualConv2d, EqualLinear, MinibatchStd, StyleLayer,
                                             ToRGB, normalize_2nd_moment)

STYLEGAN_SIZES = (16, 28, 32, 64, 128)  # 28 (7 -> 14 -> 28) for MNIST-like digits, as dcgan
MAPPING_LR_MUL = 0.01  # the paper's learning-rate multiplier of the mapping network
W_AVG_BETA = 0.995  # EMA of w over training batches (the paper's w_avg_beta)


def channels(width: int, side: int) -> int:
    """Channels at ``side`` x ``side``: 16 width / side, within 16 .. 4 width (DCGAN's profile: width 32 gives 128
    at 4 px, 64 at 8, 32 at 16 and 16 from 32 px up)."""
    return max(16, min(4 * width, 16 * width // side))


def start_side(size: int) -> int:
    """Side of the learned constant: 7 for 28 px pictures, else 4."""
    return 7 if size == 28 else 4


def channels_at(width: int, side: int, size: int) -> int:
    """Channels of a ``side`` px feature map of a ``size`` px network: at 28 px, 7 -> 14 -> 28 take the widths of
    4 -> 8 -> 16."""
    return channels(width, side * 4 // start_side(size))


def style_sides(size: int) -> list[int]:
    """The feature side each style row drives: [4, 8, 8, 16, 16, ..., size, size] and the last toRGB's (size)."""
    side = start_side(size)
    sides = [side]
    while side < size:
        side *= 2
        sides += [side, side]
    return sides + [size]


def layer_groups(size: int) -> dict[str, tuple[int, int]]:
    """Style rows [start, stop) of the coarse (4-8 px), middle (16-32 px) and fine (64 px and up) layers.

    Below 64 px, where there are no 64 px layers, fine is the top resolution, middle the one below it and coarse the
    rest, so each group is non-empty.
    """
    sides = style_sides(size)
    coarse_top, fine_from = (8, 64) if size >= 64 else (max(sides[0], size // 4), size)
    coarse_end = sum(1 for s in sides if s <= coarse_top)
    fine_start = sides.index(fine_from)
    return {"coarse": (0, coarse_end), "middle": (coarse_end, fine_start), "fine": (fine_start, len(sides))}


class MappingNetwork(nn.Module):
    """z [B, z_dim] (+ labels) -> w [B, w_dim]; keeps ``w_avg``, the EMA of w over training batches."""

    def __init__(self, z_dim: int, w_dim: int, depth: int, num_classes: int = 0, code_dim: int = 0):
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        self.embed = EqualLinear(num_classes, w_dim) if num_classes else None
        c_in = z_dim + code_dim + (w_dim if num_classes else 0)
        self.layers = nn.Sequential(*[EqualLinear(c_in if i == 0 else w_dim, w_dim, lr_mul=MAPPING_LR_MUL,
                                                  activate=True) for i in range(depth)])
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, track: bool = False) -> torch.Tensor:
        x = normalize_2nd_moment(z[:, :self.z_dim])
        if z.shape[1] > self.z_dim:  # InfoGAN codes: appended as they are (one-hot / U(-1, 1)), not normalised
            x = torch.cat([x, z[:, self.z_dim:]], 1)
        if self.embed is not None:
            if y is None:
                raise ValueError("this stylegan is class-conditional: call it with labels y (int64 [B])")
            x = torch.cat([x, normalize_2nd_moment(self.embed(F.one_hot(y, self.num_classes).float()))], 1)
        w = self.layers(x)
        if track:
            with torch.no_grad():
                self.w_avg.lerp_(w.detach().mean(0).to(self.w_avg.dtype), 1 - W_AVG_BETA)
        return w


class SynthesisNetwork(nn.Module):
    """ws [B, num_ws, w_dim] -> images [B, C, size, size] in about -1..1 (no tanh, as in the paper)."""

    def __init__(self, size: int, w_dim: int, width: int, out_channels: int):
        super().__init__()
        self.size = size
        side = start_side(size)
        ch = channels_at(width, side, size)
        self.const = nn.Parameter(torch.randn(ch, side, side))
        self.layers, self.to_rgb = nn.ModuleList(), nn.ModuleList()
        self.rgb_index: list[int] = []  # the style row each toRGB reads (the next block's first, as in the paper)
        self.layers.append(StyleLayer(ch, ch, w_dim, side))
        self.to_rgb.append(ToRGB(ch, out_channels, w_dim))
        self.rgb_index.append(1)
        while side < size:
            side *= 2
            c_out = channels_at(width, side, size)
            self.layers.append(StyleLayer(ch, c_out, w_dim, side, upsample=True))
            self.layers.append(StyleLayer(c_out, c_out, w_dim, side))
            self.to_rgb.append(ToRGB(c_out, out_channels, w_dim))
            self.rgb_index.append(len(self.layers))
            ch = c_out
        self.num_ws = len(self.layers) + 1

    def forward(self, ws: torch.Tensor, noise_mode: str = "random") -> torch.Tensor:
        if noise_mode not in NOISE_MODES:
            raise ValueError(f"noise_mode must be one of {', '.join(NOISE_MODES)}; got {noise_mode!r}")
        x = self.const[None].expand(ws.shape[0], -1, -1, -1)
        img = None
        layer = 0
        for block, rgb in enumerate(self.to_rgb):
            for _ in range(1 if block == 0 else 2):
                x = self.layers[layer](x, ws[:, layer], noise_mode)
                layer += 1
            y = rgb(x, ws[:, self.rgb_index[block]])
            img = y if img is None else F.interpolate(img, scale_factor=2, mode="bilinear", align_corners=False) + y
        return img


class StyleGenerator(nn.Module):
    """``G(z, y)`` like every model; also ``mapping``, ``synthesis``, ``ws(...)`` (truncation, mixing) for the explorer.

    In training mode each forward mixes styles: with probability ``style_mixing`` a sample's rows from a random cut
    on come from a second latent. The average w moves with each training batch.
    """

    def __init__(self, spec: ModelSpec, size: int):
        super().__init__()
        codes = InfoCodes.parse(spec.info_codes)
        self.z_dim, self.w_dim = spec.latent_dim, spec.latent_dim
        self.synthesis = SynthesisNetwork(size, self.w_dim, spec.width, spec.shape[0])
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(self.z_dim, self.w_dim, spec.map_depth, spec.num_classes, codes.dim)
        self.input_dim = self.z_dim + codes.dim
        self.mixing_prob = spec.style_mixing
        self.groups = layer_groups(size)
        self.register_buffer("pl_mean", torch.zeros(()))  # running mean of path lengths (path_length)

    @property
    def w_avg(self) -> torch.Tensor:
        return self.mapping.w_avg

    def ws(self, z: torch.Tensor, y: torch.Tensor | None = None, psi: float = 1.0,
           cutoff: int | None = None) -> torch.Tensor:
        """z -> ws [B, num_ws, w_dim]; truncation in W pulls rows [0, cutoff) toward w_avg by psi."""
        w = self.mapping(z, y)
        ws = w[:, None].repeat(1, self.num_ws, 1)
        return truncate_ws(ws, self.w_avg, psi, cutoff)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, psi: float = 1.0, cutoff: int | None = None,
                noise_mode: str | None = None) -> torch.Tensor:
        """``noise_mode`` None: "random" while training, "const" in eval mode, so a latent always draws the same
        picture (samples, eval, export, the explorer) and drawing never touches the global RNG."""
        noise_mode = noise_mode or ("random" if self.training else "const")
        if not self.training:
            return self.synthesis(self.ws(z, y, psi, cutoff), noise_mode)
        w = self.mapping(z, y, track=True)
        ws = w[:, None].repeat(1, self.num_ws, 1)
        if self.mixing_prob > 0:
            ws = self.mix(ws, z, y)
        return self.synthesis(ws, noise_mode)

    def path_length(self, z: torch.Tensor, y: torch.Tensor | None = None, decay: float = 0.01) -> torch.Tensor:
        """StyleGAN2's path-length penalty: E (|J_w^T r| - a)^2 for random image-space r, a the running mean.

        A fixed-size step in W then makes a fixed-size change in the picture, which smooths the W the explorer walks.
        """
        ws = self.mapping(z, y)[:, None].repeat(1, self.num_ws, 1)
        img = self.synthesis(ws)
        noise = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
        (grad,) = torch.autograd.grad((img * noise).sum(), ws, create_graph=True)
        lengths = grad.square().sum(2).mean(1).sqrt()  # [B]
        with torch.no_grad():
            self.pl_mean.lerp_(lengths.mean().to(self.pl_mean.dtype), decay)
        return (lengths - self.pl_mean).square().mean()

    def mix(self, ws: torch.Tensor, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """Style-mixing regularisation: rows from a random cut per sample come from a second latent's w."""
        b = ws.shape[0]
        z2 = torch.randn(b, self.z_dim, device=z.device, dtype=z.dtype)
        if z.shape[1] > self.z_dim:
            z2 = torch.cat([z2, z[:, self.z_dim:]], 1)  # the same InfoGAN codes: mixing must not blur what Q reads
        w2 = self.mapping(z2, y)
        cut = torch.randint(1, self.num_ws, (b,), device=ws.device)
        cut = torch.where(torch.rand(b, device=ws.device) < self.mixing_prob, cut, torch.full_like(cut, self.num_ws))
        rows = torch.arange(self.num_ws, device=ws.device)[None, :, None]
        return torch.where(rows >= cut[:, None, None], w2[:, None], ws)


def truncate_ws(ws: torch.Tensor, w_avg: torch.Tensor, psi: float, cutoff: int | None = None) -> torch.Tensor:
    """Rows [0, cutoff) (all when None) of ws [B, L, w_dim] moved to w_avg + psi (w - w_avg)."""
    if psi == 1.0:
        return ws
    pulled = w_avg.lerp(ws, psi)
    if cutoff is None:
        return pulled
    rows = torch.arange(ws.shape[1], device=ws.device)[None, :, None]
    return torch.where(rows < cutoff, pulled, ws)


def mix_styles(dst: torch.Tensor, src: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    """ws of ``dst`` [B, L, w_dim] with rows [start, stop) taken from ``src`` (broadcastable)."""
    rows = torch.arange(dst.shape[1], device=dst.device)[None, :, None]
    return torch.where((rows >= start) & (rows < stop), src, dst)


class StyleDiscriminator(nn.Module):
    """Images -> raw scores [B]; ``D(x, y, info=True)`` also returns the Q head's code predictions."""

    def __init__(self, spec: ModelSpec, size: int):
        super().__init__()
        width = spec.width
        self.from_rgb = EqualConv2d(spec.shape[0], channels_at(width, size, size), 1)
        blocks, side, bottom = [], size, start_side(size)
        while side > bottom:
            blocks.append(DBlock(channels_at(width, side, size), channels_at(width, side // 2, size)))
            side //= 2
        self.blocks = nn.Sequential(*blocks)
        ch = channels_at(width, bottom, size)
        self.mbstd = MinibatchStd()
        self.conv = EqualConv2d(ch + 1, ch, 3)
        self.fc = EqualLinear(ch * bottom * bottom, ch, activate=True)
        self.head = ProjectionHead(ch, spec.num_classes, spectral_norm=False)
        codes = InfoCodes.parse(spec.info_codes)
        self.q = QHead(ch * bottom * bottom, codes) if codes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None, info: bool = False):
        h = self.conv(self.mbstd(self.blocks(self.from_rgb(x))))  # [B, ch, 4, 4] (7 x 7 at 28 px)
        score = self.head(self.fc(h.flatten(1)), y)
        if info:
            return score, self.q(h)
        return score


# The paper's Adam settings and lazy R1, used where the config leaves these fields at their generic defaults.
STYLEGAN_DEFAULTS = {"train.lr_g": 0.002, "train.lr_d": 0.002, "train.beta1": 0.0, "train.beta2": 0.99,
                     "loss.penalty": "r1", "loss.r1_every": 16, "loss.penalty_weight": "auto"}


@MODELS.register("stylegan", data_kinds=("image",), sizes=STYLEGAN_SIZES, conditional="optional",
                 defaults=STYLEGAN_DEFAULTS, output="linear")
def build_stylegan(spec: ModelSpec) -> tuple[nn.Module, nn.Module]:
    """StyleGAN2-lite (Karras et al. 2020): mapping to w, modulated convs, noise, skip toRGB; style mixing, R1."""
    size = check_image_spec(spec, "stylegan", STYLEGAN_SIZES)
    return StyleGenerator(spec, size), StyleDiscriminator(spec, size)
