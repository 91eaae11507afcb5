"""Paint to image, backend: the scenes dataset, the paired models and task, the painter and `synthesize`.

Tiny sizes and widths keep the file within seconds on a CPU; the shipped painter is loaded as a user's
install would load it (weights_only=True).
"""
from __future__ import annotations

import dataclasses
import numpy as np
import pytest
import torch
from PIL import Image

from gan_backend import cli
from gan_backend.data import open_dataset
from gan_backend.data.base import ArrayDataset
from gan_backend.data.builtin.scene_layout import CLASS_NAMES, PALETTE
from gan_backend.data.builtin.scenes import generate
from gan_backend.engine.batches import Batcher
from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import RunEnded, SampleReport, TrainReport
from gan_backend.models import MODELS, ModelSpec, UnsupportedShapeError, build_models
from gan_backend.models.spade import NoiseInput
from gan_backend import resources
from gan_backend.painter import LabelMapError, load_painter
from gan_backend.tasks.paired import one_hot
from tests.backend.helpers import tiny_config

PAIRED = ["spade", "pix2pix"]
pytestmark = pytest.mark.usefixtures("one_thread")  # tests/backend/conftest.py


@pytest.fixture(scope="module")
def scenes64():
    return open_dataset("scenes", seed=0, n=64, size=64)


# --- the scenes dataset ---------------------------------------------------------------------------
def test_scenes_same_seed_same_data_and_scene_i_independent_of_n(scenes64):
    again, other = open_dataset("scenes", seed=0, n=64, size=64), open_dataset("scenes", seed=1, n=64, size=64)
    assert np.array_equal(again.x, scenes64.x) and np.array_equal(again.extra["segmap"], scenes64.extra["segmap"])
    assert not np.array_equal(other.extra["segmap"], scenes64.extra["segmap"])
    maps, pictures = generate(0, 5, 64)
    assert np.array_equal(maps, scenes64.extra["segmap"][:5]) and np.array_equal(pictures, scenes64.x[:5])


def test_scenes_shapes_classes_palette_and_layout(scenes64):
    d = scenes64
    assert d.kind == "paired" and d.x.shape == (64, 64, 64, 3) and d.x.dtype == np.uint8
    assert d.extra["segmap"].shape == (64, 64, 64) and d.class_names == CLASS_NAMES and len(CLASS_NAMES) >= 10
    assert {"sky", "cloud", "mountain", "rock", "snow", "water", "sand", "grass", "tree", "bush"} <= set(CLASS_NAMES)
    assert np.array_equal(d.palette, PALETTE) and len({tuple(c) for c in PALETTE}) == len(PALETTE)
    assert all(c > 0 for c in d.report.class_counts), dict(zip(CLASS_NAMES, d.report.class_counts))
    rows = np.arange(64)[None, :, None]
    seg = d.extra["segmap"]
    sky_row, grass_row = (np.broadcast_to(rows, seg.shape)[seg == CLASS_NAMES.index(c)].mean() for c in ("sky", "grass"))
    assert sky_row < 20 < 40 < grass_row  # sky on top, grass at the bottom


def test_scenes_render_is_textured_not_a_colour_fill(scenes64):
    seg, x = scenes64.extra["segmap"], scenes64.x.astype(np.float32)
    for name in ("sky", "mountain", "water", "grass", "tree"):
        pixels = x[seg == CLASS_NAMES.index(name)]
        assert pixels.std(axis=0).mean() > 4, name  # shading, gradients and noise within a class


def test_scenes_rejects_silly_sizes():
    with pytest.raises(ValueError, match="size"):
        open_dataset("scenes", n=2, size=4)


# --- models ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PAIRED)
@pytest.mark.parametrize("size,classes", [(32, 3), (64, 10), (128, 5)])
def test_paired_models_forward_shapes_and_backward(name, size, classes):
    g, d = build_models(ModelSpec("paired", (3, size, size), latent_dim=8, num_classes=classes, width=4), name)
    cond = one_hot(torch.randint(classes, (2, size, size)), classes)
    fake = g(cond, torch.randn(2, 8))
    assert fake.shape == (2, 3, size, size) and fake.min() >= -1 and fake.max() <= 1
    outs = d(cond, fake)
    assert len(outs) == (2 if name == "spade" and size >= 64 else 1)
    assert all(o[-1].shape[:2] == (2, 1) and o[-1].shape[2] >= 1 for o in outs)
    sum(o[-1].mean() for o in outs).backward()
    assert all(p.grad is not None for p in g.parameters())


