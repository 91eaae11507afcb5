"""BackgroundCall: run plain functions on one worker thread, newest request wins.

For work that takes a second or more and whose older requests are worthless once a newer one is
made: opening a dataset while the user clicks through the list, loading the registries (torch) after
the window is up, reading a long ``metrics.jsonl``. Superseded requests are skipped before they start
and their results are dropped if they were already running (stylegan3 ``AsyncRenderer``).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.threads import WorkerThread


class _CallWorker(QObject):
    """Lives on the worker thread. Signals: done(int, object), errored(int, object)."""

    done = Signal(int, object)
    errored = Signal(int, object)

    def __init__(self, latest: Callable[[], int]):
        super().__init__()
        self._latest = latest

    @Slot(int, object)
    def run(self, request_id: int, fn: Callable[[], Any]) -> None:
        if request_id != self._latest():
            return  # a newer request is queued behind this one
        try:
            result = fn()
        except Exception as exc:  # handed to the GUI thread, which decides how to show it
            self.errored.emit(request_id, exc)
            return
        self.done.emit(request_id, result)


class BackgroundCall(WorkerThread):
    """One worker thread; ``submit(fn)`` replaces any pending request.

    Signals:
        finished(object): the newest request's return value (GUI thread)
        failed(object): the exception the newest request raised
        busy_changed(bool): True while a request is pending or running
    """

    finished = Signal(object)
    failed = Signal(object)
    busy_changed = Signal(bool)
    _requested = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(name, parent)
        self._latest_id = 0
        self.busy = False

    def submit(self, fn: Callable[[], Any]) -> int:
        """Queue ``fn()`` for the worker thread; returns the request id."""
        self._ensure_thread()
        self._latest_id += 1
        self._set_busy(True)
        self._requested.emit(self._latest_id, fn)
        return self._latest_id

    def cancel(self) -> None:
        """Forget pending requests: whatever is running finishes, its result is dropped."""
        self._latest_id += 1
        self._set_busy(False)

    def _make_worker(self) -> _CallWorker:
        worker = _CallWorker(lambda: self._latest_id)
        self._requested.connect(worker.run)
        worker.done.connect(self._on_done)
        worker.errored.connect(self._on_errored)
        return worker

    @Slot(int, object)
    def _on_done(self, request_id: int, result: Any) -> None:
        if request_id == self._latest_id:
            self._set_busy(False)
            self.finished.emit(result)

    @Slot(int, object)
    def _on_errored(self, request_id: int, exc: Exception) -> None:
        if request_id == self._latest_id:
            self._set_busy(False)
            self.failed.emit(exc)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
