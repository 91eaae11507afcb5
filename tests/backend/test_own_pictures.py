"""Training on a folder as a user expects: small folders, flips, padding to square, odd files, the recipe."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gan_backend.data import ArrayDataset
from gan_backend.data.base import DatasetReport
from gan_backend.data.recipes import recipe_for
from gan_backend.engine.batches import Batcher, fitted_batch_size
from gan_backend.engine.loop import Trainer
from gan_backend.engine.run_dir import RunDir
from tests.backend import diskdata_factory as make
from tests.backend.diskdata_factory import open_dir
from tests.backend.helpers import tiny_config


def train_folder(tmp_path: Path, folder: Path, steps: int = 4, **sets):
    """A short run on ``folder`` at 16 px; returns (last item, notice messages, saved config)."""
    cfg = tiny_config(tmp_path / "run", dataset=f"folder:{folder}", steps=steps, data__cache_dir="off",
                      data__image_size=16, run__log_every=2, **sets)
    items = list(Trainer.new(cfg).run())
    run = RunDir.open(tmp_path / "run")
    notices = [r["message"] for r in run.read_metrics() if r.get("event") == "notice"]
    return items[-1], notices, run.config()


# --- small folders ---

def test_one_picture_trains_with_a_batch_of_one_and_says_what_to_expect(tmp_path):
    make.noise_png(tmp_path / "d" / "me.png", size=20)
    ended, notices, cfg = train_folder(tmp_path, tmp_path / "d")
    assert ended.reason == "done" and cfg.train.batch_size == 1
    assert any("fewer than train.batch_size=16: training with batches of 1" in m for m in notices)
    assert any(m.startswith("one picture: expect copies of it") and "SinGAN" in m for m in notices)


def test_identical_pictures_train(tmp_path):
    for i in range(5):
        make.solid(tmp_path / "d" / f"{i}.png", make.BLUE, (12, 12))
    ended, notices, cfg = train_folder(tmp_path, tmp_path / "d", data__flip=True)
    assert ended.reason == "done" and cfg.train.batch_size == 5 and len(notices) == 1


def test_icons_and_photos_of_very_different_sizes_train_padded(tmp_path):
    make.solid(tmp_path / "d" / "icon.png", make.RED, (16, 16))
    make.rgba(tmp_path / "d" / "glyph.png", size=24)
    make.noise_png(tmp_path / "d" / "photo.png", size=400)
    make.solid(tmp_path / "d" / "banner.png", make.GREEN, (300, 60))
    ended, _, cfg = train_folder(tmp_path, tmp_path / "d", data__crop="pad", data__background="black")
    assert ended.reason == "done" and cfg.train.batch_size == 4


def test_16_bit_and_palette_pngs_train(tmp_path):
    (tmp_path / "d").mkdir()
    for i in range(3):
        make.grey16(tmp_path / "d" / f"g{i}.png", 20000 * i, size=10)
        make.palette_png(tmp_path / "d" / f"p{i}.png", (10 * i, 200, 30))
    ended, _, cfg = train_folder(tmp_path, tmp_path / "d")
    assert ended.reason == "done" and cfg.train.batch_size == 6


def test_half_broken_folder_names_the_bad_files_and_trains_on_the_rest(tmp_path):
    d = tmp_path / "d"
    for i in range(3):
        make.noise_png(d / f"ok{i}.png", seed=i)
    make.truncated(d / "cut.jpg")
    (d / "empty.png").write_bytes(b"")
    (d / "fake.png").write_text("not a picture")
    data = open_dir("folder", d, tmp_path)
    assert len(data) == 3 and {Path(s.path).name for s in data.report.skipped} == {"cut.jpg", "empty.png", "fake.png"}
    ended, _, cfg = train_folder(tmp_path, d)
    assert ended.reason == "done" and cfg.train.batch_size == 3


def test_the_fitted_batch_divides_over_the_processes():
    data = ArrayDataset("five", "image", np.zeros((5, 8, 8, 3), np.uint8))
    assert fitted_batch_size(data, 64) == 5 and fitted_batch_size(data, 4) == 4
    assert fitted_batch_size(data, 64, world=2) == 4 and fitted_batch_size(data, 64, world=4) == 4
    with pytest.raises(ValueError, match="fewer than the 8 processes"):
        fitted_batch_size(data, 64, world=8)
    unpaired = ArrayDataset("u", "unpaired", np.zeros((9, 8, 8, 3), np.uint8),
                            extra={"b": np.zeros((3, 8, 8, 3), np.uint8)})
    assert fitted_batch_size(unpaired, 64) == 3


# --- flips ---

def test_flip_mirrors_some_pictures_of_each_batch_and_never_changes_them_otherwise():
    x = np.zeros((8, 4, 4, 1), np.uint8)
    x[:, :, 0] = 255  # a bright left column
    data = ArrayDataset("left", "image", x)
    torch.manual_seed(0)
    batches = [Batcher(data, 8, 0, torch.device("cpu"), flip=True).next()["x"] for _ in range(4)]
    left = torch.cat([b[:, 0, :, 0].mean(1) for b in batches])  # +1 where the column stayed left
    right = torch.cat([b[:, 0, :, -1].mean(1) for b in batches])
    assert ((left == 1) ^ (right == 1)).all() and 0 < (right == 1).sum() < len(right)
    plain = Batcher(data, 8, 0, torch.device("cpu")).next()["x"]
    assert (plain[:, 0, :, 0] == 1).all()


def test_resume_with_flips_equals_straight_run(tmp_path):
    sets = dict(run__checkpoint_every=1000, run__sample_every=1000, data__flip=True)
    run_a = Trainer.new(tiny_config(tmp_path / "a", steps=40, **sets))
    list(run_a.run())
    list(Trainer.new(tiny_config(tmp_path / "b", steps=20, **sets)).run())
    list(Trainer.resume(tmp_path / "b", steps=40).run())
    a = {r["step"]: r for r in RunDir(tmp_path / "a").read_metrics() if "loss_d" in r}
    b = {r["step"]: r for r in RunDir(tmp_path / "b").read_metrics() if "loss_d" in r}
    assert sorted(a) == sorted(b) and max(a) == 40
    assert max(abs(a[s][k] - b[s][k]) for s in a for k in ("loss_d", "loss_g")) <= 1e-6
    unflipped = Trainer.new(tiny_config(tmp_path / "c", steps=5, run__log_every=5))
    list(unflipped.run())
    c = {r["step"]: r for r in RunDir(tmp_path / "c").read_metrics() if "loss_d" in r}
    assert c[5]["loss_d"] != a[5]["loss_d"]  # the flips do reach the pictures D sees


# --- square from any shape ---

def test_pad_keeps_the_whole_picture_on_background_bars(tmp_path):
    wide = make.solid(tmp_path / "d" / "wide.png", make.RED, (40, 20))
    tall = make.solid(tmp_path / "d" / "tall.png", make.GREEN, (10, 30))
    data = open_dir("folder", tmp_path / "d", tmp_path, image_size=20, crop="pad", background="blue")
    by_name = dict(zip(sorted(p.name for p in (wide, tall)), data.x))  # rows follow sorted names
    w, t = by_name["wide.png"], by_name["tall.png"]
    assert (w[0, 10] == make.BLUE).all() and (w[10, 0] == make.RED).all() and (w[-1, 10] == make.BLUE).all()
    assert (t[10, 0] == make.BLUE).all() and (t[10, 10] == make.GREEN).all() and (t[0, 10] == make.GREEN).all()
    centre = open_dir("folder", tmp_path / "d", tmp_path, image_size=20)
    assert not (centre.x == make.BLUE).all(-1).any()  # the default still crops: no bars
    assert any("padded square" in note for note in data.report.notes)


def test_pad_of_grey_pictures_uses_the_grey_of_the_background(tmp_path):
    make.solid(tmp_path / "d" / "g.png", 0, (20, 10), mode="L")
    data = open_dir("folder", tmp_path / "d", tmp_path, image_size=10, crop="pad", background="white")
    assert data.x.shape == (1, 10, 10, 1) and data.x[0, 0, 5, 0] == 255 and data.x[0, 5, 5, 0] == 0


# --- the recipe ---

def report(count: int, side: int = 200, kind: str = "image") -> DatasetReport:
    return DatasetReport("folder:x", count, kind, (64, 64, 3), sizes_seen={"median": (side + 50, side)})


def test_recipe_for_few_pictures_flips_and_clamps_the_batch():
    r = recipe_for(report(40))
    assert r.fields["model.name"] == "fastgan" and r.fields["loss.name"] == "hinge"
    assert r.fields["data.image_size"] == 64
    many = recipe_for(report(5000)).fields
    assert many["model.name"] == "dcgan" and "loss.name" not in many
    assert r.fields["data.flip"] is True and r.fields["train.batch_size"] == 40
    assert "40 pictures" in r.why and "\n" not in r.why


def test_recipe_for_tiny_pictures_trains_at_32_and_more_pictures_get_more_steps():
    assert recipe_for(report(500, side=24)).fields["data.image_size"] == 32
    steps = [recipe_for(report(n)).fields["train.steps"] for n in (10, 5000, 50_000)]
    assert steps == sorted(steps) and len(set(steps)) == 3
    assert recipe_for(report(50_000)).fields["train.batch_size"] == 64


def test_recipe_for_one_picture_says_what_to_expect_and_fits_the_config():
    from gan_backend.config import Config

    r = recipe_for(report(1))
    assert r.why.startswith("one picture: expect copies of it") and r.fields["train.batch_size"] == 1
    cfg = Config()
    for key, value in r.fields.items():
        cfg.set(key, value)  # every recipe field is a real config field of the right type
    assert cfg.data.flip and cfg.model.name == "fastgan"


def test_recipe_augments_few_pictures_with_a_faster_ada_controller():
    few, many = recipe_for(report(40)).fields, recipe_for(report(5000)).fields
    assert few["train.augment"] == "ada" and few["train.ada_kimg"] < 500
    assert many["train.augment"] == "auto" and "train.ada_kimg" not in many

def test_no_recipe_for_points_or_pairs():
    assert recipe_for(report(100, kind="points")) is None and recipe_for(report(100, kind="paired")) is None
