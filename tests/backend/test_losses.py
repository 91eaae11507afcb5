"""Every loss computes its docstring formula on hand-made scores and rewards a discriminator that
separates real from fake; one D and one G step runs for every loss x penalty pairing."""
import pytest
import torch
import torch.nn.functional as F

from gan_backend.config import Config
from gan_backend.data import open_dataset
from gan_backend.losses import LOSSES, PENALTIES
from gan_backend.tasks import TASKS

LOSS_NAMES = LOSSES.names()


def test_all_course_losses_registered():
    assert set(LOSS_NAMES) >= {"minimax", "nonsaturating", "lsgan", "wgan", "wgan_gp", "hinge", "rsgan", "rasgan",
                               "ralsgan", "rahinge"}
    assert set(PENALTIES.names()) == {"none", "gp", "r1"}


# Each loss's docstring formula, written out with log sigma(x) = logsigmoid(x), log(1 - sigma(x)) = logsigmoid(-x).
E, log_s, relu = torch.mean, F.logsigmoid, F.relu
FORMULAS = {
    "minimax": (lambda r, f: -E(log_s(r)) - E(log_s(-f)), lambda r, f: E(log_s(-f))),
    "nonsaturating": (lambda r, f: -E(log_s(r)) - E(log_s(-f)), lambda r, f: -E(log_s(f))),
    "lsgan": (lambda r, f: 0.5 * E((r - 1) ** 2) + 0.5 * E(f ** 2), lambda r, f: 0.5 * E((f - 1) ** 2)),
    "wgan": (lambda r, f: E(f) - E(r), lambda r, f: -E(f)),
    "wgan_gp": (lambda r, f: E(f) - E(r), lambda r, f: -E(f)),  # its penalty term is tested apart
    "hinge": (lambda r, f: E(relu(1 - r)) + E(relu(1 + f)), lambda r, f: -E(f)),
    "rsgan": (lambda r, f: -E(log_s(r - f)), lambda r, f: -E(log_s(f - r))),
    "rasgan": (lambda r, f: -E(log_s(r - E(f))) - E(log_s(-(f - E(r)))),
               lambda r, f: -E(log_s(f - E(r))) - E(log_s(-(r - E(f))))),
    "ralsgan": (lambda r, f: E((r - E(f) - 1) ** 2) + E((f - E(r) + 1) ** 2),
                lambda r, f: E((f - E(r) - 1) ** 2) + E((r - E(f) + 1) ** 2)),
    "rahinge": (lambda r, f: E(relu(1 - (r - E(f)))) + E(relu(1 + (f - E(r)))),
                lambda r, f: E(relu(1 - (f - E(r)))) + E(relu(1 + (r - E(f))))),
}
# Hand-made scores: confident and unsure, right and wrong, on both sides of every hinge and target.
REAL = torch.tensor([2.0, 0.5, -0.3, 1.2, -1.5, 3.0])
FAKE = torch.tensor([-1.0, 0.2, 0.8, -2.5, 1.7, -0.4])


def test_every_registered_loss_has_a_formula_here():
    assert set(FORMULAS) == set(LOSS_NAMES)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_matches_its_docstring_formula(name):
    loss, (d_formula, g_formula) = LOSSES.get(name), FORMULAS[name]
    torch.testing.assert_close(loss.d(REAL, FAKE), d_formula(REAL, FAKE))
    torch.testing.assert_close(loss.g(REAL, FAKE), g_formula(REAL, FAKE))
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
