"""Paint to image, headless: a trained paired model (SPADE or pix2pix) that turns label maps into pictures.

    painter = load_painter("painter")                 # the shipped model, or a run directory / checkpoint
    labels = painter.read_labels(Path("map.png"))     # uint8 [H, W] class indices
    picture = painter.paint(labels, seed=3)           # uint8 [S, S, 3] at the model's size
    picture = painter.paint_map(labels, seed=3)       # uint8 [H, W, 3] at the map's own size and aspect

The sibling of :mod:`gan_backend.generator` for paired runs; the canvas view and the ``synthesize``
command both go through it. Label maps are index PNGs (each pixel a class index) or colour-coded
pictures in the model's palette; maps are resized by nearest neighbour, so painted class boundaries
stay hard. A map in the 15-class ``scenes:rich`` colours given to a 10-class ``scenes`` painter has its
five new classes mapped onto the nearest old ones (:data:`OLD_CLASS_OF`), with a note.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from PIL import Image, UnidentifiedImageError

from gan_backend.data import decode
from gan_backend.data.builtin.scene_layout import CLASS_NAMES, GRASS, ROCK, SAND, TREE, make_layout
from gan_backend.data.builtin.scene_rich import RICH_NAMES, RICH_PALETTE, make_rich_layout
from gan_backend.data.disk.labels import INDEX_MODES, default_palette
from gan_backend.images import from_uint8, grey_to_rgb, to_uint8
from gan_backend.loader import CheckpointError, open_checkpoint
from gan_backend.tasks.paired import one_hot

# A 10-class scenes painter reads the five scenes:rich classes as the nearest of its own: road, dirt -> sand,
# building -> rock, fence -> tree (a dark upright thing), flowers -> grass (a flowerbed is grass from afar).
OLD_CLASS_OF = {"road": SAND, "building": ROCK, "fence": TREE, "dirt": SAND, "flowers": GRASS}


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
        pictures = self._draw(maps, self.latents([seed] * len(maps)) if z is None else z)
        return pictures[0] if single else pictures

    def paint_map(self, labels: np.ndarray, seed: int = 0, z: torch.Tensor | None = None) -> np.ndarray:
        """uint8 [H, W] class indices of any size and aspect -> uint8 [H, W, 3], the picture at the map's size.

        The networks are fully convolutional, so the map is painted at its own shape with the long side
        brought into [native, 2 x native] (the model's training size; sides rounded to multiples of 16) and
        the picture resized to the map's size: a small map is painted at the model's size and shrunk, a
        huge one painted at twice it and enlarged, so the cost stays bounded and textures keep their scale.
        """
        h, w = labels.shape
        long = max(h, w)
        scale = min(max(long, self.size), 2 * self.size) / long
        ph, pw = (max(16, int(round(side * scale / 16)) * 16) for side in (h, w))
        if (ph, pw) != (h, w):
            labels = np.asarray(Image.fromarray(np.ascontiguousarray(labels, np.uint8)).resize((pw, ph), Image.NEAREST))
        self.check_classes(labels)
        picture = self._draw(labels[None].astype(np.int64), self.latents([seed]) if z is None else z)[0]
        if picture.shape[:2] != (h, w):
            picture = np.asarray(Image.fromarray(picture).resize((w, h), Image.LANCZOS))
        return picture

    @torch.no_grad()
    def _draw(self, maps: np.ndarray, z: torch.Tensor) -> np.ndarray:
        """int64 [B, H, W] class indices (checked), z [B, latent_dim] -> uint8 [B, H, W, 3] pictures."""
        cond = one_hot(torch.from_numpy(maps).to(self.device), self.num_classes)
        return grey_to_rgb(to_uint8(self.net(cond, z.to(self.device, torch.float32))))

    def check_classes(self, maps: np.ndarray) -> None:
        top = int(maps.max(initial=0))
        if top >= self.num_classes:
            raise LabelMapError(f"label value {top} is beyond the {self.num_classes} classes of this model "
                                f"(0..{self.num_classes - 1})")

    def fit(self, maps: np.ndarray, side: int) -> np.ndarray:
        """uint8 [B, H, W] -> int64 [B, side, side] (nearest neighbour); LabelMapError on unknown classes."""
        self.check_classes(maps)
        if side % 16:
            raise ValueError(f"paint size {side}: use a multiple of 16 (the generator halves the map four times)")
        if maps.shape[1:] == (side, side):
            return np.ascontiguousarray(maps, np.int64)
        return np.stack([np.asarray(Image.fromarray(m.astype(np.uint8)).resize((side, side), Image.NEAREST))
                         for m in maps]).astype(np.int64)

    def colourise(self, labels: np.ndarray) -> np.ndarray:
        """uint8 [..., H, W] class indices -> uint8 [..., H, W, 3] palette colours."""
        return self.palette[np.clip(labels, 0, self.num_classes - 1)]

    def read_labels(self, path: Path, notes: list[str] | None = None) -> np.ndarray:
        """A label map PNG as uint8 [H, W] class indices; LabelMapError naming the file and the bad values.
        What was converted (rich classes onto a 10-class painter's) is appended to ``notes``."""
        return read_label_map(Path(path), self.palette, notes)

    def random_scene(self, seed: int, side: int | None = None) -> np.ndarray | None:
        """uint8 [side, side] (default: the model's size) a fresh procedural landscape map; None for models
        not trained on ``scenes`` or ``scenes:rich`` classes."""
        return scene_map(self.class_names, seed, side or self.size)


def scene_map(class_names: list[str], seed: int, side: int) -> np.ndarray | None:
    """uint8 [side, side]: seed's procedural landscape in these classes (plain or rich scenes), else None."""
    layout = {tuple(CLASS_NAMES): make_layout, tuple(RICH_NAMES): make_rich_layout}.get(tuple(class_names))
    return None if layout is None else layout(np.random.default_rng([seed, 7]), 1, side).seg[0].copy()


def read_label_map(path: Path, palette: np.ndarray, notes: list[str] | None = None) -> np.ndarray:
    """Index PNG (modes L, P, I): values are classes. Colour PNG: each colour must be one of ``palette``'s.
    A picture over Pillow's pixel limit is refused by name and size before it is decoded. For a 10-class
    ``scenes`` painter, the map is read in the 15 scenes:rich classes and the five new ones are mapped onto
    its own (:func:`rich_onto_old`), with a note in ``notes``."""
    plain = _is_plain_scenes(palette)
    reading = RICH_PALETTE if plain else palette
    try:
        with warnings.catch_warnings(), Image.open(path) as im:
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, by name and size
            w, h = im.size
            if w * h > (Image.MAX_IMAGE_PIXELS or float("inf")):
                raise Image.DecompressionBombError(f"{w} x {h} pixels")
            im.load()
            values = (np.asarray(im).astype(np.int64) if im.mode in INDEX_MODES
                      else _match_colours(np.asarray(im.convert("RGB")), reading, path, len(palette)).astype(np.int64))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, LabelMapError):
            raise
        if isinstance(exc, Image.DecompressionBombError):
            size = decode.picture_size(path) or "a decompression-bomb size"
            raise LabelMapError(f"{path}: {size} pixels is too large for a label map (the limit is "
                                f"{Image.MAX_IMAGE_PIXELS:,} pixels); paint or save it smaller") from None
        raise LabelMapError(f"{path}: not a readable label map picture ({exc})") from None
    if plain:
        values = _rich_indices_onto_old(values, path, notes)
    return _checked(values, len(palette), path)


def _is_plain_scenes(palette: np.ndarray) -> bool:
    """Whether a model's palette is the 10-class ``scenes`` one (whose classes start the rich ones)."""
    return len(palette) == len(CLASS_NAMES) and bool((palette == RICH_PALETTE[:len(palette)]).all())


def _rich_indices_onto_old(values: np.ndarray, path: Path, notes: list[str] | None) -> np.ndarray:
    """A map's scenes:rich classes (10-14) as the nearest 10-class scenes ones, with a note; other values as
    they are (for ``_checked`` to name)."""
    rich = (values >= len(CLASS_NAMES)) & (values < len(RICH_NAMES))
    if not rich.any():
        return values
    mapped = [RICH_NAMES[v] for v in np.unique(values[rich])]
    if notes is not None:
        notes.append(f"{Path(path).name} uses scenes:rich classes this 10-class painter lacks; painted them as "
                     + ", ".join(f"{n} -> {CLASS_NAMES[OLD_CLASS_OF[n]]}" for n in mapped))
    return np.where(rich, rich_onto_old(values.clip(0, len(RICH_NAMES) - 1).astype(np.uint8)), values)


def rich_onto_old(labels: np.ndarray) -> np.ndarray:
    """uint8 [..., H, W] scenes:rich class indices -> the 10 scenes classes (:data:`OLD_CLASS_OF`)."""
    table = np.arange(len(RICH_NAMES), dtype=np.uint8)
    for name, old in OLD_CLASS_OF.items():
        table[RICH_NAMES.index(name)] = old
    return table[labels]


def _checked(values: np.ndarray, k: int, path: Path) -> np.ndarray:
    bad = np.unique(values[(values < 0) | (values >= k)])
    if bad.size:
        listed = ", ".join(str(v) for v in bad[:8]) + (" ..." if bad.size > 8 else "")
        raise LabelMapError(f"{path}: label values {listed} are not classes of this model (0..{k - 1})")
    return values.astype(np.uint8)


def _match_colours(rgb: np.ndarray, palette: np.ndarray, path: Path, classes: int) -> np.ndarray:
    """uint8 [H, W, 3] -> class indices by exact palette colour; grey pictures of small values read as indices
    (checked by the caller). ``classes``: how many the model has, for the message."""
    packed = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
    codes = (palette[:, 0].astype(np.int64) << 16) | (palette[:, 1].astype(np.int64) << 8) | palette[:, 2]
    order = np.argsort(codes)
    where = np.searchsorted(codes[order], packed).clip(0, len(codes) - 1)
    found = codes[order][where] == packed
    if found.all():
        return order[where].astype(np.uint8)
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
        return rgb[..., 0].astype(np.int64)  # an index map saved as RGB
    bad = np.unique(rgb[~found].reshape(-1, 3), axis=0)
    listed = ", ".join(f"({r}, {g}, {b})" for r, g, b in bad[:5]) + (" ..." if len(bad) > 5 else "")
    raise LabelMapError(f"{path}: colours {listed} are none of the model's {classes} class colours; "
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
