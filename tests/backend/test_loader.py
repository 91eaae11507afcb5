"""The one model loader: shipped names, run directories, checkpoint files, fallbacks and one error type."""
import logging
import shutil

import pytest
import torch

from gan_backend.engine.loop import Trainer
from gan_backend.engine.run_dir import RunDir, RunDirError
from gan_backend.generator import load_generator
from gan_backend.loader import CheckpointError, NoCheckpointError, open_checkpoint
from tests.backend.helpers import tiny_config


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A 20-step glyphs run: last.pt at 20, step checkpoints at 10 and 20."""
    folder = tmp_path_factory.mktemp("loader") / "run"
    list(Trainer.new(tiny_config(folder)).run())
    return RunDir.open(folder)


def test_shipped_models_open_by_name_with_their_metadata():
    painter = open_checkpoint("painter")
    assert painter.task == "paired" and painter.shape[0] == 3 and len(painter.class_names) >= 10
    assert painter.palette.shape == (len(painter.class_names), 3)
    assert painter.path.name == "painter.pt" and painter.note == ""
    for name, side in (("translator", 128), ("translator64", 64)):
        translator = open_checkpoint(name)
        assert translator.task == "unpaired" and translator.num_classes == 0 and translator.shape[1] == side


def test_run_directory_last_best_and_step(run, tmp_path):
    last = open_checkpoint(run.path)
    assert last.path == run.last_checkpoint and last.step == 20 and last.latent_prior == "normal"
    assert open_checkpoint(run.path, which=10).step == 10
    assert open_checkpoint(run.step_checkpoint_path(10)).step == 10
    with pytest.raises(CheckpointError, match="no best checkpoint"):
        open_checkpoint(run.path, which="best")
    with pytest.raises(CheckpointError, match="kept: 10, 20"):
        open_checkpoint(run.path, which=15)


def test_ema_generator_is_the_one_loaded(run):
    ck = open_checkpoint(run.path)
    net = ck.network()
    ema = ck.state["modules"]["G_ema"]
    for name, value in net.state_dict().items():
        assert torch.equal(value, ema[name]), name
    assert not net.training


def test_damaged_last_falls_back_to_newest_step_checkpoint_and_says_so(run, tmp_path, caplog):
    copy = tmp_path / "copy"
    shutil.copytree(run.path, copy)
    damaged = RunDir.open(copy)
    damaged.last_checkpoint.write_bytes(damaged.last_checkpoint.read_bytes()[:1000])  # truncated
    damaged.step_checkpoint_path(20).write_bytes(b"not a checkpoint")
    with caplog.at_level(logging.WARNING, logger="gan_backend.loader"):
        gen = load_generator(copy)
    assert gen.step == 10 and gen.path.name == "step_0000010.pt"
    assert "last.pt is damaged" in gen.note and "step_0000010.pt" in gen.note
    assert "last.pt is damaged" in caplog.text
    damaged.step_checkpoint_path(10).write_bytes(b"")
    with pytest.raises(CheckpointError, match="last.pt: damaged, and so are the 2 step checkpoints"):
        open_checkpoint(copy)


def test_one_error_type_names_the_file(tmp_path, run):
    with pytest.raises(RunDirError, match="no such run directory or checkpoint file"):
        open_checkpoint(tmp_path / "missing")
    empty = RunDir.create(tmp_path / "empty", tiny_config(tmp_path / "empty"))
    with pytest.raises(NoCheckpointError, match="has no checkpoint yet"):
        open_checkpoint(empty.path)
    foreign = tmp_path / "foreign.pt"
    torch.save({"step": 1}, foreign)
    with pytest.raises(CheckpointError, match="foreign.pt: not a GAN Studio checkpoint"):
        open_checkpoint(foreign)
    state = open_checkpoint(run.path).state
    state["modules"]["G_ema"] = {"w": torch.zeros(1)}
    bad = tmp_path / "bad.pt"
    torch.save(state, bad)
    with pytest.raises(CheckpointError, match="bad.pt: generator weights do not fit model 'dcgan'"):
        open_checkpoint(bad).network()
