"""The training loop: run directory, reports, controls, resume equality, non-finite losses."""
import json
import threading

import numpy as np
import pytest
import torch

from gan_backend.engine import checkpoint as ckpt
from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import RunEnded, SampleReport, TrainControl, TrainReport
from gan_backend.engine.run_dir import RunDir
from tests.backend.helpers import tiny_config


def run_all(trainer, control=None):
    return list(trainer.run(control))


def test_short_run_writes_complete_run_dir(tmp_path):
    items = run_all(Trainer.new(tiny_config(tmp_path / "run")))
    reports = [i for i in items if isinstance(i, TrainReport)]
    samples = [i for i in items if isinstance(i, SampleReport)]
    assert isinstance(items[-1], RunEnded) and items[-1].reason == "done"
    assert [r.step for r in reports] == [5, 10, 15, 20]
    r = reports[-1]
    assert {"loss_d", "loss_g"} <= set(r.losses) and r.d_output == "probability"
    assert 0 <= r.d_real <= 1 and 0 <= r.d_fake <= 1 and r.grad_norm_d > 0 and r.grad_norm_g > 0
    assert r.images_seen == 20 * 16 and r.images_per_sec > 0
    assert samples[0].step == 0 and samples[-1].grid.dtype == np.uint8 and samples[-1].grid.std() > 1
    run = RunDir.open(tmp_path / "run")
    assert run.config().train.steps == 20
    assert [s for s, _ in run.samples()] == [0, 10, 20]
    assert run.last_checkpoint.is_file() and [s for s, _ in run.step_checkpoints()] == [10, 20]
    rows = run.read_metrics()
    assert [row["step"] for row in rows if "loss_d" in row] == [5, 10, 15, 20]


def test_resume_equals_straight_run(tmp_path):
    """The issue's figure: 200 steps straight == 100 + resume + 100 on CPU, within 1e-6."""
    straight = tiny_config(tmp_path / "a", steps=200, run__checkpoint_every=1000, run__sample_every=1000)
    run_all(Trainer.new(straight))
    half = tiny_config(tmp_path / "b", steps=100, run__checkpoint_every=1000, run__sample_every=1000)
    run_all(Trainer.new(half))
    run_all(Trainer.resume(tmp_path / "b", steps=200))
    a = {r["step"]: r for r in RunDir(tmp_path / "a").read_metrics() if "loss_d" in r}
    b = {r["step"]: r for r in RunDir(tmp_path / "b").read_metrics() if "loss_d" in r}
    assert sorted(a) == sorted(b) and max(a) == 200
    diff = max(abs(a[s][k] - b[s][k]) for s in a for k in ("loss_d", "loss_g", "d_real", "d_fake"))
    assert diff <= 1e-6


def test_stop_saves_checkpoint_and_pause_freezes(tmp_path):
    trainer = Trainer.new(tiny_config(tmp_path / "run", steps=10_000, run__log_every=1))
    control = TrainControl()
    steps_seen = []
    for item in trainer.run(control):
        if isinstance(item, TrainReport):
            steps_seen.append(item.step)
            if item.step == 3:
                control.pause.set()
                threading.Timer(0.3, control.stop.set).start()
    assert isinstance(item, RunEnded) and item.reason == "stopped" and item.step == 3
    state = ckpt.load(item.checkpoint)
    assert state["step"] == 3 and steps_seen[-1] == 3


def test_live_changes_apply_and_are_logged(tmp_path):
    trainer = Trainer.new(tiny_config(tmp_path / "run", steps=10))
    control = TrainControl()
    control.change(lr_d=1e-3, d_steps=2)
    items = run_all(trainer, control)
    last = [i for i in items if isinstance(i, TrainReport)][-1]
    assert last.lr_d == pytest.approx(1e-3) and last.images_seen == 10 * 2 * 16
    events = [r for r in trainer.run_dir.read_metrics() if r.get("event") == "change"]
    assert {e["field"] for e in events} == {"train.lr_d", "train.d_steps"}
    with pytest.raises(TypeError):
        control.change(batch_size=3)


def test_non_finite_loss_stops_with_message_and_keeps_last_checkpoint(tmp_path):
    trainer = Trainer.new(tiny_config(tmp_path / "run", steps=40))
    real_d_step = trainer.task.d_step

    def poisoned(batch, measure, keep_fakes=True):
        out = real_d_step(batch, measure, keep_fakes)
        if trainer.step >= 12:
            out["loss_d"] = torch.tensor(float("nan"))
        return out

    trainer.task.d_step = poisoned
    items = run_all(trainer)
    end = items[-1]
    assert end.reason == "nan" and "loss_d" in end.message and "step 15" in end.message
    assert ckpt.load(trainer.run_dir.last_checkpoint)["step"] == 10


