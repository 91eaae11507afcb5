"""SIGTERM, SIGHUP and Ctrl+C in the terminal close the window the way "stop and save" does.

Qt's event loop runs in C++, so a Python signal handler would only run at the next Python call. The C-level
handler therefore writes to a socket (``signal.set_wakeup_fd``) that a ``QSocketNotifier`` watches, and the
window closes from the GUI thread without asking: a running training stops at the end of its step and writes
its checkpoint, the paint autosave is written, settings are saved. The process then exits with 128 + signal.
"""
from __future__ import annotations

import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from gan_backend.engine.signals import STOP_SIGNALS, exit_code


class QuitOnSignals(QObject):
    """Watches the stop signals while alive. Signals: received(int): the first signal's number (GUI thread)."""

    received = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.signum: int | None = None
        self._read, self._write = socket.socketpair()
        for s in (self._read, self._write):
            s.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {s: signal.signal(s, lambda *_: None) for s in STOP_SIGNALS}  # the fd does the work
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_activated)

    @property
    def exit_code(self) -> int | None:
        return None if self.signum is None else exit_code(self.signum)

    def _on_activated(self) -> None:
        try:
            data = self._read.recv(64)
        except BlockingIOError:
            return
        if data and self.signum is None:
            self.signum = data[0]
            self.received.emit(self.signum)

    def restore(self) -> None:
        """Put the previous handlers back (the tests install and remove it many times)."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for s, old in self._previous.items():
            signal.signal(s, old)
        self._read.close()
        self._write.close()
