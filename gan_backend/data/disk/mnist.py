"""Reader for MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST), gzipped or raw.

``mnist:PATH`` opens either a folder holding ``train-images-idx3-ubyte[.gz]`` and
``train-labels-idx1-ubyte[.gz]`` (plus ``t10k-*`` for the test split) or one images file, whose
labels file is used when it sits next to it. Every check names the file, says what is wrong and
what to do, because a half-downloaded MNIST is the most common way this dataset fails.

IDX layout (big-endian): magic ``0x0000 TT DD`` (TT = 0x08 for unsigned bytes, DD = number of
dimensions), then DD uint32 sizes, then the values.
"""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError

IMAGES_MAGIC = 2051  # 0x0803: unsigned bytes, 3 dimensions (N, rows, cols)
LABELS_MAGIC = 2049  # 0x0801: unsigned bytes, 1 dimension (N)
PREFIXES = {"train": "train", "test": "t10k"}
SPLITS = ("train", "test", "all")


def _read_bytes(path: Path) -> bytes:
    """The file's content, un-gzipped when it starts with the gzip signature."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DatasetError(f"mnist: {path}: cannot read ({e.strerror or e}); check the path") from None
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise DatasetError(f"mnist: {path}: broken gzip data ({e}); re-download it") from None


def read_idx(path: str | Path, magic: int, what: str) -> np.ndarray:
    """Read one IDX file of unsigned bytes; ``what`` ("image" / "label") only shapes messages.

    Returns uint8 with the header's shape: [N, rows, cols] for images, [N] for labels.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DatasetError(f"mnist: {path}: only {len(data)} bytes, too short for an IDX header; re-download it")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DatasetError(f"mnist: {path}: wrong magic number {found} (expected {magic} for an IDX {what} "
                           f"file); is this an MNIST {what}s file?")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"mnist: {path}: truncated inside the header; re-download it")
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    expected, held = int(np.prod(dims)), len(data) - header
    if held != expected:
        shape = f"{dims[0]} {what}s" + (f" of {dims[1]}x{dims[2]}" if ndim == 3 else "")
        problem = "truncated" if held < expected else "too long"
        raise DatasetError(f"mnist: {path}: {problem}: header says {shape} but the file holds {held} "
                           f"bytes of {what} data instead of {expected}; re-download it")
    return np.frombuffer(data, np.uint8, offset=header).reshape(dims)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write uint8 images [N, H, W] or labels [N] as an IDX file, gzipped when ``path`` ends in .gz."""
    array = np.ascontiguousarray(array, np.uint8)
    magic = {3: IMAGES_MAGIC, 1: LABELS_MAGIC}.get(array.ndim)
    if magic is None:
        raise ValueError(f"write_idx: need [N, H, W] images or [N] labels, got shape {array.shape}")
    blob = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape) + array.tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(blob, mtime=0) if path.suffix == ".gz" else blob)


def _find(folder: Path, prefix: str, kind: str) -> Path | None:
    """``{prefix}-{kind}`` in ``folder``, raw or gzipped, also with the ``.idx3`` dot spelling."""
    dotted = kind.replace("-idx", ".idx")
    for name in (kind, dotted):
        for suffix in ("", ".gz"):
            path = folder / f"{prefix}-{name}{suffix}"
            if path.is_file():
                return path
    return None


def _labels_next_to(images: Path) -> Path | None:
    """The labels file that belongs to an images file, by the MNIST naming convention."""
    for old, new in (("images-idx3", "labels-idx1"), ("images.idx3", "labels.idx1")):
        if old in images.name:
            for suffix in ("", ".gz"):
                base = images.name.replace(old, new).removesuffix(".gz")
                if (images.parent / (base + suffix)).is_file():
                    return images.parent / (base + suffix)
    return None


def _read_pair(images_path: Path, labels_path: Path | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Images [N, H, W] and labels [N] (or None), checked against each other."""
    images = read_idx(images_path, IMAGES_MAGIC, "image")
    if labels_path is None:
        return images, None
    labels = read_idx(labels_path, LABELS_MAGIC, "label")
    if len(labels) != len(images):
        raise DatasetError(f"mnist: {labels_path}: holds {len(labels)} labels but {images_path.name} holds "
                           f"{len(images)} images; use the labels file from the same download")
    return images, labels


def _split_files(folder: Path, split: str) -> list[tuple[Path, Path]]:
    """(images, labels) paths for each part of ``split`` in ``folder``."""
    if split not in SPLITS:
        raise DatasetError(f"mnist: unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    pairs = []
    for part in (["train", "test"] if split == "all" else [split]):
        prefix = PREFIXES[part]
        images, labels = _find(folder, prefix, "images-idx3-ubyte"), _find(folder, prefix, "labels-idx1-ubyte")
        for found, kind in ((images, "images-idx3-ubyte"), (labels, "labels-idx1-ubyte")):
            if found is None:
                raise DatasetError(f"mnist: {folder}: no {prefix}-{kind}[.gz] for split {part!r}; "
                                   "download the MNIST files into this folder or pick another split")
        pairs.append((images, labels))
    return pairs


@DATASETS.register("mnist:PATH")
def mnist(path: str, seed: int = 0, n: int | None = None, split: str = "train") -> ArrayDataset:
    """MNIST-format IDX files (MNIST, Fashion-MNIST) from a folder or one images file, gz or raw."""
    del seed  # the files fix the order; accepted so every builder takes the same options
    root = Path(path).expanduser()
    if root.is_dir():
        parts = [_read_pair(i, lab) for i, lab in _split_files(root, split)]
    elif root.is_file():
        parts = [_read_pair(root, _labels_next_to(root))]
    else:
        raise DatasetError(f"mnist: {root}: no such file or folder; give the folder holding "
                           "train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz")
    if len({p[0].shape[1:] for p in parts}) > 1:
        raise DatasetError(f"mnist: {root}: the train and test images differ in size; use one split")
    x = np.concatenate([p[0] for p in parts])[:n, :, :, None]  # [N, H, W, 1]
    has_labels = all(p[1] is not None for p in parts)
    labels = np.concatenate([p[1] for p in parts])[:n].astype(np.int64) if has_labels else None
    names = [str(d) for d in range(max(10, int(labels.max()) + 1))] if labels is not None and len(labels) else []
    return ArrayDataset(f"mnist:{path}", "image", x, labels, names)
