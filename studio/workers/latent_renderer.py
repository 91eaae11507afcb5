"""LatentRenderer: one worker thread that owns the explorer's generator; newest request wins per channel.

Each request names a channel ("image", "strip", "grid", ...) and gets a stamp. A request that is no longer the
newest of its channel when the worker reaches it is skipped without running (stylegan3 ``visualizer.py``
AsyncRenderer). A finished result is shown when it is newer than the one shown: during a continuous drag a newer
request always arrives while the last one renders, and dropping every such result would freeze the picture until
the mouse rests. Results older than the one shown, or made before a new model was loaded, are dropped. So a
slider never waits for the generator, the picture follows the drag as fast as the model draws, and a slow strip
never holds up a newer image (each channel has its own stamps).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from studio.workers.threads import WorkerThread

MODEL_CHANNEL = "model"


class _RenderWorker(QObject):
    """Lives on the worker thread. Signals: done(str, int, object), errored(str, int, str)."""

    done = Signal(str, int, object)
    errored = Signal(str, int, str)

    def __init__(self, latest: dict[str, int]):
        super().__init__()
        self._latest = latest  # written by the GUI thread; one dict read per request (atomic under the GIL)
        self.model = None  # ExploreModel, only ever touched on this thread
        self.executed: Counter = Counter()  # channel -> requests actually run (tests, benchmarks)

    @Slot(str, int, str, object)
    def run(self, channel: str, stamp: int, method: str, args: tuple) -> None:
        if stamp != self._latest.get(channel):
            return  # superseded before it started
        self.executed[channel] += 1
        try:
            result = self._call(method, args)
        except Exception as exc:  # shown by the view as one line; never a crash
            self.errored.emit(channel, stamp, _one_line(exc))
            return
        self.done.emit(channel, stamp, result)

    def _call(self, method: str, args: tuple) -> Any:
        if method == "load":
            from studio.workers.latent_jobs import ExploreModel

            self.model = ExploreModel.load(*args)  # on failure the old model stays, and the view says so
            return self.model.info
        if self.model is None:
            raise ValueError("no generator loaded")
        return getattr(self.model, method)(*args)


class LatentRenderer(WorkerThread):
    """Owns the worker thread. ``request(channel, method, *args)`` calls ``ExploreModel.method(*args)`` there.

    Signals:
        rendered(str, int, object): channel, stamp and result, newer than any shown before on that channel
        failed(str, str): channel and a one-line message
        model_loaded(object): the new generator's :class:`ModelInfo`
    """

    rendered = Signal(str, int, object)
    failed = Signal(str, str)
    model_loaded = Signal(object)
    _requested = Signal(str, int, str, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__("latent-renderer", parent)
        self._latest: dict[str, int] = {}  # channel -> newest stamp (0: cancelled)
        self._shown: dict[str, int] = {}  # channel -> stamp of the newest result delivered (or of the cancel)
        self._pending: set[str] = set()  # channels whose newest request has not come back
        self._stamp = 0

    def load(self, path: str) -> int:
        """Load a run directory or checkpoint; every pending request of the old model is dropped."""
        self.cancel()
        return self.request(MODEL_CHANNEL, "load", str(path))

    def request(self, channel: str, method: str, *args) -> int:
        """Queue a call; it replaces the channel's pending one. Arrays in ``args`` must not change afterwards."""
        self._ensure_thread()
        self._stamp += 1
        self._latest[channel] = self._stamp
        self._pending.add(channel)
        self._requested.emit(channel, self._stamp, method, args)
        return self._stamp

    def latest(self, channel: str) -> int:
        return self._latest.get(channel, 0)

    def pending(self, channel: str) -> bool:
        """True while the channel's newest request has not come back."""
        return channel in self._pending

    def executed(self, channel: str) -> int:
        """How many requests of the channel the worker actually ran (skipped ones excluded)."""
        return self._worker.executed[channel] if self._worker is not None else 0

    def cancel(self) -> None:
        """Drop pending requests: whatever is running finishes and is never delivered."""
        for channel in self._latest:
            self._latest[channel] = 0
            self._shown[channel] = self._stamp  # whatever was asked before now is never delivered
        self._pending.clear()

    def _make_worker(self) -> _RenderWorker:
        worker = _RenderWorker(self._latest)
        self._requested.connect(worker.run)
        worker.done.connect(self._on_done)
        worker.errored.connect(self._on_errored)
        return worker

    @Slot(str, int, object)
    def _on_done(self, channel: str, stamp: int, result: Any) -> None:
        if stamp <= self._shown.get(channel, 0):
            return  # older than what is shown, or asked of a model since replaced
        self._shown[channel] = stamp
        if stamp == self._latest.get(channel):
            self._pending.discard(channel)
        if channel == MODEL_CHANNEL:
            self.model_loaded.emit(result)
        else:
            self.rendered.emit(channel, stamp, result)

    @Slot(str, int, str)
    def _on_errored(self, channel: str, stamp: int, message: str) -> None:
        if stamp == self._latest.get(channel):
            self._shown[channel] = stamp
            self._pending.discard(channel)
            self.failed.emit(channel, message)


def _one_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
