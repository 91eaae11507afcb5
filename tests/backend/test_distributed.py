"""torchrun with 2 CPU processes (gloo): the same losses as one process with the same global batch,
and only rank 0 writes files."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gan_backend.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["train", "--dataset", "toy2d:ring8", "--model", "mlp", "--steps", "20", "--device", "cpu",
        "--batch-size", "32", "--set", "log_every=5", "--set", "data.n=2048", "--set", "model.width=16"]


def rows(run):
    return [json.loads(line) for line in open(run / "metrics.jsonl")]


@pytest.mark.slow  # two torchrun processes and a single-process run: ~9 s on an idle 2-core CPU
@pytest.mark.skipif(sys.platform == "win32", reason="gloo on Windows is not supported by this test")
def test_two_processes_match_one(tmp_path):
    assert main(ARGS + ["--run-dir", str(tmp_path / "one")]) == 0
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "gan_backend.cli", *ARGS, "--run-dir", str(tmp_path / "two")],
                          cwd=ROOT, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    one = {r["step"]: r for r in rows(tmp_path / "one") if "loss_d" in r}
    two = {r["step"]: r for r in rows(tmp_path / "two") if "loss_d" in r}
    assert sorted(one) == sorted(two) == [5, 10, 15, 20]
    for step in one:
        for key in ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d"):
            assert two[step][key] == pytest.approx(one[step][key], rel=1e-4, abs=1e-5), (step, key)
    # Rank 0 alone wrote: every line once, the same files as a single-process run.
    lines = (tmp_path / "two" / "metrics.jsonl").read_text().splitlines()
    assert len(lines) == len(set(lines)) == len((tmp_path / "one" / "metrics.jsonl").read_text().splitlines())
    # TensorBoard names each event file by time, host and process: compare how many there are, not the names.
    listing = lambda run: sorted(re.sub(r"tfevents\..*", "tfevents.*", str(p.relative_to(run))) for p in run.rglob("*"))
    assert listing(tmp_path / "two") == listing(tmp_path / "one")
    assert proc.stderr.count("finished 20 steps") == 1
