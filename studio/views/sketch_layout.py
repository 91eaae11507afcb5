"""The Sketch mode's widgets: a toolbar on top, the pen on the left, the drawing and its picture side by side.

``build_sketch_layout(page, settings, side, picker, slots)`` lays them out in the page, wires the actions to
``slots`` (:class:`SketchSlots`) and returns the widgets the page keeps (:class:`SketchWidgets`). The parts are
the label painter's (:mod:`studio.views.paint_layout`), so both modes look and behave alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QButtonGroup, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QSlider,
                               QSpinBox, QSplitter, QToolButton, QVBoxLayout, QWidget)

from studio.state.paint_tools import ToolSettings
from studio.views.paint_layout import add_action, escape_action, map_row, model_bar, side_by_side, undo_actions
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.label_canvas import LabelCanvas

PEN_PANEL_WIDTH = 190
MAX_PEN = 32  # px on the canvas
# (tool of paint_tools.Gesture, label, shortcut, tooltip): the pen paints ink, the eraser paper
PENS = (("brush", "Pen", "P", "Draw dark lines"), ("eraser", "Eraser", "E", "Paint white paper over lines"))
ADVICE = ("Draw outlines, dark on white, as in a colouring book: the model learned from the edges of "
          "pictures, thin lines around shapes and between colours. A thin pen works best.")


@dataclass
class SketchSlots:
    """What the toolbar's and the size combo's actions call."""

    clear: Callable[[], None]
    undo: Callable[[], None]
    redo: Callable[[], None]
    open_drawing: Callable[[], object]
    save_drawing: Callable[[], object]
    export_picture: Callable[[], object]
    cancel_gesture: Callable[[], None]  # Escape
    set_side: Callable[[int], None]


@dataclass
class SketchWidgets:
    """The widgets and actions the Sketch page keeps."""

    pen: PenPanel
    canvas: LabelCanvas  # the drawing, in grey
    output: ImageCanvas  # the model's picture of it
    hint: QLabel  # the line under the picture
    splitter: QSplitter  # drawing | picture
    side_combo: object  # QComboBox of the canvas size
    undo_action: QAction
    redo_action: QAction


class PenPanel(QWidget):
    """Edits a :class:`ToolSettings`' tool (pen or eraser) and width.

    Signals:
        settings_changed(): the tool or the width changed (the canvas updates its outline)
    """

    settings_changed = Signal()

    def __init__(self, settings: ToolSettings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.buttons: dict[str, QToolButton] = {}
        self.actions: list[QAction] = []  # the P, E, [ and ] shortcuts, for the page to add
        box = QGroupBox("Pen")
        form = QFormLayout(box)
        row = QHBoxLayout()
        group = QButtonGroup(self, exclusive=True)
        for name, label, key, tip in PENS:
            button = QToolButton(text=label, checkable=True, toolTip=f"{tip} ({key})")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, n=name: self.set_tool(n))
            group.addButton(button)
            self.buttons[name] = button
            row.addWidget(button)
            self._shortcut(key, lambda n=name: self.set_tool(n))
        form.addRow(row)
        self.width_slider = QSlider(Qt.Orientation.Horizontal, minimum=1, maximum=MAX_PEN)
        self.width_spin = QSpinBox(minimum=1, maximum=MAX_PEN, suffix=" px",
                                   toolTip="Pen and eraser width in canvas pixels ([ and ])")
        self.width_slider.valueChanged.connect(self.width_spin.setValue)
        self.width_spin.valueChanged.connect(self._on_width_changed)
        width_row = QHBoxLayout()
        width_row.addWidget(self.width_slider, 1)
        width_row.addWidget(self.width_spin)
        form.addRow("Width", width_row)
        self._shortcut("[", lambda: self.width_spin.setValue(self.settings.size - 1))
        self._shortcut("]", lambda: self.width_spin.setValue(self.settings.size + 1))
        advice = QLabel(ADVICE, wordWrap=True, enabled=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addWidget(advice)
        layout.addStretch(1)
        self.width_spin.setValue(settings.size)
        self.set_tool(settings.tool)

    def set_tool(self, name: str) -> None:
        self.settings.tool = name
        self.buttons[name].setChecked(True)
        self.settings_changed.emit()

    def set_width(self, width: int) -> None:
        self.width_spin.setValue(width)

    def _shortcut(self, key: str, slot) -> None:
        action = QAction(self, shortcut=QKeySequence(key),
                         shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only inside the page
        action.triggered.connect(slot)
        self.actions.append(action)

    def _on_width_changed(self, value: int) -> None:
        self.settings.size = value
        self.width_slider.blockSignals(True)
        self.width_slider.setValue(value)
        self.width_slider.blockSignals(False)
        self.settings_changed.emit()


def build_sketch_layout(page: QWidget, settings: ToolSettings, side: int, picker: QWidget,
                        slots: SketchSlots) -> SketchWidgets:
    """Lay out the Sketch mode in ``page`` for a ``side`` px drawing; returns the widgets it keeps."""
    pen, canvas, output = PenPanel(settings), LabelCanvas(), ImageCanvas()
    pen.setFixedWidth(PEN_PANEL_WIDTH)
    output.set_placeholder("The picture appears here")
    hint = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
    row, side_combo = map_row(page, canvas, side, slots.set_side,
                              "Ctrl+Z / Ctrl+Y undo and redo; P and E pick the pen and the eraser; [ and ] size it")
    side_combo.setToolTip("Drawing and picture size in pixels; the model draws at its own size either way")
    splitter = side_by_side([canvas, row], [output, hint])
    bar = model_bar(picker)
    add_action(page, bar, "Clear", slots.clear, "Start again on white paper (undoable)")
    undo_action, redo_action = undo_actions(page, bar, slots.undo, slots.redo)
    bar.addSeparator()
    add_action(page, bar, "Open drawing...", slots.open_drawing,
               "Open a line drawing (dark lines on white; colour and transparency are converted)")
    add_action(page, bar, "Save drawing...", slots.save_drawing, "Save the drawing as a grey PNG")
    add_action(page, bar, "Export picture...", slots.export_picture, "Save the model's picture as a PNG")
    escape_action(page, slots.cancel_gesture)
    body = QHBoxLayout()
    body.addWidget(pen)
    body.addWidget(splitter, 1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(bar)
    layout.addLayout(body, 1)
    for action in pen.actions:
        page.addAction(action)
    return SketchWidgets(pen, canvas, output, hint, splitter, side_combo, undo_action, redo_action)
