"""ScientificSpinBox: a float spin box that shows 0.0002 as 2e-4 and steps by factors of two."""
from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox


class ScientificSpinBox(QDoubleSpinBox):
    """For learning rates and other values spanning decades; arrow keys halve or double."""

    def __init__(self, minimum: float = 1e-8, maximum: float = 10.0, parent=None):
        super().__init__(parent)
        self.setDecimals(12)  # the text is formatted by textFromValue, this only sets the precision kept
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            # Partial input such as "1e" or "2e-" while typing.
            ok = stripped == "" or stripped[-1] in "eE+-." or stripped.lower().endswith("e-")
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        inside = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * 2.0 ** steps)
