"""Finding the files of an on-disk dataset: root checks, splits, class folders, name matching.

Nothing here opens a picture; it only lists, so a folder of 60,000 files is scanned in well under
a second. Problems with the whole dataset raise :class:`DatasetError`; problems with one file or
subfolder become :class:`SkippedFile` entries the report lists.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gan_backend.data.base import DatasetError, SkippedFile
from gan_backend.data.decode import EXTENSIONS

SPLIT_NAMES = {"train": ("train", "training"), "test": ("test", "testing"),
               "val": ("val", "valid", "validation")}
IGNORED = ("__MACOSX", "Thumbs.db", "desktop.ini")  # litter of zip tools and file browsers
DIGIT_RUNS = re.compile(r"(\d+)")


@dataclass
class Listing:
    """The image files of a folder, with a class index each when it has class subfolders."""

    files: list[Path]
    labels: list[int] = field(default_factory=list)  # empty when the folder is flat
    class_names: list[str] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)  # non-image files found, for the cache key
    skipped: list[SkippedFile] = field(default_factory=list)


def check_root(path: str | Path, kind: str, hint: str) -> Path:
    """``path`` as a readable folder; DatasetError saying what is wrong and ``hint`` otherwise."""
    root = Path(path).expanduser()
    if not root.exists():
        raise DatasetError(f"{kind}: {root}: no such folder; {hint}")
    if not root.is_dir():
        raise DatasetError(f"{kind}: {root}: is a file, not a folder; {hint}")
    if not os.access(root, os.R_OK | os.X_OK):
        raise DatasetError(f"{kind}: {root}: cannot read (permission denied); check the folder's permissions")
    return root


def natural_key(name: str) -> list:
    """Sort key that puts "class2" before "class10"."""
    return [int(t) if t.isdigit() else t.lower() for t in DIGIT_RUNS.split(name)]


def entries(folder: Path) -> list[os.DirEntry]:
    """Visible entries of ``folder`` in natural order; PermissionError / OSError propagate."""
    with os.scandir(folder) as it:
        found = [e for e in it if not e.name.startswith(".") and e.name not in IGNORED]
    return sorted(found, key=lambda e: natural_key(e.name))


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in EXTENSIONS


def _not_image(name: str) -> str:
    return f"not an image file type ({os.path.splitext(name)[1] or 'no extension'})"


def split_folder(root: Path, split: str | None, kind: str, pattern: str = "{}") -> Path | None:
    """The subfolder holding ``split`` ("train" by default), or None when ``root`` has no split folders.

    ``pattern`` spells the folder ("{}A" for CycleGAN's trainA). DatasetError when a split was
    asked for and others exist but this one does not.
    """
    wanted = split or "train"
    if wanted not in SPLIT_NAMES:
        raise DatasetError(f"{kind}: unknown split {wanted!r}; choose one of: {', '.join(SPLIT_NAMES)}")
    for name in SPLIT_NAMES[wanted]:
        if (root / pattern.format(name)).is_dir():
            return root / pattern.format(name)
    present = [n for names in SPLIT_NAMES.values() for n in names if (root / pattern.format(n)).is_dir()]
    if present and split:
        raise DatasetError(f"{kind}: {root}: no {pattern.format(wanted)}/ split folder (found: "
                           f"{', '.join(pattern.format(n) for n in present)}); pick one of those with split=")
    return None


def walk_images(folder: Path, skipped: list[SkippedFile], others: list[Path],
                seen: set[str] | None = None) -> list[Path]:
    """Image files under ``folder`` (recursively, natural order); unreadable subfolders are skipped.

    Symlinked folders are followed once each (``seen`` holds real paths), so a link loop ends.
    """
    found: list[Path] = []
    seen = set() if seen is None else seen
    if os.path.realpath(folder) in seen:
        return found
    seen.add(os.path.realpath(folder))
    try:
        listed = entries(folder)
    except OSError as exc:
        skipped.append(SkippedFile(str(folder), f"unreadable folder ({exc.strerror or exc})"))
        return found
    for e in listed:
        if e.is_dir():
            found += walk_images(Path(e.path), skipped, others, seen)
        elif is_image_name(e.name):
            found.append(Path(e.path))
        else:
            others.append(Path(e.path))
            skipped.append(SkippedFile(e.path, _not_image(e.name)))
    return found


def list_folder(root: Path, kind: str) -> Listing:
    """Images of ``root``: one class per subfolder that holds images, else the folder itself, unlabelled."""
    try:
        top = entries(root)
    except OSError as exc:
        raise DatasetError(f"{kind}: {root}: cannot read ({exc.strerror or exc}); check the folder's permissions") from None
    skipped: list[SkippedFile] = []
    others: list[Path] = []
    subdirs = [Path(e.path) for e in top if e.is_dir()]
    per_class = {d: walk_images(d, skipped, others) for d in subdirs}
    if not any(per_class.values()):  # flat folder
        return Listing(walk_images(root, skipped, others), others=others, skipped=skipped)
    listing = Listing([], others=others, skipped=skipped)
    for d, files in per_class.items():
        if not files:
            if not any(s.path == str(d) for s in skipped):  # an unreadable folder is reported as that already
                skipped.append(SkippedFile(str(d), "empty class folder (no images); left out of the classes"))
            continue
        listing.labels += [len(listing.class_names)] * len(files)
        listing.class_names.append(d.name)
        listing.files += files
    for e in top:
        if not e.is_dir():
            others.append(Path(e.path))
            beside = "beside the class folders; move it into one to use it"
            skipped.append(SkippedFile(e.path, beside if is_image_name(e.name) else _not_image(e.name)))
    return listing


def require_images(files: list, root: Path, kind: str, skipped: list[SkippedFile]) -> None:
    """DatasetError for a folder with no image files at all, saying what it did hold."""
    if files:
        return
    if not skipped:
        raise DatasetError(f"{kind}: {root}: the folder is empty; put image files (PNG, JPEG, ...) in it")
    sample = ", ".join(Path(s.path).name for s in skipped[:3])
    raise DatasetError(f"{kind}: {root}: no image files, only {len(skipped)} other file(s) ({sample}"
                       f"{', ...' if len(skipped) > 3 else ''}); image files end in .png, .jpg, .webp, ...")


def by_stem(files: list[Path], skipped: list[SkippedFile]) -> dict[str, Path]:
    """Files keyed by name without extension (pairs are matched this way); a duplicate name is skipped."""
    out: dict[str, Path] = {}
    for f in files:
        if f.stem in out:
            skipped.append(SkippedFile(str(f), f"same name as {out[f.stem].name}; only the first is used"))
        else:
            out[f.stem] = f
    return out


def match_by_name(a_files: list[Path], b_files: list[Path], a_side: str, b_side: str,
                  skipped: list[SkippedFile]) -> list[tuple[str, Path, Path]]:
    """(name, a, b) for every name on both sides, in natural order; one-sided names are reported."""
    a_by, b_by = by_stem(a_files, skipped), by_stem(b_files, skipped)
    for mine, theirs, other in ((a_by, b_by, b_side), (b_by, a_by, a_side)):
        for stem, f in mine.items():
            if stem not in theirs:
                skipped.append(SkippedFile(str(f), f"unmatched pair: no file named {stem}.* in {other}/"))
    common = sorted(set(a_by) & set(b_by), key=natural_key)
    return [(stem, a_by[stem], b_by[stem]) for stem in common]


def spread(count: int, n: int | None) -> np.ndarray:
    """Indices of ``n`` items spread evenly over ``count`` (all when n is None or larger): keeps every class."""
    if n is None or n >= count:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, max(n, 0)).round().astype(np.int64))


def fingerprint(paths: list[Path]) -> list[tuple[str, int, int]]:
    """(path, bytes, mtime in ns) of each file: what the decode cache is keyed on."""
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((str(p), st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(p), -1, -1))
    return out
