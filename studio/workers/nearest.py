"""NearestPictureFinder: the training picture nearest a gallery sample, looked up off the GUI thread.

The run's training data is loaded once on the worker (``gan_backend.data.load_data`` of the run's config) and
kept for the next look-ups of the same data; a look-up is then one brute-force pass in pixels
(:class:`gan_backend.metrics.memorisation.TrainingPictures`). Newest request wins, so scrubbing the timeline
only answers the sample shown last.
"""
from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gan_backend.errors import first_line
from studio.workers.background import BackgroundCall


class NearestPictureFinder(QObject):
    """``find(cfg, image)``: the nearest training picture of ``image`` among the pictures of run config ``cfg``.

    Signals:
        found(object): a :class:`~gan_backend.metrics.memorisation.Neighbour`
        failed(str): why there is none, in one line (the data moved, is not pictures, has another size)
    """

    found = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.call = BackgroundCall("nearest-picture", self)
        self.call.finished.connect(self.found)
        self.call.failed.connect(self._on_call_failed)
        self._pictures: dict[str, object] = {}  # data section as JSON -> TrainingPictures; the worker's only

    def find(self, cfg: dict, image: np.ndarray) -> None:
        """Look up ``image`` uint8 [H, W, 3]; ``cfg``: the run's config as a dict (config.json)."""
        key = json.dumps(cfg.get("data", {}), sort_keys=True, default=str)
        image = image.copy()  # the worker reads it later
        self.call.submit(lambda: self._nearest(key, cfg, image))

    def _nearest(self, key: str, cfg: dict, image: np.ndarray):
        """Runs on the worker thread, which alone touches ``_pictures``."""
        from gan_backend.config import Config
        from gan_backend.metrics.memorisation import TrainingPictures

        pictures = self._pictures.get(key)
        if pictures is None:
            self._pictures.clear()  # one run's pictures at a time
            pictures = self._pictures[key] = TrainingPictures.of_config(Config.from_dict(cfg, "the run's config"))
        return pictures.nearest(image)

    def cancel(self) -> None:
        """Drop pending and running look-ups (another run was opened)."""
        self.call.cancel()

    def shutdown(self) -> None:
        self.call.shutdown()

    @Slot(object)
    def _on_call_failed(self, exc: Exception) -> None:
        self.failed.emit(first_line(exc))
