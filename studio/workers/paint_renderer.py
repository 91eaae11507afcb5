"""PaintRenderer: newest-request-wins rendering for the paint view, on one worker thread.

Unlike a bare :class:`BackgroundCall`, a request made while another renders does not void the running
one: its result is still shown, then the newest pending request starts. With ``BackgroundCall`` alone
a continuous stroke (a request per mouse move, each newer than the one rendering) would show nothing
until the pointer rests. Here the picture follows the stroke as fast as the model renders,
intermediate states are skipped, and the last request is always rendered (stylegan3 ``AsyncRenderer``).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.background import BackgroundCall

LANES = ("image", "extras")  # in priority order: the picture beside the map first, then e.g. the style strip


class PaintRenderer(QObject):
    """``request(lane, fn)``: run ``fn()`` on the worker thread once it is the lane's newest request.

    One request runs at a time; each lane keeps only its newest pending request, and "image" goes
    before "extras". Results are delivered on the GUI thread.

    Signals:
        rendered(str, object): the lane and ``fn``'s return value
        failed(str, object): the lane and the exception ``fn`` raised
        busy_changed(bool): True while an "image" request is pending or running
    """

    rendered = Signal(str, object)
    failed = Signal(str, object)
    busy_changed = Signal(bool)

    def __init__(self, name: str = "renderer", parent: QObject | None = None):
        super().__init__(parent)
        self._call = BackgroundCall(name, self)
        self._call.finished.connect(self._on_call_finished)
        self._call.failed.connect(self._on_call_failed)
        self._pending: dict[str, Callable[[], Any]] = {}
        self._running: str | None = None
        self.busy = False

    def request(self, lane: str, fn: Callable[[], Any]) -> None:
        """Queue ``fn`` for ``lane``, replacing the lane's pending request."""
        if lane not in LANES:
            raise KeyError(f"no render lane {lane!r}; have {LANES}")
        self._pending[lane] = fn
        self._pump()

    def is_idle(self) -> bool:
        return self._running is None and not self._pending

    def discard(self) -> None:
        """Forget pending requests and drop the running one's result (e.g. the model changed)."""
        self._pending.clear()
        if self._running is not None:
            self._call.cancel()
            self._running = None
        self._update_busy()

    def shutdown(self) -> None:
        """Stop the thread, after the running request returns."""
        self._pending.clear()
        self._running = None
        self._call.shutdown()
        self._update_busy()

    def _pump(self) -> None:
        if self._running is None:
            for lane in LANES:
                if lane in self._pending:
                    self._running = lane
                    self._call.submit(self._pending.pop(lane))
                    break
        self._update_busy()

    @Slot(object)
    def _on_call_finished(self, result: Any) -> None:
        lane, self._running = self._running, None
        if lane is not None:
            self.rendered.emit(lane, result)
        self._pump()

    @Slot(object)
    def _on_call_failed(self, exc: Exception) -> None:
        lane, self._running = self._running, None
        if lane is not None:
            self.failed.emit(lane, exc)
        self._pump()

    def _update_busy(self) -> None:
        busy = self._running == "image" or "image" in self._pending
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
