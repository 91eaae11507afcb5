"""ModelPicker: the shipped painter, paired runs found or opened before, and "Open run folder...".

Also where the paint view keeps its autosave (:func:`autosave_folder`).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog

from studio.workers.paint_jobs import SHIPPED

PAIRED_MODELS = ("spade", "pix2pix")
OPEN_OTHER = "__open__"
MAX_REMEMBERED = 8
AUTOSAVE_ENV = "GAN_STUDIO_AUTOSAVE_DIR"  # overrides where the painting autosaves (tests, portable installs)


def autosave_folder() -> Path:
    """$GAN_STUDIO_AUTOSAVE_DIR; else beside an INI QSettings file (tests and the tour point those at a temp
    folder); else the platform's app-data folder (e.g. ~/.local/share/GAN Studio/GAN Studio)."""
    if folder := os.environ.get(AUTOSAVE_ENV):
        return Path(folder)
    settings = QSettings()
    if settings.format() == QSettings.Format.IniFormat:
        return Path(settings.fileName()).parent
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def paired_runs(root: Path) -> list[str]:
    """Run directories under ``root`` (one level) that trained a SPADE or pix2pix model and have a checkpoint."""
    found = []
    for config in sorted(root.glob("*/config.json")) if root.is_dir() else []:
        try:
            name = json.loads(config.read_text(encoding="utf-8"))["model"]["name"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if name in PAIRED_MODELS and (config.parent / "checkpoints" / "last.pt").is_file():
            found.append(str(config.parent))
    return found


class ModelPicker(QComboBox):
    """Picks what paints: the shipped model, a paired run, or a folder chosen with a dialog.

    Signals:
        model_requested(str): "painter" or a run directory the user chose
    """

    model_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setToolTip("What turns the map into a picture: the shipped painter or a SPADE / pix2pix run you trained")
        self.setMinimumContentsLength(28)
        self.current = SHIPPED
        self.addItem("Shipped painter (SPADE, scenes)", SHIPPED)
        remembered = QSettings().value("paint/models", [], list) or []
        parent_dir = Path(str(QSettings().value("runs/last_parent", Path.cwd() / "runs")))
        for source in dict.fromkeys([*remembered, *paired_runs(parent_dir), *paired_runs(Path.cwd() / "runs")]):
            self._add(str(source))
        self.addItem("Open run folder...", OPEN_OTHER)
        self.activated.connect(self._on_activated)

    def set_current(self, source: str, title: str = "", details: str = "") -> None:
        """Show ``source`` as the model in use (adding it when new)."""
        at = self.findData(source)
        if at < 0:
            at = self._add(source)
        if title:
            self.setItemText(at, title)
        if details:
            self.setItemData(at, details, Qt.ItemDataRole.ToolTipRole)
            self.setToolTip(details)
        self.current = source
        self.setCurrentIndex(at)
        if source != SHIPPED:
            runs = [s for s in QSettings().value("paint/models", [], list) or [] if s != source]
            QSettings().setValue("paint/models", [source, *runs][:MAX_REMEMBERED])

    def revert(self) -> None:
        """Back to the model in use (after a failed load or a cancelled dialog)."""
        self.setCurrentIndex(max(0, self.findData(self.current)))

    def choose_folder(self) -> None:
        start = str(QSettings().value("runs/last_parent", Path.cwd() / "runs"))
        path = QFileDialog.getExistingDirectory(self, "Open a SPADE or pix2pix run", start)
        if path:
            self.model_requested.emit(path)
        else:
            self.revert()

    def _add(self, source: str) -> int:
        self.insertItem(self.count() - 1 if self.findData(OPEN_OTHER) >= 0 else self.count(), Path(source).name, source)
        at = self.findData(source)
        self.setItemData(at, source, Qt.ItemDataRole.ToolTipRole)
        return at

    def _on_activated(self, index: int) -> None:
        source = self.itemData(index)
        if source == OPEN_OTHER:
            self.choose_folder()
        elif source != self.current:
            self.model_requested.emit(source)
