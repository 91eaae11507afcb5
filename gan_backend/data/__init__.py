"""Datasets: built-in procedural ones and readers for files on disk, all as :class:`ArrayDataset`."""
from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, DatasetReport, SkippedFile, resolve

# Importing the modules registers their datasets.
from gan_backend.data import builtins as _builtins  # noqa: F401,E402
from gan_backend.data import idx as _idx  # noqa: F401,E402


def open_dataset(spec: str, *, seed: int = 0, n: int | None = None, **options) -> ArrayDataset:
    """Open a dataset by registry name or "kind:PATH". Raises DatasetError / UnknownNameError."""
    builder, arg = resolve(spec)
    kwargs = dict(seed=seed, **options)
    if n is not None:
        kwargs["n"] = n
    return builder(arg, **kwargs) if arg is not None else builder(**kwargs)


__all__ = ["DATASETS", "ArrayDataset", "DatasetError", "DatasetReport", "SkippedFile", "open_dataset", "resolve"]
