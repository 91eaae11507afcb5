"""Every loss is finite on random scores and rewards a discriminator that separates real from fake;
one D and one G step runs for every loss x penalty pairing."""
import math

import pytest
import torch

from gan_backend.config import Config
from gan_backend.data import open_dataset
from gan_backend.losses import LOSSES, PENALTIES
from gan_backend.tasks import TASKS

LOSS_NAMES = LOSSES.names()


def test_all_course_losses_registered():
    assert set(LOSS_NAMES) >= {"minimax", "nonsaturating", "lsgan", "wgan", "wgan_gp", "hinge", "rsgan", "rasgan",
                               "ralsgan", "rahinge"}
    assert set(PENALTIES.names()) == {"none", "gp", "r1"}


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_finite_and_docstring_has_formula(name):
    loss = LOSSES.get(name)
    r, f = torch.randn(32), torch.randn(32)
    assert math.isfinite(loss.d(r, f).item()) and math.isfinite(loss.g(r, f).item())
    assert LOSSES.entry(name).summary


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_separating_discriminator_has_lower_d_loss(name):
    """D scoring reals high and fakes low must beat D scoring the other way round."""
    loss = LOSSES.get(name)
    r, f = torch.full((16,), 3.0) + 0.1 * torch.randn(16), torch.full((16,), -3.0) + 0.1 * torch.randn(16)
    good, bad = loss.d(r, f).item(), loss.d(f, r).item()
    assert good < bad, (name, good, bad)
    # ... and G is better off when its fakes score high.
    assert loss.g(r, r.clone()).item() < loss.g(r, f).item(), name


def test_minimax_saturates_where_nonsaturating_does_not():
    """The course's lesson: when D rejects fakes, log(1 - D(G(z))) gives G almost no gradient."""
    f = torch.full((8,), -6.0, requires_grad=True)
    r = torch.zeros(8)
    grads = {}
    for name in ("minimax", "nonsaturating"):
        (g,) = torch.autograd.grad(LOSSES.get(name).g(r, f), f)
        grads[name] = g.abs().mean().item()
    assert grads["nonsaturating"] > 100 * grads["minimax"]


def test_label_targets_change_sigmoid_losses():
    loss = LOSSES.get("nonsaturating")
    r, f = torch.randn(8), torch.randn(8)
    assert loss.d(r, f).item() != pytest.approx(loss.d(r, f, real_target=torch.full((8,), 0.9)).item())


def test_gradient_penalty_zero_for_unit_slope_critic():
    x = torch.randn(6, 1, 4, 4)
    w = torch.randn(16)
    w = w / w.norm()
    d_fn = lambda inp, y=None: inp.reshape(inp.shape[0], -1) @ w  # linear critic, gradient norm 1 everywhere
    assert PENALTIES.get("gp")(d_fn, x, x.flip(0), 10.0).item() == pytest.approx(0.0, abs=1e-5)
    assert PENALTIES.get("r1")(d_fn, x, x, 2.0).item() == pytest.approx(1.0, rel=1e-4)


@pytest.fixture(scope="module")
def tiny_points():
    return open_dataset("toy2d:ring8", n=256)


@pytest.mark.parametrize("penalty", PENALTIES.names())
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_one_d_and_g_step_every_pairing(name, penalty, tiny_points):
    cfg = Config()
    cfg.model.name, cfg.model.width, cfg.loss.name, cfg.loss.penalty = "mlp", 8, name, penalty
    cfg.run.grid_size = 16
    task = TASKS.get("unconditional")(cfg, tiny_points, torch.device("cpu"))
    batch = {"x": torch.from_numpy(tiny_points.x[:16])}
    before = [p.clone() for p in task.D.parameters()]
    d = task.d_step(batch, measure=True)
    g = task.g_step(batch, measure=True)
    for value in (*d.values(), *g.values()):
        assert torch.isfinite(value).all(), (name, penalty)
    assert any(not torch.equal(a, b) for a, b in zip(before, task.D.parameters()))
    if penalty != "none":
        assert d["penalty"].item() > 0
