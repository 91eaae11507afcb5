"""TensorBoard event files of a run, read back with TensorBoard's own reader: live, exported, resumed, absent."""
import sys

import pytest

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from gan_backend.engine import tensorboard as tb  # noqa: E402
from gan_backend.engine.loop import Trainer  # noqa: E402
from gan_backend.engine.run_dir import RunDir  # noqa: E402
from tests.backend.helpers import tiny_config  # noqa: E402

LOGGED = [5, 10, 15, 20]  # tiny_config: 20 steps, a metrics row every 5
SAMPLED = [0, 10, 20]  # a grid at the start, every 10 steps and at the end


def read_events(folder):
    return EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0, "tensors": 0}).Reload()


def scalar_steps(acc, tag):
    return [e.step for e in acc.Scalars(tag)]


@pytest.fixture(scope="module")
def live_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("tb") / "live"
    ended = list(Trainer.new(tiny_config(path)).run())[-1]
    assert ended.reason == "done"
    return path


def test_run_writes_losses_and_samples(live_run):
    acc = read_events(live_run / "tensorboard")
    assert scalar_steps(acc, "loss/loss_d") == LOGGED and scalar_steps(acc, "loss/loss_g") == LOGGED
    rows = [r for r in RunDir(live_run).read_metrics() if "loss_d" in r]
    assert [e.value for e in acc.Scalars("loss/loss_d")] == pytest.approx([r["loss_d"] for r in rows])
    for tag in ("D/d_real", "D/d_fake", "grad_norm/grad_norm_d", "lr/lr_g", "speed/images_per_sec"):
        assert scalar_steps(acc, tag) == LOGGED, tag
    images = acc.Images("samples")
    assert [i.step for i in images] == SAMPLED and images[0].width > 28
    assert "config/text_summary" in acc.Tags()["tensors"]
    assert "_hparams_/session_start_info" in acc.summary_metadata  # one run: the hparams are in its own files


def test_export_of_a_run_without_event_files_gives_the_same_tags(live_run, tmp_path):
    path = tmp_path / "quiet"
    assert list(Trainer.new(tiny_config(path, run__tensorboard=False)).run())[-1].reason == "done"
    assert not (path / "tensorboard").exists()
    folder, rows, images = tb.export_run(path)
    assert folder == path / "tensorboard" and (rows, images) == (len(LOGGED), len(SAMPLED))
    live, exported = read_events(live_run / "tensorboard").Tags(), read_events(folder).Tags()
    for kind in ("scalars", "images", "tensors"):
        assert sorted(exported[kind]) == sorted(live[kind]), kind
    acc = read_events(folder)
    assert scalar_steps(acc, "loss/loss_g") == LOGGED and [i.step for i in acc.Images("samples")] == SAMPLED
    tb.export_run(path)  # again: the earlier event files are replaced, not doubled
    assert scalar_steps(read_events(folder), "loss/loss_g") == LOGGED


def test_eval_rows_become_eval_scalars():
    assert tb.scalars({"step": 40, "event": "eval", "eval_metric": "fid", "fid": 12.5, "class_histogram": [1, 2]}) \
        == {"eval/fid": 12.5}
    assert tb.scalars({"step": 5, "loss_d": 1.0, "d_fake": None, "d_output": "critic"}) == {"loss/loss_d": 1.0}
    assert tb.scalars({"step": 5, "event": "sample", "path": "samples/step_0000005.png"}) == {}


def test_resume_from_an_earlier_checkpoint_reads_as_one_run(tmp_path):
    path = tmp_path / "resumed"
    list(Trainer.new(tiny_config(path)).run())
    earlier = RunDir(path).step_checkpoint_path(10)
    assert list(Trainer.resume(path, checkpoint=str(earlier)).run())[-1].reason == "done"
    assert len(list((path / "tensorboard").glob("events.out.tfevents.*"))) == 2
    acc = read_events(path / "tensorboard")
    assert scalar_steps(acc, "loss/loss_d") == LOGGED  # steps 15 and 20 of the first attempt are purged
    assert [i.step for i in acc.Images("samples")] == SAMPLED


def test_without_tensorboard_training_works_and_writes_no_folder(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # `import tensorboard` raises ImportError
    monkeypatch.delitem(sys.modules, "torch.utils.tensorboard", raising=False)
    assert tb.summary_writer_class() is None
    path = tmp_path / "plain"
    items = list(Trainer.new(tiny_config(path, steps=5)).run())
    assert items[-1].reason == "done" and (path / "checkpoints" / "last.pt").is_file()
    assert not (path / "tensorboard").exists()
    assert not [r for r in RunDir(path).read_metrics() if r.get("event") == "notice"]
    with pytest.raises(tb.TensorBoardError, match="pip install"):
        tb.export_run(path)


def test_unwritable_folder_gives_one_notice_and_training_finishes(tmp_path):
    path = tmp_path / "blocked"
    path.mkdir()
    (path / "tensorboard").write_text("a file where the folder should be")
    items = list(Trainer.new(tiny_config(path, steps=10)).run())
    assert items[-1].reason == "done" and (path / "checkpoints" / "last.pt").is_file()
    notices = [r["message"] for r in RunDir(path).read_metrics() if r.get("event") == "notice"]
    assert len(notices) == 1 and "TensorBoard" in notices[0] and str(path / "tensorboard") in notices[0]
