"""Layouts of labelled controls: a grid of "label, widget" pairs and a row around one stretching widget."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget


def labelled_grid(rows: list[list[tuple[str, QWidget]]], stretch: tuple[int, ...] = ()) -> QGridLayout:
    """One grid row per list, each ``(text, widget)`` a label then its widget; the ``stretch`` columns
    (counting labels: a row's second widget is column 3) take the spare width."""
    grid = QGridLayout()
    for r, row in enumerate(rows):
        for i, (text, widget) in enumerate(row):
            grid.addWidget(QLabel(text), r, 2 * i)
            grid.addWidget(widget, r, 2 * i + 1)
    for column in stretch:
        grid.setColumnStretch(column, 1)
    return grid


def labelled_row(text: str, widget: QWidget, *after: QWidget) -> QHBoxLayout:
    """``text``, then ``widget`` taking the spare width, then ``after`` (e.g. a readout of its value)."""
    row = QHBoxLayout()
    row.addWidget(QLabel(text))
    row.addWidget(widget, 1)
    for w in after:
        row.addWidget(w)
    return row
