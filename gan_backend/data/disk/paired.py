"""``paired:PATH``: pix2pix's two folder layouts of aligned picture pairs.

* side by side: each picture is A|B, the input on the left half and the target on the right, in
  ``train/`` / ``val/`` / ``test/`` (or directly in PATH), as the facades and maps downloads are;
* ``A/`` and ``B/`` folders (each optionally with split subfolders) whose files match by name.
Gives kind "paired": ``x`` the targets B, ``extra["a"]`` the inputs A, row for row, cropped alike.
A name found on one side only, or a pair whose two pictures differ in size, is skipped and reported.
"""
from __future__ import annotations

from pathlib import Path

from gan_backend.data.base import DATASETS, ArrayDataset, DatasetError, SkippedFile
from gan_backend.data.pipeline import Column, ReadOptions, Table, first_rows, open_cached, read_table
from gan_backend.data.scan import check_root, match_by_name, require_images, split_folder, walk_images

PAIRED_HINT = "give a folder of A|B side-by-side pictures (train/, val/) or one with A/ and B/ subfolders"


def _side_folder(root: Path, side: str, split: str | None) -> Path:
    return split_folder(root / side, split, "paired") or root / side


def _pairs_table(root: Path, split: str | None, skipped: list[SkippedFile]) -> tuple[Table, list[Path]]:
    """Rows for an A/ + B/ layout: (table, every file listed)."""
    others: list[Path] = []
    a_dir, b_dir = _side_folder(root, "A", split), _side_folder(root, "B", split)
    a_files, b_files = walk_images(a_dir, skipped, others), walk_images(b_dir, skipped, others)
    require_images(a_files + b_files, root, "paired", skipped)
    pairs = match_by_name(a_files, b_files, a_dir.name, b_dir.name, skipped)
    if not pairs:
        raise DatasetError(f"paired: {root}: no file name appears in both {a_dir.name}/ and {b_dir.name}/ "
                           f"(e.g. {a_files[:1][0].name if a_files else 'nothing'} in A); pairs are matched by name")
    table = Table({"x": Column([b for _, _, b in pairs]), "extra_a": Column([a for _, a, _ in pairs])},
                  [stem for stem, _, _ in pairs], same_size=True)
    return table, a_files + b_files + others


def _side_by_side_table(root: Path, split: str | None, skipped: list[SkippedFile]) -> tuple[Table, list[Path]]:
    """Rows for A|B pictures: both columns read the same file, left and right halves."""
    others: list[Path] = []
    folder = split_folder(root, split, "paired") or root
    files = walk_images(folder, skipped, others)
    require_images(files, folder, "paired", skipped)
    table = Table({"x": Column(files, "right"), "extra_a": Column(files, "left")},
                  [str(f.relative_to(folder)) for f in files])
    return table, files + others


@DATASETS.register("paired:PATH")
def paired(path: str, seed: int = 0, n: int | None = None, split: str | None = None, image_size: int = 0,
           crop: str = "center", background: str = "white", cache_dir: str = "", workers: int = 0) -> ArrayDataset:
    """pix2pix pairs: A|B side-by-side pictures, or A/ and B/ folders matched by file name."""
    opts = ReadOptions(image_size, crop, background, cache_dir, workers, seed)
    root = check_root(path, "paired", PAIRED_HINT)
    skipped: list[SkippedFile] = []
    layout = _pairs_table if (root / "A").is_dir() and (root / "B").is_dir() else _side_by_side_table
    table, listed = layout(root, split, skipped)
    table = first_rows(table, n)

    def build(cache) -> ArrayDataset:
        return read_table(f"paired:{path}", "paired", table, opts, cache, skipped)

    return open_cached(f"paired:{path}", "paired", opts, {"n": n, "layout": layout.__name__}, listed, build)
