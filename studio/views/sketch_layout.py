"""The Sketch mode's widgets: a toolbar on top, the pen on the left, the drawing and its picture side by side.

``build_sketch_layout(page, settings, side, picker, slots)`` lays them out in the page, wires the actions to
``slots`` (:class:`SketchSlots`) and returns the widgets the page keeps (:class:`SketchWidgets`). The parts are
the label painter's (:mod:`studio.views.paint_layout`), so both modes look and behave alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from studio.state.paint_tools import ToolSettings
from studio.views.paint_layout import CanvasSlots, CanvasWidgets, canvas_toolbar, lay_out_page, map_row, side_by_side
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.label_canvas import LabelCanvas
from studio.widgets.page_helpers import ShortcutPanel

PEN_PANEL_WIDTH = 190
MAX_PEN = 32  # px on the canvas
# (tool of paint_tools.Gesture, label, shortcut, tooltip): the pen paints ink, the eraser paper
PENS = (("brush", "Pen", "P", "Draw dark lines"), ("eraser", "Eraser", "E", "Paint white paper over lines"))
ADVICE = ("Draw outlines, dark on white, as in a colouring book: the model learned from the edges of "
          "pictures, thin lines around shapes and between colours. A thin pen works best.")


@dataclass
class SketchSlots(CanvasSlots):
    """The Sketch mode's slots: the canvas ones, and opening and saving the drawing."""

    open_drawing: Callable[[], object]
    save_drawing: Callable[[], object]


@dataclass
class SketchWidgets(CanvasWidgets):
    """The widgets and actions the Sketch page keeps (its canvas shows the drawing in grey)."""

    pen: PenPanel


class PenPanel(ShortcutPanel):
    """Edits a :class:`ToolSettings`' tool (pen or eraser) and width.

    Signals:
        settings_changed(): the tool or the width changed (the canvas updates its outline)
    """

    settings_changed = Signal()

    def __init__(self, settings: ToolSettings, parent=None):
        super().__init__(settings, parent)  # its actions: the P, E, [ and ] shortcuts, for the page to add
        self.buttons: dict[str, QToolButton] = {}
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
        self.width_slider, self.width_spin = self._size_row(
            form, "Width", MAX_PEN, "Pen and eraser width in canvas pixels ([ and ])", self._on_width_changed)
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

    def _on_width_changed(self, value: int) -> None:
        self._set_size(self.width_slider, value)


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
    bar, undo_action, redo_action = canvas_toolbar(page, picker, slots, (
        ("Clear", slots.clear, "Start again on white paper (undoable)"),), (
        ("Open drawing...", slots.open_drawing,
         "Open a line drawing (dark lines on white; colour and transparency are converted)"),
        ("Save drawing...", slots.save_drawing, "Save the drawing as a grey PNG"),
        ("Export picture...", slots.export_picture, "Save the model's picture as a PNG")))
    lay_out_page(page, bar, pen, splitter)
    return SketchWidgets(canvas=canvas, output=output, hint=hint, splitter=splitter, side_combo=side_combo,
                         undo_action=undo_action, redo_action=redo_action, pen=pen)
