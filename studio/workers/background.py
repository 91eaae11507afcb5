"""BackgroundCall: one plain function at a time on a worker thread; a newer request voids the older ones.

For loads that take a second or more and whose older requests are worthless once a newer one is made:
opening a dataset while the user clicks through the list, loading the registries (torch) after the window
is up, reading a long ``metrics.jsonl``. A one-channel :class:`~studio.workers.newest_wins.NewestWins` whose
requests also drop the running one's result, so only the newest request is ever answered (``cancel``,
``shutdown`` and ``busy`` are NewestWins').
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.newest_wins import NewestWins

CHANNEL = "call"


class BackgroundCall(NewestWins):
    """``submit(fn)`` replaces any pending or running request.

    Signals:
        finished(object): the newest request's return value (GUI thread)
        failed(object): the exception the newest request raised
        busy_changed(bool): True while a request is pending or running
    """

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(name, parent=parent)
        self.result_ready.connect(self._on_result_ready)
        self.request_failed.connect(self._on_request_failed)

    def submit(self, fn: Callable[[], Any]) -> int:
        """Queue ``fn()`` for the worker thread; returns the request's stamp."""
        return self.request(CHANNEL, fn, drop_running=True)

    @Slot(str, int, object)
    def _on_result_ready(self, _channel: str, _stamp: int, result: Any) -> None:
        self.finished.emit(result)

    @Slot(str, object)
    def _on_request_failed(self, _channel: str, exc: Exception) -> None:
        self.failed.emit(exc)
