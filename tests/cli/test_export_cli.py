"""`gan-studio export`: a generator file checked against its checkpoint, TensorBoard event files, and bad input."""
import importlib.util
import shutil

import pytest

from gan_backend.config import Config
from gan_backend.engine.run_dir import RunDir
from tests.backend.helpers import TINY_ARGS, gs, last_error


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("export_cli") / "run"
    assert gs("train", "--dataset", "glyphs", "--steps", 4, "--run-dir", run, "--set", "run.tensorboard=false",
              *TINY_ARGS) == 0
    return run


def test_export_torchscript_prints_the_check(trained_run, tmp_path, capsys):
    out = tmp_path / "g.pt"
    assert gs("export", trained_run, "--format", "torchscript", "--out", out) == 0
    said = capsys.readouterr().out
    assert out.is_file() and str(out) in said
    figure = float(said.split("max abs difference vs the checkpoint on 16 fixed latents: ")[1].split()[0])
    assert figure <= 1e-4


def test_export_tensorboard_writes_event_files(trained_run, capsys):
    pytest.importorskip("tensorboard")
    assert not (trained_run / "tensorboard").exists()
    assert gs("export", "tensorboard", trained_run) == 0
    assert list((trained_run / "tensorboard").glob("events.out.tfevents.*"))
    assert "tensorboard --logdir" in capsys.readouterr().out


def test_run_without_a_checkpoint_is_named(tmp_path, capsys):
    run = RunDir.create(tmp_path / "fresh", Config())
    assert gs("export", run.path, "--format", "torchscript", "--out", tmp_path / "g.pt") == 2
    line = last_error(capsys)
    assert "fresh" in line and "no checkpoint yet" in line
    assert not (tmp_path / "g.pt").exists()


def test_damaged_checkpoint_is_named(trained_run, tmp_path, capsys):
    run = tmp_path / "damaged"
    shutil.copytree(trained_run, run)
    for step_file in (run / "checkpoints").glob("step_*.pt"):
        step_file.unlink()
    last = run / "checkpoints" / "last.pt"
    last.write_bytes(last.read_bytes()[:2000])
    assert gs("export", run, "--format", "torchscript", "--out", tmp_path / "g.pt") == 2
    assert "last.pt" in last_error(capsys)


def test_unknown_format_is_a_usage_error(trained_run, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        gs("export", trained_run, "--format", "tflite", "--out", tmp_path / "g")
    assert exit_.value.code == 2 and "invalid choice: 'tflite'" in capsys.readouterr().err


@pytest.mark.parametrize("args,words", [
    (["--out", "g.pt"], ["--format torchscript|onnx", "--out FILE"]),
    (["--format", "onnx"], ["--out FILE"]),
    ([], ["export tensorboard", "name the run"]),
], ids=["no format", "no out", "tensorboard without a run"])
def test_missing_arguments(trained_run, args, words, capsys):
    assert gs("export", "tensorboard" if not args else trained_run, *args) == 2
    line = last_error(capsys)
    assert all(w in line for w in words), line


@pytest.mark.skipif(importlib.util.find_spec("onnx") is not None, reason="onnx is installed")
def test_onnx_without_onnx_says_pip_install(trained_run, tmp_path, capsys):
    assert gs("export", trained_run, "--format", "onnx", "--out", tmp_path / "g.onnx") == 2
    assert "pip install onnx" in last_error(capsys)
