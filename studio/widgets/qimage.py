"""NumPy uint8 pictures to QImage/QPixmap (copies, so the array may be freed or changed afterwards)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap


def to_qimage(picture: np.ndarray) -> QImage:
    """uint8 [H, W], [H, W, 1], [H, W, 3] or [H, W, 4] -> a QImage that owns its pixels."""
    a = np.ascontiguousarray(picture)
    if a.ndim == 3 and a.shape[2] == 1:
        a = np.ascontiguousarray(a[..., 0])
    h, w = a.shape[:2]
    fmt = {2: QImage.Format.Format_Grayscale8}.get(a.ndim) or \
        {3: QImage.Format.Format_RGB888, 4: QImage.Format.Format_RGBA8888}[a.shape[2]]
    return QImage(a.data, w, h, a.strides[0], fmt).copy()


def to_pixmap(picture: np.ndarray, size: int | None = None) -> QPixmap:
    """A pixmap, scaled with nearest-neighbour to fit ``size`` x ``size`` when given (crisp small images)."""
    image = to_qimage(picture)
    if size:
        image = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
    return QPixmap.fromImage(image)


def from_qimage(image: QImage) -> np.ndarray:
    """A QImage of any format -> C-contiguous uint8 [H, W, 3] RGB (alpha composited on white)."""
    if image.hasAlphaChannel():
        flat = QImage(image.size(), QImage.Format.Format_RGB888)
        flat.fill(Qt.GlobalColor.white)
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h).reshape(h, image.bytesPerLine())
    return np.ascontiguousarray(rows[:, :w * 3].reshape(h, w, 3))
