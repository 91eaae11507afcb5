"""PlaygroundPlot: one pyqtgraph plot of a ``PlaygroundFrame``: D over the plane as a heatmap with its
0.5 contour, real points (grey), generated points (orange), G's gradient arrows and the warped latent mesh.

Every item is created once and updated with ``setData`` / ``setImage``.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF

from studio.widgets.theme import plot_colours

REAL_COLOUR = (120, 120, 120, 170)
FAKE_COLOUR = (255, 140, 26, 230)
ARROW_COLOUR = (200, 90, 0, 200)
MESH_COLOUR = (110, 70, 170, 110)
MAX_ARROWS = 160  # more make the plot a hedgehog
ARROW_LENGTH = 0.12  # the longest (95th percentile) arrow, as a share of the plane's half width

# D's output: purple where D says "fake", white at 0.5, green where D says "real" (light, so points show).
_FIELD_MAP = pg.ColorMap([0.0, 0.5, 1.0], [(196, 178, 230), (250, 250, 250), (168, 222, 178)])
_FIELD_LUT = _FIELD_MAP.getLookupTable(0.0, 1.0, 256, alpha=False)


class PlaygroundPlot(pg.GraphicsLayoutWidget):
    """Draws frames; ``frames_drawn`` counts them (the fps benchmark reads it)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = self.addPlot()
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.field = pg.ImageItem(axisOrder="row-major")
        self.field.setLookupTable(_FIELD_LUT)
        self.field.setZValue(-10)
        self.contour = pg.IsocurveItem(level=0.5, pen=pg.mkPen((60, 60, 60), width=1.5), axisOrder="row-major")
        self.contour.setParentItem(self.field)  # shares the image's pixel -> plane transform
        self.mesh = pg.PlotDataItem(pen=pg.mkPen(MESH_COLOUR, width=1), connect="finite")
        self.real = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(REAL_COLOUR))
        self.arrows = pg.PlotDataItem(pen=pg.mkPen(ARROW_COLOUR, width=1), connect="pairs")
        self.fake = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(FAKE_COLOUR))
        for item in (self.field, self.mesh, self.real, self.arrows, self.fake):
            self.plot.addItem(item)
        self.frames_drawn = 0
        self._extent = None
        self._apply_theme()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "plot"):  # not during __init__
            self._apply_theme()

    def _apply_theme(self) -> None:
        colours = plot_colours(self.palette())
        self.setBackground(colours.background)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(colours.foreground)
            axis.setTextPen(colours.foreground)

    def show_layers(self, field: bool, arrows: bool, mesh: bool) -> None:
        self.field.setVisible(field)
        self.arrows.setVisible(arrows)
        self.mesh.setVisible(mesh)

    def draw(self, frame) -> None:
        e = frame.extent
        if e != self._extent:
            self._extent = e
            self.plot.setRange(xRange=(-e, e), yRange=(-e, e), padding=0)
        self._draw_field(frame)
        self.real.setData(pos=frame.real)
        self.fake.setData(pos=frame.fake)
        self.arrows.setData(*arrow_segments(frame.fake, frame.arrows, e).T)
        self.mesh.setData(*mesh_lines(frame.mesh).T)
        self.frames_drawn += 1

    def _draw_field(self, frame) -> None:
        field, e = frame.field, frame.extent
        if frame.output == "probability":
            levels, contour = (0.0, 1.0), 0.5
        else:  # a critic is unbounded: centre white on 0 so the sign reads at a glance
            bound = float(np.abs(field).max()) or 1.0
            levels, contour = (-bound, bound), 0.0
        self.field.setImage(field, autoLevels=False, levels=levels)
        self.field.setRect(QRectF(-e, -e, 2 * e, 2 * e))
        self.contour.setLevel(contour)
        self.contour.setData(field)


def arrow_segments(points: np.ndarray, grads: np.ndarray, extent: float) -> np.ndarray:
    """[2K, 2] start/end pairs for ``connect="pairs"``, scaled so the 95th percentile is readable."""
    points, grads = points[:MAX_ARROWS], grads[:MAX_ARROWS]
    norms = np.linalg.norm(grads, axis=1)
    scale = ARROW_LENGTH * extent / (float(np.percentile(norms, 95)) + 1e-12) if len(norms) else 0.0
    ends = points + np.clip(grads * scale, -extent, extent)
    return np.stack([points, ends], 1).reshape(-1, 2).astype(np.float32)


def mesh_lines(mesh: np.ndarray) -> np.ndarray:
    """[g, g, 2] warped grid -> polyline points with NaN breaks between the 2g lines (``connect="finite"``)."""
    g = mesh.shape[0]
    lines = np.concatenate([mesh, mesh.transpose(1, 0, 2)], 0)  # [2g, g, 2]
    breaks = np.full((2 * g, 1, 2), np.nan, np.float32)
    return np.concatenate([lines, breaks], 1).reshape(-1, 2)
