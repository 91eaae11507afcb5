"""The two bases of every runner that owns a worker thread.

:class:`WorkerThread` owns one worker ``QObject`` on its own named ``QThread``. The newest-wins runner
(:class:`~studio.workers.newest_wins.NewestWins`) and the translate batch start it on first use: a subclass
builds its worker and wires its signals in ``_make_worker``, and says in ``cancel`` how pending work is
dropped; ``shutdown`` cancels, then stops and joins the thread.

:class:`LoopThread` is for a worker whose ``run`` slot is one long loop (training, the 2-D playground). The
loop occupies its thread, so queued slots would never reach it: it is steered by flags it polls between steps,
and ``cancel`` sets its stop flag. On close: stop, ``quit``, ``wait``.
"""
from __future__ import annotations

import queue
from typing import Callable

from PySide6.QtCore import QObject, QThread, Slot


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
        if self._thread is None:
            self._start_thread(self._make_worker())

    def _start_thread(self, worker: QObject, on_started: Callable[[], None] | None = None) -> None:
        """Move ``worker`` to a new thread and start it; ``on_started`` then runs on that thread."""
        self._worker = worker
        self._thread = QThread()
        self._thread.setObjectName(self._thread_name)
        worker.moveToThread(self._thread)
        if on_started is not None:
            self._thread.started.connect(on_started)
        self._thread.start()


class LoopThread(WorkerThread):
    """Base of the runners whose worker runs one long loop (see the module docstring).

    The worker has a ``run`` slot and a ``finished`` signal emitted as ``run`` returns. Subclasses set the
    loop's stop flag in ``cancel`` and say in ``_loop_ended`` what follows once its thread is joined.
    """

    def shutdown(self) -> None:
        """Stop the loop after its current step and wait for its thread (no-op when none runs)."""
        if self._thread is None:
            return
        super().shutdown()
        self._loop_ended()

    def _start_loop(self, worker: QObject, forwarded: tuple[str, ...]) -> None:
        """Run ``worker.run`` on a new thread; the worker's signals named in ``forwarded`` are re-emitted here."""
        for name in forwarded:
            getattr(worker, name).connect(getattr(self, name))
        worker.finished.connect(self._on_loop_finished)
        self._start_thread(worker, worker.run)

    def _loop_ended(self) -> None:
        """Called on the GUI thread once the loop's thread is joined (subclasses)."""

    @Slot()
    def _on_loop_finished(self) -> None:
        if self.sender() is self._worker:  # not a loop that shutdown() already joined
            self.shutdown()  # the loop returned by itself: the join is immediate


def drain(commands: queue.Queue, target) -> bool:
    """Run every command queued for a worker loop (each a function of ``target``); True when there was one."""
    ran = False
    while True:
        try:
            command = commands.get_nowait()
        except queue.Empty:
            return ran
        command(target)
        ran = True
