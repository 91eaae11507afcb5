"""RunPicker: a shipped model, runs of the right kind found or opened before, and "Open run folder...".

The paint view picks painters (SPADE, pix2pix) with it and the translate view translators (CycleGAN,
pix2pix); a :class:`PickerKind` says which.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog

OPEN_OTHER = "__open__"
MAX_REMEMBERED = 8


@dataclass(frozen=True)
class PickerKind:
    shipped: str  # the source name of the shipped model, e.g. "painter"
    shipped_title: str  # its entry in the list
    models: tuple[str, ...]  # registry names whose runs are listed
    settings_key: str  # QSettings list of runs opened before
    tip: str  # the combo box's tooltip
    dialog_title: str  # of "Open run folder..."


def runs_of(root: Path, models: tuple[str, ...]) -> list[str]:
    """Run directories under ``root`` (one level) that trained one of ``models`` and have a checkpoint."""
    found = []
    for config in sorted(root.glob("*/config.json")) if root.is_dir() else []:
        try:
            name = json.loads(config.read_text(encoding="utf-8"))["model"]["name"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if name in models and (config.parent / "checkpoints" / "last.pt").is_file():
            found.append(str(config.parent))
    return found


class RunPicker(QComboBox):
    """Picks the model in use: the shipped one, a run, or a folder chosen with a dialog.

    Signals:
        model_requested(str): the shipped source name or a run directory the user chose
    """

    model_requested = Signal(str)

    def __init__(self, kind: PickerKind, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.setToolTip(kind.tip)
        self.setMinimumContentsLength(28)
        self.current = kind.shipped
        self.addItem(kind.shipped_title, kind.shipped)
        remembered = QSettings().value(kind.settings_key, [], list) or []
        parent_dir = Path(str(QSettings().value("runs/last_parent", Path.cwd() / "runs")))
        found = [*remembered, *runs_of(parent_dir, kind.models), *runs_of(Path.cwd() / "runs", kind.models)]
        for source in dict.fromkeys(found):
            self._add(str(source))
        self.addItem("Open run folder...", OPEN_OTHER)
        self.activated.connect(self._on_activated)

    def set_current(self, source: str, title: str = "", details: str = "") -> None:
        """Show ``source`` as the model in use (adding it when new) and remember it."""
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
        if source != self.kind.shipped:
            runs = [s for s in QSettings().value(self.kind.settings_key, [], list) or [] if s != source]
            QSettings().setValue(self.kind.settings_key, [source, *runs][:MAX_REMEMBERED])

    def revert(self) -> None:
        """Back to the model in use (after a failed load or a cancelled dialog)."""
        self.setCurrentIndex(max(0, self.findData(self.current)))

    def choose_folder(self) -> None:
        start = str(QSettings().value("runs/last_parent", Path.cwd() / "runs"))
        path = QFileDialog.getExistingDirectory(self, self.kind.dialog_title, start)
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
