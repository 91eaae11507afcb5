"""LabelCanvas: a label map shown in its palette colours, zoomable and pannable, reporting the pointer."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

ZOOM_RANGE = (0.25, 64.0)  # screen pixels per map pixel
WHEEL_STEP = 1.2  # zoom factor per wheel notch


class LabelCanvas(QWidget):
    """Draws a uint8 [H, W] class map with nearest-neighbour scaling and an outline of the brush.

    Wheel zooms around the pointer; the middle button, or the left one in pan mode, drags the view.
    Positions are in map pixels as floats: (0, 0) is the map's top-left corner, (W, H) its bottom-right.

    Signals:
        pressed(float, float), moved(float, float), released(float, float): the left button's drag
        hovered(float, float): the pointer moved with no button held
    """

    pressed = Signal(float, float)
    moved = Signal(float, float)
    released = Signal(float, float)
    hovered = Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 200)
        self._rgb = np.zeros((1, 1, 3), np.uint8)  # [H, W, 3] the map's colours; the QImage shares it
        self._image = QImage()
        self._zoom, self._offset = 1.0, QPointF(0, 0)
        self._fitted = True  # follow the widget's size until the user zooms or pans
        self._brush: tuple[float, bool] | None = (12.0, False)  # (diameter, square), None: no outline
        self._pointer: QPointF | None = None  # in map pixels
        self._drag: str | None = None  # "paint" or "pan" while a button is held
        self._pan_from = QPointF()
        self.pan_mode = False

    # --- content ---
    def set_map(self, labels: np.ndarray, colours: np.ndarray) -> None:
        """Show ``labels`` (uint8 [H, W]) in ``colours`` (uint8 [K, 3]); a new size is fitted to the widget."""
        resized = labels.shape != self._rgb.shape[:2]
        self._rgb = np.ascontiguousarray(colours[labels])
        h, w = labels.shape
        self._image = QImage(self._rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        if resized:
            self.fit()
        self.update()

    def update_box(self, labels: np.ndarray, colours: np.ndarray, box: tuple[int, int, int, int]) -> None:
        """Recolour only the rows ``y0:y1`` and columns ``x0:x1`` (a brush dab) and repaint them."""
        y0, y1, x0, x1 = box
        self._rgb[y0:y1, x0:x1] = colours[labels[y0:y1, x0:x1]]
        self.update(self._to_widget_rect(QRectF(x0, y0, x1 - x0, y1 - y0)).toAlignedRect().adjusted(-2, -2, 2, 2))

    def set_brush(self, diameter: float | None, square: bool = False) -> None:
        """The outline drawn under the pointer (None: a crosshair cursor instead, e.g. for fill)."""
        self._brush = None if diameter is None else (float(diameter), square)
        self.setCursor(Qt.CursorShape.OpenHandCursor if self.pan_mode else
                       Qt.CursorShape.CrossCursor if diameter is None else Qt.CursorShape.BlankCursor)
        self.update()

    # --- view ---
    @property
    def zoom(self) -> float:
        return self._zoom

    def fit(self) -> None:
        """Show the whole map as large as the widget allows, centred."""
        h, w = self._rgb.shape[:2]
        self._zoom = max(ZOOM_RANGE[0], min(self.width() / w, self.height() / h) * 0.98)
        self._offset = QPointF((self.width() - w * self._zoom) / 2, (self.height() - h * self._zoom) / 2)
        self._fitted = True
        self.update()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the map point under ``anchor`` (widget coordinates; default the centre) in place."""
        anchor = QPointF(self.width() / 2, self.height() / 2) if anchor is None else anchor
        at = self.to_map(anchor)
        self._zoom = float(np.clip(self._zoom * factor, *ZOOM_RANGE))
        self._offset = anchor - at * self._zoom
        self._fitted = False
        self.update()

    def to_map(self, pos: QPointF) -> QPointF:
        return (QPointF(pos) - self._offset) / self._zoom

    def to_widget(self, p: QPointF) -> QPointF:
        return QPointF(p) * self._zoom + self._offset

    def _to_widget_rect(self, r: QRectF) -> QRectF:
        return QRectF(self.to_widget(r.topLeft()), self.to_widget(r.bottomRight()))

    # --- painting ---
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))  # as ImageCanvas
        if not self._image.isNull():
            target = self._to_widget_rect(QRectF(0, 0, self._image.width(), self._image.height()))
            p.drawImage(target, self._image)  # no SmoothPixmapTransform: nearest neighbour, crisp labels
            p.setPen(QPen(self.palette().color(QPalette.ColorRole.Dark), 1))
            p.drawRect(target.adjusted(-1, -1, 0, 0))
        if self._pointer is not None and self._brush is not None and not self.pan_mode and self.underMouse():
            self._draw_brush_outline(p)
        p.end()

    def _draw_brush_outline(self, p: QPainter) -> None:
        size, square = self._brush
        centre, r = self.to_widget(self._pointer), max(size * self._zoom / 2, 1.5)
        rect = QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for colour, width in ((QColor(0, 0, 0, 160), 3), (QColor(255, 255, 255, 230), 1)):  # visible on any class
            p.setPen(QPen(colour, width))
            (p.drawRect if square else p.drawEllipse)(rect)

    # --- pointer ---
    def mousePressEvent(self, event) -> None:
        pos = event.position()
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or button == Qt.MouseButton.LeftButton and self.pan_mode:
            self._drag, self._pan_from = "pan", pos
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif button == Qt.MouseButton.LeftButton and self._drag is None:
            self._drag = "paint"
            at = self.to_map(pos)
            self.pressed.emit(at.x(), at.y())

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        old, self._pointer = self._pointer, self.to_map(pos)
        if self._drag == "pan":
            self._offset += pos - self._pan_from
            self._pan_from, self._fitted = pos, False
            self.update()
            return
        if self._drag == "paint":
            self.moved.emit(self._pointer.x(), self._pointer.y())
        else:
            self.hovered.emit(self._pointer.x(), self._pointer.y())
        self._update_outline(old)

    def mouseReleaseEvent(self, event) -> None:
        at = self.to_map(event.position())
        if self._drag == "paint" and event.button() == Qt.MouseButton.LeftButton:
            self._drag = None
            self.released.emit(at.x(), at.y())
        elif self._drag == "pan" and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._drag = None
            self.set_brush(None if self._brush is None else self._brush[0], bool(self._brush and self._brush[1]))

    def wheelEvent(self, event) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.zoom_by(WHEEL_STEP ** notches, event.position())

    def leaveEvent(self, event) -> None:
        self._pointer = None
        self.update()

    def resizeEvent(self, event) -> None:
        if self._fitted:
            self.fit()

    def _update_outline(self, old: QPointF | None) -> None:
        if self._brush is None:
            return
        r = self._brush[0] * self._zoom / 2 + 4
        for at in (old, self._pointer):
            if at is not None:
                c = self.to_widget(at)
                self.update(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r).toAlignedRect())
