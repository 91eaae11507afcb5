"""``picture:PATH``: one picture at its own aspect ratio, for the single-image SinGAN task.

Any mode is read as RGB (grey repeated, alpha composited on ``background``, 16-bit scaled, EXIF turned
upright: :mod:`gan_backend.data.decode`). A picture whose longest side exceeds ``image_size`` (default
:data:`DEFAULT_SIDE`) is downscaled to it, with a note in the report; one whose shorter side is under
``MIN_SIDE`` pixels is refused, naming its size, because the pyramid's coarsest scale needs that many.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, DatasetReport
from gan_backend.data.decode import EXTENSIONS, SkipFile, load, parse_background, Geometry

DEFAULT_SIDE = 160  # a CPU trains the pyramid of a 160 px picture in minutes; 250 suits a GPU
MIN_SIDE = 25  # SinGAN's coarsest scale: smaller pictures have no pyramid to learn


@DATASETS.register("picture:PATH")
def picture(path: str, seed: int = 0, n: int | None = None, image_size: int = 0,
            background: str = "white") -> ArrayDataset:
    """One picture (PNG, JPEG, ...) as a dataset of one item uint8 [1, H, W, 3], longest side <= image_size."""
    file = Path(path).expanduser()
    if file.is_dir():
        raise DatasetError(f"picture: {file} is a folder; give one picture file (a folder trains with folder:PATH)")
    if not file.is_file():
        raise DatasetError(f"picture: {file}: no such file; give the path of one picture")
    if file.suffix.lower() not in EXTENSIONS:
        raise DatasetError(f"picture: {file}: {file.suffix or 'no extension'} is not a picture format; "
                           f"use one of {', '.join(sorted(EXTENSIONS))}")
    try:
        im = load(file, 3, Geometry(0, background=parse_background(background)), (1 << 15, 1 << 15))
    except SkipFile as exc:
        raise DatasetError(f"picture: {file}: {exc}") from None
    arr, notes = fit_picture(np.asarray(im), image_size or DEFAULT_SIDE, str(file))
    report = DatasetReport(f"picture:{path}", 1, "picture", tuple(arr.shape), sizes_seen={"full": im.size},
                           notes=notes)
    return ArrayDataset(f"picture:{path}", "picture", np.array(arr[None]), report=report)


def fit_picture(rgb: np.ndarray, max_side: int, name: str = "the picture") -> tuple[np.ndarray, list[str]]:
    """``rgb`` uint8 [H, W, 3] with its longest side at most ``max_side``; notes say what was done.

    Raises DatasetError for a picture whose shorter side is under MIN_SIDE.
    """
    h, w = rgb.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise DatasetError(f"{name} is {w}x{h} pixels; a single-picture model needs at least {MIN_SIDE} px on "
                           f"the shorter side: use a larger picture")
    if max(h, w) <= max_side:
        return rgb, []
    k = max_side / max(h, w)
    size = (max(MIN_SIDE, round(w * k)), max(MIN_SIDE, round(h * k)))
    small = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))
    return small, [f"{name} is {w}x{h}: downscaled to {size[0]}x{size[1]} (longest side {max_side}; "
                   f"raise the maximum size for more detail, and a longer training)"]
