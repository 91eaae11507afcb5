"""Paint to picture: paint colour blobs over the picture (or its blobs, a faded copy, a blank), then SinGAN
redraws the painting from a chosen scale up in the picture's own patches (SinGAN's paint2image)."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QColorDialog, QComboBox, QHBoxLayout, QLabel, QPushButton, QToolButton

from studio.views.singan_docs import STARTS, PaintDocument, dominant_colours
from studio.views.singan_modes import ModePanel, set_scales, spin, stack, widget_row
from studio.workers import singan_jobs as jobs

SWATCHES = 8  # the picture's main colours offered beside the brush


def colour_icon(colour, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(*[int(c) for c in colour]))
    return QIcon(pixmap)


class PaintPanel(ModePanel):
    """The painting (a :class:`PaintDocument`) on the left, its redrawing on the right.

    ``files`` (set by the view) reads painting files on a worker thread.
    """

    channel = "paint"
    result_placeholder = "Paint on the left: the picture SinGAN makes of it appears here"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.files: jobs.CallbackJobs | None = None
        self.doc: PaintDocument | None = None
        self.colour = (200, 60, 40)
        self._last = None  # the previous point of the stroke
        self.canvas = self.pointer_canvas("Load a model to paint over its picture")
        self.canvas.set_brush(8)
        self.canvas.picked.connect(self._pick)
        self.inject_scale("Scale the painting is injected at: 1 (coarse) repaints it most, in the picture's "
                          "patches; finer scales keep more of what you painted")
        stack(self, self._brush_row(), self.inject_row(), self.input_and_result(
            "Your painting", self.canvas,
            "Left button paints, right click picks a colour; the picture follows each stroke", "Picture"))

    def _brush_row(self) -> QHBoxLayout:
        self.colour_button = QToolButton(text="Colour...", toolTip="The brush colour (right click on the painting "
                                         "picks the colour under the pointer)")
        self.colour_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.colour_button.clicked.connect(self.choose_colour)
        self.swatches = QHBoxLayout()
        self.swatches.setSpacing(2)
        self.brush = spin(1, 64, 8, "Brush diameter in picture pixels", " px")
        self.brush.valueChanged.connect(self.canvas.set_brush)
        self.start = QComboBox(toolTip="Start the painting again (undoable)")
        for key, text in STARTS.items():
            self.start.addItem(text, key)
        self.start_button = QPushButton("Start over from", toolTip="Replace the painting by the choice beside "
                                        "(undoable)")
        self.start_button.clicked.connect(lambda: self.start_over(self.start.currentData()))
        self.undo_action = QAction("Undo", self, toolTip="Undo the last stroke (Ctrl+Z)", enabled=False)
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.triggered.connect(self.undo)
        self.addAction(self.undo_action)
        undo = QToolButton()
        undo.setDefaultAction(self.undo_action)
        self.open_button = QPushButton("Open painting...", toolTip="Paint elsewhere and open it here; another "
                                       "size is resized to the picture's")
        self.open_button.clicked.connect(self.choose_painting)
        self._set_colour(self.colour)
        return widget_row(QLabel("Brush"), self.colour_button, self.swatches, self.brush, undo, 12,
                          self.start_button, self.start, self.open_button)

    # --- the model ---
    def set_model(self, loaded: jobs.LoadedSinGAN) -> None:
        super().set_model(loaded)
        self.doc = PaintDocument(loaded.picture)
        self.doc.start_from(self.start.currentData())
        self.doc.undo_stack.clear()
        self.undo_action.setEnabled(False)
        self.canvas.set_picture(self.doc.rgb)
        set_scales(self.scale, self.scale_range, 1, loaded.scales, loaded.scales // 4)
        self._set_swatches(dominant_colours(loaded.picture, SWATCHES))

    def job(self):
        if self.loaded is None or self.doc is None or self.loaded.scales < 2:
            return None
        return partial(jobs.inject, self.channel, self.loaded.model, self.doc.rgb.copy(), self.scale.value(),
                       self.seed.value())

    # --- painting ---
    def _on_pressed(self, x: float, y: float) -> None:
        self.doc.begin_stroke()
        self._last = (x, y)
        self.doc.dab(self._last, self._last, self.brush.value(), self.colour)
        self.canvas.update()

    def _on_moved(self, x: float, y: float) -> None:
        if self._last is not None:
            self.doc.dab(self._last, (x, y), self.brush.value(), self.colour)
            self._last = (x, y)
            self.canvas.update()

    def _on_released(self, x: float, y: float) -> None:
        self._on_moved(x, y)
        self._last = None
        self.undo_action.setEnabled(True)
        self.requested.emit()

    def _pick(self, x: float, y: float) -> None:
        colour = self.doc.colour_at(x, y) if self.doc else None
        if colour is not None:
            self._set_colour(colour)

    def undo(self) -> None:
        if self.doc is not None and self.doc.undo():
            self.canvas.set_picture(self.doc.rgb)
            self.undo_action.setEnabled(bool(self.doc.undo_stack))
            self.requested.emit()

    def start_over(self, start: str) -> None:
        if self.doc is not None:
            self.doc.start_from(start)
            self._replaced()

    def set_painting(self, rgb) -> None:
        """A whole painting (uint8 [H, W, 3] at the picture's size), undoably."""
        self.doc.replace(rgb)
        self._replaced()

    def _replaced(self) -> None:
        self.canvas.set_picture(self.doc.rgb)
        self.undo_action.setEnabled(True)
        self.requested.emit()

    # --- colours and files ---
    def choose_colour(self) -> None:
        colour = QColorDialog.getColor(QColor(*self.colour), self, "Brush colour")
        if colour.isValid():
            self._set_colour((colour.red(), colour.green(), colour.blue()))

    def _set_colour(self, colour) -> None:
        self.colour = tuple(int(c) for c in colour)
        self.colour_button.setIcon(colour_icon(self.colour))

    def _set_swatches(self, colours) -> None:
        while self.swatches.count():
            self.swatches.takeAt(0).widget().deleteLater()
        for colour in colours:
            button = QToolButton(toolTip=f"Paint in rgb{tuple(colour)}, one of the picture's main colours")
            button.setIcon(colour_icon(colour, 14))
            button.setIconSize(QSize(14, 14))
            button.setAutoRaise(True)
            button.clicked.connect(partial(self._set_colour, colour))
            self.swatches.addWidget(button)

    def choose_painting(self) -> None:
        self.choose_input("Open a painting", self.open_painting)

    def open_painting(self, path: Path) -> None:
        """Read ``path`` on the worker, resized to the picture's size, as the new painting."""
        self.files.submit("paint-input", partial(jobs.read_painting, path, self.loaded.size), self._on_painting_read,
                          drop_running=True)

    def _on_painting_read(self, answer) -> None:
        rgb, note = answer
        if self.doc is not None and rgb.shape == self.doc.rgb.shape:
            self.set_painting(rgb)
            if note:
                self.message.emit(note, False)
