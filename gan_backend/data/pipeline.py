"""Probe, size, decode and cache a table of picture files: the machinery every folder loader shares.

A loader (folder, paired, labels, unpaired) only lists files into a :class:`Table`: one row per
item, one :class:`Column` per output array ("x", "extra_a", ...). Here the rows are probed
(headers only), the output size and channels are chosen, and the pictures are decoded on a few
threads straight into one preallocated uint8 array per column. A row whose file fails in any
column is left out of every column and reported, so pairs stay aligned.

Default output size: the images' own side when they all share one size whose shorter side is at
most KEEP_SIZE_UP_TO (a folder of 32x32 icons stays 32x32), else DEFAULT_SIZE.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from gan_backend.data.base import ArrayDataset, DatasetError, SkippedFile, size_summary
from gan_backend.data.cache import DecodeCache
from gan_backend.data.decode import (RANDOM_CROP_ZOOM, Geometry, SkipFile, jitter_for, parse_background, picture, probe,
                                     reason_for)
from gan_backend.data.scan import fingerprint, spread

DEFAULT_SIZE = 64  # what DCGAN-64 and most models here take
KEEP_SIZE_UP_TO = 128  # images all of one size this small keep their size by default
CHUNK = 64  # rows per thread task: big enough to amortise scheduling, small enough to balance


@dataclass
class Column:
    """One output array: the file of each row that fills it, and how to read that file."""

    paths: list[Path]
    part: str = "full"  # "full", or "left" / "right" half of a side-by-side A|B picture
    read_labels: Callable | None = None  # (path, geometry, jitter) -> uint8 [S, S] class map; None for pictures


@dataclass
class Table:
    """Items to decode; a row that fails in one column is dropped from all of them."""

    columns: dict[str, Column]  # "x", "extra_a", "extra_b", "extra_segmap"
    keys: list[str]  # a name per row: seeds its crop jitter (shared by both halves of a pair)
    labels: list[int] = field(default_factory=list)  # class per row, or empty
    same_size: bool = False  # the columns show one scene, so their files must match in size


CROPS = ("center", "random", "pad")  # how a picture that is not square becomes square (see decode.crop_box)


@dataclass
class ReadOptions:
    """The options every folder loader takes, checked once."""

    image_size: int = 0  # output side; 0 = chosen from the images (see module docstring)
    crop: str = "center"
    background: str = "white"
    cache_dir: str = ""
    workers: int = 0  # decoding threads; 0 = up to 4, one per core
    seed: int = 0

    def __post_init__(self) -> None:
        if self.crop == "centre":
            self.crop = "center"
        if self.crop not in CROPS:
            raise DatasetError(f"crop {self.crop!r}: choose {', '.join(CROPS)}")
        if not 0 <= int(self.image_size or 0) <= 2048:
            raise DatasetError(f"image_size {self.image_size}: choose 0 (automatic) or a side of 1..2048 pixels")
        try:
            self.rgb = parse_background(self.background)
        except ValueError as exc:
            raise DatasetError(str(exc)) from None
        self.workers = int(self.workers) or min(4, os.cpu_count() or 1)

    def geometry(self, size: int) -> Geometry:
        return Geometry(size, self.crop, self.rgb)

    def key(self) -> dict:
        """What changes the decoded arrays (and so the cache key)."""
        return {"image_size": self.image_size, "crop": self.crop, "background": self.rgb,
                "seed": self.seed if self.crop == "random" else 0}


@dataclass
class Probed:
    ok: np.ndarray  # bool [N]: rows whose every file has a usable header
    sizes: list[tuple[int, int]]  # (W, H) on disk of the first column, per row (zeros for failed rows)
    grey: dict[str, bool]  # per column: every usable file is grey, so the column stays C=1
    skipped: list[SkippedFile]


def probe_table(table: Table) -> Probed:
    """Read every header once; rows with a bad file (or mismatched pair sizes) are reported."""
    n = len(table.keys)
    ok, sizes, skipped = np.ones(n, bool), [(0, 0)] * n, []
    grey = {name: True for name in table.columns}
    for i in range(n):
        found = {}
        for name, col in table.columns.items():
            try:
                found[name] = probe(col.paths[i], col.part)
            except SkipFile as exc:
                skipped.append(SkippedFile(str(col.paths[i]), _pair_reason(str(exc), table)))
                ok[i] = False
                break
        if ok[i] and table.same_size and len({p.size for p in found.values()}) > 1:
            first = next(iter(table.columns.values()))
            skipped.append(SkippedFile(str(first.paths[i]), _size_mismatch(table, i, found)))
            ok[i] = False
        if ok[i]:
            sizes[i] = next(iter(found.values())).size
            for name, p in found.items():
                grey[name] &= p.grey
    return Probed(ok, sizes, grey, skipped)


def _pair_reason(reason: str, table: Table) -> str:
    return reason + (" (its pair is left out too)" if len(table.columns) > 1 else "")


def _size_mismatch(table: Table, i: int, found: dict) -> str:
    sides = ", ".join(f"{table.columns[k].paths[i].name} is {p.size[0]}x{p.size[1]}" for k, p in found.items())
    return f"mismatched pair sizes ({sides}); both must show the same picture"


def choose_size(sizes: list[tuple[int, int]], requested: int) -> int:
    """The output side: ``requested``, else the images' own when all share one small size, else DEFAULT_SIZE."""
    if requested:
        return int(requested)
    shared = set(sizes)
    if len(shared) == 1 and min(next(iter(shared))) <= KEEP_SIZE_UP_TO:
        return min(next(iter(shared)))
    return DEFAULT_SIZE