def test_spade_follows_the_map_and_the_noise_and_runs_at_other_sizes():
    g, _ = build_models(ModelSpec("paired", (3, 64, 64), latent_dim=8, num_classes=4, width=4), "spade")
    g.eval()
    a, b = one_hot(torch.zeros(1, 64, 64, dtype=torch.long), 4), one_hot(torch.full((1, 64, 64), 3), 4)
    z = torch.randn(2, 8)
    with torch.no_grad():
        assert not torch.allclose(g(a, z[:1]), g(b, z[:1]))
        assert not torch.allclose(g(a, z[:1]), g(a, z[1:]))
        assert g(one_hot(torch.zeros(1, 128, 128, dtype=torch.long), 4), z[:1]).shape == (1, 3, 128, 128)


def test_spade_channel_taper_is_a_model_setting_with_a_clear_message():
    spec = ModelSpec("paired", (3, 64, 64), latent_dim=8, num_classes=4, width=4)
    paper, _ = build_models(spec, "spade")
    lean, _ = build_models(dataclasses.replace(spec, g_widths="8,8,4,1,1"), "spade")
    assert [b.conv_1.out_channels for b in paper.blocks] == [32, 32, 16, 8, 4]
    assert [b.conv_1.out_channels for b in lean.blocks] == [32, 32, 16, 4, 4]
    cond = one_hot(torch.randint(4, (2, 64, 64)), 4)
    assert lean(cond, torch.randn(2, 8)).shape == (2, 3, 64, 64)
    for bad in ("8,8,4", "8,8,4,0,1", "eight"):
        with pytest.raises(ValueError, match="model.g_widths"):
            build_models(dataclasses.replace(spec, g_widths=bad), "spade")


def test_spade_noise_inputs_vary_in_training_and_hold_still_when_painting():
    g, _ = build_models(ModelSpec("paired", (3, 64, 64), latent_dim=8, num_classes=4, width=4, g_noise=True), "spade")
    noise = [m for m in g.modules() if isinstance(m, NoiseInput)]
    assert len(noise) == 10 and all(not m.strength.detach().any() for m in noise)  # off until G learns it
    for m in noise:
        torch.nn.init.constant_(m.strength, 0.5)
    cond, z = one_hot(torch.randint(4, (2, 64, 64)), 4), torch.randn(2, 8)
    assert not torch.allclose(g(cond, z), g(cond, z))  # training: fresh noise each call
    g.eval()
    with torch.no_grad():
        assert torch.equal(g(cond, z), g(cond, z))  # painting: one pattern, no shimmer between strokes
        assert g(one_hot(torch.zeros(1, 128, 128, dtype=torch.long), 4), z[:1]).shape == (1, 3, 128, 128)


@pytest.mark.parametrize("name", PAIRED)
def test_paired_models_refuse_unpaired_data(name):
    assert MODELS.entry(name).meta["task"] == "paired"
    with pytest.raises(UnsupportedShapeError, match="label maps"):
        build_models(ModelSpec("image", (3, 64, 64), num_classes=0), name)


# --- batches and the task -------------------------------------------------------------------------
def test_batcher_carries_label_maps_row_for_row():
    n = 32  # item i: a picture of grey level 8*i and a map of class i
    x = np.repeat(np.arange(n, dtype=np.uint8)[:, None, None, None] * 8, 8 * 8 * 3).reshape(n, 8, 8, 3)
    seg = np.repeat(np.arange(n, dtype=np.uint8), 64).reshape(n, 8, 8)
    data = ArrayDataset("t", "paired", x, None, [str(i) for i in range(n)], {"segmap": seg})
    batch = Batcher(data, 8, seed=1, device=torch.device("cpu")).next()
    assert batch["segmap"].dtype == torch.int64 and batch["segmap"].shape == (8, 8, 8)
    grey = ((batch["x"][:, 0, 0, 0] + 1) * 127.5).round() / 8
    assert torch.equal(grey.long(), batch["segmap"][:, 0, 0])


@pytest.mark.parametrize("name,aux", [("spade", "loss_g_fm"), ("pix2pix", "loss_g_l1")])
def test_one_training_run_through_the_engine(tmp_path, name, aux):
    cfg = tiny_config(tmp_path / "run", dataset="scenes", model=name, steps=2, data__n=32, data__image_size=32,
                      train__batch_size=8, model__width=4, run__log_every=1, run__sample_every=2)
    items = list(Trainer.new(cfg).run())
    reports = [i for i in items if isinstance(i, TrainReport)]
    assert isinstance(items[-1], RunEnded) and items[-1].reason == "done"
    assert {"loss_d", "loss_g", "loss_g_gan", aux} <= set(reports[-1].losses)
    assert all(np.isfinite(v) for r in reports for v in r.losses.values())
    assert reports[-1].d_output == "critic"  # hinge, the paired models' default loss
    grid = [i for i in items if isinstance(i, SampleReport)][-1].grid
    assert grid.dtype == np.uint8 and grid.shape[1] > 6 * 32  # map | generated | real, twice per row
    painter = load_painter(tmp_path / "run")  # a run directory paints too
    assert painter.paint(painter.random_scene(0)).shape == (32, 32, 3)


