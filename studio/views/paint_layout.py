"""The paint view's widgets and actions: a toolbar on top, tools on the left, the map and its picture.

``build_layout(view, settings, side, slots)`` lays them out in the view, wires the toolbar's actions to
``slots`` (:class:`PaintSlots`) and returns the widgets the view keeps (:class:`PaintWidgets`); the view's
own module keeps the behaviour.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QToolBar, QToolButton, QVBoxLayout, QWidget

from studio.state.paint_tools import ToolSettings
from studio.views.paint_models import PAINTERS
from studio.views.paint_style import StylePanel
from studio.views.paint_tools import PaintToolPanel
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.label_canvas import LabelCanvas
from studio.widgets.run_picker import RunPicker

SIDES = (64, 128, 256)
TOOL_PANEL_WIDTH = 230


@dataclass
class PaintSlots:
    """What the toolbar's and the size combo's actions call."""

    random_scene: Callable[[], None]
    clear: Callable[[], None]
    undo: Callable[[], None]
    redo: Callable[[], None]
    open_map: Callable[[], object]
    save_map: Callable[[], object]
    export_picture: Callable[[], object]
    cancel_gesture: Callable[[], None]  # Escape
    set_side: Callable[[int], None]


@dataclass
class PaintWidgets:
    """The widgets and actions the paint view keeps."""

    picker: RunPicker
    tools: PaintToolPanel
    canvas: LabelCanvas  # the label map being painted
    output: ImageCanvas  # the model's picture of it
    hint: QLabel  # the line under the picture
    style_panel: StylePanel
    splitter: QSplitter  # map | picture
    side_combo: QComboBox
    undo_action: QAction
    redo_action: QAction


def build_layout(view: QWidget, settings: ToolSettings, side: int, slots: PaintSlots) -> PaintWidgets:
    """Lay out the paint view's widgets in ``view`` for a map of ``side`` pixels; returns the ones it keeps."""
    picker, tools, canvas, output = RunPicker(PAINTERS), PaintToolPanel(settings), LabelCanvas(), ImageCanvas()
    tools.setFixedWidth(TOOL_PANEL_WIDTH)
    output.set_placeholder("The picture appears here")
    hint, style_panel = QLabel(textFormat=Qt.TextFormat.RichText), StylePanel()

    right = QWidget()
    column = QVBoxLayout(right)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(output, 1)
    column.addWidget(hint)
    column.addWidget(style_panel)
    left = QWidget()
    map_column = QVBoxLayout(left)
    map_column.setContentsMargins(0, 0, 0, 0)
    map_column.addWidget(canvas, 1)
    row, side_combo = _map_row(view, canvas, side, slots.set_side)
    map_column.addLayout(row)
    splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
    splitter.addWidget(left)
    splitter.addWidget(right)
    for i in range(2):
        splitter.setStretchFactor(i, 1)  # map and picture the same size (the view evens them on first show)

    body = QHBoxLayout()
    body.addWidget(tools)
    body.addWidget(splitter, 1)
    bar, undo_action, redo_action = _toolbar(view, picker, slots)
    layout = QVBoxLayout(view)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(bar)
    layout.addLayout(body, 1)
    for action in tools.actions:
        view.addAction(action)
    return PaintWidgets(picker, tools, canvas, output, hint, style_panel, splitter, side_combo, undo_action,
                        redo_action)


def _toolbar(view: QWidget, picker: RunPicker, slots: PaintSlots) -> tuple[QToolBar, QAction, QAction]:
    """The toolbar, with its undo and redo actions (disabled until there is something to undo)."""
    bar = QToolBar()
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addWidget(QLabel("Model "))
    bar.addWidget(picker)
    bar.addSeparator()
    _add(view, bar, "Random scene", slots.random_scene, "A fresh procedural landscape to start from")
    _add(view, bar, "Clear", slots.clear, "Fill the whole map with the chosen class")
    undo = _add(view, bar, "Undo", slots.undo, "Undo (Ctrl+Z); at least 100 steps", QKeySequence.StandardKey.Undo)
    redo = _add(view, bar, "Redo", slots.redo, "Redo (Ctrl+Y or Ctrl+Shift+Z)",
                [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    undo.setEnabled(False)
    redo.setEnabled(False)
    bar.addSeparator()
    _add(view, bar, "Open map...", slots.open_map, "Open a label map PNG (class indices or palette colours)")
    _add(view, bar, "Save map...", slots.save_map, "Save the label map as an index or colour PNG")
    _add(view, bar, "Export picture...", slots.export_picture, "Save the synthesised picture as a PNG")
    escape = QAction(view, shortcut=QKeySequence(Qt.Key.Key_Escape),
                     shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)
    escape.triggered.connect(slots.cancel_gesture)
    view.addAction(escape)
    return bar, undo, redo


def _map_row(view: QWidget, canvas: LabelCanvas, side: int, set_side: Callable[[int], None]
             ) -> tuple[QHBoxLayout, QComboBox]:
    """Under the map: its size, zoom buttons and how to zoom and pan."""
    row = QHBoxLayout()
    row.addWidget(QLabel("Size"))
    side_combo = QComboBox(toolTip="Map and picture size in pixels; bigger is sharper and slower to render")
    for option in SIDES:
        side_combo.addItem(f"{option} px", option)
    side_combo.setCurrentIndex(side_combo.findData(side))
    side_combo.activated.connect(lambda i: set_side(side_combo.itemData(i)))
    row.addWidget(side_combo)
    zooms = (("-", lambda: canvas.zoom_by(1 / 1.25), "Zoom out (Ctrl+-, or the wheel)", "Ctrl+-"),
             ("Fit", canvas.fit, "Show the whole map (Ctrl+0)", "Ctrl+0"),
             ("+", lambda: canvas.zoom_by(1.25), "Zoom in (Ctrl+=, or the wheel)", "Ctrl+="))
    for text, slot, tip, key in zooms:
        button = QToolButton()
        button.setDefaultAction(_add(view, None, text, slot, tip, QKeySequence(key)))
        row.addWidget(button)
    help_line = QLabel("Wheel zooms, middle button pans", enabled=False)
    help_line.setToolTip("Ctrl+Z / Ctrl+Y undo and redo; B E L R O F I H pick the tools; [ and ] size the brush")
    row.addWidget(help_line, 1)
    return row, side_combo


def _add(view: QWidget, bar: QToolBar | None, text: str, slot, tip: str, shortcut=None) -> QAction:
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
