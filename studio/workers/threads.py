"""WorkerThread: the owner of one worker ``QObject`` on its own named ``QThread``, started on first use.

The newest-wins runners (:class:`~studio.workers.background.BackgroundCall`, the latent renderer) and the
translate batch share it: a subclass builds its worker and wires its signals in ``_make_worker``, and says
in ``cancel`` how pending work is dropped; ``shutdown`` cancels, then stops and joins the thread.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QThread


class WorkerThread(QObject):
    """Base of the runners that own one worker thread (see the module docstring)."""

    def __init__(self, thread_name: str, parent: QObject | None = None):
        super().__init__(parent)
        self._thread_name = thread_name  # shown by the test fixture that fails on threads left running
        self._thread: QThread | None = None
        self._worker: QObject | None = None

    def cancel(self) -> None:
        """Drop pending work (subclasses); whatever is running finishes."""

    def shutdown(self) -> None:
        """Cancel, then stop the thread, waiting for a running request to return."""
        self.cancel()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
        self._thread = self._worker = None

    def _make_worker(self) -> QObject:
        """A new worker with its signals connected to this owner (called on the GUI thread)."""
        raise NotImplementedError

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        self._worker = self._make_worker()
        self._thread = QThread()
        self._thread.setObjectName(self._thread_name)
        self._worker.moveToThread(self._thread)
        self._thread.start()
