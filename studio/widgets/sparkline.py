"""Sparkline: a small line of a value's recent history, painted with QPainter (cheaper than a plot per value)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    """``set_data(values)`` draws them left to right scaled to the widget's height; the last point is marked."""

    def __init__(self, colour: str = "#1f6fb4", parent=None):
        super().__init__(parent)
        self.values = np.zeros(0)
        self.colour = QColor(colour)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(160, 26)

    def minimumSizeHint(self) -> QSize:
        return QSize(60, 26)

    def set_data(self, values, colour: str | None = None) -> None:
        self.values = np.asarray(values, np.float64)
        if colour:
            self.colour = QColor(colour)
        self.update()

    def paintEvent(self, event) -> None:
        v = self.values[np.isfinite(self.values)] if len(self.values) else self.values
        if len(v) < 2:
            return
        w, h, pad = self.width(), self.height(), 3
        low, high = float(v.min()), float(v.max())
        span = high - low or 1.0
        xs = np.linspace(pad, w - pad, len(v))
        ys = h - pad - (v - low) / span * (h - 2 * pad)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.colour, 1.5))
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs, ys)]))
        painter.setBrush(self.colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(QPointF(xs[-1], ys[-1]), 2.5, 2.5)
        painter.end()
