"""Datasets: built-in procedural ones and readers for files on disk, all as :class:`ArrayDataset`."""
import inspect

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, DatasetReport, SkippedFile, resolve

# Importing the modules registers their datasets.
from gan_backend.data import builtins as _builtins  # noqa: F401,E402
from gan_backend.data import idx as _idx  # noqa: F401,E402
from gan_backend.data import cifar as _cifar  # noqa: F401,E402
from gan_backend.data import folder as _folder  # noqa: F401,E402
from gan_backend.data import labelmaps as _labelmaps  # noqa: F401,E402
from gan_backend.data import npz as _npz  # noqa: F401,E402
from gan_backend.data import paired as _paired  # noqa: F401,E402
from gan_backend.data import scenes as _scenes  # noqa: F401,E402
from gan_backend.data import day2night as _day2night  # noqa: F401,E402


def open_dataset(spec: str, *, seed: int = 0, n: int | None = None, **options) -> ArrayDataset:
    """Open a dataset by registry name or "kind:PATH". Raises DatasetError / UnknownNameError."""
    builder, arg = resolve(spec)
    params = inspect.signature(builder).parameters
    unknown = [k for k in options if k not in params]
    if unknown and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        takes = [k for k in params if k not in ("path", "seed", "n")]
        raise DatasetError(f"dataset {spec!r} takes no option {unknown[0]!r}; its options: {', '.join(takes) or 'none'}")
    kwargs = dict(seed=seed, **options)
    if n is not None:
        kwargs["n"] = n
    return builder(arg, **kwargs) if arg is not None else builder(**kwargs)


def config_options(data_cfg) -> dict:
    """The reading options of a DataConfig that its dataset's builder takes, for ``open_dataset(**...)``.

    Built-in datasets take none of them (the engine resizes those afterwards); folder kinds
    decode straight to ``image_size`` with the configured crop, background and cache folder.
    """
    params = inspect.signature(resolve(data_cfg.dataset)[0]).parameters
    wanted = {"image_size": data_cfg.image_size, "crop": data_cfg.crop, "background": data_cfg.background,
              "cache_dir": data_cfg.cache_dir, "split": data_cfg.split or None}
    return {k: v for k, v in wanted.items() if k in params and v is not None}


__all__ = ["DATASETS", "ArrayDataset", "DatasetError", "DatasetReport", "SkippedFile", "config_options", "open_dataset", "resolve"]
