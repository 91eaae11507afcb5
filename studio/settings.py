"""What the window remembers between sessions (QSettings): size, layout, theme and the last choices."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings

if TYPE_CHECKING:
    from PySide6.QtCore import QByteArray
    from PySide6.QtWidgets import QSplitter

    from studio.state.catalog import Catalog
    from studio.views.datasets import DatasetBrowser
    from studio.views.plots import LossPlotPanel
    from studio.views.training import TrainingPanel

DEFAULT_DATASET = "glyphs"


class RememberedWindow(Protocol):
    """The main window (a QMainWindow) as far as it is remembered; described here so this module need not import it."""

    centre: QSplitter
    plots: LossPlotPanel
    panel: TrainingPanel
    browser: DatasetBrowser
    catalog: Catalog | None
    theme: str

    def saveGeometry(self) -> QByteArray: ...
    def saveState(self) -> QByteArray: ...
    def restoreGeometry(self, geometry: QByteArray) -> bool: ...
    def restoreState(self, state: QByteArray) -> bool: ...
    def resize(self, width: int, height: int) -> None: ...
    def set_theme(self, theme: str) -> None: ...


def save(window: RememberedWindow) -> None:
    s = QSettings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("window/centre", window.centre.saveState())
    s.setValue("window/theme", window.theme)
    s.setValue("plots/smoothing", window.plots.smoothing.value())
    if window.catalog is not None:  # before the registries load, the panel holds no real choices
        s.setValue("training/values", json.dumps(window.panel.values()))
        if window.browser.current is not None:
            s.setValue("dataset/spec", window.browser.current.spec)


def restore_window(window: RememberedWindow) -> None:
    """Geometry, dock layout, theme, smoothing: everything that does not need the engine."""
    s = QSettings()
    if not (geometry := s.value("window/geometry")) or not window.restoreGeometry(geometry):
        window.resize(1440, 900)
    if state := s.value("window/state"):
        window.restoreState(state)
    if centre := s.value("window/centre"):
        window.centre.restoreState(centre)
    else:
        window.centre.setSizes([560, 440])
    window.set_theme(str(s.value("window/theme", "system")))
    window.plots.smoothing.set_value(float(s.value("plots/smoothing", 0.6)))


def restore_choices(window: RememberedWindow) -> None:
    """The last training settings and dataset, once the registries have filled the combos."""
    s = QSettings()
    try:
        values = json.loads(str(s.value("training/values", "{}")))
    except ValueError:
        values = {}
    window.panel.set_values(values if isinstance(values, dict) else {})
    window.browser.select(str(s.value("dataset/spec", DEFAULT_DATASET)))
