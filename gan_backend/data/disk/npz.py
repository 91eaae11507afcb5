"""``npz:PATH``: images in a NumPy ``.npz`` (what ``gan-studio sample --out X.npz`` writes, too).

Keys: ``images`` uint8 [N, H, W] or [N, H, W, C] (C = 1, 3 or 4; channel-first [N, C, H, W]
is recognised and transposed), optional ``labels`` integer [N] and optional ``class_names``
(strings). Loaded with ``allow_pickle=False``: an .npz holding Python objects is refused.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, size_summary
from gan_backend.data.scan import spread


def _images(arr: np.ndarray, where: str) -> tuple[np.ndarray, str | None]:
    """uint8 [N, H, W, C] from what the file holds, and a note when it had to be rearranged."""
    if arr.dtype != np.uint8:
        raise DatasetError(f"npz: {where}: 'images' is {arr.dtype}, expected uint8 0..255; "
                           "save (images * 255).round().astype('uint8')")
    if arr.ndim == 3:
        return arr[..., None], None
    if arr.ndim != 4:
        raise DatasetError(f"npz: {where}: 'images' has shape {arr.shape}; expected [N, H, W] or [N, H, W, C]")
    if arr.shape[-1] not in (1, 3, 4) and arr.shape[1] in (1, 3, 4):
        return np.ascontiguousarray(arr.transpose(0, 2, 3, 1)), "images were channel-first [N, C, H, W]; transposed"
    if arr.shape[-1] not in (1, 3, 4):
        raise DatasetError(f"npz: {where}: 'images' has {arr.shape[-1]} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA)")
    if arr.shape[-1] == 4:
        return _on_white(arr), "alpha composited on white"
    return arr, None


def _on_white(rgba: np.ndarray) -> np.ndarray:
    alpha = rgba[..., 3:].astype(np.float32) / 255
    return (rgba[..., :3] * alpha + 255 * (1 - alpha)).round().astype(np.uint8)


def _labels(held: dict, count: int, where: str) -> np.ndarray | None:
    if "labels" not in held:
        return None
    labels = np.asarray(held["labels"])
    if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(f"npz: {where}: 'labels' must be integers of shape ({count},), got {labels.dtype} "
                           f"{labels.shape}")
    if count and labels.min() < 0:
        raise DatasetError(f"npz: {where}: 'labels' holds negative values; use class indices 0..K-1")
    return labels.astype(np.int64)


def _read(where: Path) -> dict[str, np.ndarray]:
    """Every array of the .npz; DatasetError for a missing, broken or pickled file."""
    try:
        loaded = np.load(where, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise DatasetError(f"npz: {where}: a single array, not an .npz; save with np.savez(path, images=...)")
        with loaded:
            return {k: loaded[k] for k in loaded.files}
    except DatasetError:
        raise
    except FileNotFoundError:
        raise DatasetError(f"npz: {where}: no such file; give a .npz holding an 'images' array") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise DatasetError(f"npz: {where}: not a readable .npz ({str(exc)[:160]})") from None


@DATASETS.register("npz:PATH")
def npz(path: str, seed: int = 0, n: int | None = None) -> ArrayDataset:
    """Images (and labels) from a NumPy .npz: 'images' uint8 [N,H,W(,C)], optional 'labels' [N]."""
    del seed
    where = Path(path).expanduser()
    held = _read(where)
    if "images" not in held:
        found = ", ".join(held) or "nothing"
        raise DatasetError(f"npz: {where}: no 'images' array (it holds: {found}); save it with np.savez(path, images=...)")
    x, note = _images(held["images"], str(where))
    labels = _labels(held, len(x), str(where))
    names = [str(s) for s in held.get("class_names", [])]
    if labels is not None and len(labels):
        names = names if len(names) > labels.max() else [str(i) for i in range(int(labels.max()) + 1)]
    picked = spread(len(x), n)
    data = ArrayDataset(f"npz:{path}", "image", x[picked], labels[picked] if labels is not None else None, names)
    data.report.sizes_seen = size_summary([(x.shape[2], x.shape[1])])
    data.report.notes += [note] if note else []
    return data
