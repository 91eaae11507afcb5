"""``cifar10:PATH``: the CIFAR-10 "python version" batches, read without running pickled code.

PATH is the ``cifar-10-batches-py`` folder, a folder holding it, or the downloaded
``cifar-10-python.tar.gz`` itself. Each batch is a pickled dict: ``data`` uint8 [10000, 3072]
(rows of 1024 red, then green, then blue values of a 32x32 image), ``labels`` (a list of ints)
and a few strings. Pickle can call any importable function while loading, so batches are read
by :class:`BatchUnpickler`, which refuses every global except numpy's array reconstruction: a
file that asks for anything else (``os.system`` ...) is refused with a DatasetError, unrun.
"""
from __future__ import annotations

import codecs
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, size_summary
from gan_backend.data.scan import spread

TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_BATCHES = ["test_batch"]
FOLDER = "cifar-10-batches-py"  # what the archive unpacks to
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
HINT = "download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and give it or its folder"


class BatchUnpickler(pickle.Unpickler):
    """An unpickler that builds only plain data: dicts, lists, bytes, str, numbers and numpy arrays."""

    ALLOWED = {  # (module, name) -> the callable pickle may use; numpy 1.x and 2.x spellings
        ("numpy.core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.zeros(0))[0],
        ("numpy._core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.zeros(0))[0],
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): codecs.encode,  # how Python 3 spells bytes in protocol-2 pickles
    }

    def find_class(self, module: str, name: str):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"the pickle asks for {module}.{name}, which a CIFAR batch never holds; "
                                         "refused without running it") from None


def load_batch(blob: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 [N, 32, 32, 3] and labels int64 [N] from one pickled batch."""
    try:
        batch = BatchUnpickler(io.BytesIO(blob), encoding="bytes").load()
    except Exception as exc:  # noqa: BLE001 - any broken or hostile pickle is the same user problem
        raise DatasetError(f"cifar10: {where}: not a readable CIFAR-10 batch ({type(exc).__name__}: "
                           f"{str(exc)[:160]}); re-download it") from None
    batch = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()} if isinstance(batch, dict) else {}
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or labels is None:
        raise DatasetError(f"cifar10: {where}: no 'data' [N, 3072] array and 'labels' list in it; "
                           f"is this a CIFAR-10 python batch? re-download it")
    labels = np.asarray(labels, np.int64)
    if len(labels) != len(data) or (len(labels) and not 0 <= labels.min() <= labels.max() < 10):
        raise DatasetError(f"cifar10: {where}: {len(labels)} labels for {len(data)} images, or labels outside 0..9; "
                           "re-download it")
    images = data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def _reader(path: Path):
    """A function name -> bytes (or None when absent) over the folder or the archive at ``path``."""
    if path.is_file():
        try:
            archive = tarfile.open(path)
            members = {Path(m.name).name: m for m in archive.getmembers() if m.isfile()}
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DatasetError(f"cifar10: {path}: not a readable tar archive ({exc}); {HINT}") from None
        return lambda name: archive.extractfile(members[name]).read() if name in members else None
    folder = path / FOLDER if (path / FOLDER).is_dir() else path

    def read(name: str) -> bytes | None:
        try:
            return (folder / name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise DatasetError(f"cifar10: {folder / name}: cannot read ({exc.strerror or exc}); check its permissions") from None

    return read


@DATASETS.register("cifar10:PATH")
def cifar10(path: str, seed: int = 0, n: int | None = None, split: str = "train") -> ArrayDataset:
    """CIFAR-10 python batches (folder or .tar.gz): 32x32 RGB, 10 classes; split train, test or all."""
    del seed  # the files fix the order
    root = Path(path).expanduser()
    if not root.exists():
        raise DatasetError(f"cifar10: {root}: no such file or folder; {HINT}")
    names = {"train": TRAIN_BATCHES, "test": TEST_BATCHES, "all": TRAIN_BATCHES + TEST_BATCHES}.get(split)
    if names is None:
        raise DatasetError(f"cifar10: unknown split {split!r}; choose train, test or all")
    read = _reader(root)
    blobs = {name: read(name) for name in names}
    missing = [name for name, blob in blobs.items() if blob is None]
    if missing:
        raise DatasetError(f"cifar10: {root}: missing {', '.join(missing)} (split {split!r} needs "
                           f"{', '.join(names)}); the download is incomplete, {HINT}")
    parts = [load_batch(blob, f"{root}/{name}") for name, blob in blobs.items()]
    x, labels = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    picked = spread(len(x), n)
    data = ArrayDataset(f"cifar10:{path}", "image", x[picked], labels[picked], _class_names(read, root))
    data.report.sizes_seen = size_summary([(32, 32)])
    return data


def _class_names(read, root: Path) -> list[str]:
    """Names from batches.meta when it is there and sane, else CIFAR-10's published order."""
    blob = read("batches.meta")
    if blob is None:
        return list(CLASS_NAMES)
    try:
        meta = BatchUnpickler(io.BytesIO(blob), encoding="bytes").load()
        names = meta.get(b"label_names", meta.get("label_names"))
        names = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in names]
    except Exception as exc:  # noqa: BLE001
        raise DatasetError(f"cifar10: {root}/batches.meta: not a readable CIFAR-10 meta file ({exc}); "
                           "re-download it or delete it to use the standard class names") from None
    return names if len(names) == 10 else list(CLASS_NAMES)
