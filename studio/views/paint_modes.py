"""PaintModes: the Paint tab's modes as a row of buttons over a stack of pages, one page per mode.

The label painter's page is built with the view; the Sketch and Colourise pages on first use, so their
threads and models cost nothing until then. The mode in use is remembered (QSettings ``paint/mode``), so the
next start opens in it and its drawing comes back.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QToolButton,
                               QVBoxLayout, QWidget)

# (name, button text, what it does)
MODES = (
    ("labels", "Labels \u2192 picture", "Paint a map of classes (sky, water, trees...); a SPADE model paints the "
                                        "picture as you paint"),
    ("sketch", "Sketch \u2192 picture", "Draw outlines with a pen; a pix2pix trained on edges:FOLDER turns them "
                                        "into a picture as you draw"),
    ("colourise", "Colourise", "Open a BW photo; a pix2pix trained on gray:FOLDER colours it"),
)
SETTINGS_KEY = "paint/mode"


class PaintModes(QWidget):
    """The mode buttons and the pages; ``make_page(name)`` builds a page the first time its mode is chosen.

    Signals:
        mode_changed(str): the mode shown now ("labels", "sketch" or "colourise")
    """

    mode_changed = Signal(str)

    def __init__(self, labels_page: QWidget, make_page: Callable[[str], QWidget], parent=None):
        super().__init__(parent)
        self._make_page = make_page
        self.pages: dict[str, QWidget] = {"labels": labels_page}
        self.mode = "labels"
        self.stack = QStackedWidget()
        self.stack.addWidget(labels_page)
        self.buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self, exclusive=True)
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(QLabel("Mode "))
        for name, text, tip in MODES:
            button = QToolButton(text=text, checkable=True, toolTip=tip, autoRaise=False)
            button.clicked.connect(lambda _=False, n=name: self.set_mode(n))
            group.addButton(button)
            self.buttons[name] = button
            row.addWidget(button)
        self.about = QLabel(enabled=False)  # what the mode does, in grey beside the buttons (clipped when narrow)
        self.about.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addSpacing(8)
        row.addWidget(self.about, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.stack, 1)
        self._show("labels")

    def set_mode(self, name: str) -> QWidget:
        """Show ``name``'s page (building it on first use) and remember the choice; returns the page."""
        if name not in self.buttons:
            name = "labels"  # an unknown remembered mode, e.g. from another version
        page = self.page(name)
        if name != self.mode:
            self._show(name)
            QSettings().setValue(SETTINGS_KEY, name)
            self.mode_changed.emit(name)
        return page

    def page(self, name: str) -> QWidget:
        """The mode's page, built now if it was not yet."""
        if name not in self.pages:
            self.pages[name] = self._make_page(name)
            self.stack.addWidget(self.pages[name])
        return self.pages[name]

    def restore(self) -> None:
        """Open the mode used last."""
        self.set_mode(str(QSettings().value(SETTINGS_KEY, "labels")))

    def built(self) -> list[QWidget]:
        """The pages built so far beyond the label painter's."""
        return [page for name, page in self.pages.items() if name != "labels"]

    def _show(self, name: str) -> None:
        self.mode = name
        self.buttons[name].setChecked(True)
        self.about.setText(next(tip for n, _, tip in MODES if n == name))
        self.stack.setCurrentWidget(self.pages[name])
