"""Python's cyclic garbage collector runs on the GUI thread only.

A Qt object caught in a reference cycle is destroyed by whichever thread the collector happens to run on. When
that is a worker thread (a renderer building a model, the training loop), PySide's destructor waits for the
GUI thread while the worker holds the GIL, and the app freezes (seen here: a translate worker collecting a
leftover widget inside ``nn.Module.__init__``). So automatic collection is switched off and this timer collects
on the GUI thread with the same generation thresholds, checked 10 times a second (PyQt's classic recipe).
Reference counting still frees everything that is not in a cycle at once, on any thread.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 100


class GuiThreadCollector(QObject):
    """While alive, cyclic garbage is collected here (GUI thread) instead of on whatever thread allocates."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self, interval=CHECK_MS, timeout=self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold, as the automatic collector would."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Give collection back to Python (tests install and remove it)."""
        self._timer.stop()
        if self.was_enabled:
            gc.enable()
