"""``edges:PATH`` and ``gray:PATH``: paired data computed from any folder of pictures, for pix2pix.

Both read the folder exactly as ``folder:PATH`` does (every format and mode, broken files named and skipped,
the decode cache), then derive each picture's input (:mod:`gan_backend.data.sketch`):

* ``edges:PATH``: the input is a line drawing of the picture (black lines on white, [N, H, W, 1]); a model
  trained on it turns a drawn outline into a picture (pix2pix's edges2shoes, or the emoji sketch model).
* ``gray:PATH``: the input is the picture's luminance; a model trained on it colourises BW photos. Pictures
  that are already grey teach nothing and are left out (named by count); a folder of only grey ones is refused.

Kind "paired", as ``paired:PATH``: ``x`` the pictures, ``extra["a"]`` the inputs. Deterministic: the same
folder gives the same pairs.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError
from gan_backend.data.disk.folder import folder
from gan_backend.data.sketch import ink_share, is_grey, line_drawing, to_grey


Derive = Callable[[str, ArrayDataset], "tuple[np.ndarray, np.ndarray, str]"]  # (path, pictures) -> (x, a, note)


def derived_kind(kind: str, summary: str) -> Callable[[Derive], Derive]:
    """Register ``kind:PATH``: the folder read as ``folder:PATH`` (same options), then ``derive``'s pairs."""

    def register(derive: Derive) -> Derive:
        @DATASETS.register(f"{kind}:PATH", summary)
        def builder(path: str, seed: int = 0, n: int | None = None, split: str | None = None, image_size: int = 0,
                    crop: str = "center", background: str = "white", cache_dir: str = "",
                    workers: int = 0) -> ArrayDataset:
            data = folder(path, seed=seed, n=n, split=split, image_size=image_size, crop=crop, background=background,
                          cache_dir=cache_dir, workers=workers)
            x, a, note = derive(path, data)
            out = ArrayDataset(f"{kind}:{path}", "paired", x, extra={"a": a})
            out.report.skipped, out.report.sizes_seen = data.report.skipped, data.report.sizes_seen
            out.report.notes = list(data.report.notes) + [note]
            return out

        return derive

    return register


@derived_kind("edges", "Line drawing -> picture pairs from a folder of pictures (input: its edges, as black lines)")
def edges(path: str, data: ArrayDataset):
    lines = line_drawing(data.x)
    return data.x, lines, (f"edges: line drawings computed from the pictures (Canny-style, thin black lines), "
                           f"{100 * ink_share(lines):.1f}% ink")


@derived_kind("gray", "Grey -> colour pairs from a folder of colour pictures (input: the picture's luminance)")
def gray(path: str, data: ArrayDataset):
    grey = is_grey(data.x)
    if grey.all():
        raise DatasetError(f"gray: {path}: all {len(grey)} pictures are already grey, so there is no colour to "
                           f"learn; give a folder of colour pictures")
    x = data.x[~grey]
    note = "gray: inputs are the pictures' luminance"
    if grey.any():
        note += f"; {int(grey.sum())} of {len(grey)} pictures were already grey and are left out"
    return x, to_grey(x), note
