"""What every dataset turns into: in-memory (or memory-mapped) arrays plus a report.

The engine never sees files. A dataset builder returns an :class:`ArrayDataset`; batches are
drawn by index from its arrays, which keeps epochs after the first free of decoding and makes
the data order a pure function of (seed, step) so a resumed run sees the same batches.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from gan_backend.registry import Registry, UnknownNameError


class DatasetError(ValueError):
    """A dataset that cannot be opened; the message names the file or folder and what to do."""


@dataclass
class SkippedFile:
    path: str
    reason: str  # e.g. "truncated", "zero bytes", "not an image"


@dataclass
class DatasetReport:
    """Summary shown by the CLI (`datasets inspect`) and the dataset browser."""

    name: str
    count: int
    kind: str  # "points" | "image" | "paired" | "unpaired"
    shape: tuple[int, ...]  # one item: (2,) for points, (H, W, C) for images
    class_names: list[str] = field(default_factory=list)
    class_counts: list[int] = field(default_factory=list)
    sizes_seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # min/median/max (W, H) on disk
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how it was read: resize, crop, cache, decode time

    def lines(self) -> list[str]:
        out = [f"dataset {self.name}: {self.count} items, kind {self.kind}, item shape {self.shape}"]
        if self.class_names:
            pairs = ", ".join(f"{n} ({c})" for n, c in zip(self.class_names, self.class_counts))
            out.append(f"classes ({len(self.class_names)}): {pairs}")
        for k, (w, h) in self.sizes_seen.items():
            out.append(f"size {k}: {w}x{h}")
        out += self.notes
        if self.skipped:
            out.append(f"skipped {len(self.skipped)} file(s):")
            out += [f"  {s.path}: {s.reason}" for s in self.skipped]
        return out


@dataclass
class ArrayDataset:
    """A dataset held as arrays.

    ``x``: uint8 [N, H, W, C] images (0..255) or float32 [N, 2] points.
    ``labels``: int64 [N] class indices, or None when unlabelled.
    ``extra``: further aligned arrays a task may need (e.g. "segmap" uint8 [N, H, W] for paired data,
    "b" uint8 [M, H, W, C] for the second domain of unpaired data).
    ``palette``: uint8 [K, 3], the colour of each class of a "segmap", or None.
    """

    name: str
    kind: str
    x: np.ndarray
    labels: np.ndarray | None = None
    class_names: list[str] = field(default_factory=list)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    report: DatasetReport | None = None
    palette: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.report is None:
            self.report = self.make_report()

    def __len__(self) -> int:
        return len(self.x)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image; points report (2, 1, 1)."""
        if self.kind == "points":
            return (self.x.shape[1], 1, 1)
        n, h, w, c = self.x.shape
        return (c, h, w)

    def make_report(self) -> DatasetReport:
        counts = []
        if self.labels is not None and self.class_names:
            counts = np.bincount(self.labels, minlength=len(self.class_names)).tolist()
        return DatasetReport(self.name, len(self.x), self.kind, tuple(self.x.shape[1:]),
                             list(self.class_names), counts)


def size_summary(sizes: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """min/median/max of (W, H) sizes, ordered by pixel count, for ``DatasetReport.sizes_seen``."""
    if not sizes:
        return {}
    ordered = sorted(sizes, key=lambda wh: (wh[0] * wh[1], wh))
    return {"min": ordered[0], "median": ordered[len(ordered) // 2], "max": ordered[-1]}


# A builder takes the part after "kind:" (or None) and keyword options such as seed and n.
DatasetBuilder = Callable[..., ArrayDataset]
DATASETS: Registry[DatasetBuilder] = Registry("dataset")


def resolve(spec: str) -> tuple[DatasetBuilder, str | None]:
    """Find the builder for ``spec``: an exact name ("glyphs", "toy2d:ring8") or "kind:ARG" ("mnist:/data")."""
    if spec in DATASETS:
        return DATASETS.get(spec), None
    kind, sep, arg = spec.partition(":")
    key = f"{kind}:PATH"
    if sep and key in DATASETS:
        return DATASETS.get(key), arg
    try:
        DATASETS.entry(spec)
    except UnknownNameError:
        raise
    raise AssertionError("unreachable")
