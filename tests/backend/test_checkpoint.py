"""Checkpoints survive a full disk and a kill -9 mid-write; they load with weights_only=True."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from gan_backend.engine import checkpoint as ckpt

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys, torch
from gan_backend.engine.checkpoint import save_atomic
state = {"step": 2, "weights": torch.randn(%d)}
print("ready", flush=True)
while True:
    save_atomic(state, sys.argv[1])
"""


def test_round_trip_and_format_marker(tmp_path):
    path = tmp_path / "a.pt"
    ckpt.save_atomic({"step": 5, "w": torch.arange(3)}, path, also=[tmp_path / "b.pt"])
    for p in (path, tmp_path / "b.pt"):
        state = ckpt.load(p)
        assert state["step"] == 5 and torch.equal(state["w"], torch.arange(3))
    torch.save({"step": 1}, tmp_path / "foreign.pt")
    with pytest.raises(ckpt.CheckpointError, match="not a GAN Studio checkpoint"):
        ckpt.load(tmp_path / "foreign.pt")
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(ckpt.CheckpointError, match="text.pt"):
        ckpt.load(tmp_path / "text.pt")


def test_kill_9_during_write_keeps_previous_checkpoint(tmp_path):
    path = tmp_path / "last.pt"
    ckpt.save_atomic({"step": 1, "weights": torch.zeros(10)}, path)
    proc = subprocess.Popen([sys.executable, "-c", WRITER % 4_000_000, str(path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.4)  # several 16 MB writes are under way
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert ckpt.load(path)["step"] in (1, 2)  # the old or a complete new file, never half of one


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_full_keeps_previous_checkpoint(tmp_path):
    """A file-size limit makes writes fail with EFBIG exactly as a full disk fails with ENOSPC."""
    path = tmp_path / "last.pt"
    ckpt.save_atomic({"step": 1, "weights": torch.zeros(10)}, path)
    code = f"""
import resource, signal, sys, torch
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
from gan_backend.engine.checkpoint import save_atomic, CheckpointError
try:
    save_atomic({{"step": 2, "weights": torch.randn(1_000_000)}}, {str(path)!r})
except CheckpointError as exc:
    print(exc)
    sys.exit(2)
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "last.pt" in proc.stdout and "previous last.pt is intact" in proc.stdout
    assert ckpt.load(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]  # no temporary file left behind
