"""Sample-quality metrics: FID against scipy, KID, precision/recall, and the feature classifier."""
import numpy as np
import pytest
import scipy.linalg

from gan_backend.data import open_dataset
from gan_backend.engine.checkpoint import CheckpointError, save_atomic
from gan_backend.metrics import feature_stats, fid, frechet_distance, kid, precision_recall
from gan_backend.metrics import classifier as clf


def gaussian(n, d=16, shift=0.0, seed=0):
    """[n, d] correlated Gaussian features, moved by ``shift`` along every axis."""
    rng = np.random.default_rng(seed)
    mix = np.random.default_rng(99).normal(size=(d, d)) / np.sqrt(d)  # the same correlation for every set
    return rng.normal(size=(n, d)) @ mix + shift


def scipy_fid(a, b):
    """The textbook formula with scipy's general matrix square root."""
    mu1, s1 = a.mean(0), np.cov(a, rowvar=False)
    mu2, s2 = b.mean(0), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def test_fid_matches_scipy_sqrtm():
    a, b = gaussian(500, seed=1), gaussian(400, shift=0.3, seed=2) * 1.5
    assert fid(a, b) == pytest.approx(scipy_fid(a, b), rel=1e-4)


def test_fid_is_zero_for_identical_sets_and_grows_with_shift():
    a = gaussian(400, seed=1)
    assert abs(fid(a, a)) < 1e-6
    shifted = [fid(a, a + s) for s in (0.5, 1.0, 2.0)]
    assert shifted == pytest.approx([16 * s**2 for s in (0.5, 1.0, 2.0)], rel=1e-6)  # |mean shift|^2
    assert fid(a, gaussian(400, seed=2)) < shifted[0]


def test_frechet_distance_survives_singular_covariances():
    a = gaussian(300, seed=1)
    a[:, 5:] = 0.0  # dead features: a rank-5 covariance, where sqrtm(S1 S2) goes complex or noisy
    mu, s = feature_stats(a)
    assert frechet_distance(mu, s, mu, s) == pytest.approx(0.0, abs=1e-8)
    assert frechet_distance(mu, s, mu + 1, s) == pytest.approx(16.0, rel=1e-8)


def test_frechet_distance_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_kid_is_near_zero_for_one_distribution_and_positive_when_shifted():
    a, b = gaussian(600, seed=1), gaussian(600, seed=2)
    same, same_std = kid(a, b, subsets=10, subset_size=300)
    moved, _ = kid(a, gaussian(600, shift=0.5, seed=2), subsets=10, subset_size=300)
    assert abs(same) < 3 * same_std + 1e-3
    assert moved > 20 * max(abs(same), same_std)


def test_precision_recall_is_one_for_identical_sets():
    a = gaussian(300, seed=1)
    assert precision_recall(a, a.copy(), k=3) == (1.0, 1.0)


def test_mode_collapse_keeps_precision_and_drops_recall():
    """Real data in 4 separated clusters; the fake set covers only one of them."""
    rng = np.random.default_rng(0)
    centres = np.eye(4) * 20

    def draw(which, n):
        return np.concatenate([centres[c] + rng.normal(size=(n, 4)) for c in which])

    real, collapsed = draw(range(4), 150), draw([0], 600)
    full_p, full_r = precision_recall(real, draw(range(4), 150))
    p, r = precision_recall(real, collapsed)
    assert full_p > 0.9 and full_r > 0.9
    assert p > 0.85 and r < 0.3  # at most 1/4 of the real points lie near the one mode


@pytest.fixture(scope="module")
def glyphs_split():
    return open_dataset("glyphs", seed=0, n=2000), open_dataset("glyphs", seed=1, n=500)


@pytest.fixture(scope="module")
def trained(glyphs_split):
    train, _ = glyphs_split
    return clf.train_classifier(train.x, train.labels, epochs=2, seed=0)


def test_classifier_learns_glyph_digits(glyphs_split, trained):
    _, test = glyphs_split
    assert clf.accuracy(trained, test.x, test.labels) > 0.9


def test_features_are_float64_128_per_image(glyphs_split, trained):
    train, test = glyphs_split
    rms = np.sqrt((clf.features(trained, train.x[:500]) ** 2).mean())
    assert rms == pytest.approx(1.0, rel=0.1)  # feature_scale: unit RMS on the training images
    feats = clf.features(trained, test.x[:37])
    assert feats.shape == (37, clf.FEATURES) and feats.dtype == np.float64 and np.isfinite(feats).all()
    probs = clf.probabilities(trained, test.x[:37])
    assert probs.shape == (37, 10) and np.allclose(probs.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="expects uint8"):
        clf.features(trained, test.x[:4, :14])


def test_classifier_features_separate_real_from_noise(glyphs_split, trained):
    _, test = glyphs_split
    noise = np.random.default_rng(0).integers(0, 256, test.x.shape, dtype=np.uint8)
    half = len(test) // 2
    real_a, real_b = clf.features(trained, test.x[:half]), clf.features(trained, test.x[half:])
    assert fid(real_a, clf.features(trained, noise[:half])) > 10 * fid(real_a, real_b)


def test_classifier_save_load_round_trip(tmp_path, glyphs_split, trained):
    _, test = glyphs_split
    clf.save_classifier(trained, tmp_path / "clf.pt")
    again = clf.load_classifier(tmp_path / "clf.pt")
    assert np.array_equal(clf.features(again, test.x[:16]), clf.features(trained, test.x[:16]))
    save_atomic({"modules": {}}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a small_classifier"):
        clf.load_classifier(tmp_path / "other.pt")
