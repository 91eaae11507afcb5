"""``unpaired:PATH``: CycleGAN's two domain folders, ``trainA/`` and ``trainB/``.

``testA/`` and ``testB/`` with split="test"; the two domains may hold any counts, and no picture of
one is matched with one of the other. Gives kind "unpaired": ``x`` domain A, ``extra["b"]`` domain B,
class names ["A", "B"].
"""
from __future__ import annotations

from pathlib import Path

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, SkippedFile
from gan_backend.data.pipeline import Column, ReadOptions, Table, assemble, decode_tables, first_rows, open_cached
from gan_backend.data.scan import check_root, require_images, split_folder, walk_images

UNPAIRED_HINT = "give a folder with trainA/ and trainB/ subfolders (CycleGAN layout)"


@DATASETS.register("unpaired:PATH")
def unpaired(path: str, seed: int = 0, n: int | None = None, split: str | None = None, image_size: int = 0,
             crop: str = "center", background: str = "white", cache_dir: str = "", workers: int = 0) -> ArrayDataset:
    """CycleGAN domains: trainA/ and trainB/ (testA/, testB/ with split=test); counts may differ."""
    opts = ReadOptions(image_size, crop, background, cache_dir, workers, seed)
    root = check_root(path, "unpaired", UNPAIRED_HINT)
    folders = [split_folder(root, split, "unpaired", "{}" + side) for side in "AB"]
    if None in folders:
        raise DatasetError(f"unpaired: {root}: no {(split or 'train')}A/ and {(split or 'train')}B/ folders; "
                           f"{UNPAIRED_HINT}")
    skipped: list[SkippedFile] = []
    others: list[Path] = []
    tables = []
    for column, folder in zip(("x", "extra_b"), folders):
        files = walk_images(folder, skipped, others)
        require_images(files, folder, "unpaired", skipped)
        tables.append(first_rows(Table({column: Column(files)}, [str(f.relative_to(root)) for f in files]), n))

    def build(cache) -> ArrayDataset:
        name = f"unpaired:{path}"
        data = assemble(name, "unpaired", decode_tables(name, tables, opts, cache), None, ["A", "B"], skipped)
        data.report.class_counts = [len(data.x), len(data.extra["b"])]
        return data

    listed = [p for t in tables for c in t.columns.values() for p in c.paths] + others
    return open_cached(f"unpaired:{path}", "unpaired", opts, {"n": n}, listed, build)
