"""``folder:PATH``: a folder of pictures, flat (unlabelled) or one subfolder per class.

Class names are the subfolder names in natural order ("class2" before "class10"); pictures in
deeper subfolders belong to their top class folder. A ``train/`` / ``test/`` / ``val/`` level
is picked by ``split``. Every supported format and mode is read as :mod:`gan_backend.data.decode`
describes, and the decoded array is cached (:mod:`gan_backend.data.cache`), so the second open of an
unchanged folder reads one file instead of decoding thousands.
"""
from __future__ import annotations

from gan_backend.data.base import DATASETS, ArrayDataset
from gan_backend.data.pipeline import Column, ReadOptions, Table, open_cached, read_table
from gan_backend.data.scan import check_root, list_folder, require_images, split_folder, spread

HINT = "give a folder of pictures, or of class subfolders of pictures"


@DATASETS.register("folder:PATH")
def folder(path: str, seed: int = 0, n: int | None = None, split: str | None = None, image_size: int = 0,
           crop: str = "center", background: str = "white", cache_dir: str = "", workers: int = 0) -> ArrayDataset:
    """Pictures from a folder (PNG, JPEG, BMP, WebP, GIF, TIFF), labelled by class subfolders if any."""
    opts = ReadOptions(image_size, crop, background, cache_dir, workers, seed)
    root = check_root(path, "folder", HINT)
    root = split_folder(root, split, "folder") or root
    listing = list_folder(root, "folder")
    require_images(listing.files, root, "folder", listing.skipped)
    picked = spread(len(listing.files), n)  # evenly over the sorted list, so every class keeps its share
    files = [listing.files[i] for i in picked]
    labels = [listing.labels[i] for i in picked] if listing.labels else []

    def build(cache) -> ArrayDataset:
        table = Table({"x": Column(files)}, [str(f.relative_to(root)) for f in files], labels)
        return read_table(f"folder:{path}", "image", table, opts, cache, listing.skipped, listing.class_names)

    return open_cached(f"folder:{path}", "folder", opts, {"n": n}, files + listing.others, build)
