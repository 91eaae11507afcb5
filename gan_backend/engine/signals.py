"""Stop a run cleanly on SIGTERM, SIGHUP and SIGINT: finish the step, write the checkpoint, say which signal.

What a closing terminal (SIGHUP), ``timeout`` or a cluster's pre-emption (SIGTERM) and Ctrl+C (SIGINT) send
all end a run the way ``--max-time`` does. The handler only sets the run's stop flag, so a second signal
while the checkpoint is being written changes nothing: the write completes (and it is atomic anyway).
Under torchrun every rank gets the signal from its agent, and the ranks agree on the step to stop at.
"""
from __future__ import annotations

import signal
import subprocess
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))


def exit_code(signum: int) -> int:
    """The shell's convention for "ended by signal N": 128 + N (143 for SIGTERM, 130 for Ctrl+C)."""
    return 128 + int(signum)


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@contextmanager
def stop_on_signals(stop: threading.Event, on_first: Callable[[int], None] | None = None) -> Iterator[list[int]]:
    """While inside, the stop signals set ``stop``; yields the list of signals received (first one first).

    ``on_first(signum)`` runs once, on the first signal (e.g. to print "stopping..."). After a signal, the
    stop signals stay ignored when the block ends (the process is on its way out). Outside the main
    thread signal handlers cannot be installed; then nothing is changed and the list stays empty.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum, _frame):
        received.append(signum)
        stop.set()
        if len(received) == 1 and on_first is not None:
            on_first(signum)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield received
    finally:
        # Once asked to stop, further signals (a scheduler repeating SIGTERM) must not kill the process while
        # it reports and exits: they are ignored from here on. Otherwise the previous handlers come back.
        for s, old in previous.items():
            signal.signal(s, signal.SIG_IGN if received else old)


def call_forwarding_signals(cmd: list[str]) -> int:
    """Run ``cmd`` and wait for it, passing the stop signals on to it (a launcher must not die before its job)."""
    proc = subprocess.Popen(cmd)

    def forward(signum, _frame):
        proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in STOP_SIGNALS} if (
        threading.current_thread() is threading.main_thread()) else {}
    try:
        return proc.wait()
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
