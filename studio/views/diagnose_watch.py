"""RuleCard: one diagnosis rule as the Diagnose tab teaches it: what it means, its state on this run, and each
value it reads with its current value, its state and a sparkline of its recent history."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout

from studio.widgets.sparkline import Sparkline

STATE_COLOURS = {"healthy": "#2a9a3a", "watch": "#d9820b", "problem": "#c62828", "no data": "#888888"}


def badge(state: str) -> str:
    """Rich text: the state in its colour."""
    return f"<b style='color:{STATE_COLOURS.get(state, '#888888')}'>{html.escape(state)}</b>"


class RuleCard(QFrame):
    """``show_status(RuleStatus)`` fills it; ``rows`` maps each value's key to (label, value, state, sparkline)."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title, self.rows = title, {}
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.header = _rich(f"<b>{html.escape(title)}</b>")
        self.header.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(3, 1)
        self.grid.setHorizontalSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.header)
        layout.addLayout(self.grid)
        self.state = ""

    def show_status(self, status) -> None:
        self.state = status.state
        note = f"<br><i>{html.escape(status.note)}</i>" if status.note else ""
        self.header.setText(f"<b>{html.escape(self.title)}</b>: {badge(status.state)}<br>"
                            f"{html.escape(status.means)}{note}")
        keys = [v.key for v in status.values]
        for key in list(self.rows):
            if key not in keys:
                for widget in self.rows.pop(key):
                    widget.deleteLater()
        for value in status.values:
            self._show_value(value)

    def _show_value(self, value) -> None:
        if value.key not in self.rows:
            row = self.grid.rowCount()
            widgets = (_rich(""), _rich(""), _rich(""), Sparkline())
            for col, widget in enumerate(widgets):
                self.grid.addWidget(widget, row, col)
            self.rows[value.key] = widgets
        label, current, state, spark = self.rows[value.key]
        label.setText(html.escape(value.label))
        current.setText("–" if value.current is None else f"{value.current:.3g}")
        state.setText(f"{badge(value.state)} <span style='color:#888'>({html.escape(value.line)})</span>")
        spark.set_data(value.values, STATE_COLOURS.get(value.state))
        spark.setToolTip(f"{value.label}: {len(value.values)} points up to step "
                         f"{int(value.steps[-1]) if len(value.steps) else 0:,}")


def _rich(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)  # the texts are escaped: never guess plain text
    label.setWordWrap(True)
    return label
