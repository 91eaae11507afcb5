"""Engine notices during a run in the window: the status bar says each one, the Messages log keeps them."""
from __future__ import annotations

from tests.backend.helpers import tiny_config
from tests.gui.conftest import GUI_RUN

RUN_MS = 120_000  # generous: the CPU is shared; a tiny run takes seconds
SMALL = "dataset 'glyphs' has 8 items, fewer than train.batch_size=16: training with batches of 8"


def test_a_notice_reaches_the_status_bar_and_the_messages_log_once(window, qtbot, tmp_path):
    assert not window.messages_dock.isVisible()  # nothing to say yet
    cfg = tiny_config(tmp_path / "run", steps=6, **{**GUI_RUN, "data.n": 8})
    with qtbot.waitSignal(window.notice_shown, timeout=RUN_MS) as shown:
        window.start_training(cfg)
    assert shown.args == [SMALL] and window.statusBar().currentMessage() == f"Notice: {SMALL}"
    assert window.messages_dock.isVisible()
    qtbot.waitUntil(lambda: not window.runner.is_running, timeout=RUN_MS)
    assert window.messages.toPlainText() == f"step 2: {SMALL}"  # with the first report; not repeated after
    # A resume trains with the saved batch of 8: nothing new to say, and the earlier row is not shown again.
    with qtbot.assertNotEmitted(window.notice_shown), qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS):
        window.runner.start(resume_dir=str(tmp_path / "run"), steps=10)
    qtbot.waitUntil(lambda: not window.runner.is_running, timeout=RUN_MS)
    assert window.session.step == 10 and window.messages.toPlainText() == f"step 2: {SMALL}"
