"""The paint view's widgets and actions: a toolbar on top, tools on the left, the map and its picture.

``build_layout(page, settings, side, slots)`` lays them out in ``page`` (the label mode's page of the view),
wires the toolbar's actions to ``slots`` (:class:`PaintSlots`) and returns the widgets the view keeps
(:class:`PaintWidgets`); the view's own module keeps the behaviour. The shortcuts belong to the page, so a
hidden mode's Ctrl+Z never fires (the Sketch mode has its own). :func:`side_by_side`, :func:`map_row`,
:func:`canvas_toolbar`, :func:`lay_out_page` and :func:`add_action` are shared with the Sketch mode's layout.
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

SIDES = (64, 128, 256, 512)
TOOL_PANEL_WIDTH = 230


@dataclass
class CanvasSlots:
    """What the toolbar's and the size combo's actions call, in every mode with a canvas (label map or drawing)."""

    clear: Callable[[], None]
    undo: Callable[[], None]
    redo: Callable[[], None]
    export_picture: Callable[[], object]
    cancel_gesture: Callable[[], None]  # Escape
    set_side: Callable[[int], None]


@dataclass
class PaintSlots(CanvasSlots):
    """The label mode's slots: the canvas ones, a random scene, and opening and saving the map."""

    random_scene: Callable[[], None]
    open_map: Callable[[], object]
    save_map: Callable[[], object]


@dataclass
class CanvasWidgets:
    """The widgets and actions every mode with a canvas keeps."""

    canvas: LabelCanvas  # the map or drawing
    output: ImageCanvas  # the model's picture of it
    hint: QLabel  # the line under the picture
    splitter: QSplitter  # canvas | picture
    side_combo: QComboBox
    undo_action: QAction
    redo_action: QAction


@dataclass
class PaintWidgets(CanvasWidgets):
    """The widgets and actions the paint view keeps."""

    picker: RunPicker
    tools: PaintToolPanel
    style_panel: StylePanel


def build_layout(page: QWidget, settings: ToolSettings, side: int, slots: PaintSlots) -> PaintWidgets:
    """Lay out the label mode's widgets in ``page`` for a map of ``side`` pixels; returns the ones it keeps."""
    picker, tools, canvas, output = RunPicker(PAINTERS), PaintToolPanel(settings), LabelCanvas(), ImageCanvas()
    tools.setFixedWidth(TOOL_PANEL_WIDTH)
    output.set_placeholder("The picture appears here")
    hint, style_panel = QLabel(textFormat=Qt.TextFormat.RichText), StylePanel()
    row, side_combo = map_row(page, canvas, side, slots.set_side)
    splitter = side_by_side([canvas, row], [output, hint, style_panel])
    bar, undo_action, redo_action = canvas_toolbar(page, picker, slots, (
        ("Random scene", slots.random_scene, "A fresh procedural landscape to start from"),
        ("Clear", slots.clear, "Fill the whole map with the chosen class")), (
        ("Open map...", slots.open_map, "Open a label map PNG (class indices or palette colours)"),
        ("Save map...", slots.save_map, "Save the label map as an index or colour PNG"),
        ("Export picture...", slots.export_picture, "Save the synthesised picture as a PNG")))
    lay_out_page(page, bar, tools, splitter)
    return PaintWidgets(canvas=canvas, output=output, hint=hint, splitter=splitter, side_combo=side_combo,
                        undo_action=undo_action, redo_action=redo_action, picker=picker, tools=tools,
                        style_panel=style_panel)


def lay_out_page(page: QWidget, bar: QToolBar, panel: QWidget, splitter: QSplitter) -> None:
    """The toolbar on top, ``panel`` (with its shortcuts in ``panel.actions``) left of the splitter."""
    body = QHBoxLayout()
    body.addWidget(panel)
    body.addWidget(splitter, 1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(bar)
    layout.addLayout(body, 1)
    for action in panel.actions:
        page.addAction(action)


def side_by_side(left: list, right: list) -> QSplitter:
    """Two columns (widgets or layouts, the first of each stretching) in a splitter, the same size at first."""
    splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
    for items in (left, right):
        column = QWidget()
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        for i, item in enumerate(items):
            if isinstance(item, QWidget):
                box.addWidget(item, 1 if i == 0 else 0)
            else:
                box.addLayout(item)
        splitter.addWidget(column)
    for i in range(2):
        splitter.setStretchFactor(i, 1)  # input and picture the same size (the view evens them on first show)
    return splitter


def canvas_toolbar(page: QWidget, picker: QWidget, slots: CanvasSlots, edits: tuple,
                   files: tuple) -> tuple[QToolBar, QAction, QAction]:
    """The toolbar: "Model [picker]", the ``edits`` actions, undo and redo (disabled until there is something
    to undo), then the ``files`` actions; each action is ``(text, slot, tip)``. Escape cancels the gesture."""
    bar = model_bar(picker)
    for text, slot, tip in edits:
        add_action(page, bar, text, slot, tip)
    undo, redo = undo_actions(page, bar, slots.undo, slots.redo)
    bar.addSeparator()
    for text, slot, tip in files:
        add_action(page, bar, text, slot, tip)
    escape_action(page, slots.cancel_gesture)
    return bar, undo, redo


def model_bar(picker: QWidget) -> QToolBar:
    """A toolbar that starts with "Model [picker]"."""
    bar = QToolBar()
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    bar.addWidget(QLabel("Model "))
    bar.addWidget(picker)
    bar.addSeparator()
    return bar


def undo_actions(page: QWidget, bar: QToolBar, undo, redo) -> tuple[QAction, QAction]:
    """Undo and redo with their shortcuts, disabled until there is something to undo or redo."""
    undo_action = add_action(page, bar, "Undo", undo, "Undo (Ctrl+Z); at least 100 steps",
                             QKeySequence.StandardKey.Undo)
    redo_action = add_action(page, bar, "Redo", redo, "Redo (Ctrl+Y or Ctrl+Shift+Z)",
                             [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    undo_action.setEnabled(False)
    redo_action.setEnabled(False)
    return undo_action, redo_action


def escape_action(page: QWidget, cancel) -> None:
    """Escape drops the stroke or shape being drawn."""
    escape = QAction(page, shortcut=QKeySequence(Qt.Key.Key_Escape),
                     shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)
    escape.triggered.connect(cancel)
    page.addAction(escape)


def map_row(view: QWidget, canvas: LabelCanvas, side: int, set_side: Callable[[int], None],
            help_tip: str = "Ctrl+Z / Ctrl+Y undo and redo; B E L R O F I H pick the tools; [ and ] size the brush"
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
        button.setDefaultAction(add_action(view, None, text, slot, tip, QKeySequence(key)))
        row.addWidget(button)
    help_line = QLabel("Wheel zooms, middle button pans", enabled=False)
    help_line.setToolTip(help_tip)
    row.addWidget(help_line, 1)
    return row, side_combo


def add_action(view: QWidget, bar: QToolBar | None, text: str, slot, tip: str, shortcut=None) -> QAction:
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
