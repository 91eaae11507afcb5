"""Datasets from disk, the other layouts: CIFAR-10 batches, npz, pix2pix pairs, label maps, CycleGAN domains.

Each is built tiny in tmp_path (``diskdata_factory``) and read back exactly; every export layout
reads back through its own loader.
"""
from __future__ import annotations

import os
import tarfile

import numpy as np
import pytest
from PIL import Image

from gan_backend.data import ArrayDataset, DatasetError, open_dataset
from gan_backend.data.export import export_dataset, thumbnail_grid
from tests.backend import diskdata_factory as make
from tests.backend.diskdata_factory import open_dir, summary

# --- CIFAR-10 and npz ---

@pytest.mark.parametrize("protocol", [2, 4])
def test_cifar_batches_round_trip(tmp_path, protocol):
    x, y = make.cifar_folder(tmp_path / "cifar-10-batches-py", per_batch=3, protocol=protocol)
    data = open_dataset(f"cifar10:{tmp_path}")  # the parent of cifar-10-batches-py works too
    assert np.array_equal(data.x, x) and np.array_equal(data.labels, y)
    assert data.class_names[:2] == ["plane", "car"] and data.x.shape == (15, 32, 32, 3)
    assert len(open_dataset(f"cifar10:{tmp_path}", split="test")) == 3
    with tarfile.open(tmp_path / "cifar-10-python.tar.gz", "w:gz") as archive:  # the download itself
        archive.add(tmp_path / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    assert np.array_equal(open_dataset(f"cifar10:{tmp_path / 'cifar-10-python.tar.gz'}").x, x)


def test_cifar_missing_batches_and_corrupt_pickles_are_named(tmp_path):
    folder = tmp_path / "c"
    make.cifar_folder(folder)
    (folder / "data_batch_3").unlink()
    with pytest.raises(DatasetError, match="missing data_batch_3"):
        open_dataset(f"cifar10:{folder}")
    (folder / "data_batch_3").write_bytes(os.urandom(300))
    with pytest.raises(DatasetError, match="data_batch_3: not a readable CIFAR-10 batch"):
        open_dataset(f"cifar10:{folder}")


def test_cifar_pickle_that_runs_code_is_refused_unrun(tmp_path):
    folder, marker = tmp_path / "c", tmp_path / "pwned"
    make.cifar_folder(folder)
    make.malicious_batch(folder / "data_batch_1", marker)
    with pytest.raises(DatasetError, match=r"data_batch_1: .*asks for (posix|nt|os)\.system"):
        open_dataset(f"cifar10:{folder}")
    assert not marker.exists()


def test_npz_images_labels_and_missing_images(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (6, 8, 8), dtype=np.uint8)
    np.savez(tmp_path / "ok.npz", images=images, labels=np.arange(6) % 2)
    data = open_dataset(f"npz:{tmp_path / 'ok.npz'}")
    assert data.x.shape == (6, 8, 8, 1) and np.array_equal(data.x[..., 0], images) and data.class_names == ["0", "1"]
    np.savez(tmp_path / "bad.npz", pictures=images)
    with pytest.raises(DatasetError, match=r"bad.npz: no 'images' array \(it holds: pictures\)"):
        open_dataset(f"npz:{tmp_path / 'bad.npz'}")


# --- paired, label maps, unpaired ---

def test_paired_side_by_side_splits_each_picture_into_a_and_b(tmp_path):
    for i in range(3):
        pixels = np.zeros((16, 32, 3), np.uint8)
        pixels[:, :16] = make.RED
        pixels[:, 16:] = make.BLUE
        (tmp_path / "p" / "train").mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(tmp_path / "p" / "train" / f"{i}.png")
    data = open_dir("paired", tmp_path / "p", tmp_path)
    assert data.kind == "paired" and data.x.shape == data.extra["a"].shape == (3, 16, 16, 3)
    assert data.extra["a"][0, 8, 8].tolist() == list(make.RED) and data.x[0, 8, 8].tolist() == list(make.BLUE)


def test_paired_folders_match_by_name_and_report_the_rest(tmp_path):
    p = tmp_path / "p"
    for name in ("x", "y", "z"):
        make.solid(p / "A" / f"{name}.png", make.RED)
        make.solid(p / "B" / f"{name}.jpg", make.BLUE, size=(16, 16) if name != "z" else (20, 16))
    make.solid(p / "A" / "only_a.png")
    data = open_dir("paired", p, tmp_path)
    assert len(data) == 2 and data.extra["a"][0, 8, 8].tolist() == list(make.RED)
    text = summary(data)
    assert "only_a.png: unmatched pair: no file named only_a.* in B/" in text
    assert "mismatched pair sizes (z.jpg is 20x16, z.png is 16x16)" in text


def test_label_maps_with_a_palette_and_values_beyond_it(tmp_path):
    root = tmp_path / "l"
    (root / "labels").mkdir(parents=True)
    (root / "palette.json").write_text('{"classes": [{"name": "sky", "color": [0, 0, 255]},'
                                       ' {"name": "grass", "color": [0, 255, 0]}]}')
    for i, top in enumerate((0, 1, 1, 7)):  # class 7 is not in the palette
        segmap = np.zeros((16, 16), np.uint8)
        segmap[8:] = top
        Image.fromarray(segmap).save(root / "labels" / f"{i}.png")
        make.noise_png(root / "images" / f"{i}.png", seed=i)
    colour = np.zeros((16, 16, 3), np.uint8)  # the same kind of map, colour-coded
    colour[:8], colour[8:] = (0, 0, 255), (0, 255, 0)
    Image.fromarray(colour).save(root / "labels" / "4.png")
    make.noise_png(root / "images" / "4.png", seed=4)
    data = open_dir("labels", root, tmp_path)
    assert data.kind == "paired" and data.class_names == ["sky", "grass"] and len(data) == 4
    assert data.extra["segmap"].shape == (4, 16, 16) and data.extra["segmap"][3, 12].tolist() == [1] * 16
    assert data.palette.tolist() == [[0, 0, 255], [0, 255, 0]]
    assert "3.png: label value 7 beyond the 2 classes of palette.json" in summary(data)


def test_unpaired_domains_keep_their_own_counts(tmp_path):
    root = tmp_path / "u"
    for i in range(3):
        make.solid(root / "trainA" / f"a{i}.png", make.RED)
    for i in range(5):
        make.solid(root / "trainB" / f"b{i}.jpg", make.BLUE)
    data = open_dir("unpaired", root, tmp_path)
    assert data.kind == "unpaired" and len(data) == 3 and len(data.extra["b"]) == 5
    assert "classes (2): A (3), B (5)" in summary(data)
    with pytest.raises(DatasetError, match=r"no testA/ split folder \(found: trainA\)"):
        open_dir("unpaired", root, tmp_path, split="test")


# --- export, thumbnails, the CLI, the engine ---

def test_export_of_builtin_shapes_reads_back_as_a_folder_with_its_classes(tmp_path):
    shapes = open_dataset("shapes", n=48)
    assert export_dataset(shapes, tmp_path / "out", 48) == 48
    back = open_dir("folder", tmp_path / "out", tmp_path)
    assert back.x.shape == (48, 32, 32, 3) and sorted(back.class_names) == sorted(shapes.class_names)

    def items(data):  # (class name, pixels) of every item, order-free
        return sorted((data.class_names[label], x.tobytes()) for x, label in zip(data.x, data.labels))

    assert items(back) == items(shapes)


# The class names each layout reads back: label maps name their classes, unpaired folders their domains.
ROUND_TRIP_CLASSES = {"labels": ["a", "b", "c"], "paired": [], "unpaired": ["A", "B"]}


@pytest.mark.parametrize("kind", ["labels", "paired", "unpaired"])
def test_export_round_trips_every_layout(tmp_path, kind):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5, 16, 16, 3), dtype=np.uint8)
    if kind == "labels":
        extra, names = {"segmap": rng.integers(0, 3, (5, 16, 16), dtype=np.uint8)}, ["a", "b", "c"]
    else:
        extra, names = {"a" if kind == "paired" else "b": rng.integers(0, 256, (5, 16, 16, 1), dtype=np.uint8)}, []
    data = ArrayDataset("t", "paired" if kind == "labels" else kind, x, None, names, extra)
    assert export_dataset(data, tmp_path / "out", 5) == (10 if kind == "unpaired" else 5)
    back = open_dir(kind, tmp_path / "out", tmp_path)
    assert np.array_equal(back.x, x) and list(back.class_names) == ROUND_TRIP_CLASSES[kind]
    assert all(np.array_equal(back.extra[k], v) for k, v in extra.items())
    assert thumbnail_grid(back).dtype == np.uint8
