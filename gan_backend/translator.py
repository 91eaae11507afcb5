"""Translate your own pictures, headless: a trained CycleGAN (either direction) or a picture-to-picture pix2pix.

    translator = load_translator("translator")        # the shipped day <-> night model, a run dir or a checkpoint
    picture = read_picture(Path("photo.jpg"))          # uint8 [H, W, 3], upright, alpha flattened
    night = translator.translate(picture, "AtoB")      # at the model's resolution (shorter side = its size)
    night = translator.translate(picture, "AtoB", full_res=True)   # at the picture's own size, in tiles

The sibling of :mod:`gan_backend.painter` for translation models; the translate view and the ``translate``
command both go through it. Pictures of any size, mode and orientation are accepted (see
:func:`read_picture`); paired models translate A -> B only, and label-map models are refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from gan_backend.data import decode
from gan_backend.data.scan import entries, is_image_name
from gan_backend.images import from_uint8, grey_to_rgb, to_uint8
from gan_backend.loader import CheckpointError, open_checkpoint
from gan_backend.tiling import translate_tiled

DIRECTIONS = ("AtoB", "BtoA")
MAX_PIXELS = 50_000_000  # full-resolution translation above this (~7000 x 7000) would take minutes and GBs
MULTIPLE = 16  # sides the generators accept: the U-Net halves four times


class TranslateError(ValueError):
    """A picture or request that cannot be translated; the message names the file or the choice to make."""


@dataclass
class Translator:
    """Generators by direction ("AtoB"; "BtoA" too for unpaired models) in eval mode, and what they were trained on."""

    nets: dict[str, nn.Module]
    size: int  # side of the square pictures the model was trained on
    channels: int  # 1 (grey) or 3: what the model draws
    model: str  # registry name, e.g. "cyclegan"
    task: str  # "unpaired" or "paired"
    domains: tuple[str, str]  # what A and B are, e.g. ("day", "night"), for labels in the view
    step: int
    source: str  # what was loaded: "translator" or a path
    device: torch.device
    in_channels: int = 3  # what it reads: 1 for grey inputs (a line drawing, a BW photo), else 3

    @property
    def directions(self) -> tuple[str, ...]:
        return tuple(d for d in DIRECTIONS if d in self.nets)

    def check_direction(self, direction: str) -> nn.Module:
        if direction not in DIRECTIONS:
            raise TranslateError(f"direction {direction!r}: choose AtoB or BtoA")
        if direction not in self.nets:
            raise TranslateError(f"{self.source}: a paired {self.model} model translates A to B only; "
                                 f"direction {direction} needs an unpaired model such as cyclegan")
        return self.nets[direction]

    @torch.no_grad()
    def run(self, pictures: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """[B, C, H, W] in -1..1 (H, W multiples of 16) -> the other domain, same shape, in -1..1."""
        return self.check_direction(direction)(pictures.to(self.device)).float()

    def translate(self, picture, direction: str = "AtoB", full_res: bool = False) -> np.ndarray:
        """A PIL image (any mode) or uint8 [H, W, 1|3|4] array -> uint8 [h, w, 3] in the other domain.

        Default: scaled so the shorter side is the model's size (the scale it learned), output at that
        scale. ``full_res``: at the picture's own size, in overlapping tiles blended together.
        """
        self.check_direction(direction)
        rgb = as_rgb(picture)
        h, w = rgb.shape[:2]
        scale = 1.0 if full_res else self.size / min(h, w)
        if h * w * scale * scale > MAX_PIXELS:  # checked before scaling: a 1 x 10^6 strip would become 64 x 64 * 10^6
            fix = "translate it at the model's resolution" if full_res else "crop it (it is very long and thin)"
            raise TranslateError(f"a picture of {w} x {h} pixels is too large to translate "
                                 f"{'at full resolution' if full_res else 'at the model scale'} "
                                 f"(at most {MAX_PIXELS // 1_000_000} megapixels); {fix}")
        if not full_res:
            rgb = fit_shorter_side(rgb, self.size)
        x = from_uint8(torch.tensor(self._channels(rgb))[None].to(self.device))  # [1, C, H, W] in -1..1; a copy
        out = to_uint8(translate_tiled(lambda t: self.run(t, direction), x, MULTIPLE))[0]
        return grey_to_rgb(out)

    def _channels(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 [H, W, 3] -> [H, W, C] for the model: models of grey inputs get the luminance."""
        return rgb if self.in_channels == 3 else np.array(Image.fromarray(rgb).convert("L"))[..., None]


def as_rgb(picture) -> np.ndarray:
    """A PIL image (any mode) or uint8 array [H, W], [H, W, 1|3|4] -> C-contiguous uint8 [H, W, 3]."""
    if isinstance(picture, Image.Image):
        return np.ascontiguousarray(decode.to_rgb(picture))
    a = np.asarray(picture)
    if a.dtype != np.uint8 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)) or 0 in a.shape:
        raise TranslateError(f"expected a uint8 picture [H, W], [H, W, 1], [H, W, 3] or [H, W, 4]; "
                             f"got {a.dtype} {list(a.shape)}")
    if a.ndim == 2 or a.shape[2] == 1:
        return np.ascontiguousarray(grey_to_rgb(a.reshape(a.shape[0], a.shape[1], 1)))
    return np.ascontiguousarray(a if a.shape[2] == 3 else as_rgb(Image.fromarray(a, "RGBA")))


