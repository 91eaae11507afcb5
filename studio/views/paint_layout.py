"""The paint view's widgets and actions: a toolbar on top, tools on the left, the map and its picture.

``build_layout(view)`` creates them as attributes of the :class:`~studio.views.paint.PaintView`
(``canvas``, ``output``, ``hint``, ``tools``, ``style_panel``, ``picker``, ``undo_action`` ...) and wires
the actions to the view's methods; the view's own module keeps the behaviour.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QToolBar, QToolButton, QVBoxLayout, QWidget

from studio.views.paint_models import PAINTERS
from studio.views.paint_style import StylePanel
from studio.views.paint_tools import PaintToolPanel
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.label_canvas import LabelCanvas
from studio.widgets.run_picker import RunPicker

if TYPE_CHECKING:
    from studio.views.paint import PaintView

SIDES = (64, 128, 256)
TOOL_PANEL_WIDTH = 230


def build_layout(view: "PaintView") -> None:
    view.picker = RunPicker(PAINTERS)
    view.tools = PaintToolPanel(view.settings)
    view.tools.setFixedWidth(TOOL_PANEL_WIDTH)
    view.canvas = LabelCanvas()
    view.output = ImageCanvas()
    view.output.set_placeholder("The picture appears here")
    view.hint = QLabel(textFormat=Qt.TextFormat.RichText)
    view.style_panel = StylePanel()

    right = QWidget()
    column = QVBoxLayout(right)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(view.output, 1)
    column.addWidget(view.hint)
    column.addWidget(view.style_panel)
    left = QWidget()
    map_column = QVBoxLayout(left)
    map_column.setContentsMargins(0, 0, 0, 0)
    map_column.addWidget(view.canvas, 1)
    map_column.addLayout(_map_row(view))
    view.splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
    view.splitter.addWidget(left)
    view.splitter.addWidget(right)
    for i in range(2):
        view.splitter.setStretchFactor(i, 1)  # map and picture the same size (the view evens them on first show)

    body = QHBoxLayout()
    body.addWidget(view.tools)
    body.addWidget(view.splitter, 1)
    layout = QVBoxLayout(view)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(_toolbar(view))
    layout.addLayout(body, 1)
    for action in view.tools.actions:
        view.addAction(action)


def _toolbar(view: "PaintView") -> QToolBar:
    bar = QToolBar()
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addWidget(QLabel("Model "))
    bar.addWidget(view.picker)
    bar.addSeparator()
    _add(view, bar, "Random scene", view.random_scene, "A fresh procedural landscape to start from")
    _add(view, bar, "Clear", lambda: view.doc.clear(view.settings.cls), "Fill the whole map with the chosen class")
    view.undo_action = _add(view, bar, "Undo", view.doc.undo, "Undo (Ctrl+Z); at least 100 steps",
                            QKeySequence.StandardKey.Undo)
    view.redo_action = _add(view, bar, "Redo", view.doc.redo, "Redo (Ctrl+Y or Ctrl+Shift+Z)",
                            [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    view.undo_action.setEnabled(False)
    view.redo_action.setEnabled(False)
    bar.addSeparator()
    _add(view, bar, "Open map...", view.files.open_labels, "Open a label map PNG (class indices or palette colours)")
    _add(view, bar, "Save map...", view.files.save_labels, "Save the label map as an index or colour PNG")
    _add(view, bar, "Export picture...", view.files.export_picture, "Save the synthesised picture as a PNG")
    escape = QAction(view, shortcut=QKeySequence(Qt.Key.Key_Escape),
                     shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)
    escape.triggered.connect(view.gesture.cancel)
    view.addAction(escape)
    return bar


def _map_row(view: "PaintView") -> QHBoxLayout:
    """Under the map: its size, zoom buttons and how to zoom and pan."""
    row = QHBoxLayout()
    row.addWidget(QLabel("Size"))
    view.side_combo = QComboBox(toolTip="Map and picture size in pixels; bigger is sharper and slower to render")
    for side in SIDES:
        view.side_combo.addItem(f"{side} px", side)
    view.side_combo.setCurrentIndex(view.side_combo.findData(view.doc.shape[0]))
    view.side_combo.activated.connect(lambda i: view.set_side(view.side_combo.itemData(i)))
    row.addWidget(view.side_combo)
    zooms = (("-", lambda: view.canvas.zoom_by(1 / 1.25), "Zoom out (Ctrl+-, or the wheel)", "Ctrl+-"),
             ("Fit", view.canvas.fit, "Show the whole map (Ctrl+0)", "Ctrl+0"),
             ("+", lambda: view.canvas.zoom_by(1.25), "Zoom in (Ctrl+=, or the wheel)", "Ctrl+="))
    for text, slot, tip, key in zooms:
        button = QToolButton()
        button.setDefaultAction(_add(view, None, text, slot, tip, QKeySequence(key)))
        row.addWidget(button)
    help_line = QLabel("Wheel zooms, middle button pans", enabled=False)
    help_line.setToolTip("Ctrl+Z / Ctrl+Y undo and redo; B E L R O F I H pick the tools; [ and ] size the brush")
    row.addWidget(help_line, 1)
    return row


def _add(view, bar: QToolBar | None, text: str, slot, tip: str, shortcut=None) -> QAction:
    action = QAction(text, view, toolTip=tip)
    action.triggered.connect(lambda _=False: slot())
    if shortcut is not None:
        action.setShortcuts(shortcut if isinstance(shortcut, list) else QKeySequence.keyBindings(shortcut)
                            if isinstance(shortcut, QKeySequence.StandardKey) else [shortcut])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        view.addAction(action)  # the shortcut works wherever the focus is inside the view
    if bar is not None:
        bar.addAction(action)
    return action