@pytest.mark.parametrize("model,dataset,sets", [
    ("mlp", "toy2d:ring8", {}),
    ("cdcgan", "glyphs", {}),
    ("sngan", "shapes", {"loss.name": "hinge"}),
    ("fastgan", "shapes", {"loss.name": "hinge", "train.channels_last": True}),
    ("dcgan", "shapes", {"loss.name": "wgan_gp", "train.d_steps": 2}),
    ("mlp", "glyphs", {"train.label_smoothing": 0.1, "train.label_flip": 0.05, "train.instance_noise": 0.1,
                       "model.g_dropout": 0.2, "loss.name": "wgan"}),
])
def test_every_family_trains_a_few_steps(tmp_path, model, dataset, sets):
    cfg = tiny_config(tmp_path / "run", dataset=dataset, model=model, steps=6)
    for k, v in sets.items():
        cfg.set(k, v)
    items = run_all(Trainer.new(cfg))
    assert items[-1].reason == "done"
    assert all(np.isfinite(v) for i in items if isinstance(i, TrainReport) for v in i.losses.values())


def test_fastgan_logs_a_falling_reconstruction_loss(tmp_path):
    """D's self-supervised decoder learns: loss_d_recon is logged beside loss_d and falls over 60 steps."""
    cfg = tiny_config(tmp_path / "run", dataset="shapes", model="fastgan", steps=60, loss__name="hinge",
                      run__sample_every=60, run__checkpoint_every=60)
    reports = [i for i in run_all(Trainer.new(cfg)) if isinstance(i, TrainReport)]
    recon = [r.losses["loss_d_recon"] for r in reports]
    assert len(recon) == 12 and all(np.isfinite(v) and v > 0 for v in recon)
    assert {"loss_d", "loss_g"} <= set(reports[-1].losses)
    assert np.mean(recon[-3:]) < 0.9 * np.mean(recon[:3]), recon


def test_wgan_clips_weights(tmp_path):
    trainer = Trainer.new(tiny_config(tmp_path / "run", model="mlp", dataset="toy2d:ring8", steps=3,
                                      loss__name="wgan"))
    run_all(trainer)
    assert max(p.abs().max().item() for p in trainer.task.D.parameters()) <= 0.01 + 1e-7


def test_ema_generator_differs_from_generator(tmp_path):
    trainer = Trainer.new(tiny_config(tmp_path / "run", steps=30))
    run_all(trainer)
    g, e = trainer.task.G.state_dict(), trainer.task.G_ema.state_dict()
    assert any(not torch.equal(g[k], e[k]) for k in g if g[k].is_floating_point())


class _FailingBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("simulated compiled-graph backward failure")


def test_compile_failure_falls_back_to_eager_with_a_notice(tmp_path, monkeypatch):
    """torch.compile may fail late (first call or first backward): the run goes on eagerly and says why."""
    monkeypatch.setattr(torch, "compile", lambda module: (lambda *a, **k: _FailingBackward.apply(module(*a, **k))))
    cfg = tiny_config(tmp_path / "run", steps=10, train__compile=True)
    items = run_all(Trainer.new(cfg))
    assert items[-1].reason == "done" and items[-1].step == 10
    notices = [r for r in RunDir(tmp_path / "run").read_metrics() if r.get("event") == "notice"]
    assert notices and "running eagerly" in notices[0]["message"] and "simulated" in notices[0]["message"]


def test_failed_checkpoint_write_ends_run_cleanly(tmp_path, monkeypatch):
    """A full disk at a checkpoint: the run ends with a message naming the file; the previous one survives."""
    trainer = Trainer.new(tiny_config(tmp_path / "run", steps=40))
    real_save = ckpt.save_atomic

    def full_disk(state, path, also=()):
        if state["step"] >= 20:
            raise ckpt.CheckpointError(f"could not write checkpoint {path}: No space left on device")
        real_save(state, path, also)

    monkeypatch.setattr(ckpt, "save_atomic", full_disk)
    end = run_all(trainer)[-1]
    assert end.reason == "error" and "No space left" in end.message and "last.pt" in end.message
    assert ckpt.load(trainer.run_dir.last_checkpoint)["step"] == 10
