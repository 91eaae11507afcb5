"""ThumbnailModel: a list model over a uint8 image array that makes thumbnails only when asked.

A ``QListView`` with uniform item sizes asks only for the visible rows, so 60,000 images cost one
array reference plus a bounded pixmap cache, never a widget or a pixmap per image.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import QListView

from studio.widgets.qimage import to_pixmap


class ThumbnailModel(QAbstractListModel):
    """Rows are images of ``x`` (uint8 [N, H, W, C]); DecorationRole gives a pixmap of ``thumb_size``."""

    def __init__(self, thumb_size: int = 56, cache_size: int = 3000, parent=None):
        super().__init__(parent)
        self.thumb_size, self.cache_size = thumb_size, cache_size
        self._x: np.ndarray | None = None
        self._labels: np.ndarray | None = None
        self._class_names: list[str] = []
        self._cache: OrderedDict[int, object] = OrderedDict()

    def set_images(self, x: np.ndarray | None, labels: np.ndarray | None = None, class_names=()) -> None:
        self.beginResetModel()
        self._x, self._labels, self._class_names = x, labels, list(class_names)
        self._cache.clear()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() or self._x is None else len(self._x)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._x is None:
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"#{row}" + (f"  class {self._label(row)}" if self._labels is not None else "")
        return None

    def _label(self, row: int) -> str:
        y = int(self._labels[row])
        return self._class_names[y] if 0 <= y < len(self._class_names) else str(y)

    def _thumbnail(self, row: int):
        pix = self._cache.get(row)
        if pix is None:
            pix = self._cache[row] = to_pixmap(self._x[row], self.thumb_size)
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(row)
        return pix


class ThumbnailGrid(QListView):
    """A wrapping, uniform grid of thumbnails: the layout is arithmetic, so huge models stay smooth."""

    def __init__(self, model: ThumbnailModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        size = model.thumb_size
        self.setViewMode(QListView.ViewMode.ListMode)  # IconMode keeps a position per item; ListMode does not
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(size, size))
        self.setGridSize(QSize(size + 6, size + 6))
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(size // 2)
