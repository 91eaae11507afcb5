"""Single-image statistics: SIFID and its references, diversity, and the copy distance."""
from __future__ import annotations

import numpy as np

from gan_backend.metrics.sifid import copy_distance, diversity, patch_shuffled, shifted, sifid
from tests.backend.test_singan import write_picture


def structured(tmp_path, w=160, h=112):
    from PIL import Image

    return np.asarray(Image.open(write_picture(tmp_path / "p.png", w, h)).convert("RGB"))


def test_sifid_is_zero_for_the_picture_and_orders_the_references():
    from gan_backend.data import open_dataset

    picture, rng = open_dataset("scenes", n=2, seed=3).x[1], np.random.default_rng(0)  # a landscape: sky over ground
    assert abs(sifid(picture, picture)) < 1e-6
    low = np.mean([sifid(picture, shifted(picture, rng)) for _ in range(5)])
    high = np.mean([sifid(picture, patch_shuffled(picture, rng)) for _ in range(5)])
    assert 0 < low < high


def test_patch_shuffle_keeps_the_pixels():
    picture = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    out = patch_shuffled(picture, np.random.default_rng(2))
    assert out.shape == picture.shape and not np.array_equal(out, picture)
    assert np.array_equal(np.sort(out.reshape(-1)), np.sort(picture.reshape(-1)))


def test_copy_distance_and_diversity(tmp_path):
    picture = structured(tmp_path, 64, 48)
    moved = np.roll(picture, (3, -5), axis=(0, 1))
    assert copy_distance(moved, picture) < 0.01 < copy_distance(255 - picture, picture)
    assert diversity(np.stack([picture] * 3), picture) == 0.0
    noise = np.random.default_rng(0).integers(0, 256, (3, 48, 64, 3))
    assert diversity(noise, picture) > 0.5
