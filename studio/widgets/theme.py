"""Light/dark palettes and the colours plots take from them.

The app follows the system colour scheme (Qt's style hints) unless the user picks Light or Dark in the
View menu. Plots read the current palette, so they stay readable whichever scheme is active.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

# Curve colours with enough contrast on white and on near-black (Okabe-Ito / Tableau based).
_LIGHT_CURVES = ["#1f6fb4", "#d9620b", "#2a9a3a", "#c62828", "#7b4fb3", "#8c564b"]
_DARK_CURVES = ["#6cb4ff", "#ffa94d", "#69db7c", "#ff6b6b", "#c9a2ff", "#e0a899"]


@dataclass(frozen=True)
class PlotColours:
    background: QColor
    foreground: QColor  # axes, ticks, titles
    grid_alpha: float
    curves: list[str]
    guide: QColor  # reference lines (0.5 equilibrium, change markers)
    dark: bool


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def plot_colours(palette: QPalette) -> PlotColours:
    dark = is_dark(palette)
    guide = QColor("#aaaaaa") if dark else QColor("#666666")
    return PlotColours(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text),
                       0.25 if dark else 0.15, _DARK_CURVES if dark else _LIGHT_CURVES, guide, dark)


def dark_palette() -> QPalette:
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2e", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e20", QPalette.ColorRole.AlternateBase: "#2b2b2e",
        QPalette.ColorRole.ToolTipBase: "#3a3a3e", QPalette.ColorRole.ToolTipText: "#f0f0f0",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35353a",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d7fd6", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6cb4ff", QPalette.ColorRole.PlaceholderText: "#8a8a8a",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p


def apply_theme(theme: str) -> None:
    """Set the application palette for "system", "light" or "dark"."""
    app = QApplication.instance()
    style = app.style()
    if theme == "dark" or theme == "system" and _system_prefers_dark():
        app.setPalette(dark_palette())
    else:
        app.setPalette(style.standardPalette())


def _system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hasattr(hints, "colorScheme") and hints.colorScheme() == Qt.ColorScheme.Dark