def decode_table(table: Table, probed: Probed, opts: ReadOptions, size: int,
                 cache: DecodeCache) -> tuple[dict[str, np.ndarray], np.ndarray, list[SkippedFile]]:
    """Decode the probed rows into arrays; returns (arrays, kept row indices, files skipped while decoding)."""
    rows = np.flatnonzero(probed.ok)
    geometry = opts.geometry(size)
    shapes = {name: (len(rows), size, size) if col.read_labels else (len(rows), size, size, 1 if probed.grey[name] else 3)
              for name, col in table.columns.items()}
    total = sum(int(np.prod(s)) for s in shapes.values())
    arrays = {name: cache.allocate(name, shape, total) for name, shape in shapes.items()}
    failed: dict[int, SkippedFile] = {}

    def work(chunk: np.ndarray) -> None:
        for j in chunk:
            jitter = jitter_for(table.keys[rows[j]], opts.seed)
            for name, col in table.columns.items():
                path = col.paths[rows[j]]
                try:
                    arrays[name][j] = (col.read_labels(path, geometry, jitter) if col.read_labels else
                                       picture(path, shapes[name][-1], geometry, col.part, jitter))
                except Exception as exc:  # noqa: BLE001 - one bad file is skipped, never fatal
                    reason = str(exc) if isinstance(exc, SkipFile) else reason_for(exc, path)
                    failed[int(j)] = SkippedFile(str(path), _pair_reason(reason, table))
                    break

    with ThreadPoolExecutor(opts.workers) as pool:
        list(pool.map(work, np.array_split(np.arange(len(rows)), max(1, len(rows) // CHUNK))))
    keep = np.array([j for j in range(len(rows)) if j not in failed], np.int64)
    if failed:
        arrays = {name: _compact(arr, keep) for name, arr in arrays.items()}
    return arrays, rows[keep], [failed[j] for j in sorted(failed)]


def _compact(arr: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Move rows ``keep`` (ascending) to the front in place and return that prefix; works on memmaps too."""
    for start in range(0, len(keep), 1024):
        part = keep[start:start + 1024]
        arr[start:start + len(part)] = arr[part]  # sources lie at or after their targets, never overwritten first
    return arr[:len(keep)]


@dataclass
class Decoded:
    """What ``decode_tables`` made of one or more tables."""

    arrays: dict[str, np.ndarray]  # one per column name, all tables together
    rows: list[np.ndarray]  # per table: indices of the rows kept
    sizes: list[tuple[int, int]]  # (W, H) on disk of every kept row
    skipped: list[SkippedFile]  # probe and decode failures
    note: str  # how long it took, to what size, with which crop


def decode_tables(name: str, tables: list[Table], opts: ReadOptions, cache: DecodeCache) -> Decoded:
    """Probe all tables, choose one size for all, decode each; DatasetError when a table keeps no row."""
    started = time.perf_counter()
    probed = [probe_table(t) for t in tables]
    size = choose_size([s for p in probed for s, ok in zip(p.sizes, p.ok) if ok], opts.image_size)
    arrays, rows, skipped = {}, [], [s for p in probed for s in p.skipped]
    for table, p in zip(tables, probed):
        got, kept, failed = decode_table(table, p, opts, size, cache)
        arrays.update(got)
        rows.append(kept)
        skipped += failed
        if len(kept) == 0:
            raise_unusable(name, len(table.keys), skipped)
    sizes = [p.sizes[i] for p, kept in zip(probed, rows) for i in kept]
    total = sum(len(t.keys) for t in tables)
    note = decode_note(len(sizes), total, time.perf_counter() - started, opts, size, arrays)
    return Decoded(arrays, rows, sizes, skipped, note)


def assemble(name: str, kind: str, decoded: Decoded, labels: np.ndarray | None, class_names: list[str],
             skipped: list[SkippedFile]) -> ArrayDataset:
    """The dataset and its report from decoded arrays ("x" becomes ``x``, "extra_k" becomes ``extra[k]``)."""
    arrays = dict(decoded.arrays)
    x = arrays.pop("x")
    extra = {k.removeprefix("extra_"): v for k, v in arrays.items()}
    data = ArrayDataset(name, kind, x, labels, list(class_names), extra)
    data.report.sizes_seen = size_summary(decoded.sizes)
    data.report.skipped, data.report.notes = skipped + decoded.skipped, [decoded.note]
    return data


def first_rows(table: Table, n: int | None) -> Table:
    """``n`` rows spread evenly over the table (all when n is None), every column alike."""
    picked = spread(len(table.keys), n)
    columns = {k: Column([c.paths[i] for i in picked], c.part, c.read_labels) for k, c in table.columns.items()}
    labels = [table.labels[i] for i in picked] if table.labels else []
    return Table(columns, [table.keys[i] for i in picked], labels, table.same_size)


def read_table(name: str, kind: str, table: Table, opts: ReadOptions, cache: DecodeCache,
               skipped: list[SkippedFile], class_names: list[str] | None = None) -> ArrayDataset:
    """Probe, decode and report one table; ``skipped`` are the listing's findings, reported first."""
    decoded = decode_tables(name, [table], opts, cache)
    labels = np.asarray(table.labels, np.int64)[decoded.rows[0]] if table.labels else None
    return assemble(name, kind, decoded, labels, class_names or [], skipped)


def raise_unusable(name: str, total: int, skipped: list[SkippedFile]) -> None:
    first = "; ".join(f"{Path(s.path).name}: {s.reason}" for s in skipped[:3])
    raise DatasetError(f"{name}: none of the {total} item(s) could be used ({first}"
                       f"{'; ...' if len(skipped) > 3 else ''})")


def decode_note(kept: int, total: int, seconds: float, opts: ReadOptions, size: int, arrays: dict) -> str:
    channels = ", ".join(f"{k.removeprefix('extra_')} C={a.shape[-1]}" for k, a in arrays.items() if a.ndim == 4)
    crop = {"center": "shorter side to {}, centre crop", "pad": "longer side to {}, padded square with background",
            "random": f"shorter side to {{}}, random crop (fixed per item, zoom {RANDOM_CROP_ZOOM:g}x)"}[opts.crop]
    return (f"decoded {kept} of {total} item(s) in {seconds:.2f} s ({kept / max(seconds, 1e-9):.0f}/s, "
            f"{opts.workers} threads): {crop.format(size)}; {channels}")




def open_cached(name: str, loader: str, opts: ReadOptions, key_extra: dict, files: list[Path],
                build: Callable[[DecodeCache], ArrayDataset]) -> ArrayDataset:
    """The cached dataset for these files and options, else ``build(cache)`` stored for next time."""
    cache = DecodeCache(opts.cache_dir, loader, {**opts.key(), **key_extra}, fingerprint(files))
    data = cache.load()
    if data is None:
        data = build(cache)
        cache.store(data)
    data.name = data.report.name = name
    return data
