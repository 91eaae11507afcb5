"""LatentRenderer: the explorer's generator on one worker thread; newest request wins per channel.

Each request names a channel ("image", "strip", "grid", ...) and a method of the loaded
:class:`~studio.workers.latent_jobs.ExploreModel`. It runs on a :class:`~studio.workers.newest_wins.NewestWins`,
so a slider never waits for the generator, the picture follows a drag as fast as the model draws, and a slow
strip never holds up a newer image (each channel has its own newest request). Loading a model goes before
everything else and drops every result asked of the old one.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from gan_backend.errors import first_line
from studio.workers.newest_wins import NewestWins

MODEL_CHANNEL = "model"


class _Generator:
    """The loaded ``ExploreModel``; only ever touched on the worker thread (every method here runs there)."""

    def __init__(self):
        self.model = None

    def load(self, path: str):
        from studio.workers.latent_jobs import ExploreModel

        self.model = ExploreModel.load(path)  # on failure the old model stays, and the view says so
        return self.model.info

    def call(self, method: str, args: tuple) -> Any:
        if self.model is None:
            raise ValueError("no generator loaded")
        return getattr(self.model, method)(*args)


class LatentRenderer(QObject):
    """``request(channel, method, *args)`` calls ``ExploreModel.method(*args)`` on the worker thread.

    Signals:
        rendered(str, int, object): channel, stamp and result, newer than any shown before on that channel
        failed(str, str): channel and a one-line message
        model_loaded(object): the new generator's :class:`ModelInfo`
    """

    rendered = Signal(str, int, object)
    failed = Signal(str, str)
    model_loaded = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._generator = _Generator()
        self._runner = NewestWins("latent-renderer", priority=(MODEL_CHANNEL,), parent=self)
        self._runner.result_ready.connect(self._on_result_ready)
        self._runner.request_failed.connect(self._on_request_failed)

    def load(self, path: str) -> int:
        """Load a run directory or checkpoint; every pending request of the old model is dropped."""
        self._runner.cancel()
        return self._runner.request(MODEL_CHANNEL, lambda: self._generator.load(str(path)))

    def request(self, channel: str, method: str, *args) -> int:
        """Queue a call; it replaces the channel's pending one. Arrays in ``args`` must not change afterwards."""
        return self._runner.request(channel, lambda: self._generator.call(method, args))

    def latest(self, channel: str) -> int:
        return self._runner.latest(channel)

    def pending(self, channel: str) -> bool:
        """True while the channel's newest request has not come back."""
        return self._runner.pending(channel)

    def executed(self, channel: str) -> int:
        """How many requests of the channel the worker actually ran (skipped ones excluded)."""
        return self._runner.executed(channel)

    def cancel(self) -> None:
        """Drop pending requests: whatever is running finishes and is never delivered."""
        self._runner.cancel()

    def shutdown(self) -> None:
        self._runner.shutdown()

    @Slot(str, int, object)
    def _on_result_ready(self, channel: str, stamp: int, result: Any) -> None:
        if channel == MODEL_CHANNEL:
            self.model_loaded.emit(result)
        else:
            self.rendered.emit(channel, stamp, result)

    @Slot(str, object)
    def _on_request_failed(self, channel: str, exc: Exception) -> None:
        self.failed.emit(channel, first_line(exc))
