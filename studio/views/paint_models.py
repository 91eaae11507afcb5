"""Which models paint (:data:`PAINTERS`, for the view's :class:`~studio.widgets.run_picker.RunPicker`) and where
the paint view keeps its autosave (:func:`autosave_folder`)."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from studio.widgets.run_picker import PickerKind
from studio.workers.paint_jobs import SHIPPED

AUTOSAVE_ENV = "GAN_STUDIO_AUTOSAVE_DIR"  # overrides where the painting autosaves (tests, portable installs)

PAINTERS = PickerKind(
    shipped=SHIPPED, shipped_title="Shipped painter (SPADE, scenes)", models=("spade", "pix2pix"),
    settings_key="paint/models", dialog_title="Open a SPADE or pix2pix run",
    tip="What turns the map into a picture: the shipped painter or a SPADE / pix2pix run you trained")


def autosave_folder() -> Path:
    """$GAN_STUDIO_AUTOSAVE_DIR; else beside an INI QSettings file (tests and the tour point those at a temp
    folder); else the platform's app-data folder (e.g. ~/.local/share/GAN Studio/GAN Studio)."""
    if folder := os.environ.get(AUTOSAVE_ENV):
        return Path(folder)
    settings = QSettings()
    if settings.format() == QSettings.Format.IniFormat:
        return Path(settings.fileName()).parent
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
