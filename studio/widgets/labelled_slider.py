"""LabelledSlider: a horizontal slider over 0..1 (or any float range) that shows its value."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget


class LabelledSlider(QWidget):
    """Signals: value_changed(float)."""

    value_changed = Signal(float)

    def __init__(self, title: str, minimum: float, maximum: float, steps: int = 100, parent=None,
                 fmt: str = "{:.2f}"):
        super().__init__(parent)
        self._min, self._max, self._steps, self._fmt = minimum, maximum, steps, fmt
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=steps)
        self.title = QLabel(title)
        self.readout = QLabel()
        widest = max(("0.000", fmt.format(-abs(maximum)), fmt.format(-abs(minimum))), key=len)
        self.readout.setMinimumWidth(self.readout.fontMetrics().horizontalAdvance(widest))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.readout)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self._on_slider_value_changed(self.slider.value())

    def value(self) -> float:
        return self._min + (self._max - self._min) * self.slider.value() / self._steps

    def set_value(self, value: float, notify: bool = True) -> None:
        """Move the slider (clamped to its range); ``notify=False`` updates it without emitting value_changed."""
        self.slider.blockSignals(not notify)
        self.slider.setValue(round((value - self._min) / (self._max - self._min) * self._steps))
        self.slider.blockSignals(False)
        if not notify:
            self.readout.setText(self._fmt.format(self.value()))

    def _on_slider_value_changed(self, _: int) -> None:
        self.readout.setText(self._fmt.format(self.value()))
        self.value_changed.emit(self.value())
