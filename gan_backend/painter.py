"""Paint to image, headless: a trained paired model (SPADE or pix2pix) that turns label maps into pictures.

    painter = load_painter("painter")                 # the shipped model, or a run directory / checkpoint
    labels = painter.read_labels(Path("map.png"))     # uint8 [H, W] class indices
    picture = painter.paint(labels, seed=3)           # uint8 [S, S, 3] at the model's size

The sibling of :mod:`gan_backend.generator` for paired runs; the canvas view and the ``synthesize``
command both go through it. Label maps are index PNGs (each pixel a class index) or colour-coded
pictures in the model's palette; maps of another size are resized to the model's by nearest neighbour,
so painted class boundaries stay hard.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from PIL import Image, UnidentifiedImageError

from gan_backend.data.disk.labels import INDEX_MODES, default_palette
from gan_backend.images import from_uint8, grey_to_rgb, to_uint8
from gan_backend.loader import CheckpointError, open_checkpoint
from gan_backend.tasks.paired import one_hot

class LabelMapError(ValueError):
    """A label map that cannot be read or holds values outside the model's classes; the message names the file."""


@dataclass
class Painter:
    """A paired generator (G_ema, eval mode) with its classes and palette."""

    net: nn.Module
    class_names: list[str]
    palette: np.ndarray  # uint8 [K, 3]: the colour of each class
    size: int  # side of the square pictures the model was trained on
    latent_dim: int
    step: int
    source: str  # what was loaded: "painter" or a path
    device: torch.device

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def has_encoder(self) -> bool:
        """Whether the model can read a style from a picture (SPADE trained with ``model.style_encoder``)."""
        return getattr(self.net, "encoder", None) is not None

    @torch.no_grad()
    def encode_style(self, picture: np.ndarray) -> torch.Tensor:
        """A reference picture (uint8 [H, W, 3], any size) -> its style code [1, latent_dim], for ``paint(z=...)``."""
        if not self.has_encoder:
            raise ValueError(f"{self.source}: this model has no style encoder; train SPADE with "
                             f"model.style_encoder=true to copy styles from pictures")
        rgb = np.array(Image.fromarray(np.asarray(picture, np.uint8)).convert("RGB").resize(
            (self.size, self.size), Image.LANCZOS))
        grey = self.net.encoder.body[0].in_channels == 1
        pixels = np.array(Image.fromarray(rgb).convert("L"))[..., None] if grey else rgb
        return self.net.encode(from_uint8(torch.from_numpy(pixels)[None]).to(self.device)).float().cpu()

    def latents(self, seeds: list[int]) -> torch.Tensor:
        """[len(seeds), latent_dim] N(0, I) codes, one reproducible code per seed (the picture's "style")."""
        return torch.cat([torch.randn(1, self.latent_dim, generator=torch.Generator().manual_seed(s)) for s in seeds])

    @torch.no_grad()
    def paint(self, labels: np.ndarray, seed: int = 0, z: torch.Tensor | None = None,
              size: int | None = None) -> np.ndarray:
        """uint8 [H, W] class indices -> uint8 [S, S, 3] picture; [B, H, W] -> [B, S, S, 3].

        ``z`` [B, latent_dim] overrides ``seed`` (e.g. several styles of one map: repeat the map).
        ``size``: paint at this side (a multiple of 16) instead of the model's own; the networks are
        fully convolutional, so a bigger canvas gets sharper edges at a proportionally higher cost.
        """
        single = labels.ndim == 2
        maps = self.fit(labels[None] if single else labels, size or self.size)
        z = self.latents([seed] * len(maps)) if z is None else z
        cond = one_hot(torch.from_numpy(maps).to(self.device), self.num_classes)
        pictures = to_uint8(self.net(cond, z.to(self.device, torch.float32)))
        pictures = grey_to_rgb(pictures)
        return pictures[0] if single else pictures

    def fit(self, maps: np.ndarray, side: int) -> np.ndarray:
        """uint8 [B, H, W] -> int64 [B, side, side] (nearest neighbour); LabelMapError on unknown classes."""
        top = int(maps.max(initial=0))
        if top >= self.num_classes:
            raise LabelMapError(f"label value {top} is beyond the {self.num_classes} classes of this model "
                                f"(0..{self.num_classes - 1})")
        if side % 16:
            raise ValueError(f"paint size {side}: use a multiple of 16 (the generator halves the map four times)")
        if maps.shape[1:] == (side, side):
            return np.ascontiguousarray(maps, np.int64)
        return np.stack([np.asarray(Image.fromarray(m.astype(np.uint8)).resize((side, side), Image.NEAREST))
                         for m in maps]).astype(np.int64)

    def colourise(self, labels: np.ndarray) -> np.ndarray:
        """uint8 [..., H, W] class indices -> uint8 [..., H, W, 3] palette colours."""
        return self.palette[np.clip(labels, 0, self.num_classes - 1)]

    def read_labels(self, path: Path) -> np.ndarray:
        """A label map PNG as uint8 [H, W] class indices; LabelMapError naming the file and the bad values."""
        return read_label_map(Path(path), self.palette)

    def random_scene(self, seed: int) -> np.ndarray:
        """uint8 [S, S] a fresh procedural landscape map, for models trained on ``scenes``."""
        from gan_backend.data.builtin.scene_layout import CLASS_NAMES, make_layout

        if self.class_names != CLASS_NAMES:
            raise ValueError(f"random scenes use the scenes classes; this model's classes are {self.class_names}")
        return make_layout(np.random.default_rng([seed, 7]), 1, self.size).seg[0]


