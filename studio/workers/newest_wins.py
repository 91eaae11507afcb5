"""NewestWins: run plain functions on one worker thread, where only the newest request of a channel matters.

For work whose older requests are worthless once a newer one is made: the picture of a painted map, a latent
slider's image, a dataset the user clicked past (stylegan3 ``visualizer.py`` AsyncRenderer; napari
``components/_layer_slicer.py``). Each request names a channel ("image", "strip", ...) and gets a stamp:

* each channel keeps only its newest pending request; an older pending one is never run;
* a request made while another runs does not void the running one: its result is still delivered, being newer
  than what is shown, and then the channel's newest pending request starts. So during a stroke or a slider drag
  the picture follows as fast as the model draws, instead of freezing until the pointer rests, and the last
  request is always run;
* when several channels wait, those in ``priority`` go first in that order, then the others oldest first;
* ``cancel`` forgets pending requests and drops the running one's result (the model changed);
  ``request(..., drop_running=True)`` drops it for one channel, for loads whose older answers are worthless.

The worker takes the next request itself from a locked table, so it never waits on the GUI thread between
requests, and a burst of requests costs the GUI thread one dictionary write each.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.threads import WorkerThread

Job = Callable[[], Any]


class _Pending:
    """The newest waiting request of each channel, put by the GUI thread and taken by the worker, under a lock."""

    def __init__(self, priority: tuple[str, ...]):
        self._rank = {channel: i for i, channel in enumerate(priority)}
        self._lock = threading.Lock()
        self._jobs: dict[str, tuple[int, Job]] = {}  # channel -> (stamp, fn)
        self.executed: Counter = Counter()  # channel -> requests taken to run (tests, benchmarks)

    def put(self, channel: str, stamp: int, fn: Job) -> None:
        with self._lock:
            self._jobs[channel] = (stamp, fn)

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()

    def take(self) -> tuple[str, int, Job] | None:
        """The next request to run (priority channels first, then the oldest), or None when none waits."""
        with self._lock:
            if not self._jobs:
                return None
            channel = min(self._jobs, key=lambda c: (self._rank.get(c, len(self._rank)), self._jobs[c][0]))
            stamp, fn = self._jobs.pop(channel)
            self.executed[channel] += 1
        return channel, stamp, fn


class _Worker(QObject):
    """Lives on the worker thread. Signals: answered(str, int, bool, object): channel, stamp, ok, result or error."""

    answered = Signal(str, int, bool, object)

    def __init__(self, pending: _Pending):
        super().__init__()
        self._pending = pending

    @Slot()
    def drain(self) -> None:
        """Run requests until none waits; a wake-up that finds none (the loop took it already) returns at once."""
        while (job := self._pending.take()) is not None:
            channel, stamp, fn = job
            try:
                result = fn()
            except Exception as exc:  # handed to the GUI thread, which decides how to show it
                self.answered.emit(channel, stamp, False, exc)
            else:
                self.answered.emit(channel, stamp, True, result)


class NewestWins(WorkerThread):
    """One worker thread; ``request(channel, fn)`` runs ``fn()`` there if it is still the channel's newest request.

    Results are delivered on the GUI thread, each newer than any delivered before on its channel.

    Signals:
        result_ready(str, int, object): the channel, the request's stamp and ``fn``'s return value
        request_failed(str, object): the channel and the exception ``fn`` raised
        busy_changed(bool): True while a request of ``busy_channels`` (all when empty) is pending or running
    """

    result_ready = Signal(str, int, object)
    request_failed = Signal(str, object)
    busy_changed = Signal(bool)
    _woken = Signal()

    def __init__(self, name: str, priority: tuple[str, ...] = (), busy_channels: tuple[str, ...] = (),
                 parent: QObject | None = None):
        super().__init__(name, parent)
        self._pending = _Pending(tuple(priority))
        self._busy_channels = tuple(busy_channels)
        self._stamp = 0
        self._latest: dict[str, int] = {}  # channel -> stamp of its newest request
        self._answered: dict[str, int] = {}  # channel -> stamp of its newest delivered answer, or of a cancel
        self.busy = False

    def request(self, channel: str, fn: Job, *, drop_running: bool = False) -> int:
        """Queue ``fn`` for ``channel``, replacing the channel's pending request; returns the request's stamp.

        ``drop_running``: the channel's running request is not delivered either. ``fn`` runs on the worker
        thread, so arrays it reads must not change afterwards.
        """
        self._ensure_thread()
        if drop_running:
            self._answered[channel] = self._stamp
        self._stamp += 1
        self._latest[channel] = self._stamp
        self._pending.put(channel, self._stamp, fn)
        self._woken.emit()
        self._update_busy()
        return self._stamp

    def latest(self, channel: str) -> int:
        """The stamp of the channel's newest request (0: none yet)."""
        return self._latest.get(channel, 0)

    def pending(self, channel: str) -> bool:
        """True while the channel's newest request has not been answered."""
        return self._latest.get(channel, 0) > self._answered.get(channel, 0)

    def is_idle(self) -> bool:
        return not any(self.pending(channel) for channel in self._latest)

    def executed(self, channel: str) -> int:
        """How many requests of the channel the worker actually ran (superseded ones excluded)."""
        return self._pending.executed[channel]

    def cancel(self) -> None:
        """Forget pending requests; whatever is running finishes and is never delivered."""
        self._pending.clear()
        for channel in self._latest:
            self._answered[channel] = self._stamp
        self._update_busy()

    def _make_worker(self) -> _Worker:
        worker = _Worker(self._pending)
        self._woken.connect(worker.drain)
        worker.answered.connect(self._on_answered)
        return worker

    @Slot(str, int, bool, object)
    def _on_answered(self, channel: str, stamp: int, ok: bool, value: Any) -> None:
        if stamp <= self._answered.get(channel, 0):
            return  # older than what was delivered, or asked before a cancel
        self._answered[channel] = stamp
        if ok:
            self.result_ready.emit(channel, stamp, value)
        else:
            self.request_failed.emit(channel, value)
        self._update_busy()

    def _update_busy(self) -> None:
        busy = any(self.pending(channel) for channel in self._busy_channels or self._latest)
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
