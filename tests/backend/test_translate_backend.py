"""Translate your own pictures, backend: scenes:day2night, cyclegan, the unpaired task, the translator and `translate`.

Tiny sizes and widths keep the file within seconds on a CPU; the shipped translator is loaded as a
user's install would load it (weights_only=True).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
from PIL import Image

from gan_backend import cli
from gan_backend.data import open_dataset
from gan_backend.data.base import ArrayDataset
from gan_backend.data.builtin.day2night import render_stream, true_pairs
from gan_backend.engine import checkpoint as ckpt
from gan_backend.engine.batches import Batcher
from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import RunEnded, TrainReport
from gan_backend.models import MODELS, ModelSpec, UnsupportedShapeError, build_models
from gan_backend.tasks import TASKS
from gan_backend.tasks.image_pool import ImagePool
from gan_backend.tiling import translate_tiled
from gan_backend import resources
from gan_backend.translator import TranslateError, as_rgb, list_pictures, load_translator
from tests.backend.helpers import tiny_config

EIGHT = ("loss_G_A", "loss_G_B", "loss_D_A", "loss_D_B", "loss_cycle_A", "loss_cycle_B", "loss_idt_A", "loss_idt_B")
PHOTOS = Path(__file__).resolve().parents[3] / "shared" / "data" / "photos"
pytestmark = pytest.mark.usefixtures("one_thread")  # tests/backend/conftest.py


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(trainer, reports, end) of a 4-step cyclegan run at 32 px, width 4."""
    cfg = tiny_config(tmp_path_factory.mktemp("run") / "run", dataset="scenes:day2night", model="cyclegan", steps=4,
                      data__n=16, data__image_size=32, train__batch_size=2, model__width=4, run__log_every=2)
    trainer = Trainer.new(cfg)
    items = list(trainer.run())
    return trainer, [i for i in items if isinstance(i, TrainReport)], items[-1]


def luminance_edges(pictures: np.ndarray) -> np.ndarray:
    """float [N, P]: |d luminance| across and down each picture, flattened."""
    lum = pictures.astype(np.float32) @ np.array([0.3, 0.59, 0.11], np.float32)
    return (np.abs(np.diff(lum, axis=1))[:, :, :-1] + np.abs(np.diff(lum, axis=2))[:, :-1, :]).reshape(len(lum), -1)


def correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = (v - v.mean(1, keepdims=True) for v in (a, b))
    return (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))


# --- the dataset ----------------------------------------------------------------------------------
def test_day2night_is_deterministic_and_its_domains_are_different_scenes():
    data = open_dataset("scenes:day2night", seed=0, n=8, size=32)
    again, other = (open_dataset("scenes:day2night", seed=s, n=8, size=32) for s in (0, 1))
    assert data.kind == "unpaired" and data.class_names == ["A", "B"] and data.report.class_counts == [8, 8]
    assert data.x.shape == data.extra["b"].shape == (8, 32, 32, 3) and data.x.dtype == np.uint8
    assert np.array_equal(data.x, again.x) and np.array_equal(data.extra["b"], again.extra["b"])
    assert not np.array_equal(data.x, other.x)
    b_by_day = render_stream(0, 1, 8, 32, ("day",))["day"]  # domain B's scenes, had they been rendered by day
    assert not np.array_equal(b_by_day, data.x)  # A and B are different scenes, not one scene twice


def test_true_pairs_differ_in_style_but_share_their_layout():
    day, night = true_pairs(16, 32)
    assert night.mean() < 0.45 * day.mean()  # darker ...
    share = lambda p: p[..., 2].astype(float).sum() / p.astype(float).sum()  # noqa: E731
    assert share(night) > share(day) + 0.03  # ... and bluer: a style change, not a dimmer
    matched, shuffled = correlation(luminance_edges(day), luminance_edges(night)), \
        correlation(luminance_edges(day), luminance_edges(np.roll(night, 1, axis=0)))
    assert matched.mean() > shuffled.mean() + 0.2 and (matched > shuffled).mean() >= 0.8


