"""The command line end to end, and every bad input of the "Engine and CLI" issue: one line, exit code 2."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_backend.data.disk.mnist import write_idx
from tests.backend.helpers import TINY_ARGS, gs, last_error

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("cli") / "run"
    assert gs("train", "--dataset", "glyphs", "--steps", 20, "--run-dir", run, "--seed", 1, *TINY_ARGS) == 0
    return run


def test_train_resume_sample(trained_run, tmp_path, capsys):
    assert gs("resume", trained_run, "--steps", 30) == 0
    rows = [json.loads(line) for line in open(trained_run / "metrics.jsonl")]
    assert max(r["step"] for r in rows) == 30
    assert gs("sample", trained_run, "--n", 10, "--out", tmp_path / "s.npz", "--seed", 2) == 0
    z = np.load(tmp_path / "s.npz")
    assert z["images"].shape == (10, 28, 28, 1) and z["images"].dtype == np.uint8
    assert gs("sample", trained_run, "--n", 16, "--out", tmp_path / "s.png") == 0
    assert (tmp_path / "s.png").stat().st_size > 100


def test_conditional_sample_has_labels(tmp_path):
    run = tmp_path / "c"
    assert gs("train", "--dataset", "glyphs", "--model", "cdcgan", "--steps", 4, "--run-dir", run, *TINY_ARGS) == 0
    assert gs("sample", run, "--n", 6, "--out", tmp_path / "c.npz", "--labels", "7") == 0
    z = np.load(tmp_path / "c.npz")
    assert z["labels"].tolist() == [7] * 6 and z["labels"].dtype == np.int64


@pytest.mark.parametrize("what,expected", [("losses", "rahinge"), ("models", "sngan"), ("datasets", "toy2d:ring8"),
                                           ("devices", "cpu")])
def test_list(what, expected, capsys):
    assert gs("list", what) == 0
    assert expected in capsys.readouterr().out


def test_max_time_stops_cleanly_with_checkpoint(tmp_path):
    run = tmp_path / "t"
    assert gs("train", "--steps", 100000, "--max-time", 1.5, "--run-dir", run, *TINY_ARGS) == 0
    from gan_backend.engine.checkpoint import load

    assert 0 < load(run / "checkpoints" / "last.pt")["step"] < 100000


# --- bad input: (args, words the message must contain) ---
BAD = [
    (["train", "--dataset", "nope"], ["unknown dataset 'nope'", "glyphs"]),
    (["train", "--model", "gan9000"], ["unknown model 'gan9000'", "dcgan"]),
    (["train", "--loss", "wgangp"], ["unknown loss 'wgangp'", "wgan_gp"]),
    (["train", "--set", "train.lr=3"], ["train", "no field 'lr'", "lr_g"]),
    (["train", "--set", "train.steps=many"], ["train.steps", "expected int", "many"]),
    (["train", "--steps", "1.5"], ["train.steps", "expected int"]),
    (["train", "--device", "cuda:3"], ["cuda:3", "not present", "cpu"]),
    (["train", "--model", "sngan", "--dataset", "glyphs"], ["sngan", "32", "28"]),
    (["resume", "/no/such/run"], ["/no/such/run", "no such run directory"]),
    (["sample", "/tmp", "--out", "x.png"], ["/tmp", "not a GAN Studio run"]),
]


@pytest.mark.parametrize("args,words", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gives_one_line_and_exit_2(args, words, tmp_path, capsys):
    assert gs(*args, "--run-dir", tmp_path / "r") == 2 if args[0] == "train" else gs(*args) == 2
    line = last_error(capsys)
    for w in words:
        assert w in line, (w, line)


def test_bad_config_file(tmp_path, capsys):
    (tmp_path / "c.json").write_text('{"train": {"batch_size": "big"}}')
    assert gs("train", "--config", tmp_path / "c.json") == 2
    assert "c.json" in last_error(capsys)
    (tmp_path / "d.json").write_text('{"train": {')
    assert gs("train", "--config", tmp_path / "d.json") == 2
    assert "not valid JSON" in last_error(capsys)


@pytest.mark.parametrize("damage", ["magic", "truncated"])
def test_bad_idx_file(tmp_path, capsys, damage):
    folder = tmp_path / "mnist"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", np.zeros((100, 28, 28), np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(100, np.uint8))
    bad = folder / "train-images-idx3-ubyte.gz"
    import gzip

    raw = gzip.decompress(bad.read_bytes())
    raw = (b"\x00\x00\x09\x99" + raw[4:]) if damage == "magic" else raw[:5000]
    bad.write_bytes(gzip.compress(raw))
    assert gs("train", "--dataset", f"mnist:{folder}", "--run-dir", tmp_path / "r") == 2
    line = last_error(capsys)
    assert "train-images-idx3-ubyte.gz" in line and ("magic" in line if damage == "magic" else "truncated" in line)


def test_truncated_or_foreign_checkpoint(trained_run, tmp_path, capsys):
    import shutil

    run = tmp_path / "copy"
    shutil.copytree(trained_run, run)
    last = run / "checkpoints" / "last.pt"
    last.write_bytes(last.read_bytes()[:2000])
    assert gs("resume", run) == 2 and "last.pt" in last_error(capsys)
    assert gs("sample", last, "--out", tmp_path / "x.png") == 2 and "unreadable checkpoint" in last_error(capsys)
    other = tmp_path / "other"
    assert gs("train", "--dataset", "toy2d:ring8", "--model", "mlp", "--steps", 2, "--run-dir", other, *TINY_ARGS) == 0
    shutil.copy(other / "checkpoints" / "last.pt", last)
    assert gs("resume", run) == 2
    line = last_error(capsys)
    assert "last.pt" in line and "'mlp'" in line and "'dcgan'" in line


def test_existing_run_dir_is_not_overwritten(trained_run, capsys):
    before = (trained_run / "config.json").read_bytes()
    assert gs("train", "--run-dir", trained_run) == 2
    assert "already holds a run" in last_error(capsys)
    assert (trained_run / "config.json").read_bytes() == before


def test_main_py_subprocess_non_tty_plain_lines(tmp_path):
    """What a user types: `python main.py train ...`; not a TTY, so plain progress lines."""
    run = tmp_path / "run"
    proc = subprocess.run([sys.executable, "main.py", "train", "--dataset", "toy2d:ring8", "--model", "mlp",
                           "--steps", "30", "--run-dir", str(run), *TINY_ARGS], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "step 30/30" in proc.stderr and "\r" not in proc.stderr
    assert (run / "samples" / "step_0000030.png").is_file()
