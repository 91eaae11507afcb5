"""Decode one picture file into a square uint8 array, whatever its format or mode.

Every on-disk image dataset goes through here, one file at a time (``pipeline`` runs it on a few
threads: Pillow releases the GIL while it decodes and resizes). A file that cannot be used raises
:class:`SkipFile` whose text is the reason the report shows; nothing else escapes for a bad file.

What "correctly" means for the odd modes:
* EXIF orientation is applied, so a phone photo stored sideways comes out upright.
* Alpha (RGBA, LA, palette transparency) is composited on the ``background`` colour.
* 16-bit grey (``I;16``, ``I``) is scaled to 8 bits by /257, so 65535 -> 255 rather than clipped.
* Palette, CMYK, YCbCr and friends become RGB; GIF and multi-page TIFF give their first frame.
* JPEGs are decoded at a reduced DCT scale (``Image.draft``) when the output is much smaller,
  which is most of the first-epoch speed and looks the same after the final resize.
"""
from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageColor, ImageOps, UnidentifiedImageError

from gan_backend.errors import first_line

EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".webp", ".gif", ".tif", ".tiff",
                        ".ppm", ".pgm", ".pbm", ".pnm", ".tga"})
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
WIDE_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})  # integer grey wider than 8 bits
RANDOM_CROP_ZOOM = 1.125  # a random crop is a square 1/1.125 of the shorter side, placed by the jitter


class SkipFile(Exception):
    """One file that cannot be used; ``str()`` is the reason shown in the report."""


@dataclass(frozen=True)
class Probe:
    """What a file's header says, read without decoding the pixels."""

    size: tuple[int, int]  # (W, H) as stored
    grey: bool  # one channel of grey (any bit depth), so a dataset of these stays C=1


@dataclass(frozen=True)
class Geometry:
    """How every picture of a dataset becomes one array row."""

    size: int  # output side in pixels
    crop: str = "center"  # "center", "random" (a fixed per-item jitter, see ``crop_box``) or "pad"
    background: tuple[int, int, int] = (255, 255, 255)  # what transparent pixels become


def parse_background(text: str) -> tuple[int, int, int]:
    """A colour name or hex code ("white", "#808080") as RGB; ValueError names the bad text."""
    try:
        return ImageColor.getrgb(text)[:3]
    except ValueError:
        raise ValueError(f"background {text!r}: not a colour; use a name like white/black or #rrggbb") from None


