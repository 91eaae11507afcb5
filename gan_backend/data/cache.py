"""Decoded datasets kept on disk so a folder is decoded once, not at every open.

A cache entry is a folder ``<cache_dir>/<key>/`` of ``.npy`` arrays (x, labels, extras, palette)
and a ``meta.json`` with the names and the report. The key hashes the loader, its options and
the (path, bytes, mtime) of every file listed, so editing, adding or removing a file decodes
again. Entries are written to a temporary folder and renamed into place, so a reader never sees
half an entry and two processes opening the same folder at once both end up with a whole one.

Arrays above MEMORY_LIMIT are decoded straight into a memory-mapped ``.npy`` in the entry and
opened copy-on-write, so a dataset larger than RAM still trains (the engine indexes into it).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from gan_backend.data.base import ArrayDataset, DatasetReport, SkippedFile

MEMORY_LIMIT = 2 * 2**30  # bytes; decoded arrays above this live in a memory-mapped cache file
VERSION = 1  # bump when the decoding changes what a cached array holds


def default_dir() -> Path:
    return Path(tempfile.gettempdir()) / "gan-studio-cache"


class DecodeCache:
    """One cache entry: look it up, allocate arrays for a decode, store the result."""

    def __init__(self, where: str, loader: str, options: dict, files: list[tuple[str, int, int]]):
        self.enabled = where != "off"
        self.root = Path(where).expanduser() if where and self.enabled else default_dir()
        blob = json.dumps([VERSION, loader, sorted(options.items()), files], default=str)
        self.key = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]
        self.path = self.root / self.key
        self._staging: Path | None = None

    def load(self) -> ArrayDataset | None:
        """The cached dataset, or None on a miss or an unreadable entry (which is decoded again)."""
        if not self.enabled or not (self.path / "meta.json").is_file():
            return None
        try:
            meta = json.loads((self.path / "meta.json").read_text(encoding="utf-8"))
            arrays = {name: self._open(name, count) for name, count in meta["arrays"].items()}
            report = DatasetReport(**{**meta["report"], "skipped": [SkippedFile(*s) for s in meta["report"]["skipped"]]})
        except (OSError, ValueError, KeyError, TypeError):
            return None
        report.shape = tuple(report.shape)
        report.sizes_seen = {k: tuple(v) for k, v in report.sizes_seen.items()}
        report.notes = [n for n in report.notes if not n.startswith("cache:")] + [f"cache: read from {self.path}"]
        extra = {k[6:]: v for k, v in arrays.items() if k.startswith("extra_")}
        return ArrayDataset(meta["name"], meta["kind"], arrays["x"], arrays.get("labels"), meta["class_names"],
                            extra, report, arrays.get("palette"))

    def _open(self, name: str, count: int) -> np.ndarray:
        path = self.path / f"{name}.npy"
        big = path.stat().st_size > MEMORY_LIMIT
        return np.load(path, mmap_mode="c" if big else None, allow_pickle=False)[:count]

    def allocate(self, name: str, shape: tuple[int, ...], total_bytes: int) -> np.ndarray:
        """A uint8 array to decode into: in memory, or a memmap in the entry when the decode is that big.

        With the cache "off" a decode that big still goes to a memmap (in the default folder), left
        there when the dataset is dropped: holding it in RAM instead is what "too big" rules out.
        """
        if total_bytes <= MEMORY_LIMIT:
            return np.empty(shape, np.uint8)
        staging = self._stage()
        return np.lib.format.open_memmap(staging / f"{name}.npy", mode="w+", dtype=np.uint8, shape=shape)

    def _stage(self) -> Path:
        if self._staging is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._staging = Path(tempfile.mkdtemp(prefix=f"{self.key}.", suffix=".tmp", dir=self.root))
        return self._staging

    def store(self, data: ArrayDataset) -> None:
        """Write ``data`` as this entry; a failure (disk full, read-only) becomes a report note, not an error."""
        if not self.enabled:
            data.report.notes.append("cache: off, every open decodes again")
            return
        try:
            self._write(data)
            data.report.notes.append(f"cache: stored in {self.path}")
        except OSError as exc:
            data.report.notes.append(f"cache: not written ({exc.strerror or exc}); the next open decodes again")
        finally:
            if self._staging is not None and self._staging.exists():
                shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def _write(self, data: ArrayDataset) -> None:
        staging = self._stage()
        arrays = {"x": data.x, "labels": data.labels, "palette": data.palette,
                  **{f"extra_{k}": v for k, v in data.extra.items()}}
        counts = {}
        for name, arr in arrays.items():
            if arr is None:
                continue
            if isinstance(arr, np.memmap):
                arr.flush()  # decoded in place into staging/<name>.npy by ``allocate``; only the count is new
            else:
                np.save(staging / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
            counts[name] = len(arr)
        report = dataclasses.asdict(data.report)
        report["skipped"] = [[s.path, s.reason] for s in data.report.skipped]
        meta = {"name": data.name, "kind": data.kind, "class_names": data.class_names, "arrays": counts, "report": report}
        (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        if self.path.exists() and not (self.path / "meta.json").is_file():
            shutil.rmtree(self.path, ignore_errors=True)  # an entry left broken by a crash
        try:
            os.replace(staging, self.path)  # atomic; fails if another process stored the entry first
        except OSError:
            if not (self.path / "meta.json").is_file():
                raise
