"""Checkpoints that survive a full disk and a kill -9: written atomically, loaded with weights_only=True."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import torch

from gan_backend.errors import first_line

FORMAT = "gan-studio-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be written or read; the message names the file and what to do."""


def save_atomic(state: dict[str, Any], path: Path, also: list[Path] = ()) -> None:
    """Write ``state`` to ``path`` so that ``path`` is always either the old file or the complete new one.

    The bytes go to a temporary file in the same folder, are fsync'ed, then ``os.replace`` swaps it in
    (atomic on POSIX and Windows). On any failure (disk full, killed) the old file is untouched.
    ``also``: further paths that get the same bytes (hard links when the file system allows, else copies).
    """
    path = Path(path)
    _save_one(state, path)
    for extra in also:
        _publish(path, Path(extra))


def _publish(src: Path, dst: Path) -> None:
    """Give ``dst`` the bytes of the freshly written ``src``, atomically (a hard link when possible)."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CheckpointError(f"could not write checkpoint {dst}: {first_line(exc)}; {src.name} is complete") from None


def _save_one(state: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            torch.save({"format": FORMAT, "version": VERSION, **state}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except (OSError, RuntimeError) as exc:
        tmp.unlink(missing_ok=True)
        kept = f"; the previous {path.name} is intact" if path.exists() else ""
        raise CheckpointError(f"could not write checkpoint {path}: {first_line(exc)}{kept}. Free some disk space "
                              f"or choose another --run-dir") from None


def load(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_atomic`; damaged or foreign files raise CheckpointError."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # a damaged file can fail anywhere in the unpickler: KeyError, EOFError, ...
        raise CheckpointError(f"{path}: unreadable checkpoint ({first_line(exc)}); it is truncated or not a "
                              f"GAN Studio checkpoint: use another one from checkpoints/") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a GAN Studio checkpoint (no '{FORMAT}' marker)")
    return state


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; os.replace is still atomic there
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

