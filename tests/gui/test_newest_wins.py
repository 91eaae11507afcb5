"""The newest-wins runner: which requests run, which results are shown, in what order, and how it stops.

A request held on a ``threading.Event`` keeps the worker busy while the test queues more, so every
ordering below is decided by the runner, not by timing.
"""
from __future__ import annotations

import threading

import pytest

from studio.workers import BackgroundCall, NewestWins

WAIT_MS = 10_000
HOLD_S = 10  # a held request gives up after this, so a failing test cannot hang the suite


@pytest.fixture
def hold():
    """Set to let held requests return; set at teardown so no thread waits on it."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def runner(hold):
    r = NewestWins("test-newest-wins", priority=("image", "extras"), busy_channels=("image",))
    r.results = []  # (channel, stamp, value) in the order delivered
    r.result_ready.connect(lambda channel, stamp, value: r.results.append((channel, stamp, value)))
    yield r
    hold.set()
    r.shutdown()


def held(hold: threading.Event, started: threading.Event, value):
    """A request that runs until ``hold`` is set."""
    def run():
        started.set()
        assert hold.wait(HOLD_S)
        return value
    return run


def start_held(runner, hold, channel: str, value) -> int:
    """Request a held ``value`` on ``channel`` and return once the worker is running it."""
    started = threading.Event()
    stamp = runner.request(channel, held(hold, started, value))
    assert started.wait(HOLD_S)
    return stamp


def values(runner) -> list:
    return [value for _, _, value in runner.results]


def test_the_newest_pending_request_replaces_older_ones_and_the_running_result_still_shows(runner, hold, qtbot):
    first = start_held(runner, hold, "image", "a")
    for value in "bcd":
        last = runner.request("image", lambda value=value: value)
    hold.set()
    qtbot.waitUntil(lambda: len(runner.results) == 2, timeout=WAIT_MS)
    assert runner.results == [("image", first, "a"), ("image", last, "d")]  # b and c were superseded, never run
    assert runner.executed("image") == 2 and not runner.pending("image") and runner.is_idle()


def test_the_last_of_a_burst_of_requests_is_always_shown(runner, qtbot):
    for i in range(40):
        last = runner.request("image", lambda i=i: i)
    qtbot.waitUntil(lambda: bool(runner.results) and runner.results[-1][1] == last, timeout=WAIT_MS)
    stamps = [stamp for _, stamp, _ in runner.results]
    assert values(runner)[-1] == 39 and stamps == sorted(set(stamps))  # each result newer than the one before
    assert runner.executed("image") == len(stamps) <= 40


def test_waiting_channels_run_in_priority_order_then_the_others_oldest_first(runner, hold, qtbot):
    start_held(runner, hold, "extras", "held")
    runner.request("strip", lambda: "strip")
    runner.request("grid", lambda: "grid")
    runner.request("extras", lambda: "extras")
    runner.request("image", lambda: "image")
    hold.set()
    qtbot.waitUntil(lambda: len(runner.results) == 5, timeout=WAIT_MS)
    assert values(runner) == ["held", "image", "extras", "strip", "grid"]


def test_cancel_drops_the_running_result_and_the_pending_ones(runner, hold, qtbot):
    start_held(runner, hold, "image", "old model")
    runner.request("extras", lambda: "old strip")
    runner.cancel()
    assert not runner.pending("image") and not runner.busy
    stamp = runner.request("image", lambda: "new model")
    hold.set()
    qtbot.waitUntil(lambda: bool(runner.results), timeout=WAIT_MS)
    assert runner.results == [("image", stamp, "new model")]
    assert runner.executed("extras") == 0


def test_an_exception_is_delivered_as_failed_on_its_own_channel(runner, qtbot):
    def broken():
        raise ValueError("no generator loaded")

    failures = []
    runner.request_failed.connect(lambda channel, exc: failures.append((channel, exc)))
    runner.request("extras", broken)
    stamp = runner.request("image", lambda: "picture")
    qtbot.waitUntil(lambda: bool(failures) and bool(runner.results), timeout=WAIT_MS)
    [(channel, exc)] = failures
    assert channel == "extras" and isinstance(exc, ValueError) and str(exc) == "no generator loaded"
    assert runner.results == [("image", stamp, "picture")] and runner.is_idle()


def test_busy_follows_the_watched_channel_only(runner, hold, qtbot):
    changes = []
    runner.busy_changed.connect(changes.append)
    runner.request("extras", lambda: "strip")
    qtbot.waitUntil(lambda: bool(runner.results), timeout=WAIT_MS)
    assert changes == [] and not runner.busy  # the style strip is not "rendering"
    start_held(runner, hold, "image", "picture")
    assert changes == [True] and runner.busy
    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS):
        hold.set()
    assert changes == [True, False] and values(runner) == ["strip", "picture"]


def test_shutdown_waits_for_the_running_request_and_joins_the_thread(runner, hold):
    returned = threading.Event()

    def slow():
        assert hold.wait(HOLD_S)
        returned.set()

    started = threading.Event()
    runner.request("image", lambda: (started.set(), slow()))
    assert started.wait(HOLD_S)
    thread = runner._thread
    releaser = threading.Timer(0.2, hold.set)  # lets the request return only once shutdown is waiting
    releaser.start()
    runner.shutdown()
    releaser.join()
    assert returned.is_set() and thread.isFinished()


def test_background_call_answers_only_the_newest_request(hold, qtbot):
    call = BackgroundCall("test-background-call")
    answers = []
    call.finished.connect(answers.append)
    try:
        started = threading.Event()
        call.submit(held(hold, started, "stale"))
        assert started.wait(HOLD_S)
        call.submit(lambda: "newest")
        assert call.busy
        hold.set()
        qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
        assert answers == ["newest"] and not call.busy
    finally:
        hold.set()
        call.shutdown()
