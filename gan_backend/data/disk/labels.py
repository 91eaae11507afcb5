"""``labels:PATH``: semantic label maps and the pictures they describe (pix2pix / SPADE data).

Layout: ``images/`` and ``labels/`` (also spelled ``annotations/`` or ``masks/``), each optionally
with split subfolders, files matched by name (``images/x.jpg`` with ``labels/x.png``), and an
optional ``palette.json`` naming the classes and their colours::

    {"classes": [{"name": "sky", "color": [90, 160, 230]}, {"name": "grass", "color": [60, 150, 60]}]}

(a bare list of such objects, or an object {"sky": [90, 160, 230], ...}, is read too). A label
map is either an index PNG (mode L or P: each pixel value is a class index) or a colour-coded
picture whose every colour is one of the palette's. A value (or colour) outside the palette's
classes skips that pair with the value named. Without a palette the classes are 0..max found.

Gives kind "paired": ``x`` the pictures, ``extra["segmap"]`` uint8 [N, H, W] class indices,
``class_names`` and ``palette`` uint8 [K, 3] from palette.json (or the maps' own PNG palette).
"""
from __future__ import annotations

import colorsys
import json
from pathlib import Path

import numpy as np
from PIL import Image

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, SkippedFile
from gan_backend.data.decode import Geometry, SkipFile, crop_box, fit, reason_for
from gan_backend.data.pipeline import Column, ReadOptions, Table, open_cached, read_table
from gan_backend.data.scan import check_root, match_by_name, require_images, split_folder, spread, walk_images

IMAGE_DIRS = ("images", "imgs", "img")
LABEL_DIRS = ("labels", "annotations", "masks", "label")
INDEX_MODES = ("L", "P", "1", "I", "I;16")
HINT = "give a folder with images/ and labels/ subfolders (and optionally palette.json)"


def default_palette(k: int) -> np.ndarray:
    """uint8 [k, 3] distinct colours (hues a golden angle apart), for classes without declared colours."""
    hues = (np.arange(k) * 0.618034) % 1.0
    return (np.array([colorsys.hsv_to_rgb(h, 0.65, 0.95) for h in hues]).reshape(k, 3) * 255).round().astype(np.uint8)


