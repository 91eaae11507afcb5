"""SinGAN: the pyramid, its training inside the engine loop, resume mid-pyramid, and drawing."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from gan_backend.data import open_dataset
from gan_backend.data.base import DatasetError
from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import RunEnded, TrainControl, TrainReport
from gan_backend.models.base import UnsupportedShapeError
from gan_backend.models.singan import pyramid_sizes
from gan_backend.singan import load_singan, parse_size, singan_config


def write_picture(path, w=48, h=36, mode="RGB"):
    """A small picture with structure: stripes, a disc and a gradient (deterministic)."""
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([(xx * 255 // w), ((yy // 4) % 2) * 200 + 20, 255 - (xx + yy) * 255 // (w + h)], -1)
    rgb[(xx - w * 0.6) ** 2 + (yy - h * 0.5) ** 2 < (h / 4) ** 2] = (250, 220, 40)
    Image.fromarray(rgb.astype(np.uint8)).convert(mode).save(path)
    return path


def tiny_config(tmp_path, picture, iters=3, run="run", **extra):
    cfg = singan_config(picture, max_size=48, minutes=0, iters=iters, device="cpu", run_dir=str(tmp_path / run))
    for key, value in {"model.width": 8, "run.log_every": 1, "run.sample_every": 1000, "run.tensorboard": False,
                       "train.num_threads": 1, **extra}.items():
        cfg.set(key, value)
    return cfg


@pytest.mark.parametrize("hw, count, coarsest", [((36, 48), 2, (27, 36)), ((120, 160), 6, (28, 38)),
                                                  ((160, 40), 2, (120, 30)), ((25, 25), 1, (25, 25))])
def test_pyramid_sizes(hw, count, coarsest):
    sizes = pyramid_sizes(*hw)
    assert len(sizes) == count and sizes[-1] == hw and sizes[0] == coarsest
    assert min(sizes[0]) >= 25 and all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(sizes, sizes[1:]))


def test_pyramid_refuses_a_tiny_picture():
    with pytest.raises(UnsupportedShapeError, match="20x24"):
        pyramid_sizes(24, 20)


def test_the_coarsest_noise_is_grey_and_older_pyramids_load_with_colour_noise():
    from gan_backend.models.singan import SinGAN

    net = SinGAN(pyramid_sizes(36, 48))
    coarse, fine = net.noise(0, (9, 12), torch.Generator().manual_seed(0)), net.noise(1, (9, 12))
    assert coarse.shape == fine.shape == (1, 3, 9, 12)
    assert torch.equal(coarse[:, 0], coarse[:, 2]) and not torch.equal(fine[:, 0], fine[:, 2])
    older = {k: v for k, v in net.state_dict().items() if k != "coarse_channels"}  # saved before the buffer
    again = SinGAN(pyramid_sizes(36, 48))
    again.load_state_dict(older)
    z = again.noise(0, (9, 12))
    assert int(again.coarse_channels) == 3 and not torch.equal(z[:, 0], z[:, 2])


def test_picture_dataset_converts_and_downscales(tmp_path):
    big = write_picture(tmp_path / "big.png", 400, 300, mode="L")
    data = open_dataset(f"picture:{big}", image_size=100)
    assert data.x.shape == (1, 75, 100, 3) and data.kind == "picture"
    assert any("downscaled to 100x75" in note for note in data.report.notes)
    rgba = write_picture(tmp_path / "a.png", 40, 30, mode="RGBA")
    assert open_dataset(f"picture:{rgba}").x.shape == (1, 30, 40, 3)


def test_picture_dataset_refuses_a_tiny_picture(tmp_path):
    with pytest.raises(DatasetError, match="20x16 pixels"):
        open_dataset(f"picture:{write_picture(tmp_path / 't.png', 20, 16)}")
    with pytest.raises(DatasetError, match="no such file"):
        open_dataset(f"picture:{tmp_path / 'missing.png'}")


def test_two_scales_train_inside_the_loop(tmp_path):
    cfg = tiny_config(tmp_path, write_picture(tmp_path / "p.png"))
    trainer = Trainer.new(cfg)
    task = trainer.task
    assert task.scales == 2 and cfg.train.steps == 6
    items = list(trainer.run())
    reports = [i for i in items if isinstance(i, TrainReport)]
    assert isinstance(items[-1], RunEnded) and items[-1].reason == "done" and items[-1].step == 6
    assert [round(r.extras["scale_progress"], 2) for r in reports][:4] == [0.33, 0.67, 1.0, 1.33]
    assert task.finished and float(task.net.amps[0]) == 1.0 and 0 < float(task.net.amps[1]) < 1.0
    # Each scale ends with a sample and a step checkpoint.
    assert [s for s, _ in trainer.run_dir.step_checkpoints()] == [3, 6]
    assert 3 in [s for s, _ in trainer.run_dir.samples()]


def test_reconstruction_improves_at_the_coarsest_scale(tmp_path):
    cfg = tiny_config(tmp_path, write_picture(tmp_path / "p.png"), iters=200)
    task = Trainer.new(cfg).task
    with torch.no_grad():
        before = torch.nn.functional.mse_loss(task.reconstruct(0), task.reals[0]).item()
    for _ in range(25):
        list(task.train_step(None, 3, 3, False))
    with torch.no_grad():
        after = torch.nn.functional.mse_loss(task.reconstruct(0), task.reals[0]).item()
    assert after < 0.5 * before


def _weights(trainer):
    return {k: v.clone() for k, v in trainer.task.net.state_dict().items()}


def test_resume_mid_pyramid_matches_a_straight_run(tmp_path):
    picture = write_picture(tmp_path / "p.png")
    straight = Trainer.new(tiny_config(tmp_path, picture, run="a"))
    list(straight.run())

    first = Trainer.new(tiny_config(tmp_path, picture, run="b"))
    control = TrainControl()
    for item in first.run(control):
        if isinstance(item, TrainReport) and item.step == 4:  # one iteration into the second scale
            control.stop.set()
    assert first.step == 4 and first.task.scale == 1
    resumed = Trainer.resume(tmp_path / "b")
    assert resumed.task.scale == 1 and resumed.task.iters == 1
    list(resumed.run())
    a, b = _weights(straight), _weights(resumed)
    assert resumed.step == 6 and a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], msg=key)


def test_drawing_at_other_sizes_paint_and_animate(tmp_path):
    cfg = tiny_config(tmp_path, write_picture(tmp_path / "p.png"), iters=2)
    list(Trainer.new(cfg).run())
    model = load_singan(tmp_path / "run")
    assert model.size == (48, 36) and model.scales == 2
    wide = model.sample(100, 30, seed=1)
    assert wide.shape == (30, 100, 3) and wide.dtype == np.uint8
    assert not np.array_equal(model.sample(seed=1), model.sample(seed=2))
    assert model.sample(seed=3, start_scale=1).shape == (36, 48, 3)
    painting = np.zeros((90, 120, 3), np.uint8)  # another size: resized to the picture's
    assert model.inject(painting, scale=1).shape == (36, 48, 3)
    mask = np.zeros((36, 48), bool)
    mask[10:20, 10:20] = True
    picture = model.picture()
    harmonised = model.inject(picture, scale=1, mask=mask)
    assert np.array_equal(harmonised[30:, 40:], picture[30:, 40:])  # far from the mask: untouched
    frames = model.animate(frames=3)
    assert len(frames) == 3 and frames[0].shape == (36, 48, 3)
    with pytest.raises(ValueError, match="scales 1..1"):
        model.inject(painting, scale=2)


def test_load_singan_refuses_another_run(tmp_path):
    from gan_backend.engine.checkpoint import CheckpointError

    with pytest.raises(CheckpointError, match="not a SinGAN"):
        load_singan("painter")


def test_parse_size():
    assert parse_size("320x120") == (320, 120)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("320")


def test_cli_refuses_bad_input_in_one_line(tmp_path, capsys):
    from gan_backend.cli import main

    tiny = write_picture(tmp_path / "tiny.png", 20, 16)
    assert main(["singan", "train", str(tiny), "--run-dir", str(tmp_path / "r")]) == 2
    assert "20x16 pixels" in capsys.readouterr().err and not (tmp_path / "r").exists()
    assert main(["singan", "sample", "painter", "--out", str(tmp_path / "s")]) == 2
    assert "not a SinGAN" in capsys.readouterr().err
    assert main(["singan", "sample", str(tmp_path / "nothing"), "--out", str(tmp_path / "s")]) == 2
    assert "no such run directory" in capsys.readouterr().err


def test_cli_sample_and_paint(tmp_path, capsys):
    from gan_backend.cli import main

    list(Trainer.new(tiny_config(tmp_path, write_picture(tmp_path / "p.png"), iters=2)).run())
    assert main(["singan", "sample", str(tmp_path / "run"), "--size", "96x36", "--n", "2", "--out",
                 str(tmp_path / "s")]) == 0
    assert [Image.open(f).size for f in sorted((tmp_path / "s").glob("*.png"))] == [(96, 36), (96, 36)]
    paint = tmp_path / "paint.png"
    Image.new("LA", (30, 20), (90, 255)).save(paint)  # grey with alpha, another size: converted and resized
    assert main(["singan", "paint", str(tmp_path / "run"), "--in", str(paint), "--scale", "1", "--out",
                 str(tmp_path / "o.png")]) == 0
    assert Image.open(tmp_path / "o.png").size == (48, 36) and "resized" in capsys.readouterr().err
    assert main(["singan", "paint", str(tmp_path / "run"), "--in", str(tmp_path / "missing.png"), "--out",
                 str(tmp_path / "o.png")]) == 2


def test_the_shipped_example_loads_and_draws():
    from gan_backend.loader import shipped_path

    state = torch.load(shipped_path("singan"), map_location="cpu", weights_only=True)
    assert set(state["modules"]) == {"G"} and state["meta"]["task"] == "singan"
    model = load_singan("singan")
    assert model.size == (160, 107) and model.scales == 6
    a, b = model.sample(240, 80, seed=0), model.sample(240, 80, seed=1)
    assert a.shape == (80, 240, 3) and a.std() > 10 and np.abs(a.astype(int) - b).mean() > 3
