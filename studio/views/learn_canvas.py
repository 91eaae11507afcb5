"""LessonCanvas: draws a lesson's ``LessonFrame`` with pyqtgraph, one plot or picture per panel in a grid.

Items are made on the first frame of a layout (the panel keys and kinds) and reused: later frames only call
``setData`` / ``setImage``, so a redraw costs little whatever the lesson. Clicks on a clickable picture are
mapped to its pixel and emitted.
"""
from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor

from studio.widgets.theme import plot_colours

# A heatmap's colours (D's output, as in the Playground): purple for "fake", white in the middle, green "real".
_FIELD_LUT = pg.ColorMap([0.0, 0.5, 1.0], [(196, 178, 230), (250, 250, 250), (168, 222, 178)]).getLookupTable(
    0.0, 1.0, 256, alpha=False)
DRAWS_KEPT = 2000  # redraw times kept for the latency figure


class LessonCanvas(pg.GraphicsLayoutWidget):
    """Signals:
        clicked(str, int, int): a clickable picture's key and the pixel (row, col) clicked
        painted(): a drawn frame reached the screen

    ``draw_ms`` holds the time of each redraw, newest last: the ``setData`` calls of a frame plus the paint
    that shows it (a frame that changes the layout, the first of a lesson, is not counted: it builds items).
    """

    clicked = Signal(str, int, int)
    painted = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.panels: dict[str, _Panel] = {}
        self._layout_key = None
        self.draw_ms: list[float] = []
        self.frames_drawn = 0
        self._unpainted_ms: float | None = None  # setData time of a frame not painted yet
        self._unpainted = False  # a drawn frame waits for its paint
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self._apply_theme()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "panels"):
            self._apply_theme()

    def _apply_theme(self) -> None:
        colours = plot_colours(self.palette())
        self.setBackground(colours.background)
        for panel in self.panels.values():
            panel.theme(colours)

    def draw(self, frame) -> None:
        start = time.perf_counter()
        key = tuple((k, type(p).__name__) for k, p in frame.panels.items()) + (frame.columns,)
        rebuilt = key != self._layout_key
        if rebuilt:
            self._rebuild(frame)
            self._layout_key = key
        for name, panel in frame.panels.items():
            self.panels[name].update(panel)
        self._unpainted_ms = None if rebuilt else 1000 * (time.perf_counter() - start)
        self._unpainted = True
        self.frames_drawn += 1
        self.viewport().update()  # a paint follows even when no item changed (a paused lesson's frame)

    def paintEvent(self, event) -> None:
        start = time.perf_counter()
        super().paintEvent(event)
        if self._unpainted_ms is not None:  # the paint that shows a drawn frame: the rest of its redraw
            self.draw_ms.append(self._unpainted_ms + 1000 * (time.perf_counter() - start))
            del self.draw_ms[:-DRAWS_KEPT]
            self._unpainted_ms = None
        if self._unpainted:
            self._unpainted = False
            self.painted.emit()

    def _rebuild(self, frame) -> None:
        self.clear()
        self.panels = {}
        names = iter(frame.panels)
        colours = plot_colours(self.palette())
        for r, count in enumerate(row_counts(len(frame.panels), frame.columns)):
            row = self.addLayout(row=r, col=0)  # a layout per row: its panels share its width evenly
            for c in range(count):
                name = next(names)
                item = row.addPlot(row=0, col=c)
                row.layout.setColumnStretchFactor(c, 1)
                kind = _PicturePanel if type(frame.panels[name]).__name__ == "Picture" else _PlotPanel
                self.panels[name] = kind(name, item)
                self.panels[name].theme(colours)

    def _on_scene_clicked(self, event) -> None:
        for name, panel in self.panels.items():
            hit = panel.pixel_at(event.scenePos()) if isinstance(panel, _PicturePanel) else None
            if hit is not None:
                self.clicked.emit(name, *hit)
                return


