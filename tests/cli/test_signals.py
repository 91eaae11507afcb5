"""SIGTERM, SIGHUP and SIGINT stop a CLI run at the end of a step with its checkpoint; resume continues exactly."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.backend.helpers import TINY_ARGS

ROOT = Path(__file__).resolve().parents[2]
STEPS = 80
# A report every step: a report's numbers average the steps since the last one, so with coarser reports the
# first one after a resume would average fewer steps than the uninterrupted run's.
ARGS = ["--dataset", "glyphs", "--seed", "3", *TINY_ARGS, "--set", "run.checkpoint_every=1000", "--set", "run.log_every=1"]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def cli(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "main.py", *map(str, args)], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def loss_rows(run: Path) -> dict[int, dict]:
    rows = (json.loads(line) for line in open(run / "metrics.jsonl"))
    return {r["step"]: r for r in rows if "loss_d" in r}


def wait_for_steps(run: Path, proc: subprocess.Popen, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if (run / "metrics.jsonl").is_file() and max(loss_rows(run), default=0) >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError(f"the run did not reach step {at_least}: {proc.communicate()[1][-2000:]}")


def stop_with(sig: int, run: Path, repeat: bool = False) -> tuple[int, str, int]:
    """Start a run, send ``sig`` once it has logged a few steps (``repeat``: again every 20 ms until it has
    ended, so some arrive while the checkpoint is written); (exit code, stderr, checkpoint step)."""
    proc = cli("train", "--steps", STEPS, "--run-dir", run, *ARGS)
    wait_for_steps(run, proc, 10)
    proc.send_signal(sig)
    while repeat and proc.poll() is None:
        time.sleep(0.02)
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            break
    _, err = proc.communicate(timeout=120)
    state = torch.load(run / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)
    return proc.returncode, err, int(state["step"])


@pytest.mark.slow
def test_sigterm_saves_the_step_reached_and_resume_matches_an_uninterrupted_run(tmp_path):
    code, err, step = stop_with(signal.SIGTERM, tmp_path / "stopped")
    assert code == 128 + signal.SIGTERM, err
    assert "SIGTERM: finishing the step and saving a checkpoint" in err
    logged = max(loss_rows(tmp_path / "stopped"))
    assert step >= logged and step < STEPS
    ended = [json.loads(line) for line in open(tmp_path / "stopped" / "metrics.jsonl")][-1]
    assert ended == {"step": step, "event": "end", "reason": "stopped"}

    resumed = cli("resume", tmp_path / "stopped")
    straight = cli("train", "--steps", STEPS, "--run-dir", tmp_path / "straight", *ARGS)
    for proc in (resumed, straight):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
    a, b = loss_rows(tmp_path / "straight"), loss_rows(tmp_path / "stopped")
    assert sorted(a) == sorted(b) and max(a) == STEPS
    diff = max(abs(a[s][k] - b[s][k]) for s in a for k in ("loss_d", "loss_g", "d_real", "d_fake"))
    assert diff <= 1e-6


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT], ids=["SIGHUP", "SIGINT"])
def test_hangup_and_ctrl_c_stop_cleanly_too(tmp_path, sig):
    code, err, step = stop_with(sig, tmp_path / "run")
    assert code == 128 + sig and step >= 10, err
    assert "Traceback" not in err


def test_more_signals_during_the_checkpoint_write_change_nothing(tmp_path):
    code, err, step = stop_with(signal.SIGTERM, tmp_path / "run", repeat=True)
    assert code == 128 + signal.SIGTERM and step >= 10, err
    assert err.count("finishing the step and saving a checkpoint") == 1 and "Traceback" not in err
    assert not list((tmp_path / "run" / "checkpoints").glob(".*.tmp"))  # no torn temporary file left behind
