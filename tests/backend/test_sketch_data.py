"""edges:PATH and gray:PATH: paired data computed from any folder, and the line-drawing extractor."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from gan_backend.data import open_dataset
from gan_backend.data.base import DatasetError
from gan_backend.data.sketch import ink_share, is_grey, line_drawing, to_grey
from tests.backend.diskdata_factory import noise_png, open_dir, rgba, truncated

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared/data/photos"


def drawing(path: Path, size=48, mode="RGB") -> Path:
    """A flat drawing: a coloured disc and a bar on white, like an emoji."""
    im = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(im)
    d.ellipse((6, 6, size - 6, size - 6), fill=(240, 180, 30), outline=(120, 60, 0), width=2)
    d.rectangle((size // 3, size // 2, 2 * size // 3, size // 2 + 4), fill=(200, 30, 60))
    path.parent.mkdir(parents=True, exist_ok=True)
    im.convert(mode).save(path)
    return path


def mixed_folder(root: Path) -> Path:
    drawing(root / "a.png")
    drawing(root / "b.png", size=64)
    rgba(root / "c.png", size=40)
    noise_png(root / "d.png", size=32)
    truncated(root / "broken.jpg")
    return root


@pytest.mark.parametrize("kind", ["edges", "gray"])
def test_pairs_from_a_mixed_folder(tmp_path, kind):
    root = mixed_folder(tmp_path / "pics")
    data = open_dir(kind, root, tmp_path, image_size=32)
    assert data.kind == "paired" and data.x.shape[1:] == (32, 32, 3)
    assert data.extra["a"].shape == (len(data.x), 32, 32, 1) and data.extra["a"].dtype == np.uint8
    assert [Path(s.path).name for s in data.report.skipped] == ["broken.jpg"]
    again = open_dataset(f"{kind}:{root}", image_size=32, cache_dir="off")
    assert np.array_equal(again.x, data.x) and np.array_equal(again.extra["a"], data.extra["a"])


def test_edges_of_a_grey_folder(tmp_path):
    for i in range(3):
        drawing(tmp_path / "g" / f"{i}.png", mode="L")
    data = open_dir("edges", tmp_path / "g", tmp_path, image_size=32)
    assert data.x.shape[-1] == 1 and data.extra["a"].shape[-1] == 1
    assert 0.01 < ink_share(data.extra["a"]) < 0.3


def test_gray_refuses_pictures_that_are_already_grey(tmp_path):
    for i in range(4):
        drawing(tmp_path / "g" / f"{i}.png", mode="L")
    with pytest.raises(DatasetError, match="all 4 pictures are already grey"):
        open_dir("gray", tmp_path / "g", tmp_path)
    drawing(tmp_path / "g" / "colour.png")
    data = open_dir("gray", tmp_path / "g", tmp_path)
    assert len(data.x) == 1 and "4 of 5 pictures were already grey" in data.report.notes[-1]


def test_line_drawing_traces_outlines_thinly(tmp_path):
    im = np.asarray(Image.open(drawing(tmp_path / "d.png", size=64)).convert("RGB"))[None]
    lines = line_drawing(im)
    assert lines.shape == (1, 64, 64, 1) and set(np.unique(lines)) <= {0, 255}
    assert 0.03 < ink_share(lines) < 0.25  # outlines, not filled shapes
    assert ink_share(line_drawing(np.full((1, 32, 32, 3), 128, np.uint8))) == 0.0  # a flat picture has no lines
    rng = np.random.default_rng(0)  # faint pixel noise makes no lines either
    faint = np.clip(128 + rng.normal(0, 3, (1, 64, 64, 3)), 0, 255).astype(np.uint8)
    assert ink_share(line_drawing(faint)) < 0.02


@pytest.mark.skipif(not PHOTOS.is_dir(), reason="no ../shared/data/photos on this machine")
@pytest.mark.parametrize("name", ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"])
def test_a_photos_edge_map_is_a_few_percent_ink(name):
    photo = np.asarray(Image.open(PHOTOS / name).convert("RGB").resize((256, 256)))[None]
    assert 0.01 < ink_share(line_drawing(photo)) < 0.12


def test_grey_helpers():
    colour = np.zeros((2, 4, 4, 3), np.uint8)
    colour[0, ..., 0] = 200  # red: colour
    colour[1] = 90  # grey stored as RGB
    assert is_grey(colour).tolist() == [False, True]
    assert to_grey(colour)[1, 0, 0, 0] == 90 and to_grey(colour).shape == (2, 4, 4, 1)