def row_counts(n: int, columns) -> list[int]:
    """Panels in each row for ``n`` panels: ``columns`` per row (the last row may be shorter), or the given
    count of each row (panels beyond them get a row each); each row spans the whole width."""
    if isinstance(columns, int):
        per = max(1, columns)
        return [per] * (n // per) + ([n % per] if n % per else [])
    counts, left = [], n
    for count in columns:
        if left <= 0:
            break
        counts.append(min(count, left))
        left -= counts[-1]
    return counts + [1] * left


class _Panel:
    def __init__(self, name: str, item: pg.PlotItem):
        self.name, self.item = name, item
        self._title = None
        item.setMenuEnabled(False)
        item.hideButtons()

    def set_title(self, title: str) -> None:
        if title != self._title:  # a new title re-lays out the grid: only when it changed
            self._title = title
            self.item.setTitle(title, size="9pt")

    def theme(self, colours) -> None:
        for side in ("left", "bottom"):
            axis = self.item.getAxis(side)
            axis.setPen(colours.foreground)
            axis.setTextPen(colours.foreground)
            axis.enableAutoSIPrefix(False)  # "sharpness (x0.001)" reads worse than 0.12
        self.item.titleLabel.setAttr("color", colours.foreground.name())
        self._title = None


class _PlotPanel(_Panel):
    """Lines, points, segments and bars of a ``Plot``, with its legend and an optional heatmap."""

    def __init__(self, name, item):
        super().__init__(name, item)
        self.series: dict[str, pg.GraphicsObject] = {}
        self.heatmap: pg.ImageItem | None = None
        self.legend = item.addLegend(offset=(6, 4), labelTextSize="8pt", verSpacing=-6)
        # No grid: pyqtgraph's grid lines cost ~10 ms a paint per plot, more than the rest of the plot.
        self._ranges = None

    def theme(self, colours) -> None:
        super().theme(colours)
        back = QColor(colours.background)
        back.setAlpha(200)
        self.legend.setBrush(back)
        self.legend.setLabelTextColor(colours.foreground)

    def update(self, plot) -> None:
        self.set_title(plot.title)
        if plot.heatmap is not None:
            self._draw_heatmap(plot.heatmap)
        for key, s in plot.series.items():
            if key not in self.series:
                self.series[key] = self._make(s)
            self._set(self.series[key], s)
        self._apply_ranges(plot)

    def _make(self, s):
        colour = QColor(s.colour)
        if s.style == "bars":
            item = pg.BarGraphItem(x=[0], height=[0], width=1.0, brush=colour, pen=None, name=s.label or None)
        elif s.style == "points":
            item = pg.PlotDataItem(pen=None, symbol="o", symbolSize=s.width, symbolPen=None, symbolBrush=colour,
                                   name=s.label or None)
        else:
            pen = pg.mkPen(colour, width=s.width, style=Qt.PenStyle.DashLine if s.style == "dashed" else
                           Qt.PenStyle.SolidLine)
            item = pg.PlotDataItem(pen=pen, connect="pairs" if s.style == "segments" else "all", name=s.label or None)
            item.setClipToView(True)
        self.item.addItem(item)
        return item

    @staticmethod
    def _set(item, s) -> None:
        if s.style == "bars":
            width = float(np.min(np.diff(s.x))) if len(s.x) > 1 else 1.0
            item.setOpts(x=s.x, height=s.y, width=width)
        else:
            item.setData(s.x, s.y)

    def _draw_heatmap(self, heat) -> None:
        if self.heatmap is None:
            self.heatmap = pg.ImageItem(axisOrder="row-major")
            self.heatmap.setLookupTable(_FIELD_LUT)
            self.heatmap.setZValue(-10)
            self.item.addItem(self.heatmap)
        self.heatmap.setImage(heat.values, autoLevels=False, levels=heat.levels)
        self.heatmap.setRect(QRectF(*heat.rect))

    def _apply_ranges(self, plot) -> None:
        ranges = (plot.x_range, plot.y_range, plot.log_y, plot.square, plot.x_label, plot.y_label)
        if ranges == self._ranges:
            return
        self._ranges = ranges
        item = self.item
        item.setLogMode(y=plot.log_y)
        item.setAspectLocked(plot.square)
        item.setLabel("bottom", plot.x_label)
        item.setLabel("left", plot.y_label)
        if plot.x_range is not None:
            item.setXRange(*plot.x_range, padding=0)
        else:
            item.enableAutoRange(axis="x")
        if plot.y_range is not None:
            item.setYRange(*plot.y_range, padding=0)
        else:
            item.enableAutoRange(axis="y")


class _PicturePanel(_Panel):
    """A ``Picture``: a uint8 image, row 0 at the top, with an optional ring marker; clicks map to pixels."""

    def __init__(self, name, item):
        super().__init__(name, item)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.marker = pg.ScatterPlotItem(size=14, pen=pg.mkPen("#d62828", width=2), brush=None, symbol="o")
        item.addItem(self.image)
        item.addItem(self.marker)
        item.invertY(True)
        item.setAspectLocked(True)
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.setMouseEnabled(x=False, y=False)
        self.clickable, self._shape = False, None

    def update(self, picture) -> None:
        self.set_title(picture.title)
        self.clickable = picture.clickable
        image = np.ascontiguousarray(picture.image)
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        if image.shape[:2] != self._shape:
            self._shape = image.shape[:2]
            self.item.setRange(xRange=(0, image.shape[1]), yRange=(0, image.shape[0]), padding=0.02)
        if picture.marker is None:
            self.marker.setData([], [])
        else:
            self.marker.setData([picture.marker[1] + 0.5], [picture.marker[0] + 0.5])

    def pixel_at(self, scene_pos) -> tuple[int, int] | None:
        if not self.clickable or self._shape is None:
            return None
        point = self.image.mapFromScene(scene_pos)
        row, col = int(point.y()), int(point.x())
        if 0 <= row < self._shape[0] and 0 <= col < self._shape[1]:
            return row, col
        return None
