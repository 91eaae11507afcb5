"""Event: how every state object in ``studio.state`` tells its views that it changed (Qt-free).

    state.changed.connect(view.schedule_redraw)   # the view's callback, e.g. a slot that arms a QTimer
    state.changed.emit(what)                      # inside the state object, after each change
    state.changed.disconnect(view.schedule_redraw)

Callbacks run synchronously, in the order they connected, on the thread that emitted: a view that
draws connects a cheap callback (schedule a redraw) and draws later on the GUI thread.
"""
from __future__ import annotations

from typing import Callable


class Event:
    """A list of callbacks; ``emit(*args)`` calls each with the arguments the state object documents."""

    def __init__(self):
        self._callbacks: list[Callable] = []

    def connect(self, fn: Callable) -> None:
        self._callbacks.append(fn)

    def disconnect(self, fn: Callable) -> None:
        """Forget ``fn``; ValueError when it was not connected."""
        self._callbacks.remove(fn)

    def emit(self, *args) -> None:
        for fn in list(self._callbacks):  # a callback may disconnect itself
            fn(*args)