def test_spade_with_a_style_encoder_learns_styles_it_can_copy(tmp_path):
    """GauGAN's multimodal path: G trains on encoded real styles (+ KL, + L1 to the real picture), and a
    reference picture's style can then be read back; random codes still paint."""
    cfg = tiny_config(tmp_path / "run", dataset="scenes", model="spade", steps=2, data__n=32, data__image_size=32,
                      train__batch_size=8, model__width=4, run__log_every=1, run__sample_every=2,
                      model__style_encoder=True)
    reports = [i for i in Trainer.new(cfg).run() if isinstance(i, TrainReport)]
    assert {"loss_g_kld", "loss_g_recon"} <= set(reports[-1].losses)
    assert all(np.isfinite(v) for r in reports for v in r.losses.values())
    painter = load_painter(tmp_path / "run")
    assert painter.has_encoder
    day, night = (np.full((48, 40, 3), c, np.uint8) for c in ((90, 160, 230), (10, 10, 40)))
    z_day, z_night = painter.encode_style(day), painter.encode_style(night)
    assert z_day.shape == (1, 16) and not torch.allclose(z_day, z_night)
    scene = painter.random_scene(0)
    assert not np.array_equal(painter.paint(scene, z=z_day), painter.paint(scene, z=z_night))
    with pytest.raises(ValueError, match="no style encoder"):
        dataclasses.replace(painter, net=torch.nn.Identity()).encode_style(day)


# --- the shipped painter and `synthesize` ----------------------------------------------------------
@pytest.fixture(scope="module")
def shipped():
    shipped = resources.path("models", "painter", "painter.pt")
    if not shipped.is_file():
        pytest.fail(f"{shipped} is missing: run scripts/train_painter.py --export")
    return load_painter("painter")


@pytest.mark.parametrize("name, side, classes", [("painter", 256, 15), ("painter64", 64, 10)])
def test_shipped_checkpoints_are_weights_only_and_small(name, side, classes):
    path = resources.path("models", name, "painter.pt")
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert set(state["modules"]) == {"G_ema"} and state["meta"]["model"] == "spade"
    assert state["meta"]["shape"] == [3, side, side] and len(state["meta"]["class_names"]) == classes
    assert path.stat().st_size <= 30 * 2**20


def test_shipped_painter_paints_natively_at_256_at_the_maps_size(shipped):
    from gan_backend.painter import scene_map

    assert shipped.size == 256 and shipped.num_classes == 15
    labels = scene_map(shipped.class_names, 4, 256)
    picture = shipped.paint_map(labels, seed=2)
    assert picture.shape == (256, 256, 3) and picture.std() > 20
    assert shipped.paint_map(labels[:, :200], seed=2).shape == (256, 200, 3)


def test_shipped_painter_paints_different_maps_differently(shipped):
    sky_over_grass = np.zeros((shipped.size, shipped.size), np.uint8)
    sky_over_grass[shipped.size // 2:] = CLASS_NAMES.index("grass")
    water = np.full_like(sky_over_grass, CLASS_NAMES.index("water"))
    a, b = shipped.paint(sky_over_grass), shipped.paint(water)
    assert a.shape == (shipped.size, shipped.size, 3) and a.std() > 10
    assert np.abs(a.astype(float) - b).mean() > 10
    assert a[: shipped.size // 4, :, 2].mean() > a[: shipped.size // 4, :, 1].mean()  # a blue sky on top


def test_colour_coded_and_odd_sized_maps_read_back(shipped, tmp_path):
    labels = shipped.random_scene(3)
    Image.fromarray(shipped.colourise(labels)).resize((100, 100), Image.NEAREST).save(tmp_path / "c.png")
    read = shipped.read_labels(tmp_path / "c.png")
    assert read.shape == (100, 100) and set(np.unique(read)) <= set(np.unique(labels))
    assert shipped.paint(read).shape == (shipped.size, shipped.size, 3)


def test_synthesize_cli_writes_picture_and_names_bad_maps(tmp_path, capsys):
    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(good)
    Image.fromarray(np.full((64, 64), 42, np.uint8)).save(bad)
    assert cli.main(["synthesize", "painter", "--labels", str(good), "--out", str(tmp_path / "o.png")]) == 0
    assert Image.open(tmp_path / "o.png").size == (64, 64)
    assert cli.main(["synthesize", "painter", "--labels", str(bad), "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "42" in err and not (tmp_path / "x.png").exists()
    Image.fromarray(np.full((8, 8, 3), (1, 2, 3), np.uint8)).save(bad)
    with pytest.raises(LabelMapError, match=r"\(1, 2, 3\)"):
        load_painter("painter").read_labels(bad)