def fit_shorter_side(rgb: np.ndarray, side: int) -> np.ndarray:
    """uint8 [H, W, 3] scaled (antialiased) so min(H, W) == side, keeping the aspect ratio."""
    h, w = rgb.shape[:2]
    if min(h, w) == side:
        return rgb
    scale = side / min(h, w)
    size = (max(side, round(w * scale)), max(side, round(h * scale)))
    return np.array(Image.fromarray(rgb).resize(size, Image.BICUBIC if scale > 1 else Image.LANCZOS))


def read_picture(path: Path, at_least: int = 0) -> np.ndarray:
    """A picture file as uint8 [H, W, 3]: EXIF-upright, alpha on white, 16-bit and CMYK converted.

    ``at_least``: the shorter side the caller will scale to; big JPEGs then decode at a reduced scale
    (at least that side), much faster. TranslateError naming the file when it is missing, unreadable,
    not a picture or decompression-bomb sized.
    """
    path = Path(path)
    if not path.is_file():
        raise TranslateError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    try:
        return decode.read_rgb(path, at_least)
    except decode.SkipFile as exc:
        raise TranslateError(f"{path}: cannot translate it: {exc}") from None


@dataclass
class FileResult:
    """One picture of a batch: where its translation went, or why it could not be translated."""

    source: Path
    output: Path | None  # None when it failed
    error: str = ""  # one line naming the file and the reason


def list_pictures(folder: Path) -> list[Path]:
    """Picture files (by extension) directly in ``folder``, in natural order; TranslateError when there are none."""
    try:
        found = [Path(e.path) for e in entries(folder) if e.is_file() and is_image_name(e.name)]
    except OSError as exc:
        raise TranslateError(f"{folder}: unreadable folder ({exc.strerror or exc})") from None
    if not found:
        raise TranslateError(f"{folder}: no pictures (.png, .jpg, ...) in this folder")
    return found


def batch_jobs(files: list[Path], out_dir: Path) -> list[tuple[Path, Path]]:
    """(input, out_dir/NAME.png) per file; a second file of the same stem keeps its extension ("a.jpg.png")."""
    seen: set[str] = set()
    jobs = []
    for f in files:
        jobs.append((f, out_dir / (f"{f.stem}.png" if f.stem.lower() not in seen else f"{f.name}.png")))
        seen.add(f.stem.lower())
    return jobs


def translate_files(translator: Translator, jobs: list[tuple[Path, Path]], direction: str = "AtoB",
                    full_res: bool = False) -> Iterator[FileResult]:
    """Translate each (input, output PNG) job, yielding one result per file: a bad file is reported, not raised.

    A plain generator, so a caller can show progress and stop between pictures (the view's cancel button).
    """
    translator.check_direction(direction)
    for path, out in jobs:
        try:
            picture = read_picture(path, 0 if full_res else translator.size)
            write_picture(translator.translate(picture, direction, full_res), out)
        except TranslateError as exc:
            yield FileResult(path, None, str(exc))
        else:
            yield FileResult(path, out)


def write_picture(picture: np.ndarray, path: Path) -> None:
    """Save uint8 [H, W, 3] as PNG (creating the folder); TranslateError naming the path when it cannot be written."""
    from gan_backend.images import save_png

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_png(picture, path)
    except OSError as exc:
        raise TranslateError(f"{path}: cannot write the translation ({exc.strerror or exc})") from None


def load_translator(source: str | Path = "translator", device: str | torch.device = "cpu") -> Translator:
    """Load an unpaired (both directions) or picture-to-picture paired (A -> B) model; CheckpointError otherwise."""
    ck = open_checkpoint(source)
    if ck.task == "paired" and ck.class_names:
        raise CheckpointError(f"{ck.path}: model {ck.model!r} paints label maps, not pictures; use "
                              f"`gan-studio synthesize` (or the paint view) with it")
    if ck.task not in ("unpaired", "paired"):
        raise CheckpointError(f"{ck.path}: model {ck.model!r} ({ck.task} task) generates pictures from noise "
                              f"and cannot translate one; choose a cyclegan or pix2pix run")
    wanted = {"AtoB": "G_A", "BtoA": "G_B"} if ck.task == "unpaired" else {"AtoB": "G_ema"}
    device = torch.device(device)
    nets = {d: ck.network(key, device=device) for d, key in wanted.items()}
    channels, size = ck.shape[0], ck.shape[1]
    return Translator(nets, size, channels, ck.model, ck.task, tuple(ck.meta.get("domains", ("A", "B"))), ck.step,
                      str(source), device, ck.in_channels if ck.task == "paired" else channels)
