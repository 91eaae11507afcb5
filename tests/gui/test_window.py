"""The window: opens without torch, fills its combos from the registries, remembers, follows the palette."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence

ROOT = Path(__file__).resolve().parents[2]


def combo_data(combo) -> list[str]:
    return [combo.itemData(i) for i in range(combo.count())]


def test_window_opens_and_registries_fill_the_combos(qtbot):
    from gan_backend.data import DATASETS
    from gan_backend.losses import LOSSES, PENALTIES
    from gan_backend.models import MODELS
    from studio.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert window.isVisible() and window.catalog is None  # up before the engine is imported
    with qtbot.waitSignal(window.browser.dataset_opened, timeout=60_000) as opened:
        window.load_catalog()
    panel = window.panel
    assert combo_data(panel.widgets["model.name"]) == MODELS.names()
    assert combo_data(panel.widgets["loss.name"]) == LOSSES.names()
    assert combo_data(panel.widgets["loss.penalty"]) == PENALTIES.names()
    assert set(DATASETS.names()) <= set(combo_data(window.browser.combo))
    devices = combo_data(panel.widgets["train.device"])
    assert devices[:2] == ["auto", "cpu"] and "cuda" in " ".join(devices)
    # Every training tip is a checkbox whose tooltip is the config field's one-line why.
    assert "overconfident D" in panel.widgets["train.label_smoothing"].toolTip()
    # The last dataset (glyphs the first time) is shown with its summary and thumbnails.
    assert opened.args[0].spec == "glyphs" and window.browser.model.rowCount() == opened.args[0].count
    assert "10 classes" in window.browser.summary.text()
    assert panel.start_action.isEnabled()


def test_window_module_does_not_import_torch():
    """The window must open in under 2 s: torch (~2 s to import) loads only after it is shown."""
    code = ("import sys, studio.app, studio.main_window; "
            "bad = [m for m in ('torch', 'gan_backend.engine', 'gan_backend.data') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_menus_carry_the_shortcuts(window):
    shortcuts = {a.text(): a.shortcut() for a in window.findChildren(type(window.panel.start_action))}
    assert shortcuts["Open run..."] == QKeySequence("Ctrl+O")
    assert shortcuts["Save checkpoint"] == QKeySequence("Ctrl+S")
    assert shortcuts["Pause"] == QKeySequence(Qt.Key.Key_Space)


def test_size_theme_and_choices_are_remembered(qtbot, catalog):
    from studio.main_window import MainWindow

    first = MainWindow()
    qtbot.addWidget(first)
    first.set_catalog(catalog, restore=False)
    first.resize(760, 540)  # the offscreen screen is 800x600: restoreGeometry clamps to it
    first.set_theme("dark")
    first.plots.smoothing.set_value(0.3)
    first.panel.widgets["train.lr_d"].setValue(1e-4)
    first.panel.widgets["loss.name"].setCurrentIndex(first.panel.widgets["loss.name"].findData("hinge"))
    first.close()
    assert QSettings().value("window/theme") == "dark"

    second = MainWindow()
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (760, 540) and second.theme == "dark"
    assert abs(second.plots.smoothing.value() - 0.3) < 1e-9
    second.set_catalog(catalog)  # restores the training choices, then reloads the last dataset
    assert second.panel.values()["train.lr_d"] == 1e-4 and second.panel.values()["loss.name"] == "hinge"
    second.set_theme("system")


def test_plots_follow_the_palette(window, qtbot):
    background = lambda: window.plots.graphics.backgroundBrush().color().lightness()  # noqa: E731
    axis_text = lambda: window.plots.plots["losses"].getAxis("left").textPen().color().lightness()  # noqa: E731
    window.set_theme("dark")  # palette changes reach widgets as posted events
    qtbot.waitUntil(lambda: background() < 100)
    assert axis_text() > 150  # light text on the dark background
    assert window.gallery.canvas.backgroundBrush().color().lightness() < 100
    window.set_theme("light")
    qtbot.waitUntil(lambda: background() > 200)
    assert axis_text() < 100


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from CPython 3.12 (PEP 683): its "
                    "reference count never moves, so the leak can neither happen nor be seen")
def test_qt_bindings_keep_none_alive(qtbot):
    """PySide6 6.12.0 drops a reference to None on every void call on CPython < 3.12 and aborts the app
    within seconds of live plotting ("none_dealloc"); the pinned version must not."""
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.update()
    assert abs(sys.getrefcount(None) - before) < 100


def test_every_workspace_view_keeps_the_workspace_protocol():
    import importlib

    from studio.workspaces import WORKSPACES, WorkspaceView

    for ws in WORKSPACES:
        module, _, name = ws.target.partition(":")
        assert issubclass(getattr(importlib.import_module(module), name), WorkspaceView), ws.title


def test_a_view_that_fails_to_build_says_why_and_closes_with_the_window(window, qtbot, monkeypatch):
    from studio import workspaces

    broken = workspaces.Workspace("Broken", "studio.no_such_view:View", "a view whose module is missing")
    monkeypatch.setattr(workspaces, "WORKSPACES", [*workspaces.WORKSPACES, broken])
    tabs = workspaces.WorkspaceTabs(window, workspaces.QWidget())
    qtbot.addWidget(tabs)
    view = tabs.view("Broken")
    assert isinstance(view, workspaces.UnavailableView) and "ModuleNotFoundError" in view.text()
    view.prepare_for_tour()
    assert view.tour_ready()
    tabs.shutdown()