def read_palette(path: Path) -> tuple[list[str], np.ndarray]:
    """(class names, uint8 [K, 3] colours) from a palette.json; DatasetError naming the file when malformed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw = raw.get("classes", raw) if isinstance(raw, dict) else raw
        items = list(raw.items()) if isinstance(raw, dict) else [(c["name"], c.get("color", c.get("colour"))) for c in raw]
        colours = np.array([list(c)[:3] for _, c in items], np.int64)
        if colours.shape != (len(items), 3) or not len(items) or colours.min() < 0 or colours.max() > 255:
            raise ValueError("every class needs a colour [r, g, b] in 0..255")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DatasetError(f"labels: {path}: not a palette ({exc}); expected "
                           '{"classes": [{"name": "sky", "color": [r, g, b]}, ...]}') from None
    return [str(name) for name, _ in items], colours.astype(np.uint8)


class LabelReader:
    """Reads one label map as uint8 [S, S] class indices, checking them against the declared classes."""

    def __init__(self, colours: np.ndarray | None, source: str):
        self.colours, self.source = colours, source  # colours uint8 [K, 3] or None (no palette)
        self.codes = self.order = None
        if colours is not None:  # sorted packed colours for searchsorted, and the class of each
            packed = _pack(colours)
            self.order = np.argsort(packed, kind="stable")
            self.codes = packed[self.order]

    def __call__(self, path: Path, geometry: Geometry, jitter: tuple[float, float]) -> np.ndarray:
        try:
            with Image.open(path) as im:
                im.load()
                indices = self._indices(im)
        except SkipFile:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad map is skipped
            raise SkipFile(reason_for(exc, path)) from None
        h, w = indices.shape
        return fit(Image.fromarray(indices), crop_box(w, h, geometry, jitter), geometry.size, Image.NEAREST)

    def _indices(self, im: Image.Image) -> np.ndarray:
        if im.mode in INDEX_MODES:
            values = np.asarray(im).astype(np.int64)
            top = int(values.max(initial=0))
            limit = len(self.colours) if self.colours is not None else 256
            if top >= limit:
                raise SkipFile(f"label value {top} beyond the {limit} classes of {self.source}")
            return values.astype(np.uint8)
        if self.codes is None:
            raise SkipFile(f"colour-coded label map ({im.mode}) but no palette.json to name its colours")
        codes = _pack(np.asarray(im.convert("RGB")))
        where = np.searchsorted(self.codes, codes).clip(0, len(self.codes) - 1)
        unknown = self.codes[where] != codes
        if unknown.any():
            r, g, b = np.asarray(im.convert("RGB"))[unknown][0]
            raise SkipFile(f"label colour ({r}, {g}, {b}) is none of the {len(self.codes)} classes of {self.source}")
        return self.order[where].astype(np.uint8)


def _pack(rgb: np.ndarray) -> np.ndarray:
    """[..., 3] colours as one int per colour (r<<16 | g<<8 | b)."""
    rgb = np.asarray(rgb, np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _find(root: Path, names: tuple[str, ...]) -> Path:
    for name in names:
        if (root / name).is_dir():
            return root / name
    raise DatasetError(f"labels: {root}: no {names[0]}/ folder (also looked for {', '.join(names[1:])}); {HINT}")


def _classes(data: ArrayDataset, palette: tuple[list[str], np.ndarray] | None, first_map: Path) -> None:
    """Class names, colours and per-class image counts once the maps are decoded."""
    segmap = data.extra["segmap"]
    if palette is not None:
        names, colours = palette
    else:
        k = int(segmap.max(initial=0)) + 1
        names, colours = [str(i) for i in range(k)], _png_palette(first_map, k)
    data.class_names, data.palette = names, colours
    data.report.class_names = names
    data.report.class_counts = [int((segmap == i).any(axis=(1, 2)).sum()) for i in range(len(names))]


def _png_palette(path: Path, k: int) -> np.ndarray:
    """The colours an index PNG carries for its first ``k`` values, else ``default_palette(k)``."""
    try:
        with Image.open(path) as im:
            flat = im.getpalette() if im.mode == "P" else None
    except Exception:  # noqa: BLE001 - colours are cosmetic
        flat = None
    if flat and len(flat) >= 3 * k:
        return np.array(flat[:3 * k], np.uint8).reshape(k, 3)
    return default_palette(k)


@DATASETS.register("labels:PATH")
def labels(path: str, seed: int = 0, n: int | None = None, split: str | None = None, image_size: int = 0,
           crop: str = "center", background: str = "white", cache_dir: str = "", workers: int = 0) -> ArrayDataset:
    """Semantic label maps with their pictures: images/ + labels/ matched by name, optional palette.json."""
    opts = ReadOptions(image_size, crop, background, cache_dir, workers, seed)
    root = check_root(path, "labels", HINT)
    image_dir, label_dir = (_find(root, names) for names in (IMAGE_DIRS, LABEL_DIRS))
    image_dir, label_dir = (split_folder(d, split, "labels") or d for d in (image_dir, label_dir))
    palette = read_palette(root / "palette.json") if (root / "palette.json").is_file() else None
    skipped: list[SkippedFile] = []
    others: list[Path] = []
    images, maps = walk_images(image_dir, skipped, others), walk_images(label_dir, skipped, others)
    require_images(images, image_dir, "labels", skipped)
    pairs = match_by_name(images, maps, image_dir.name, label_dir.name, skipped)
    if not pairs:
        raise DatasetError(f"labels: {root}: no picture in {image_dir.name}/ has a label map of the same name in "
                           f"{label_dir.name}/; maps are matched to pictures by name")
    pairs = [pairs[i] for i in spread(len(pairs), n)]
    reader = LabelReader(palette[1] if palette else None, "palette.json" if palette else "an 8-bit map")
    table = Table({"x": Column([p[1] for p in pairs]), "extra_segmap": Column([p[2] for p in pairs], read_labels=reader)},
                  [p[0] for p in pairs], same_size=True)

    def build(cache) -> ArrayDataset:
        data = read_table(f"labels:{path}", "paired", table, opts, cache, skipped)
        _classes(data, palette, pairs[0][2])
        return data

    listed = images + maps + others + ([root / "palette.json"] if palette else [])
    return open_cached(f"labels:{path}", "labels", opts, {"n": n}, listed, build)