def probe(path: Path, part: str = "full") -> Probe:
    """Header facts of one file (``part`` "left"/"right" gives the size of that half)."""
    if _file_size(path) == 0:
        raise SkipFile("zero bytes")
    try:
        with Image.open(path) as im:
            (w, h), grey = im.size, im.mode in GREY_MODES
    except Exception as exc:  # noqa: BLE001 - any failure of one file is a skip, never a crash
        raise SkipFile(reason_for(exc, path)) from None
    _refuse_bomb(w, h)
    return Probe((w // 2, h) if part != "full" else (w, h), grey)


def _refuse_bomb(width: int, height: int) -> None:
    """SkipFile for a picture over Pillow's pixel limit (which Pillow itself only warns about up to 2x)."""
    if width * height > (Image.MAX_IMAGE_PIXELS or float("inf")):
        raise SkipFile(f"decompression-bomb sized ({width} x {height})")


def load(path: Path, channels: int, geometry: Geometry, draft: tuple[int, int]) -> Image.Image:
    """The picture upright, alpha flattened, as mode "L" (channels 1) or "RGB" (channels 3).

    ``draft`` is the smallest (W, H) the caller will crop from: JPEGs decode at a DCT scale
    that keeps at least that many pixels.
    """
    try:
        with Image.open(path) as im:
            _refuse_bomb(im.width, im.height)
            if im.format == "JPEG" and im.mode in ("RGB", "L", "CMYK"):
                im.draft(im.mode, draft)
            im.load()
            _upright(im)
            return _to_mode(im, channels, geometry.background)
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a file that turned bad after probing is skipped too
        raise SkipFile(reason_for(exc, path)) from None


def read_rgb(path: Path, at_least: int = 0) -> np.ndarray:
    """One file whole, as uint8 [H, W, 3] (or SkipFile saying why not); ``at_least``: the shorter side the
    caller will scale to, so a big JPEG decodes at a reduced DCT scale."""
    size = probe(path).size
    draft = (at_least, at_least) if at_least else size
    return np.ascontiguousarray(load(path, 3, Geometry(max(size)), draft))


def _upright(im: Image.Image) -> None:
    """Apply the EXIF orientation in place; broken EXIF leaves the pixels as stored rather than losing them."""
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except Exception:  # noqa: BLE001 - malformed EXIF blocks are common in phone and editor output
        pass


def _to_mode(im: Image.Image, channels: int, background: tuple[int, int, int]) -> Image.Image:
    if im.mode in WIDE_MODES:  # 0..65535 -> 0..255, rounded; /257 maps the extremes exactly
        wide = np.asarray(im, dtype=np.int64).clip(0, 65535)
        im = Image.fromarray(((wide * 255 + 32767) // 65535).astype(np.uint8))
    elif im.mode == "F":
        im = Image.fromarray(np.asarray(im).clip(0, 255).astype(np.uint8))
    if im.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        im = Image.alpha_composite(Image.new("RGBA", rgba.size, (*background, 255)), rgba)
    target = "L" if channels == 1 else "RGB"
    return im if im.mode == target else im.convert(target)


def to_rgb(im: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Any mode as "RGB": 16-bit grey scaled, alpha composited on ``background``, CMYK and palettes converted."""
    return _to_mode(im, 3, background)


def crop_box(width: int, height: int, geometry: Geometry, jitter: tuple[float, float],
             left: float = 0.0) -> tuple[float, float, float, float]:
    """The square of the source (after ``left`` px of offset) that becomes the output.

    "center" takes the middle square of the shorter side. "random" takes a square
    1/RANDOM_CROP_ZOOM of that, placed by ``jitter`` (two numbers in 0..1): the same for an item
    at every open, because decoded images are cached; it varies framing across items, not epochs.
    "pad" takes the square of the longer side, centred: it reaches past the picture, and ``fit``
    fills the bars.
    """
    if geometry.crop == "pad":
        side = float(max(width, height))
        x0, y0 = (width - side) / 2, (height - side) / 2
        return (left + x0, y0, left + x0 + side, y0 + side)
    side = float(min(width, height))
    fx, fy = (0.5, 0.5) if geometry.crop == "center" else jitter
    if geometry.crop != "center":
        side /= RANDOM_CROP_ZOOM
    x0, y0 = (width - side) * fx, (height - side) * fy
    return (left + x0, y0, left + x0 + side, y0 + side)


def fit(im: Image.Image, box: tuple[float, float, float, float], size: int,
        resample: int = Image.BILINEAR, fill: int | tuple[int, ...] = 0) -> np.ndarray:
    """Crop ``box`` and resize to ``size`` in one resampling step: uint8 [size, size] or [size, size, 3].

    A box reaching past the picture (crop "pad") is filled there with ``fill`` (a value of ``im.mode``).
    """
    im, box = _extend(im, box, fill)
    out = im.resize((size, size), resample, box=box, reducing_gap=None if resample == Image.NEAREST else 2.0)
    return np.asarray(out)


def _extend(im: Image.Image, box: tuple[float, float, float, float],
            fill: int | tuple[int, ...]) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """``im`` on a canvas of ``fill`` large enough for ``box``, and the box on that canvas."""
    x0, y0, x1, y1 = box
    if x0 >= 0 and y0 >= 0 and x1 <= im.width and y1 <= im.height:
        return im, box
    dx, dy = math.ceil(max(0.0, -x0)), math.ceil(max(0.0, -y0))
    size = (max(im.width, math.ceil(x1)) + dx, max(im.height, math.ceil(y1)) + dy)
    canvas = Image.new(im.mode, size, fill)
    canvas.paste(im, (dx, dy))
    return canvas, (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def picture(path: Path, channels: int, geometry: Geometry, part: str = "full",
            jitter: tuple[float, float] = (0.5, 0.5)) -> np.ndarray:
    """One file as uint8 [S, S, C]; ``part`` "left" / "right" takes that half of an A|B pair."""
    halves = 2 if part != "full" else 1
    im = load(path, channels, geometry, (geometry.size * halves, geometry.size))
    width = im.width // halves
    left = width if part == "right" else 0
    if geometry.crop == "pad" and halves > 1:  # pad this half alone, never with pixels of the other
        im, left = im.crop((left, 0, left + width, im.height)), 0
    box = crop_box(width, im.height, geometry, jitter, left=left)
    fill = geometry.background if im.mode == "RGB" else _grey(geometry.background)
    arr = fit(im, box, geometry.size, fill=fill)
    return arr[..., None] if arr.ndim == 2 else arr


def _grey(rgb: tuple[int, int, int]) -> int:
    """The "L" value Pillow's own RGB -> L conversion gives ``rgb`` (ITU-R 601-2 luma)."""
    return Image.new("RGB", (1, 1), rgb).convert("L").getpixel((0, 0))


def jitter_for(key: str, seed: int) -> tuple[float, float]:
    """A crop position in 0..1 x 0..1 fixed by the item's name and the seed (same for both halves of a pair)."""
    rng = np.random.default_rng([zlib.crc32(key.encode("utf-8")), seed])
    fx, fy = rng.random(2)
    return float(fx), float(fy)


def reason_for(exc: BaseException, path: Path) -> str:
    """The report's reason for an exception raised while reading ``path``."""
    text = first_line(exc, 120)
    if isinstance(exc, Image.DecompressionBombError):
        return f"decompression-bomb sized ({picture_size(path) or text})"
    if isinstance(exc, FileNotFoundError):
        return "vanished (no longer on disk)"
    if isinstance(exc, PermissionError):
        return "unreadable (permission denied)"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (Pillow cannot identify it)"
    if isinstance(exc, EOFError) or re.search(r"truncat|EOF|end of file|incomplete", text, re.I):
        return f"truncated ({text})"
    return f"corrupt ({type(exc).__name__}: {text})"


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise SkipFile("vanished (no longer on disk)") from None
    except OSError as exc:
        raise SkipFile(reason_for(exc, path)) from None


def picture_size(path: Path) -> str | None:
    """ "W x H" from the header of a file Pillow refused to open as too large (its error gives pixels only).

    Image.open checks the limit after its format plugin has read the header; calling the plugin
    directly reads the header without the check, and nothing here decodes pixels.
    """
    Image.init()
    try:
        with open(path, "rb") as fp:
            prefix = fp.read(16)
            for fmt in Image.ID:
                factory, accept = Image.OPEN[fmt]
                if accept is None or accept(prefix):
                    fp.seek(0)
                    w, h = factory(fp, str(path)).size
                    return f"{w} x {h}"
    except Exception:  # noqa: BLE001 - only a nicer message is lost
        return None
    return None
