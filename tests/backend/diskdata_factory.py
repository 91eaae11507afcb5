"""Small picture files, good and bad, for the on-disk dataset tests: every mode and every way to break.

Each helper writes one file (or folder) and returns its path; pictures are tiny so a test builds
dozens in milliseconds.
"""
from __future__ import annotations

import io
import os
import pickle
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from gan_backend.data import open_dataset

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def open_dir(kind: str, path: Path, tmp_path: Path, **options):
    """Open ``kind:path`` with its cache inside the test's tmp_path."""
    return open_dataset(f"{kind}:{path}", cache_dir=str(tmp_path / "cache"), **options)


def summary(data) -> str:
    """The report as the CLI prints it."""
    return "\n".join(data.report.lines())


def solid(path: Path, colour=RED, size=(16, 16), mode: str = "RGB", **save) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path, **save)
    return path


def noise_png(path: Path, size: int = 16, seed: int = 0, channels: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, channels), dtype=np.uint8)
    Image.fromarray(pixels[..., 0] if channels == 1 else pixels).save(path)
    return path


def grey16(path: Path, value: int, size: int = 8) -> Path:
    """A 16-bit grey PNG (mode I;16) filled with ``value`` in 0..65535."""
    Image.fromarray(np.full((size, size), value, np.uint16)).save(path)
    return path


def rgba(path: Path, colour=(0, 0, 255, 128), size: int = 8) -> Path:
    return solid(path, colour, (size, size), "RGBA")


def palette_png(path: Path, colour=(10, 200, 30), size: int = 8) -> Path:
    im = Image.new("P", (size, size), 1)
    im.putpalette([0, 0, 0, *colour] + [0] * 762)
    im.save(path)
    return path


def two_frame_gif(path: Path, first=GREEN, second=RED, size: int = 8) -> Path:
    frames = [Image.new("RGB", (size, size), c) for c in (first, second)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    return path


def exif_rotated_jpeg(path: Path) -> Path:
    """40x20 stored picture, left half red, right half blue, EXIF orientation 6 (shown rotated 90 deg clockwise).

    Shown upright it is 20x40 with red on top and blue below.
    """
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = RED
    pixels[:, 20:] = BLUE
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pixels).save(path, quality=95, exif=exif.tobytes())
    return path


def truncated(path: Path, fmt: str = "JPEG", size: int = 64) -> Path:
    """A real picture cut to half its bytes."""
    buf = io.BytesIO()
    pixels = np.random.default_rng(1).integers(0, 256, (size, size, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buf, fmt)
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return path


def bomb_png(path: Path, width: int = 30000, height: int = 30000) -> Path:
    """A PNG header claiming ``width`` x ``height`` (a decompression bomb); a few bytes on disk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))
    return path


def cifar_batch(images: np.ndarray, labels: list[int], protocol: int = 2) -> bytes:
    """A pickled CIFAR-10 batch dict (bytes keys, as the Python 2 originals load with encoding='bytes')."""
    data = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # [N, 3072]: all red, then green, then blue
    return pickle.dumps({b"batch_label": b"test batch", b"labels": labels, b"data": data,
                         b"filenames": [b"x.png"] * len(labels)}, protocol=protocol)


def cifar_folder(folder: Path, per_batch: int = 3, protocol: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """All six batches and batches.meta of a tiny fake CIFAR-10; returns (train images, train labels)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    train_x, train_y = [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        x = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
        y = rng.integers(0, 10, per_batch).tolist()
        (folder / name).write_bytes(cifar_batch(x, y, protocol))
        if name != "test_batch":
            train_x.append(x)
            train_y += y
    names = [b"plane", b"car", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": names, b"num_vis": 3072}, protocol=2))
    return np.concatenate(train_x), np.array(train_y)


class _Evil:
    """Unpickling this runs a shell command (``touch MARKER``): what a hostile "dataset" looks like."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def malicious_batch(path: Path, marker: Path) -> Path:
    path.write_bytes(pickle.dumps({b"data": _Evil(marker), b"labels": [0]}, protocol=2))
    return path