def read_label_map(path: Path, palette: np.ndarray) -> np.ndarray:
    """Index PNG (modes L, P, I): values are classes. Colour PNG: each colour must be one of ``palette``'s."""
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in INDEX_MODES:
                values = np.asarray(im).astype(np.int64)
                return _checked(values, len(palette), path)
            rgb = np.asarray(im.convert("RGB"))
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        if isinstance(exc, LabelMapError):
            raise
        raise LabelMapError(f"{path}: not a readable label map picture ({exc})") from None
    return _match_colours(rgb, palette, path)


def _checked(values: np.ndarray, k: int, path: Path) -> np.ndarray:
    bad = np.unique(values[(values < 0) | (values >= k)])
    if bad.size:
        listed = ", ".join(str(v) for v in bad[:8]) + (" ..." if bad.size > 8 else "")
        raise LabelMapError(f"{path}: label values {listed} are not classes of this model (0..{k - 1})")
    return values.astype(np.uint8)


def _match_colours(rgb: np.ndarray, palette: np.ndarray, path: Path) -> np.ndarray:
    """uint8 [H, W, 3] -> class indices by exact palette colour; grey pictures of small values read as indices."""
    packed = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
    codes = (palette[:, 0].astype(np.int64) << 16) | (palette[:, 1].astype(np.int64) << 8) | palette[:, 2]
    order = np.argsort(codes)
    where = np.searchsorted(codes[order], packed).clip(0, len(codes) - 1)
    found = codes[order][where] == packed
    if found.all():
        return order[where].astype(np.uint8)
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
        return _checked(rgb[..., 0].astype(np.int64), len(palette), path)  # an index map saved as RGB
    bad = np.unique(rgb[~found].reshape(-1, 3), axis=0)
    listed = ", ".join(f"({r}, {g}, {b})" for r, g, b in bad[:5]) + (" ..." if len(bad) > 5 else "")
    raise LabelMapError(f"{path}: colours {listed} are none of the model's {len(palette)} class colours; "
                        f"paint with the palette or save class indices as a greyscale/index PNG")


def load_painter(source: str | Path = "painter", device: str | torch.device = "cpu") -> Painter:
    """Load a paired model's generator that paints label maps; CheckpointError naming the file when it is not one."""
    ck = open_checkpoint(source)
    names = ck.class_names
    if ck.task != "paired" or not names:
        raise CheckpointError(f"{ck.path}: model {ck.model!r} does not paint label maps; choose a SPADE "
                              f"or pix2pix run trained on label maps (e.g. the scenes dataset)")
    palette = ck.palette if ck.palette is not None else default_palette(len(names))
    device = torch.device(device)
    return Painter(ck.network(device=device), names, palette, ck.shape[1], ck.latent_dim, ck.step, str(source),
                   device)
