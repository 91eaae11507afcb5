"""The main window's menus; every action with a shortcut lives here or in the training panel."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from studio.views.about import AboutDialog
from studio.widgets.theme import THEMES

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMenuBar

    from studio.views.datasets import DatasetBrowser
    from studio.views.gallery import SampleGallery
    from studio.views.training import TrainingPanel

SHORTCUTS_HELP = """<table>
<tr><td><b>Ctrl+O</b></td><td>Open a run directory (its curves and samples; follows it while it grows)</td></tr>
<tr><td><b>Ctrl+Enter</b></td><td>Start training</td></tr>
<tr><td><b>Space</b></td><td>Pause / resume</td></tr>
<tr><td><b>Ctrl+S</b></td><td>Save a checkpoint now</td></tr>
<tr><td><b>Ctrl+.</b></td><td>Stop (saves a checkpoint)</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr></table>"""


class MenuWindow(Protocol):
    """What the menus act on: the main window (a QMainWindow), described here so this module need not import it."""

    browser: DatasetBrowser
    gallery: SampleGallery
    panel: TrainingPanel
    docks: list[QDockWidget]
    theme: str

    def menuBar(self) -> QMenuBar: ...
    def addAction(self, action: QAction) -> None: ...
    def close(self) -> bool: ...
    def open_run_dialog(self) -> None: ...
    def resume_opened_run(self) -> None: ...
    def set_theme(self, theme: str) -> None: ...
    def reset_layout(self) -> None: ...


def build_menus(window: MenuWindow) -> dict[str, QAction]:
    """Create the menu bar; returns the actions other code enables and disables."""
    bar = window.menuBar()
    actions: dict[str, QAction] = {}

    file_menu = bar.addMenu("&File")
    actions["open_run"] = _add(file_menu, "Open run...", window.open_run_dialog, QKeySequence.StandardKey.Open)
    _add(file_menu, "Open dataset folder...", window.browser.choose_folder)
    _add(file_menu, "Open dataset file...", window.browser.choose_file)
    file_menu.addSeparator()
    actions["export_png"] = _add(file_menu, "Export sample grid as PNG...", window.gallery.export_png_dialog)
    actions["export_gif"] = _add(file_menu, "Export timeline as GIF...", window.gallery.export_gif_dialog)
    file_menu.addSeparator()
    _add(file_menu, "Quit", window.close, QKeySequence.StandardKey.Quit)

    train_menu = bar.addMenu("&Training")
    for action in window.panel.actions_list():
        train_menu.addAction(action)
        window.addAction(action)  # shortcuts work wherever focus is in the window
    train_menu.addSeparator()
    actions["resume"] = _add(train_menu, "Resume opened run", window.resume_opened_run)
    actions["resume"].setToolTip("Continue the opened run from its last checkpoint up to the panel's Steps")
    actions["resume"].setEnabled(False)

    view_menu = bar.addMenu("&View")
    for dock in window.docks:
        view_menu.addAction(dock.toggleViewAction())
    appearance = view_menu.addMenu("Appearance")
    group = QActionGroup(window, exclusive=True)
    for theme in THEMES:
        action = _add(appearance, theme.capitalize(), lambda _=False, t=theme: window.set_theme(t))
        action.setCheckable(True)
        action.setChecked(theme == window.theme)
        group.addAction(action)
        actions[f"theme_{theme}"] = action
    _add(view_menu, "Reset layout", window.reset_layout)

    help_menu = bar.addMenu("&Help")
    _add(help_menu, "Keyboard shortcuts",
         lambda: QMessageBox.information(window, "Keyboard shortcuts", SHORTCUTS_HELP))
    actions["about"] = _add(help_menu, "About GAN Studio", lambda: AboutDialog(window).exec())
    return actions


def _add(menu, text: str, slot, shortcut=None) -> QAction:
    action = QAction(text, menu)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action
