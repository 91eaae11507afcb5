"""Opening a dataset by name: what the engine, the evaluator, the CLI and the app all call.

    data = open_dataset("toy2d:ring8", seed=0, n=1000)    # a registry name, or "kind:PATH"
    data = load_data(cfg)                                  # a run's Config: its dataset at its image size
"""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from gan_backend.data.base import ArrayDataset, DatasetError, resolve
from gan_backend.data.transforms import resize_dataset

if TYPE_CHECKING:
    from gan_backend.config import Config

RESIZED_KINDS = ("image", "paired", "unpaired")  # points keep their shape


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


def load_data(cfg: Config) -> ArrayDataset:
    """The dataset of a run's config, resized to ``data.image_size`` where its builder did not do so."""
    data = open_dataset(cfg.data.dataset, seed=cfg.data.data_seed, n=cfg.data.n or None, **config_options(cfg.data))
    size = cfg.data.image_size
    if size and data.kind in RESIZED_KINDS and data.x.shape[1:3] != (size, size):
        data = resize_dataset(data, size)
    return data
