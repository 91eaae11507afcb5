"""Built-in procedural datasets and the MNIST IDX reader: deterministic, well-formed, readable
digits and distinct shapes; broken IDX files fail with a message naming the file."""
from pathlib import Path

import numpy as np
import pytest

from gan_backend.data import DATASETS, DatasetError, open_dataset, resolve
from gan_backend.data.builtin import glyphs as glyphs_module
from gan_backend.data.builtin.toy2d import grid25_means, ring8_means
from gan_backend.data.disk.mnist import write_idx

BUILTINS = ["toy2d:ring8", "toy2d:grid25", "toy2d:spiral", "shapes", "glyphs"]
SMALL = 600  # items per dataset in most tests: enough for statistics, fast to build
REAL_MNIST = Path(__file__).parents[2].parent / "shared/data/mnist-10k"


@pytest.fixture(scope="module")
def small():
    return {name: open_dataset(name, seed=0, n=SMALL) for name in BUILTINS}


def test_all_registered_with_summaries():
    for name in BUILTINS + ["mnist:PATH"]:
        assert DATASETS.entry(name).summary
    assert resolve("mnist:/some/dir") == (DATASETS.get("mnist:PATH"), "/some/dir")


@pytest.mark.parametrize("name", BUILTINS)
def test_same_seed_same_data_other_seed_other_data(name, small):
    again, other = open_dataset(name, seed=0, n=SMALL), open_dataset(name, seed=1, n=SMALL)
    assert np.array_equal(again.x, small[name].x)
    assert not np.array_equal(other.x, small[name].x)
    if again.labels is not None:
        assert np.array_equal(again.labels, small[name].labels)


@pytest.mark.parametrize("name", BUILTINS)
def test_shapes_dtypes_and_balanced_labels(name, small):
    ds = small[name]
    expected = {"toy2d": ((2,), np.float32), "shapes": ((32, 32, 3), np.uint8), "glyphs": ((28, 28, 1), np.uint8)}
    shape, dtype = expected[name.split(":")[0]]
    assert ds.x.shape == (SMALL, *shape) and ds.x.dtype == dtype
    assert len(ds) == SMALL and np.isfinite(ds.x.astype(np.float32)).all()
    if name == "toy2d:spiral":
        assert ds.labels is None and ds.class_names == []
        return
    assert ds.labels.dtype == np.int64 and len(set(ds.class_names)) == ds.num_classes
    counts = np.bincount(ds.labels, minlength=ds.num_classes)
    assert len(counts) == ds.num_classes and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name, means, std", [("toy2d:ring8", ring8_means(), 0.02),
                                              ("toy2d:grid25", grid25_means(), 0.05)])
def test_toy_points_sit_on_their_modes(name, means, std, small):
    ds = small[name]
    dist = np.linalg.norm(ds.x - means[ds.labels], axis=1)
    assert dist.max() < 6 * std and 0.5 * std < dist.mean() < 2 * std


def test_spiral_is_a_curve_in_the_box(small):
    radius = np.linalg.norm(small["toy2d:spiral"].x, axis=1)
    assert radius.max() < 2.3 and radius.min() < 0.5 and np.abs(small["toy2d:spiral"].x).max() > 1.8


def _shape_masks(images: np.ndarray) -> np.ndarray:
    """bool [N, H, W]: pixels that differ clearly from the corner pixel (the background)."""
    diff = np.abs(images.astype(np.int16) - images[:, :1, :1].astype(np.int16)).sum(-1)
    return diff > 60


def test_shapes_classes_look_different(small):
    ds = small["shapes"]
    assert ds.class_names == ["circle", "square", "triangle", "star"]
    masks = _shape_masks(ds.x).astype(np.int8)
    area = masks.sum(axis=(1, 2))
    edge = np.abs(np.diff(masks, axis=1)).sum(axis=(1, 2)) + np.abs(np.diff(masks, axis=2)).sum(axis=(1, 2))
    spiky = edge ** 2 / area  # perimeter^2 / area: lowest for a circle, highest for a star
    mean_area = {c: area[ds.labels == i].mean() for i, c in enumerate(ds.class_names)}
    median_spiky = {c: np.median(spiky[ds.labels == i]) for i, c in enumerate(ds.class_names)}
    assert area.min() > 40  # every shape stands out from its background
    assert mean_area["circle"] > 1.25 * mean_area["triangle"]
    assert median_spiky["circle"] < 0.8 * median_spiky["triangle"] < 0.8 * median_spiky["star"]


