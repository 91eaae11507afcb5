"""Write any dataset to PNG files its loader reads back, and draw a grid of thumbnails.

Layouts written by ``export_dataset`` (what ``gan-studio datasets export`` makes):

=====================  ==========================================  ==============
data                   files                                       read back by
=====================  ==========================================  ==============
labelled images        ``OUT/<class name>/00000.png``              ``folder:OUT``
unlabelled images      ``OUT/00000.png``                           ``folder:OUT``
label maps (segmap)    ``OUT/images/``, ``OUT/labels/`` (index     ``labels:OUT``
                       PNGs carrying the colours), palette.json
pairs (a, x)           ``OUT/A/``, ``OUT/B/``                      ``paired:OUT``
unpaired (x, b)        ``OUT/trainA/``, ``OUT/trainB/``            ``unpaired:OUT``
points                 ``OUT/points.csv`` (x,y,label)              (a spreadsheet)
=====================  ==========================================  ==============
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from PIL import Image

from gan_backend.data.base import ArrayDataset
from gan_backend.data.disk.labels import default_palette
from gan_backend.data.scan import spread
from gan_backend.images import grey_to_rgb, make_grid, points_picture


def _save(image: np.ndarray, path: Path) -> None:
    """uint8 [H, W, 1|3] as a grey or RGB PNG."""
    Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(path)


def _save_map(segmap: np.ndarray, colours: np.ndarray, path: Path) -> None:
    """uint8 [H, W] class indices as an index PNG whose own palette shows the class colours."""
    im = Image.fromarray(segmap).convert("P")
    im.putpalette(colours.astype(np.uint8).tobytes())
    im.save(path)


def safe_name(name: str) -> str:
    """A class name usable as a folder name on every OS."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .")
    return cleaned or "_"


def palette_of(data: ArrayDataset) -> np.ndarray:
    """uint8 [K, 3] class colours: the dataset's own, else distinct defaults."""
    k = max(len(data.class_names), int(data.extra["segmap"].max(initial=0)) + 1 if "segmap" in data.extra else 0, 1)
    if data.palette is not None and len(data.palette) >= k:
        return np.asarray(data.palette, np.uint8)
    return default_palette(k)


def export_dataset(data: ArrayDataset, out: Path, n: int) -> int:
    """Write ``n`` items (spread over the dataset) under ``out``; returns how many items were written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    picked = spread(len(data), n)
    if data.kind == "points":
        return _export_points(data, out, picked)
    if data.kind == "unpaired":
        return _export_unpaired(data, out, n)
    if "segmap" in data.extra:
        return _export_maps(data, out, picked)
    if "a" in data.extra:
        for sub, arr in (("A", data.extra["a"]), ("B", data.x)):
            (out / sub).mkdir(exist_ok=True)
            for i in picked:
                _save(arr[i], out / sub / f"{i:05d}.png")
        return len(picked)
    for i in picked:
        folder = out / safe_name(data.class_names[data.labels[i]]) if data.labels is not None and data.class_names else out
        folder.mkdir(exist_ok=True)
        _save(data.x[i], folder / f"{i:05d}.png")
    return len(picked)


def _export_points(data: ArrayDataset, out: Path, picked: np.ndarray) -> int:
    labels = data.labels if data.labels is not None else np.full(len(data), -1)
    rows = [f"{data.x[i, 0]:.6g},{data.x[i, 1]:.6g},{labels[i]}" for i in picked]
    (out / "points.csv").write_text("x,y,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return len(picked)


def _export_unpaired(data: ArrayDataset, out: Path, n: int) -> int:
    written = 0
    for sub, arr in (("trainA", data.x), ("trainB", data.extra["b"])):
        (out / sub).mkdir(exist_ok=True)
        for i in spread(len(arr), n):
            _save(arr[i], out / sub / f"{i:05d}.png")
            written += 1
    return written


def _export_maps(data: ArrayDataset, out: Path, picked: np.ndarray) -> int:
    colours = palette_of(data)
    names = list(data.class_names) or [str(i) for i in range(len(colours))]
    for sub in ("images", "labels"):
        (out / sub).mkdir(exist_ok=True)
    for i in picked:
        _save(data.x[i], out / "images" / f"{i:05d}.png")
        _save_map(data.extra["segmap"][i], colours, out / "labels" / f"{i:05d}.png")
    classes = [{"name": name, "color": [int(c) for c in colours[k]]} for k, name in enumerate(names)]
    (out / "palette.json").write_text(json.dumps({"classes": classes}, indent=1) + "\n", encoding="utf-8")
    return len(picked)


def thumbnail_grid(data: ArrayDataset, n: int = 64) -> np.ndarray:
    """uint8 [H, W, 3] picture of ``n`` items: images; A|B pairs; map|picture; A items then B items; or points."""
    if data.kind == "points":
        return points_picture(np.asarray(data.x[:4096], np.float32))
    picked = spread(len(data), n)
    if data.kind == "unpaired":
        b = data.extra["b"]
        half = spread(len(data), n // 2 or 1), spread(len(b), n - n // 2 or 1)
        return make_grid(np.concatenate([grey_to_rgb(data.x[half[0]]), grey_to_rgb(b[half[1]])]))
    if "segmap" in data.extra:
        left = palette_of(data)[data.extra["segmap"][picked]]  # [n, H, W, 3] class colours
    elif "a" in data.extra:
        left = grey_to_rgb(data.extra["a"][picked])
    else:
        return make_grid(data.x[picked])
    pairs = np.concatenate([left, grey_to_rgb(data.x[picked])], axis=2)  # [n, H, 2W, 3]
    return make_grid(pairs, ncols=max(1, int(np.ceil(np.sqrt(len(pairs) / 2)))))