def test_day2night_paired_aligns_the_training_scenes():
    data = open_dataset("scenes:day2night_paired", n=4, size=32)
    assert data.kind == "paired" and np.array_equal(data.extra["a"], open_dataset("scenes:day2night", n=4, size=32).x)


# --- models, pool, batches ------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["resnet", "unet"])
@pytest.mark.parametrize("size", [32, 64])
def test_cyclegan_shapes(arch, size):
    g, d = build_models(ModelSpec("unpaired", (3, size, size), width=4, g_arch=arch), "cyclegan")
    x = torch.rand(2, 3, size, size) * 2 - 1
    y = g(x)
    assert y.shape == x.shape and y.min() >= -1 and y.max() <= 1
    assert d(y).shape == (2, 1, size // 8 - 2, size // 8 - 2)
    assert g(torch.zeros(1, 3, 48, 80)).shape == (1, 3, 48, 80)  # fully convolutional: other sizes run


def test_cyclegan_refuses_other_data_and_unknown_generators():
    assert MODELS.entry("cyclegan").meta["task"] == "unpaired"
    with pytest.raises(UnsupportedShapeError, match="unpaired"):
        build_models(ModelSpec("image", (3, 64, 64)), "cyclegan")
    with pytest.raises(UnsupportedShapeError, match="g_arch"):
        build_models(ModelSpec("unpaired", (3, 64, 64), g_arch="transformer"), "cyclegan")


def test_image_pool_fills_then_swaps_half_for_history():
    torch.manual_seed(0)
    assert torch.equal(ImagePool(0).query(torch.ones(3, 1, 2, 2)), torch.ones(3, 1, 2, 2))
    pool = ImagePool(4)
    first = torch.arange(4.0).view(4, 1, 1, 1)
    assert torch.equal(pool.query(first), first) and len(pool) == 4  # filling: shown as they come
    new = 100 + torch.arange(200.0).view(200, 1, 1, 1)
    out = pool.query(new).flatten()
    assert len(pool) == 4
    swapped = out != new.flatten()  # D shown a fake from history instead of the newest one
    assert 60 < swapped.sum() < 140  # about half
    assert (out[swapped] < new.flatten()[swapped]).all()  # always an older fake, never a later one
    again = ImagePool(4)
    again.load_state_dict(pool.state_dict())
    assert torch.equal(again.images, pool.images)


def test_batcher_draws_domain_b_in_its_own_reproducible_order():
    a = np.repeat(np.arange(8, dtype=np.uint8), 12).reshape(8, 2, 2, 3)  # picture i: grey level i
    b = np.repeat(np.arange(100, 112, dtype=np.uint8), 12).reshape(12, 2, 2, 3)
    data = ArrayDataset("t", "unpaired", a, None, ["A", "B"], {"b": b})
    grey = lambda t: ((t[:, 0, 0, 0] + 1) * 127.5).round().long().tolist()  # noqa: E731
    draws = [Batcher(data, 4, seed=5, device=torch.device("cpu")) for _ in range(2)]
    seen = [[grey(bt.next()["b"]) for _ in range(6)] for bt in draws]
    assert seen[0] == seen[1]  # a pure function of (seed, batch index)
    assert sorted(sum(seen[0][:3], [])) == list(range(100, 112))  # 3 batches = one epoch of B's 12 pictures
    assert seen[0][:3] != seen[0][3:]  # a new order in B's next epoch


# --- the task -------------------------------------------------------------------------------------
def test_training_steps_report_all_eight_losses_and_samples_four_columns(trained):
    trainer, reports, end = trained
    assert end.reason == "done" and reports
    assert set(EIGHT) | {"loss_d", "loss_g"} <= set(reports[-1].losses)
    assert all(np.isfinite(v) for v in reports[-1].losses.values())
    assert set(EIGHT) <= set(trainer.task.loss_names)
    grid = trainer.task.sample_picture()
    assert grid.shape == (8 * 34 + 2, 4 * 34 + 2, 3)  # 8 rows of [A | G_A(A) | B | G_B(B)] at 32 px
    assert len(trainer.task.pool_A) == 8  # 4 steps x batch 2 fakes stored (pool 50)


def test_cycle_and_identity_losses_on_known_generators(trained):
    task = trained[0].task

    class Shift(nn.Module):
        def __init__(self, by: float):
            super().__init__()
            self.by = by

        def forward(self, x):
            return x + self.by

    task.G_A_run, task.G_B_run = Shift(0.1), Shift(-0.3)  # A -> B adds 0.1, B -> A takes 0.3 away
    a, b = torch.zeros(2, 3, 32, 32), torch.zeros(2, 3, 32, 32)
    losses = task._g_losses(a, b, a + 0.1, b - 0.3)
    lam, idt = task.cfg.loss.cycle_weight, task.cfg.loss.identity_weight
    expected = {"loss_cycle_A": lam * 0.2, "loss_cycle_B": lam * 0.2, "loss_idt_A": lam * idt * 0.1,
                "loss_idt_B": lam * idt * 0.3}
    for key, value in expected.items():
        assert losses[key].item() == pytest.approx(value, rel=1e-5), key
    task.G_A_run, task.G_B_run = task.G_A, task.G_B


def test_unpaired_task_refuses_paired_data(tmp_path):
    cfg = tiny_config(tmp_path / "run", dataset="scenes", model="cyclegan")
    pictures = np.zeros((4, 32, 32, 3), np.uint8)
    data = ArrayDataset("pairs", "paired", pictures, None, [], {"a": pictures})
    with pytest.raises(ValueError, match="unpaired data such as scenes:day2night"):
        TASKS.get("unpaired")(cfg, data, torch.device("cpu"))


# --- translator and CLI ---------------------------------------------------------------------------
def test_tiles_blend_back_to_the_whole_picture():
    x = torch.rand(1, 3, 300, 530) * 2 - 1
    halve = lambda t: t * 0.5  # noqa: E731  (pointwise: tiling must not change it)
    assert torch.allclose(translate_tiled(halve, x, tile=128, overlap=16), x * 0.5, atol=1e-6)
    assert translate_tiled(lambda t: t[:, :1], x[:, :, :37, :50]).shape == (1, 1, 37, 50)  # padded, cropped back


def test_as_rgb_accepts_every_mode():
    assert as_rgb(np.zeros((5, 7), np.uint8)).shape == (5, 7, 3)
    assert as_rgb(Image.new("RGBA", (7, 5), (0, 0, 0, 0)))[0, 0].tolist() == [255, 255, 255]  # on white
    assert as_rgb(Image.new("CMYK", (7, 5))).shape == (5, 7, 3)
    with pytest.raises(TranslateError, match="uint8"):
        as_rgb(np.zeros((5, 7, 2), np.float32))


def _pictures(folder: Path) -> Path:
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 70, 3), dtype=np.uint8)).save(folder / "wide.png")
    Image.fromarray(rng.integers(0, 256, (90, 50, 4), dtype=np.uint8), "RGBA").save(folder / "tall.png")
    Image.fromarray(rng.integers(0, 65536, (33, 33), dtype=np.uint16)).save(folder / "grey16.tif")
    return folder


