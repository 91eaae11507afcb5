"""Opening a run directory made by the CLI: its curves and samples show, and it is followed live."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY_ARGS = ["--dataset", "glyphs", "--set", "data.n=2000", "--set", "model.width=8", "--set", "model.latent_dim=16",
             "--batch-size", "16", "--set", "run.log_every=2", "--set", "run.sample_every=4",
             "--set", "run.grid_size=16"]


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> Path:
    from gan_backend.cli import main

    run = tmp_path_factory.mktemp("cli") / "run"
    assert main(["train", *TINY_ARGS, "--steps", "10", "--run-dir", str(run)]) == 0
    return run


def test_opening_a_cli_run_shows_its_curves_and_follows_it(window, qtbot, cli_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(cli_run, run)
    with qtbot.waitSignal(window.run_opened, timeout=30_000):
        window.open_run(str(run))
    window.plots.redraw()
    x, y = window.plots.curves["loss_g"][2].getData()
    assert list(x) == [2, 4, 6, 8, 10]
    assert [s.step for s in window.gallery.state.snapshots] == [0, 4, 8, 10]
    assert window.gallery.canvas.image.image.std() > 5
    assert window.status_labels["step"].text() == "Step 10/10" and window.windowTitle().endswith("run")

    # Another process continues the run; the window follows what it writes.
    proc = subprocess.Popen([sys.executable, "main.py", "resume", str(run), "--steps", "16"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: window.session.step == 16 and window.gallery.state.current_step() == 16,
                        timeout=120_000)
    finally:
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    window.plots.redraw()
    x, _ = window.plots.curves["loss_g"][2].getData()
    assert list(x) == [2, 4, 6, 8, 10, 12, 14, 16]
    assert [s.step for s in window.gallery.state.snapshots] == [0, 4, 8, 10, 12, 16]


def test_a_finished_run_can_be_resumed_in_the_window(window, qtbot, cli_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(cli_run, run)
    with qtbot.waitSignal(window.run_opened, timeout=30_000):
        window.open_run(str(run))
    window.panel.widgets["train.steps"].setValue(14)
    assert window.actions["resume"].isEnabled()
    with qtbot.waitSignal(window.runner.run_ended, timeout=120_000) as ended:
        window.actions["resume"].trigger()
    assert ended.args[0].step == 14
    x, _ = window.session.series["loss_g"].steps.view(), None
    assert list(x) == [2, 4, 6, 8, 10, 12, 14]  # the old curve continues, nothing twice


def test_a_folder_that_is_not_a_run_says_so(window, qtbot, tmp_path, dialogs):
    with qtbot.waitSignal(window._run_loader.failed, timeout=30_000):
        window.open_run(str(tmp_path))
    kind, title, text = dialogs[-1]
    assert kind == "warning" and "not a GAN Studio run" in text
    assert window.session.run_dir == ""  # nothing half-opened


def test_metrics_with_damaged_and_non_finite_lines_still_open(window, qtbot, cli_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(cli_run, run)
    with open(run / "metrics.jsonl", "a") as fh:
        fh.write('{"step": 12, "loss_d": nul\n')  # a damaged line
        fh.write(json.dumps({"step": 12, "loss_d": None, "loss_g": 1.0}) + "\n")  # NaN written as null
    with qtbot.waitSignal(window.run_opened, timeout=30_000):
        window.open_run(str(run))
    assert window.session.step == 12
    assert window.session.series["loss_g"].values.view()[-1] == 1.0