def _centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(row, col) [N, 2] of grey images [N, H, W]."""
    w = images.astype(np.float64)
    total = w.sum(axis=(1, 2))
    idx = np.arange(images.shape[1])
    return np.stack([(w.sum(2) * idx).sum(1) / total, (w.sum(1) * idx).sum(1) / total], axis=1)


def test_glyphs_are_mnist_like_centred_digits(small):
    ds = small["glyphs"]
    img = ds.x[..., 0]
    assert ds.class_names == [str(d) for d in range(10)]
    assert (img.max(axis=(1, 2)) > 200).all()  # no blank or faint images
    ink = (img > 128).mean(axis=(1, 2))
    assert 0.01 < ink.min() and ink.max() < 0.45 and 0.08 < ink.mean() < 0.2  # MNIST: 0.028, 0.35, 0.13
    assert (img[:, 0].max(axis=1) < 128).mean() > 0.9  # black border like MNIST's
    com = _centre_of_mass(img)
    assert np.abs(com.mean(axis=0) - 14).max() < 0.5 and np.abs(com - 14).max() < 3.5
    per_digit = [ink[ds.labels == d].mean() for d in range(10)]
    assert per_digit[1] < 0.7 * per_digit[8]  # labels match content: a 1 has less ink than an 8


def test_glyphs_work_without_any_system_font(monkeypatch):
    monkeypatch.setattr(glyphs_module, "FONT_DIRS", [])
    glyphs_module.glyph_bank.cache_clear(), glyphs_module._filtered_bank.cache_clear()
    try:
        _, digits, pen = glyphs_module.glyph_bank()
        assert (~pen).sum() == 20  # only Pillow's built-in font: 10 digits x 2 stroke widths
        ds = open_dataset("glyphs", n=100)
        assert (ds.x.max(axis=(1, 2, 3)) > 200).all()
    finally:
        glyphs_module.glyph_bank.cache_clear(), glyphs_module._filtered_bank.cache_clear()


# --- IDX reader ---------------------------------------------------------------------------------

def _write_mnist(folder: Path, prefix: str, n: int, gz: bool, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    ext = ".gz" if gz else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(tmp_path, gz):
    images, labels = _write_mnist(tmp_path, "train", 50, gz)
    ds = open_dataset(f"mnist:{tmp_path}")
    assert ds.x.shape == (50, 28, 28, 1) and ds.x.dtype == np.uint8 and ds.kind == "image"
    assert np.array_equal(ds.x[..., 0], images) and np.array_equal(ds.labels, labels)
    assert ds.labels.dtype == np.int64 and ds.class_names == [str(d) for d in range(10)]
    assert open_dataset(f"mnist:{tmp_path}", n=7).x.shape[0] == 7


def test_idx_splits_and_single_file(tmp_path):
    train, _ = _write_mnist(tmp_path, "train", 30, gz=True)
    test, test_labels = _write_mnist(tmp_path, "t10k", 20, gz=False, seed=1)
    assert np.array_equal(open_dataset(f"mnist:{tmp_path}", split="test").x[..., 0], test)
    both = open_dataset(f"mnist:{tmp_path}", split="all")
    assert np.array_equal(both.x[..., 0], np.concatenate([train, test]))
    single = open_dataset(f"mnist:{tmp_path / 't10k-images-idx3-ubyte'}")
    assert np.array_equal(single.labels, test_labels)  # found next to the images file
    with pytest.raises(DatasetError, match="split"):
        open_dataset(f"mnist:{tmp_path}", split="validation")


def test_idx_wrong_magic_names_the_file(tmp_path):
    _write_mnist(tmp_path, "train", 5, gz=True)
    bad = tmp_path / "train-images-idx3-ubyte.gz"
    write_idx(bad, np.zeros(5, np.uint8))  # a labels file where the images should be
    with pytest.raises(DatasetError, match="wrong magic number 2049") as err:
        open_dataset(f"mnist:{tmp_path}")
    assert str(bad) in str(err.value)


@pytest.mark.parametrize("name, cut, says", [
    ("train-images-idx3-ubyte", 100, "truncated: header says 5 images of 28x28"),
    ("train-labels-idx1-ubyte.gz", 10, "broken gzip data"),
], ids=["truncated", "broken_gzip"])
def test_idx_cut_short_file_names_the_file(tmp_path, name, cut, says):
    _write_mnist(tmp_path, "train", 5, gz=name.endswith(".gz"))
    path = tmp_path / name
    path.write_bytes(path.read_bytes()[:-cut])  # a download that stopped early
    with pytest.raises(DatasetError, match=says) as err:
        open_dataset(f"mnist:{tmp_path}")
    assert str(path) in str(err.value) and "re-download" in str(err.value)


def test_idx_missing_paths_and_mismatched_counts(tmp_path):
    with pytest.raises(DatasetError) as err:
        open_dataset(f"mnist:{tmp_path / 'nowhere'}")
    assert str(tmp_path / "nowhere") in str(err.value)
    _write_mnist(tmp_path, "train", 5, gz=True)
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte"):
        open_dataset(f"mnist:{tmp_path}", split="test")
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, np.uint8))
    with pytest.raises(DatasetError, match="holds 4 labels but .* holds 5 images"):
        open_dataset(f"mnist:{tmp_path}")


@pytest.mark.skipif(not REAL_MNIST.is_dir(), reason=f"no MNIST copy at {REAL_MNIST}")
def test_real_mnist_10k():
    ds = open_dataset(f"mnist:{REAL_MNIST}")
    assert ds.x.shape == (8334, 28, 28, 1) and ds.x.dtype == np.uint8
    assert set(np.unique(ds.labels)) == set(range(10))
    assert open_dataset(f"mnist:{REAL_MNIST}", split="all").x.shape[0] == 10000
