"""LabelledSlider: a horizontal slider over 0..1 (or any float range) that shows its value."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget


class LabelledSlider(QWidget):
    """Signals: value_changed(float)."""

    value_changed = Signal(float)

    def __init__(self, title: str, minimum: float, maximum: float, steps: int = 100, parent=None):
        super().__init__(parent)
        self._min, self._max, self._steps = minimum, maximum, steps
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=steps)
        self.title = QLabel(title)
        self.readout = QLabel()
        self.readout.setMinimumWidth(self.readout.fontMetrics().horizontalAdvance("0.000"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.readout)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self._on_slider_value_changed(self.slider.value())

    def value(self) -> float:
        return self._min + (self._max - self._min) * self.slider.value() / self._steps

    def set_value(self, value: float) -> None:
        self.slider.setValue(round((value - self._min) / (self._max - self._min) * self._steps))

    def _on_slider_value_changed(self, _: int) -> None:
        self.readout.setText(f"{self.value():.2f}")
        self.value_changed.emit(self.value())
