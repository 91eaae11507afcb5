"""The files GAN Studio ships: trained models, their palettes, the metric classifiers.

They travel inside the package (package data in the wheel), so a plain ``pip install`` or ``pipx install`` has
them; read them through :func:`path` (``importlib.resources``), never by a path relative to a source file.

    models/painter/      the shipped SPADE painter (painter.pt, config.json, palette.json, samples, curve)
    models/translator/   the shipped day <-> night CycleGAN (128 px)
    models/translator64/ the earlier 64 px one (its weights start the 128 px one; the lesson's CycleGAN)
    classifiers/         glyphs.pt, shapes.pt: feature spaces for FID/KID (scripts/train_classifiers.py)
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def path(*parts: str) -> Path:
    """A shipped file or folder, e.g. ``path("models", "painter", "painter.pt")`` (it may not exist)."""
    root = resources.files(__name__)
    # Installed from a wheel or a clone, the package is a plain folder, so its Traversable is a real path.
    return Path(str(root.joinpath(*parts)))
