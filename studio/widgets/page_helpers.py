"""Helpers shared by the pages that show a model's picture (Paint's label, Sketch and Colourise modes), and
by any widget that wires many signals of one sender.

:func:`connect_signals` wires ``sender.<name>`` to each slot given by keyword. :func:`report_model_failure` is
the "a model could not be loaded" handling of pages with a run picker; :func:`show_status` their passing
status bar message. :class:`ShortcutPanel` is the base of the tool panels (their shortcuts, and the size
slider that follows a spin box).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QMessageBox, QSlider, QSpinBox, QWidget

from gan_backend.errors import first_line

STATUS_MS = 10_000  # how long a passing status bar message shows


def connect_signals(sender, **slots) -> None:
    """Connect ``sender.<name>`` to each ``name=slot`` (in the order given)."""
    for name, slot in slots.items():
        getattr(sender, name).connect(slot)


def warn_unusable(parent: QWidget, source: str, message: str) -> None:
    """The message box for a model that cannot be used (``message`` names ``source`` unless it does already)."""
    QMessageBox.warning(parent, "Cannot use this model", message if source in message else f"{source}:\n{message}")


def report_model_failure(page, exc: Exception, placeholder: str | None = None) -> str:
    """A failed load: the picker goes back, the hint says why (a message box too if ``page._asked``).

    With no model yet, the reason is kept in ``page.model_error`` (and ``placeholder`` shown in ``page.output``).
    Returns the source that failed.
    """
    source, page.loading = page.loading, ""
    message = first_line(exc)
    page.picker.revert()
    if page.model is None:
        page.model_error = message
        if placeholder is not None:
            page.output.set_placeholder(placeholder)
    page._update_hint()
    if page._asked:
        warn_unusable(page, source, message)
    return source


def show_status(page, text: str) -> None:
    """``text`` in ``page.window_ref``'s status bar for a while (and kept in ``page.last_status``)."""
    page.last_status = text
    if page.window_ref is not None and hasattr(page.window_ref, "statusBar"):
        page.window_ref.statusBar().showMessage(text, STATUS_MS)


class ShortcutPanel(QWidget):
    """A tool panel whose shortcuts (in ``actions``) the page adds, so they work only inside that page."""

    def __init__(self, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.actions: list[QAction] = []

    def _shortcut(self, key: str, slot) -> None:
        action = QAction(self, shortcut=QKeySequence(key),
                         shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only inside the page
        action.triggered.connect(slot)
        self.actions.append(action)

    def _size_row(self, form: QFormLayout, label: str, maximum: int, tip: str, on_changed) -> tuple[QSlider, QSpinBox]:
        """A size slider and spin box (1 to ``maximum`` px) in a row of ``form``; the spin box calls ``on_changed``."""
        slider = QSlider(Qt.Orientation.Horizontal, minimum=1, maximum=maximum)
        spin = QSpinBox(minimum=1, maximum=maximum, suffix=" px", toolTip=tip)
        slider.valueChanged.connect(spin.setValue)
        spin.valueChanged.connect(on_changed)
        row = QHBoxLayout()
        row.addWidget(slider, 1)
        row.addWidget(spin)
        form.addRow(label, row)
        return slider, spin

    def _set_size(self, slider, value: int) -> None:
        """The brush or pen size is ``value`` (from the spin box); ``slider`` follows it quietly."""
        self.settings.size = value
        slider.blockSignals(True)
        slider.setValue(value)
        slider.blockSignals(False)
        self.settings_changed.emit()
