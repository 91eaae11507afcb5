"""The 2-D playground steps D and G separately and draws the pictures that explain a GAN."""
import numpy as np

from gan_backend.data.builtin.toy2d import RING_STD, ring8_means
from gan_backend.metrics.modes import mode_coverage
from gan_backend.playground import Playground


def test_steps_and_frame_shapes():
    pg = Playground("toy2d:ring8", batch=64, width=16)
    pg.step_d()
    assert (pg.count_d, pg.count_g) == (1, 0)
    pg.set_ratio(3, 1)
    pg.step(2)
    assert (pg.count_d, pg.count_g) == (7, 2)
    f = pg.frame(res=32, points=100, mesh=8)
    assert f.real.shape == f.fake.shape == f.arrows.shape == (100, 2)
    assert f.field.shape == (32, 32) and f.mesh.shape == (8, 8, 2) and f.output == "probability"
    assert 0 <= f.field.min() and f.field.max() <= 1 and np.abs(f.arrows).sum() > 0


def test_loss_switch_mid_run_changes_output_units():
    pg = Playground("toy2d:ring8", batch=64, width=16)
    pg.step(3)
    pg.set_loss("wgan_gp")
    pg.step(3)
    f = pg.frame(res=16, points=50, mesh=4)
    assert f.output == "critic" and np.isfinite(f.field).all()


def test_d_learns_to_separate_real_from_fake():
    pg = Playground("toy2d:ring8", batch=128, width=32, lr=2e-3)
    for _ in range(150):
        pg.step_d()
    f = pg.frame(res=64, points=400)
    ij = lambda p: np.clip(((p / f.extent + 1) / 2 * 63).round().astype(int), 0, 63)
    on_real = f.field[ij(f.real[:, 1]), ij(f.real[:, 0])].mean()
    on_fake = f.field[ij(f.fake[:, 1]), ij(f.fake[:, 0])].mean()
    assert on_real > 0.6 > 0.4 > on_fake


def test_mode_coverage():
    means = ring8_means()
    rng = np.random.default_rng(0)
    all_modes = means[rng.integers(0, 8, 2000)] + rng.normal(0, RING_STD, (2000, 2))
    collapsed = means[[0] * 2000] + rng.normal(0, RING_STD, (2000, 2))
    assert mode_coverage(all_modes, means, RING_STD)["modes_covered"] == 8
    c = mode_coverage(collapsed, means, RING_STD)
    assert c["modes_covered"] == 1 and c["high_quality"] > 0.95
    assert mode_coverage(np.zeros((10, 2)), means, RING_STD)["high_quality"] == 0
