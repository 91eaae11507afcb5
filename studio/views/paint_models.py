"""Which models paint (:data:`PAINTERS`, for the view's :class:`~studio.widgets.run_picker.RunPicker`), which draw
from sketches or colourise (:data:`SKETCHERS`, :data:`COLOURISERS`, listed by a :class:`FoundRunsPicker` once a
worker has checked each run's checkpoint) and where the paint view keeps its autosave (:func:`autosave_folder`)."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Signal

from studio.widgets.run_picker import PickerKind, RunPicker
from studio.workers.paint_jobs import SHIPPED, SKETCH_SHIPPED

AUTOSAVE_ENV = "GAN_STUDIO_AUTOSAVE_DIR"  # overrides where the painting autosaves (tests, portable installs)

PAINTERS = PickerKind(
    shipped=SHIPPED, shipped_title="Shipped painter (SPADE, rich scenes, 256 px)", models=("spade", "pix2pix"),
    settings_key="paint/models", dialog_title="Open a SPADE or pix2pix run",
    tip="What turns the map into a picture: the shipped painter or a SPADE / pix2pix run you trained")

# models=(): these pickers list no run by its config alone; the view adds the runs a worker found to be sketch models
SKETCHERS = PickerKind(
    shipped=SKETCH_SHIPPED, shipped_title="Shipped sketch model (pix2pix, emoji)", models=(),
    settings_key="paint/sketch_models", dialog_title="Open a sketch run (pix2pix trained on edges:FOLDER)",
    tip="What turns the drawing into a picture: the shipped emoji model or a pix2pix you trained on edges:FOLDER")
COLOURISERS = PickerKind(
    shipped="", shipped_title="None: train one, or open a run folder", models=(),
    settings_key="paint/colourise_models", dialog_title="Open a BW \u2192 colour run (pix2pix trained on gray:FOLDER)",
    tip="What colours the photo: a pix2pix you trained on gray:FOLDER (Dataset panel: Train as BW \u2192 colour)")


class FoundRunsPicker(RunPicker):
    """A :class:`RunPicker` whose runs are added as a worker finds them (``add_found``), not read from configs.

    Signals:
        popup_opened(): the list is opening (a moment to look for runs trained since)
    """

    popup_opened = Signal()

    def showPopup(self) -> None:
        self.popup_opened.emit()
        super().showPopup()

    def add_found(self, sources: list[str]) -> None:
        """List these run directories (after the ones listed already), keeping the choice in use."""
        for source in sources:
            if self.findData(source) < 0:
                self._add(source)


def run_folders() -> list[str]:
    """Where runs are looked for: the folder runs were last opened from and ./runs (as the run pickers do)."""
    return list(dict.fromkeys([str(QSettings().value("runs/last_parent", Path.cwd() / "runs")),
                               str(Path.cwd() / "runs")]))


def autosave_folder() -> Path:
    """$GAN_STUDIO_AUTOSAVE_DIR; else beside an INI QSettings file (tests and the tour point those at a temp
    folder); else the platform's app-data folder (e.g. ~/.local/share/GAN Studio/GAN Studio)."""
    if folder := os.environ.get(AUTOSAVE_ENV):
        return Path(folder)
    settings = QSettings()
    if settings.format() == QSettings.Format.IniFormat:
        return Path(settings.fileName()).parent
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
