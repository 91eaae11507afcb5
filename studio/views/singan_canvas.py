"""PictureCanvas: a small RGB picture scaled to fit, crisp, that reports the pointer in picture pixels.

The SinGAN view paints on it (Paint to picture) and places or selects regions on it (Harmonise, Edit). It
draws a brush outline under the pointer and one dashed rectangle (the placed patch or the selection).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 6  # px around the picture


class PictureCanvas(QWidget):
    """Shows a uint8 [H, W, 3] picture as large as fits (nearest neighbour), centred.

    Positions are float picture pixels: (0, 0) the top-left corner, (W, H) the bottom-right.

    Signals:
        pressed(float, float), moved(float, float), released(float, float): the left button's drag
        picked(float, float): a right click (the paint mode picks a colour with it)
    """

    pressed = Signal(float, float)
    moved = Signal(float, float)
    released = Signal(float, float)
    picked = Signal(float, float)

    def __init__(self, placeholder: str = "", parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.placeholder = placeholder
        self._rgb: np.ndarray | None = None  # the QImage shares its pixels, so it is kept here
        self._image = QImage()
        self._outline: QRectF | None = None  # in picture pixels
        self._brush: float | None = None  # diameter in picture pixels; None: no outline
        self._pointer: QPointF | None = None
        self._dragging = False

    # --- content ---
    def set_picture(self, rgb: np.ndarray | None) -> None:
        """Show ``rgb`` (uint8 [H, W, 3]); the canvas reads it when painting, so call ``update`` after changing it."""
        if rgb is None:
            self._rgb, self._image = None, QImage()
        else:
            self._rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
            h, w = self._rgb.shape[:2]
            self._image = QImage(self._rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self.update()

    def set_outline(self, rect: tuple[float, float, float, float] | None) -> None:
        """A dashed rectangle (x0, y0, x1, y1) in picture pixels, or None."""
        self._outline = None if rect is None else QRectF(QPointF(rect[0], rect[1]), QPointF(rect[2], rect[3]))
        self.update()

    def set_brush(self, diameter: float | None) -> None:
        self._brush = diameter
        self.update()

    # --- geometry ---
    def _scale_offset(self) -> tuple[float, QPointF]:
        if self._image.isNull():
            return 1.0, QPointF(0, 0)
        w, h = self._image.width(), self._image.height()
        k = max(0.05, min((self.width() - 2 * MARGIN) / w, (self.height() - 2 * MARGIN) / h))
        return k, QPointF((self.width() - w * k) / 2, (self.height() - h * k) / 2)

    def to_picture(self, pos: QPointF) -> QPointF:
        k, offset = self._scale_offset()
        return (QPointF(pos) - offset) / k

    def to_widget(self, p: QPointF) -> QPointF:
        k, offset = self._scale_offset()
        return QPointF(p) * k + offset

    def _widget_rect(self, r: QRectF) -> QRectF:
        return QRectF(self.to_widget(r.topLeft()), self.to_widget(r.bottomRight()))

    # --- painting ---
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self._image.isNull():
            p.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect().adjusted(12, 12, -12, -12), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.placeholder)
            p.end()
            return
        target = self._widget_rect(QRectF(0, 0, self._image.width(), self._image.height()))
        p.drawImage(target, self._image)  # no smoothing: the picture's own pixels, crisp
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Dark), 1))
        p.drawRect(target.adjusted(-1, -1, 0, 0))
        if self._outline is not None:
            self._draw_outline(p)
        if self._brush and self._pointer is not None and self.underMouse():
            centre, r = self.to_widget(self._pointer), max(self._brush * self._scale_offset()[0] / 2, 1.5)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            for colour, width in ((QColor(0, 0, 0, 160), 3), (QColor(255, 255, 255, 230), 1)):
                p.setPen(QPen(colour, width))
                p.drawEllipse(centre, r, r)
        p.end()

    def _draw_outline(self, p: QPainter) -> None:
        rect = self._widget_rect(self._outline)
        for colour, style in ((QColor(0, 0, 0, 200), Qt.PenStyle.SolidLine), (QColor(255, 255, 255), Qt.PenStyle.DashLine)):
            pen = QPen(colour, 1.5, style)
            p.setPen(pen)
            p.drawRect(rect)

    # --- pointer ---
    def mousePressEvent(self, event) -> None:
        at = self.to_picture(event.position())
        if event.button() == Qt.MouseButton.LeftButton and not self._image.isNull():
            self._dragging = True
            self.pressed.emit(at.x(), at.y())
        elif event.button() == Qt.MouseButton.RightButton and not self._image.isNull():
            self.picked.emit(at.x(), at.y())

    def mouseMoveEvent(self, event) -> None:
        self._pointer = self.to_picture(event.position())
        if self._dragging:
            self.moved.emit(self._pointer.x(), self._pointer.y())
        if self._brush:
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            at = self.to_picture(event.position())
            self.released.emit(at.x(), at.y())

    def leaveEvent(self, event) -> None:
        self._pointer = None
        self.update()
