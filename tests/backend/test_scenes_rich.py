"""Paint at 256: the 15-class ``scenes:rich``, painting a map at its own size, and the bad maps a user brings."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from gan_backend import cli
from gan_backend.data import open_dataset
from gan_backend.data.builtin.scene_layout import CLASS_NAMES, PALETTE
from gan_backend.data.builtin.scene_rich import RICH_NAMES, RICH_PALETTE, make_rich_layout
from gan_backend.data.builtin.scenes import generate
from gan_backend.painter import LabelMapError, Painter, load_painter, read_label_map, scene_map

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/backend/conftest.py


def test_rich_scenes_are_deterministic_at_256_and_scene_i_does_not_depend_on_n():
    maps, pictures = generate(3, 6, 256, rich=True)
    again_maps, again_pictures = generate(3, 20, 256, rich=True)
    assert maps.shape == (6, 256, 256) and pictures.shape == (6, 256, 256, 3)
    assert np.array_equal(maps, again_maps[:6]) and np.array_equal(pictures, again_pictures[:6])
    other, _ = generate(4, 6, 256, rich=True)
    assert not np.array_equal(other, maps)


def test_every_rich_class_appears_over_100_seeds():
    seen = np.zeros(len(RICH_NAMES), int)
    for seed in range(100):
        seg = make_rich_layout(np.random.default_rng(seed), 1, 256).seg
        seen += np.bincount(seg.reshape(-1), minlength=len(RICH_NAMES)) > 0
    assert (seen > 0).all(), dict(zip(RICH_NAMES, seen))
    assert len(RICH_NAMES) >= 14 and {"road", "building", "fence", "dirt", "flowers"} <= set(RICH_NAMES)


def test_rich_palette_extends_the_old_one_so_old_maps_stay_valid():
    assert RICH_NAMES[:len(CLASS_NAMES)] == CLASS_NAMES and np.array_equal(RICH_PALETTE[:len(PALETTE)], PALETTE)
    assert len({tuple(c) for c in RICH_PALETTE}) == len(RICH_PALETTE)  # every class its own colour
    data = open_dataset("scenes:rich", seed=0, n=4, size=64)
    assert data.kind == "paired" and data.class_names == RICH_NAMES and data.x.shape == (4, 64, 64, 3)


def test_rich_renders_have_texture_inside_regions_and_reflections_in_water():
    maps, pictures = generate(0, 16, 256, rich=True)
    for cls in ("grass", "road", "building", "flowers", "water"):
        k = RICH_NAMES.index(cls)
        pixels = pictures[maps == k].astype(float)
        assert len(pixels) > 500 and pixels.std(axis=0).mean() > 6, cls  # never one flat colour


def test_old_plain_scenes_are_unchanged_by_the_rich_ones():
    maps, _ = generate(0, 2, 64)
    assert maps.max() < len(CLASS_NAMES)
    assert scene_map(CLASS_NAMES, 1, 64).max() < len(CLASS_NAMES)
    assert scene_map(RICH_NAMES, 1, 64).shape == (64, 64) and scene_map(["a", "b"], 1, 64) is None


@pytest.fixture(scope="module")
def tiny_rich_painter():
    """A freshly built (untrained) 15-class SPADE at 64 px: paint_map's geometry does not need training."""
    import torch

    from gan_backend.models import ModelSpec, build_models

    spec = ModelSpec("paired", (3, 64, 64), len(RICH_NAMES), latent_dim=8, width=4,
                     style_encoder=True, g_noise=True)
    g, _ = build_models(spec, "spade")
    return Painter(g.eval(), list(RICH_NAMES), RICH_PALETTE, 64, 8, 0, "tiny", torch.device("cpu"))


@pytest.mark.parametrize("h, w", [(256, 256), (64, 64), (40, 100), (300, 170), (1000, 333)])
def test_a_map_of_any_size_or_aspect_paints_at_its_own_size(tiny_rich_painter, h, w):
    labels = np.asarray(Image.fromarray(scene_map(RICH_NAMES, 2, 128)).resize((w, h), Image.NEAREST))
    picture = tiny_rich_painter.paint_map(labels, seed=1)
    assert picture.shape == (h, w, 3) and picture.std() > 0


def test_a_rich_map_on_a_10_class_painter_is_mapped_with_a_note(tmp_path):
    labels = scene_map(RICH_NAMES, 11, 64)
    labels[:8, :8] = RICH_NAMES.index("building")
    Image.fromarray(RICH_PALETTE[labels]).save(tmp_path / "rich.png")
    notes: list[str] = []
    read = read_label_map(tmp_path / "rich.png", PALETTE, notes)
    assert read.max() < len(CLASS_NAMES) and read[0, 0] == CLASS_NAMES.index("rock")
    assert notes and "rich.png" in notes[0] and "building -> rock" in notes[0]
    Image.fromarray(labels).save(tmp_path / "rich_index.png")  # the same map saved as class indices
    notes.clear()
    assert np.array_equal(read_label_map(tmp_path / "rich_index.png", PALETTE, notes), read)
    assert notes and "building -> rock" in notes[0]
    old = np.zeros((16, 16), np.uint8) + CLASS_NAMES.index("grass")
    Image.fromarray(PALETTE[old]).save(tmp_path / "old.png")
    assert np.array_equal(read_label_map(tmp_path / "old.png", RICH_PALETTE), old)  # old maps read as they were


def test_a_decompression_bomb_map_is_one_line_naming_file_and_size(tmp_path, capsys):
    bomb = tmp_path / "bomb.png"
    im = Image.new("P", (30000, 30000))
    im.putpalette([0] * 768)
    im.save(bomb)
    with pytest.raises(LabelMapError, match=r"bomb\.png: 30000 x 30000 pixels is too large"):
        read_label_map(bomb, PALETTE)
    assert cli.main(["synthesize", "painter", "--labels", str(bomb), "--out", str(tmp_path / "o.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "30000 x 30000" in err[0] and not (tmp_path / "o.png").exists()


def test_synthesize_writes_at_the_map_size(tmp_path):
    labels = np.zeros((90, 150), np.uint8)
    labels[45:] = CLASS_NAMES.index("grass")
    Image.fromarray(labels).save(tmp_path / "wide.png")
    assert cli.main(["synthesize", "painter", "--labels", str(tmp_path / "wide.png"), "--out",
                     str(tmp_path / "o.png")]) == 0
    assert Image.open(tmp_path / "o.png").size == (150, 90)
    assert load_painter("painter").paint_map(labels).shape == (90, 150, 3)
