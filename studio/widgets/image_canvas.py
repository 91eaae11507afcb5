"""ImageCanvas: a zoomable, pannable uint8 picture (pyqtgraph ViewBox + ImageItem) that reports clicks."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal

from studio.widgets.theme import plot_colours


class ImageCanvas(pg.GraphicsLayoutWidget):
    """Shows one C-contiguous uint8 [H, W, 3] picture with square pixels.

    Wheel zooms, drag pans. Signals: clicked(float, float): image pixel (x, y) under a left click.
    """

    clicked = Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self._shape: tuple[int, ...] | None = None
        self.placeholder = pg.TextItem("", anchor=(0.5, 0.5))
        self.view.addItem(self.placeholder, ignoreBounds=True)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self._apply_palette()

    def set_placeholder(self, text: str) -> None:
        """What an empty canvas says (shown until the first picture)."""
        self.placeholder.setText(text)
        self.placeholder.setVisible(self._shape is None)
        if self._shape is None:
            self.view.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.placeholder.setPos(0.5, 0.5)

    def set_image(self, picture: np.ndarray | None) -> None:
        if picture is None:
            self.image.clear()
            self._shape = None
            self.set_placeholder(self.placeholder.toPlainText())
            return
        self.placeholder.setVisible(False)
        self.image.setImage(np.ascontiguousarray(picture), autoLevels=False, levels=(0, 255))
        if picture.shape != self._shape:  # a new size: fit it; same size: keep the user's zoom
            self._shape = picture.shape
            self.fit()

    def fit(self) -> None:
        self.view.autoRange(padding=0.02)

    def zoom(self, factor: float) -> None:
        """factor > 1 zooms in around the centre of the view."""
        self.view.scaleBy((1.0 / factor, 1.0 / factor))

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._shape is None:
            return
        p = self.image.mapFromScene(event.scenePos())
        if 0 <= p.x() < self._shape[1] and 0 <= p.y() < self._shape[0]:
            self.clicked.emit(p.x(), p.y())

    def changeEvent(self, event) -> None:
        built = hasattr(self, "placeholder")  # pyqtgraph's constructor already sends change events
        if built and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        colours = plot_colours(self.palette())
        self.setBackground(colours.background)
        self.placeholder.setColor(colours.foreground)