def test_translate_cli_on_a_picture_and_a_folder(trained, tmp_path, capsys):
    run, pics = str(trained[0].run_dir.path), _pictures(tmp_path / "in")
    assert cli.main(["translate", run, "--in", str(pics / "wide.png"), "--out", str(tmp_path / "one.png")]) == 0
    assert np.asarray(Image.open(tmp_path / "one.png")).shape == (32, 56, 3)  # shorter side at the model's 32 px
    assert cli.main(["translate", run, "--in", str(pics / "tall.png"), "--out", str(tmp_path / "full.png"),
                     "--full-res", "--direction", "BtoA"]) == 0
    assert np.asarray(Image.open(tmp_path / "full.png")).shape == (90, 50, 3)
    assert cli.main(["translate", run, "--in", str(pics), "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["grey16.png", "tall.png", "wide.png"]
    assert "translate: 3/3" in capsys.readouterr().err


@pytest.mark.skipif(not PHOTOS.is_dir(), reason="no ../shared/data/photos on this machine")
def test_translate_cli_on_the_shared_photos(trained, tmp_path):
    code = cli.main(["translate", str(trained[0].run_dir.path), "--in", str(PHOTOS), "--out", str(tmp_path / "out")])
    assert code == 0 and len(list((tmp_path / "out").iterdir())) == len(list_pictures(PHOTOS))  # RGBA, grey, JPEG


def _fake_checkpoint(path: Path, task: str, model: str, **meta) -> Path:
    g, _ = build_models(ModelSpec("paired", (3, 32, 32), num_classes=3, width=4), "pix2pix") if model == "pix2pix" \
        else (nn.Linear(1, 1), None)
    state = {"config": {"model": {"name": model, "width": 4}}, "step": 1, "modules": {"G_ema": g.state_dict()},
             "meta": {"task": task, "model": model, "shape": [3, 32, 32], "class_names": [], **meta}}
    ckpt.save_atomic(state, path)
    return path


@pytest.mark.parametrize("case,words", [
    ("not_an_image", "not an image"), ("missing", "no such file"), ("dcgan", "cannot translate"),
    ("label_maps", "paints label maps"), ("paired_backwards", "A to B only"), ("bad_out", ".png")])
def test_bad_input_gives_one_line_and_exit_2(trained, tmp_path, capsys, case, words):
    pics, run = _pictures(tmp_path / "in"), str(trained[0].run_dir.path)
    (pics / "fake.png").write_text("not a picture")
    args = {"not_an_image": [run, "--in", str(pics / "fake.png")],
            "missing": [run, "--in", str(pics / "gone.png")],
            "dcgan": [str(_fake_checkpoint(tmp_path / "d.pt", "unconditional", "dcgan")), "--in",
                      str(pics / "wide.png")],
            "label_maps": [str(_fake_checkpoint(tmp_path / "s.pt", "paired", "pix2pix", class_names=["sky", "sea"])),
                           "--in", str(pics / "wide.png")],
            "paired_backwards": [str(_fake_checkpoint(tmp_path / "p.pt", "paired", "pix2pix")), "--in",
                                 str(pics / "wide.png"), "--direction", "BtoA"],
            "bad_out": [run, "--in", str(pics / "wide.png"), "--out", str(tmp_path / "x.txt")]}[case]
    out = [] if "--out" in args else ["--out", str(tmp_path / "x.png")]
    assert cli.main(["translate", *args, *out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err


def test_a_huge_picture_is_refused_with_its_size_named(trained, tmp_path, capsys, monkeypatch):
    import gan_backend.translator as translator

    monkeypatch.setattr(translator, "MAX_PIXELS", 1000)  # stands for 50 megapixels: wide.png has 2800 pixels
    pics = _pictures(tmp_path / "in")
    assert cli.main(["translate", str(trained[0].run_dir.path), "--in", str(pics / "wide.png"), "--out",
                     str(tmp_path / "x.png"), "--full-res"]) == 2
    assert "70 x 40 pixels is too large" in capsys.readouterr().err


@pytest.mark.parametrize("name, side", [("translator", 128), ("translator64", 64)])
def test_shipped_translator_loads_weights_only_and_turns_day_into_night(name, side):
    state = torch.load(resources.path("models", name, "translator.pt"), weights_only=True)
    assert state["meta"]["task"] == "unpaired" and {"G_A", "G_B"} <= set(state["modules"])
    assert resources.path("models", name, "translator.pt").stat().st_size <= 30 * 2**20
    translator = load_translator(name)
    assert translator.size == side
    day, night = true_pairs(4, translator.size)
    to_night = np.stack([translator.translate(p, "AtoB") for p in day]).astype(float)
    to_day = np.stack([translator.translate(p, "BtoA") for p in night]).astype(float)
    assert to_night.mean() < 0.6 * day.mean() and to_day.mean() > 1.6 * night.mean()
    assert np.abs(to_night - night).mean() < 0.5 * np.abs(day.astype(float) - night).mean()
