"""Harmonise and Edit: a region placed on the picture (a :class:`Placement`), redrawn by SinGAN from a chosen
scale up, only where the picture changed (the mask of the placed region, and of the hole a move left).

One panel serves both. Harmonise pastes another picture (a file or the clipboard; a PNG's transparency
shapes its mask) or a copied region, to be blended in; Edit moves or copies a region of the picture.
Dragging inside the region moves it, dragging elsewhere selects a new region.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton

from studio.views.singan_docs import Placement, Rect
from studio.views.singan_modes import ModePanel, set_scales, spin, stack, widget_row
from studio.widgets.qimage import from_qimage
from studio.workers import singan_jobs as jobs

PASTE_HEIGHT = 40  # % of the picture's height a pasted picture starts at
MIN_REGION = 2  # px: a smaller drag is a click, not a selection

HELP = {"harmonise": "Open or paste a picture (or drag to copy a region), then drag it into place",
        "edit": "Drag to select a region, then drag the selection to move it (or a copy of it)"}


def qimage_rgba(image: QImage) -> np.ndarray:
    """A clipboard QImage as uint8 [H, W, 4] when it has transparency (it shapes the paste), else [H, W, 3]."""
    if not image.hasAlphaChannel():
        return from_qimage(image)
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h).reshape(h, image.bytesPerLine())
    return np.ascontiguousarray(rows[:, :w * 4].reshape(h, w, 4))


class RegionPanel(ModePanel):
    """``kind`` "harmonise" or "edit". ``files`` (set by the view) reads pictures to paste on a worker thread."""

    result_placeholder = "The redrawn picture appears here"

    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.channel = self.kind = kind
        self.files: jobs.CallbackJobs | None = None
        self.placement: Placement | None = None
        self._drag: str | None = None  # "move" or "select" while the left button is held
        self._from = (0.0, 0.0)  # where the drag started
        self._patch_from = (0, 0)  # where the region was when it started
        self.canvas = self.pointer_canvas("Load a model to edit its picture")
        self.inject_scale("Scale the edit is injected at: coarser scales blend it in more (and change it more), "
                          "finer ones keep it closer to what you placed")
        stack(self, self._source_row(), self.inject_row(),
              self.input_and_result("Your edit", self.canvas, HELP[self.kind], "Redrawn"))

    def _source_row(self) -> QHBoxLayout:
        self.move_box = QComboBox(toolTip="Whether a selected region leaves its place (which is redrawn too) "
                                  "or is copied")
        self.move_box.addItem("Move the selection", True)
        self.move_box.addItem("Copy the selection", False)
        self.move_box.setCurrentIndex(0 if self.kind == "edit" else 1)
        self.move_box.activated.connect(self._on_move_changed)
        self.size_box = spin(5, 100, PASTE_HEIGHT, "Height of the pasted picture, in % of the picture's", " %")
        self.size_box.valueChanged.connect(self._on_size_changed)
        open_button = QPushButton("Open picture to paste...", toolTip="A picture (any size) to blend into this one; "
                                  "a transparent PNG pastes only its opaque part")
        open_button.clicked.connect(self.choose_paste)
        paste = QAction("Paste", self, toolTip="Paste the picture on the clipboard (Ctrl+V)")
        paste.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Paste))
        paste.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.triggered.connect(self.paste_clipboard)
        self.addAction(paste)
        paste_button = QPushButton("Paste", toolTip=paste.toolTip())
        paste_button.clicked.connect(self.paste_clipboard)
        reset = QPushButton("Reset", toolTip="Back to the picture as it was, nothing placed")
        reset.clicked.connect(self.reset)
        harmonise = self.kind == "harmonise"
        widgets = [open_button, paste_button, QLabel("Size"), self.size_box] if harmonise else [self.move_box]
        return widget_row(*widgets, reset)

    # --- the model ---
    def set_model(self, loaded: jobs.LoadedSinGAN) -> None:
        super().set_model(loaded)
        self.placement = Placement(loaded.picture)
        set_scales(self.scale, self.scale_range, 1, loaded.scales, loaded.scales // 2)
        self._refresh()

    def job(self):
        if self.loaded is None or self.placement is None or self.placement.patch is None or self.loaded.scales < 2:
            return None
        image, mask = self.placement.composite()
        if not mask.any():
            return None
        return partial(jobs.inject, self.channel, self.loaded.model, image, self.scale.value(), self.seed.value(),
                       mask)

    def _refresh(self) -> None:
        image, _ = self.placement.composite()
        self.canvas.set_picture(image)
        rect = self.placement.patch_rect()
        self.canvas.set_outline(None if rect is None else (rect.x0, rect.y0, rect.x1, rect.y1))

    def reset(self) -> None:
        if self.placement is not None:
            self.placement.clear()
            self._refresh()
            self.drawing = None
            self.result_view.set_image(None)
            self.result_caption.setText("")
            self.save_button.setEnabled(False)

    # --- the pointer ---
    def _on_pressed(self, x: float, y: float) -> None:
        rect = self.placement.patch_rect()
        if rect is not None and rect.contains(x, y):
            self._drag = "move"
        else:
            self._drag = "select"
        self._from, self._patch_from = (x, y), (self.placement.x, self.placement.y)

    def _on_moved(self, x: float, y: float) -> None:
        if self._drag == "move":
            self.placement.move_to(self._patch_from[0] + x - self._from[0], self._patch_from[1] + y - self._from[1])
            self._refresh()
        elif self._drag == "select":
            r = Rect.spanning(self._from, (x, y), self.placement.size)
            self.canvas.set_outline((r.x0, r.y0, r.x1, r.y1))

    def _on_released(self, x: float, y: float) -> None:
        drag, self._drag = self._drag, None
        if drag == "move":
            self._refresh()
            self.requested.emit()
        elif drag == "select":
            self.select(Rect.spanning(self._from, (x, y), self.placement.size))

    def select(self, rect: Rect) -> None:
        """Take ``rect`` of the picture as the region (moved or copied, as the choice says)."""
        if rect.width < MIN_REGION or rect.height < MIN_REGION:
            self._refresh()  # a click: the outline goes back to the region there is
            return
        self.placement.take(rect, bool(self.move_box.currentData()))
        self._refresh()
        self.message.emit(f"Selected {rect.width}\u00d7{rect.height} px: drag it to move it", False)

    def _on_move_changed(self, _index: int) -> None:
        if self.placement is not None and self.placement.taken_from is not None:
            self.placement.set_move(bool(self.move_box.currentData()))
            self._refresh()
            self.requested.emit()

    # --- pasting ---
    def paste_picture(self, picture: np.ndarray) -> None:
        """Place ``picture`` (uint8 RGB or RGBA, any size) in the middle, at the chosen height."""
        if self.placement is None:
            return
        self.placement.paste(picture, self.size_box.value() / 100)
        self._refresh()
        h, w = picture.shape[:2]
        pw, ph = self.placement.patch.shape[1], self.placement.patch.shape[0]
        self.message.emit(f"Pasted a {w}\u00d7{h} picture at {pw}\u00d7{ph} px: drag it into place", False)
        self.requested.emit()

    def paste_clipboard(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.message.emit("The clipboard holds no picture; copy one first (e.g. from a browser)", True)
            return
        self.paste_picture(qimage_rgba(image))

    def choose_paste(self) -> None:
        self.choose_input("Open a picture to paste", self.open_paste)

    def open_paste(self, path: Path) -> None:
        self.files.submit(f"{self.kind}-input", partial(jobs.read_input, path), self.paste_picture, drop_running=True)

    def _on_size_changed(self, percent: int) -> None:
        if self.placement is not None and self.placement.source is not None:
            self.placement.resize(percent / 100)
            self._refresh()
            self.requested.emit()
