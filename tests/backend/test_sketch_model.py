"""Sketch to picture: a pix2pix of edges: pairs loads as a sketch model and draws from a drawn outline."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from gan_backend.config import Config
from gan_backend.engine.loop import Trainer
from gan_backend.loader import shipped_path
from gan_backend.sketch import as_lines, draw, is_sketch_model, load_sketcher, read_sketch
from tests.backend.test_sketch_data import drawing


def outline(size=64) -> np.ndarray:
    """A drawn circle with two eyes: black lines on white, uint8 [H, W]."""
    im = Image.new("L", (size, size), 255)
    d = ImageDraw.Draw(im)
    d.ellipse((size // 6, size // 6, 5 * size // 6, 5 * size // 6), outline=0, width=max(1, size // 40))
    d.ellipse((size // 3, size // 3, size // 3 + 4, size // 3 + 4), fill=0)
    d.ellipse((2 * size // 3 - 4, size // 3, 2 * size // 3, size // 3 + 4), fill=0)
    return np.asarray(im)


@pytest.fixture(scope="module")
def sketch_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sketch")
    for i in range(6):
        drawing(tmp / "pics" / f"{i}.png", size=32 + 8 * i)
    cfg = Config()
    for key, value in {"data.dataset": f"edges:{tmp / 'pics'}", "data.image_size": 32, "data.cache_dir": "off",
                       "model.name": "pix2pix", "model.width": 8, "train.steps": 3, "train.batch_size": 4,
                       "train.augment": "none", "run.run_dir": str(tmp / "run"), "run.tensorboard": False,
                       "train.num_threads": 1}.items():
        cfg.set(key, value)
    list(Trainer.new(cfg).run())
    return tmp / "run"


def test_an_edges_run_is_a_sketch_model(sketch_run):
    assert is_sketch_model(sketch_run) and not is_sketch_model("painter")
    sketcher = load_sketcher(sketch_run)
    assert sketcher.in_channels == 1 and sketcher.channels == 3 and sketcher.size == 32
    picture = draw(sketcher, outline(64))
    assert picture.shape == (64, 64, 3) and picture.dtype == np.uint8


def test_the_translator_is_not_a_sketch_model():
    from gan_backend.engine.checkpoint import CheckpointError

    with pytest.raises(CheckpointError, match="not a sketch model"):
        load_sketcher("translator")


def test_colour_and_alpha_drawings_are_converted(tmp_path):
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[5:8, :, 3] = 255  # an opaque black line on transparent
    Image.fromarray(rgba).save(tmp_path / "a.png")
    lines, notes = read_sketch(tmp_path / "a.png")
    assert lines.shape == (20, 30) and lines[0, 0] == 255 and lines[6, 0] == 0 and "transparency" in notes[0]
    colour = np.full((10, 10, 3), 255, np.uint8)
    colour[4] = (200, 0, 0)
    assert "colour" in as_lines(colour)[1][0]


def test_synthesize_draws_a_sketch(sketch_run, tmp_path, capsys):
    from gan_backend.cli import main

    Image.fromarray(outline(48)).convert("RGB").save(tmp_path / "lines.png")
    assert main(["synthesize", str(sketch_run), "--labels", str(tmp_path / "lines.png"), "--out",
                 str(tmp_path / "out.png")]) == 0
    assert Image.open(tmp_path / "out.png").size == (48, 48)
    assert main(["synthesize", str(sketch_run), "--labels", str(tmp_path / "none.png"), "--out",
                 str(tmp_path / "o.png")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_shipped_sketch_model_draws_a_circle():
    state = torch.load(shipped_path("sketch"), map_location="cpu", weights_only=True)
    assert set(state["modules"]) == {"G_ema"}
    picture = draw(load_sketcher("sketch"), outline(128))
    assert picture.shape == (128, 128, 3) and picture.std() > 10
    colourful = (picture.max(-1).astype(int) - picture.min(-1)).mean()
    assert colourful > 10  # an emoji-style picture, not grey lines
