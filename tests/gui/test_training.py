"""Training from the window: reports reach the plots, samples the gallery; pause, stop, close, errors."""
from __future__ import annotations

import time

import numpy as np
import pytest

from tests.backend.helpers import tiny_config
from tests.gui.conftest import GUI_RUN

RUN_MS = 120_000  # generous: the CPU is shared; a tiny run takes seconds


def start(window, qtbot, tmp_path, steps=20, **overrides):
    cfg = tiny_config(tmp_path / "run", steps=steps, **{**GUI_RUN, **overrides})
    with qtbot.waitSignal(window.runner.run_started, timeout=RUN_MS):
        window.start_training(cfg)
    return cfg


def test_short_run_fills_plots_and_gallery(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS) as ended:
        start(window, qtbot, tmp_path, steps=20)
    assert ended.args[0].reason == "done"
    qtbot.waitUntil(lambda: not window.runner.is_running)
    window.plots.redraw()
    _, _, loss_d = window.plots.curves["loss_d"]
    x, y = loss_d.getData()
    assert list(x) == list(range(2, 21, 2)) and np.isfinite(y).all()
    assert {"loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "images_per_sec"} <= set(window.plots.curves)
    assert window.plots.equilibrium.isVisible()  # nonsaturating: D outputs are probabilities
    steps = [s.step for s in window.gallery.state.snapshots]
    assert steps == [0, 10, 20]
    grid = window.gallery.canvas.image.image
    assert grid.dtype == np.uint8 and grid.ndim == 3 and grid.std() > 5  # a picture, not a flat grey
    assert window.status_labels["step"].text() == "Step 20/20"
    window.gallery.slider.setValue(1)  # scrub back to step 10 ...
    assert window.gallery.step_label.text().startswith("step 10 ")
    assert window.gallery.canvas.image.image is not grid
    window.gallery.slider.setValue(2)  # ... and forward again
    assert window.gallery.state.current_step() == 20


def test_evaluations_during_a_run_plot_a_quality_curve(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS):
        start(window, qtbot, tmp_path, steps=20, **{"run.eval_every": 10, "run.eval_n": 64})
    qtbot.waitUntil(lambda: not window.runner.is_running)
    window.plots.redraw()
    x, y = window.plots.curves["eval_fid"][2].getData()  # fid: the default run.eval_metric
    assert list(x) == [10, 20] and np.isfinite(y).all() and "quality" in window.plots.plots
    assert (tmp_path / "run" / "checkpoints" / "best.pt").is_file()
    window.plots.set_session(type(window.session)())  # another run: the quality plot goes with its curves
    assert "quality" not in window.plots.plots


def test_pause_freezes_steps_and_resume_continues(window, qtbot, tmp_path):
    last = {"t": time.monotonic()}
    window.runner.report_ready.connect(lambda r: last.update(t=time.monotonic()))
    past_warm_up = dict(timeout=RUN_MS, check_params_cb=lambda r: r.step >= 3)  # first steps are slow
    with qtbot.waitSignal(window.runner.report_ready, **past_warm_up):
        start(window, qtbot, tmp_path, steps=400, **{"run.log_every": 1})
    window.panel.pause_action.trigger()  # what Space does
    assert window.runner.is_paused and window.panel.pause_action.text() == "Resume"
    # Reports already queued and the step in flight still arrive; then the loop waits. Unpaused, a report
    # comes every fraction of a second, so two quiet seconds only happen when the pause took effect.
    qtbot.waitUntil(lambda: time.monotonic() - last["t"] > 2.0, timeout=30_000)
    frozen = window.session.step
    with qtbot.assertNotEmitted(window.runner.report_ready, wait=1500):
        pass
    assert window.session.step == frozen and "(paused)" in window.status_labels["step"].text()
    window.panel.pause_action.trigger()
    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
        pass
    assert window.session.step > frozen and not window.runner.is_paused
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS):
        window.panel.stop_action.trigger()


def test_stop_saves_a_checkpoint(window, qtbot, tmp_path):
    from gan_backend.engine import checkpoint

    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
        start(window, qtbot, tmp_path, steps=400)
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS) as ended:
        window.panel.stop_action.trigger()
    assert ended.args[0].reason == "stopped"
    state = checkpoint.load(ended.args[0].checkpoint)
    assert state["step"] == ended.args[0].step > 0
    qtbot.waitUntil(lambda: window.panel.start_action.isEnabled())  # ready for the next run
    assert not window.panel.stop_action.isEnabled()
    assert window.status_labels["eta"].text() == "Ended: stopped"


