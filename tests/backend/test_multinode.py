"""Two torchrun launchers on this machine as two "nodes" of one CPU process each, joined by torchrun's c10d
rendezvous over localhost (what a two-box job or the SLURM script in scripts/slurm/ does): one run
directory, written by rank 0 alone, with the losses of one process with the same global batch."""
import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from gan_backend.cli import main
from tests.backend.test_distributed import ARGS, rows  # the same tiny config, so the same tolerance holds

NODES = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(node_dir, port):
    """One node's launcher. Its own cwd stands for its own disk: the relative --run-dir lands under it."""
    node_dir.mkdir()
    cmd = [sys.executable, "-m", "torch.distributed.run", f"--nnodes={NODES}", "--nproc-per-node=1",
           "--rdzv-backend=c10d", f"--rdzv-endpoint=127.0.0.1:{port}", "--rdzv-id=multinode-test",
           "--rdzv-conf=join_timeout=120", "--local-addr=127.0.0.1",
           "-m", "gan_backend.cli", *ARGS, "--run-dir", "runs/r"]
    # Own session: on a timeout the whole tree (launcher and its worker) is killed, not just the launcher.
    return subprocess.Popen(cmd, cwd=node_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def wait_all(procs, timeout=240) -> list[str]:
    try:
        return [p.communicate(timeout=timeout)[0] for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
        pytest.fail("the two-node run did not finish in time:\n" + "\n".join(p.communicate()[0][-2000:] for p in procs))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="gloo on Windows is not supported by this test")
def test_two_nodes_match_one(tmp_path):
    port = free_port()
    procs = [launch(tmp_path / f"node{k}", port) for k in range(NODES)]
    outputs = wait_all(procs)
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out[-3000:]
    # c10d hands out node ranks in order of arrival, so either node may hold rank 0; the other wrote nothing.
    written = [d for d in sorted(tmp_path.iterdir()) if any(d.iterdir())]
    assert len(written) == 1, [sorted(str(p.relative_to(tmp_path)) for p in d.rglob("*")) for d in written]
    two = written[0] / "runs" / "r"
    assert {"config.json", "metrics.jsonl", "checkpoints"} <= {p.name for p in two.iterdir()}
    assert (two / "checkpoints" / "last.pt").is_file()
    assert "".join(outputs).count("finished 20 steps") == 1

    assert main(ARGS + ["--run-dir", str(tmp_path / "one")]) == 0
    one = {r["step"]: r for r in rows(tmp_path / "one") if "loss_d" in r}
    lines = (two / "metrics.jsonl").read_text().splitlines()
    assert len(lines) == len(set(lines)) == len((tmp_path / "one" / "metrics.jsonl").read_text().splitlines())
    logged = [r["step"] for r in rows(two) if "loss_d" in r]
    assert logged == sorted(one) == [5, 10, 15, 20]  # each step once: rank 0 alone appended
    by_step = {r["step"]: r for r in rows(two) if "loss_d" in r}
    for step in one:
        for key in ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d"):
            # As test_distributed: the MLP has no BatchNorm, so the only difference from one process is the
            # order of float sums (gloo's all-reduce of two half-batch gradients vs one full-batch sum).
            assert by_step[step][key] == pytest.approx(one[step][key], rel=1e-4, abs=1e-5), (step, key)
