"""Did it memorise? Nearest training items, the `copies` share, the random feature space, and eval of a folder run."""
import numpy as np
import pytest

from gan_backend.data import open_dataset
from gan_backend.engine.loop import Trainer
from gan_backend.metrics import evaluate as ev
from gan_backend.metrics import features as fs
from gan_backend.metrics import memorisation as mem
from gan_backend.metrics import random_features as rf
from tests.backend.diskdata_factory import noise_png
from tests.backend.helpers import tiny_config


@pytest.fixture(scope="module")
def shapes():
    """(training pictures, held-out pictures) of the same procedural distribution, uint8 [N, 32, 32, 3]."""
    x = open_dataset("shapes", seed=0, n=500).x
    return x[:400], x[400:]


def perturbed(x: np.ndarray) -> np.ndarray:
    """Each picture shifted 3 pixels right and with +-40 of noise on every value."""
    noise = np.random.default_rng(0).integers(-40, 41, x.shape)
    return np.clip(np.roll(x, 3, axis=2).astype(int) + noise, 0, 255).astype(np.uint8)


def test_nearest_finds_the_item_and_leave_one_out_skips_it():
    refs = np.random.default_rng(0).normal(size=(300, 20))
    queries = refs[[7, 250, 3]] + 1e-3
    idx, dist = mem.nearest(queries, refs)
    assert list(idx) == [7, 250, 3] and np.allclose(dist, 1e-3 * np.sqrt(20))
    idx, dist = mem.nearest(refs[[7, 250]], refs, exclude=np.array([7, 250]))
    assert 7 not in idx and 250 not in idx and (dist > 0).all()
    brute = np.sqrt(((refs[7] - refs) ** 2).sum(1))
    brute[7] = np.inf
    assert idx[0] == brute.argmin() and dist[0] == pytest.approx(brute.min())


@pytest.mark.parametrize("space", ["pixels", "features"])
def test_copies_flags_exact_copies_and_passes_new_or_perturbed_pictures(shapes, space):
    train, held = shapes
    embed = mem.flat if space == "pixels" else rf.random_features
    ref = embed(train)
    exact = mem.copy_check(embed(train[::4]), ref)
    assert exact.share == 1.0 and exact.distance.max() == pytest.approx(0, abs=1e-6)
    assert list(exact.index) == list(range(0, 400, 4))
    assert mem.copy_check(embed(held), ref).share <= 0.05
    if space == "pixels":  # random features pool over space: a shifted copy is still a copy to them
        assert mem.copy_check(embed(perturbed(train[:100])), ref).share == 0.0


def test_random_features_are_fixed_by_the_seed(shapes):
    pictures = shapes[0][:20]
    first = rf.random_features(pictures)
    rf.random_weights.cache_clear()  # built again from the seed, as in a new process
    assert np.array_equal(first, rf.random_features(pictures)) and first.shape == (20, rf.FEATURE_DIM)
    assert not np.allclose(first, rf.random_features(pictures, seed=rf.SEED + 1))
    grey = rf.random_features(pictures[..., :1])  # one channel: a net of its own
    assert grey.shape == (20, rf.FEATURE_DIM) and np.isfinite(grey).all()


def test_a_folder_has_a_feature_space_other_user_data_still_needs_inception():
    assert fs.image_space("folder:/pictures", (3, 16, 16)).name.startswith("random conv features")
    with pytest.raises(fs.EvalError, match="--inception FILE"):
        fs.image_space("cifar10:/data", (3, 32, 32))


def test_eval_of_a_folder_run_reports_copies_and_leads_with_kid(tmp_path):
    for i in range(48):
        noise_png(tmp_path / "pics" / f"{i:02d}.png", size=16, seed=i)
    cfg = tiny_config(tmp_path / "run", dataset=f"folder:{tmp_path / 'pics'}", steps=2,
                      data__cache_dir=str(tmp_path / "cache"), run__sample_every=2, run__checkpoint_every=2)
    list(Trainer.new(cfg).run())
    r = ev.evaluate(tmp_path / "run", n=40)
    assert r["features"].startswith("random conv features") and r["n_train"] == 48
    assert 0 <= r["copies"] <= 1 and 0 <= r["copies_pixels"] <= 1 and r["copies_reference"] == 48
    assert np.isfinite([r["kid"], r["kid_std"], r["fid"]]).all()
    lines = ev.format_result(r)
    metrics = [line.split()[0] for line in lines[2:]]
    assert metrics[:3] == ["KID", "FID", "precision"] and "compare runs by KID" in lines[3]
    assert any(line.startswith("copies") for line in lines)