def test_closing_mid_run_asks_then_leaves_a_loadable_checkpoint(window, qtbot, tmp_path, dialogs):
    from gan_backend.engine import checkpoint
    from gan_backend.generator import load_generator

    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
        start(window, qtbot, tmp_path, steps=400)
    window.close()
    assert dialogs and dialogs[0][0] == "question" and dialogs[0][2] == "Stop and save checkpoint?"
    assert not window.runner.is_running  # the thread was joined, not abandoned
    state = checkpoint.load(tmp_path / "run" / "checkpoints" / "last.pt")
    assert state["step"] > 0
    assert load_generator(tmp_path / "run").step == state["step"]


def test_cancelling_close_keeps_training(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel))
    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
        start(window, qtbot, tmp_path, steps=400)
    window.close()
    assert window.isVisible() and window.runner.is_running
    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
        pass
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS):
        window.runner.stop()
    # The thread outlives run_ended by the moment it takes to return; a close before that would ask again
    # (and this test's patched question answers Cancel, leaving the thread to the teardown).
    qtbot.waitUntil(lambda: not window.runner.is_running, timeout=RUN_MS)


def test_worker_exception_shows_dialog_and_app_stays_usable(window, qtbot, tmp_path, dialogs, monkeypatch):
    from gan_backend.engine.loop import Trainer

    real_run = Trainer.run

    def broken_run(self, control=None):
        for i, item in enumerate(real_run(self, control)):
            yield item
            if i == 2:
                raise RuntimeError("simulated failure in the training loop")

    monkeypatch.setattr(Trainer, "run", broken_run)
    with qtbot.waitSignal(window.runner.failed, timeout=RUN_MS) as failed:
        start(window, qtbot, tmp_path, steps=400)
    message, run_dir = failed.args
    assert "simulated failure" in message and run_dir.endswith("run")
    qtbot.waitUntil(lambda: not window.runner.is_running)
    kind, title, text = dialogs[-1]
    assert kind == "critical" and "simulated failure" in text and run_dir in text
    monkeypatch.setattr(Trainer, "run", real_run)  # the app still trains
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS) as ended:
        start(window, qtbot, tmp_path / "again", steps=4)
    assert ended.args[0].reason == "done"


def test_live_change_is_applied_and_marked(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
        start(window, qtbot, tmp_path, steps=400, **{"run.log_every": 1})
    lr_d = window.panel.widgets["train.lr_d"]
    assert lr_d.isEnabled() and not window.panel.widgets["train.batch_size"].isEnabled()  # locked mid-run
    lr_d.setValue(1e-4)
    with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS,
                          check_params_cb=lambda r: abs(r.lr_d - 1e-4) < 1e-12):
        pass
    assert [(c.field, c.value) for c in window.session.changes] == [("train.lr_d", pytest.approx(1e-4))]
    window.plots.redraw()
    assert len(window.plots.markers) == len(window.plots.plots)  # one line per plot
    with qtbot.waitSignal(window.runner.run_ended, timeout=RUN_MS):
        window.runner.stop()
    rows = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert any('"event": "change"' in r and "lr_d" in r for r in rows)


def test_sigterm_closes_the_window_as_stop_and_save(window, qtbot, tmp_path, dialogs):
    """What a closing session or `kill` sends to the app: no question, the run stops and saves, exit code 143."""
    import os
    import signal

    from gan_backend.engine import checkpoint
    from studio.quit_signals import QuitOnSignals

    watcher = QuitOnSignals(window)
    watcher.received.connect(lambda _: window.close_without_asking())
    try:
        with qtbot.waitSignal(window.runner.report_ready, timeout=RUN_MS):
            start(window, qtbot, tmp_path, steps=400)
        with qtbot.waitSignal(watcher.received, timeout=RUN_MS):
            os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_MS)
    finally:
        watcher.restore()
    assert not dialogs  # nobody was asked
    assert not window.runner.is_running and watcher.exit_code == 128 + signal.SIGTERM
    state = checkpoint.load(tmp_path / "run" / "checkpoints" / "last.pt")
    assert 0 < state["step"] < 400


def test_every_choice_is_enabled_once_the_registries_are_loaded(window):
    """The combos are empty and disabled until the catalog arrives; then a user can choose before any run."""
    from PySide6.QtWidgets import QComboBox

    combos = {k: w for k, w in window.panel.widgets.items() if isinstance(w, QComboBox)}
    assert combos and all(w.isEnabled() for k, w in combos.items() if k != "train.amp"), \
        [k for k, w in combos.items() if not w.isEnabled()]
