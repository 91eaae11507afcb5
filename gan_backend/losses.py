"""The GAN loss family and the gradient penalties, each a small documented function.

Notation: ``r = D(x)`` and ``f = D(G(z))`` are raw scores [B] (logits or critic values),
``sigma`` is the logistic sigmoid, ``E`` the batch mean. A loss supplies ``d(r, f)`` (minimised by D)
and ``g(r, f)`` (minimised by G). ``output`` says how to read D's scores in reports: ``"probability"``
(sigmoid of the logit), or ``"critic"`` (the raw value, for WGAN-type and least-squares losses).
Targets: sigmoid losses accept ``real_target`` / ``fake_target`` tensors so the engine can apply
one-sided label smoothing and noisy label flips.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from gan_backend.registry import Registry

Tensor = torch.Tensor


@dataclass(frozen=True)
class GanLoss:
    d: Callable[..., Tensor]  # (r, f, real_target=1, fake_target=0) -> scalar for D
    g: Callable[[Tensor, Tensor], Tensor]  # (r, f) -> scalar for G
    output: str = "probability"  # how to report D(x) and D(G(z)): "probability" or "critic"
    uses_targets: bool = True  # label smoothing / flips apply
    clip_weights: bool = False  # original WGAN: clip D's weights after each D step
    default_penalty: str = "none"  # penalty the loss is defined with (WGAN-GP: "gp")
    relativistic: bool = False  # G's loss also needs D(x) (relativistic losses)


LOSSES: Registry[GanLoss] = Registry("loss")


def _bce(logits: Tensor, target) -> Tensor:
    target = torch.as_tensor(target, dtype=logits.dtype, device=logits.device).expand_as(logits)
    return F.binary_cross_entropy_with_logits(logits, target)


def register(name: str, summary: str, **kw):
    """Register the (d, g) pair defined by the decorated function under ``name``."""

    def add(fn):
        d, g = fn()
        LOSSES.register(name, summary=summary)(GanLoss(d=d, g=g, **kw))
        return fn

    return add


@register("minimax", "original GAN: G minimises E log(1 - sigma(f)), which saturates early")
def _minimax():
    """D: -E log sigma(r) - E log(1 - sigma(f)).  G: E log(1 - sigma(f)) (Goodfellow et al. 2014).

    When D rejects fakes confidently, log(1 - sigma(f)) is flat: G gets almost no gradient.
    """
    d = lambda r, f, real_target=1.0, fake_target=0.0: _bce(r, real_target) + _bce(f, fake_target)
    g = lambda r, f: -_bce(f, 0.0)  # = E log(1 - sigma(f))
    return d, g


@register("nonsaturating", "non-saturating GAN: G maximises E log sigma(f)")
def _nonsaturating():
    """D: as minimax.  G: -E log sigma(f), strong gradients exactly when D wins (the paper's fix)."""
    d = lambda r, f, real_target=1.0, fake_target=0.0: _bce(r, real_target) + _bce(f, fake_target)
    g = lambda r, f: _bce(f, 1.0)
    return d, g


@register("lsgan", "least squares GAN (Mao et al.): targets 1 and 0 under squared error", output="critic")
def _lsgan():
    """D: 1/2 E (r - 1)^2 + 1/2 E f^2.  G: 1/2 E (f - 1)^2."""
    d = lambda r, f, real_target=1.0, fake_target=0.0: 0.5 * ((r - real_target) ** 2).mean() + 0.5 * ((f - fake_target) ** 2).mean()
    g = lambda r, f: 0.5 * ((f - 1.0) ** 2).mean()
    return d, g


@register("wgan", "Wasserstein GAN (Arjovsky et al.) with weight clipping", output="critic",
          uses_targets=False, clip_weights=True)
def _wgan():
    """D (critic): E f - E r, weights clipped to [-c, c] after each step.  G: -E f."""
    d = lambda r, f, **_: f.mean() - r.mean()
    g = lambda r, f: -f.mean()
    return d, g


@register("wgan_gp", "WGAN with gradient penalty (Gulrajani et al.)", output="critic",
          uses_targets=False, default_penalty="gp")
def _wgan_gp():
    """D: E f - E r + lambda E (||grad D(x_hat)|| - 1)^2 on random interpolates x_hat.  G: -E f."""
    return _wgan()


@register("hinge", "hinge loss (Lim & Ye; SNGAN, BigGAN)", output="critic", uses_targets=False)
def _hinge():
    """D: E relu(1 - r) + E relu(1 + f).  G: -E f."""
    d = lambda r, f, **_: F.relu(1.0 - r).mean() + F.relu(1.0 + f).mean()
    g = lambda r, f: -f.mean()
    return d, g


@register("rsgan", "relativistic standard GAN (Jolicoeur-Martineau): D(x) judged against D(G(z))",
          relativistic=True)
def _rsgan():
    """D: -E log sigma(r - f).  G: -E log sigma(f - r) (pairs taken element-wise within the batch)."""
    d = lambda r, f, real_target=1.0, fake_target=0.0: _bce(r - f, real_target)
    g = lambda r, f: _bce(f - r, 1.0)
    return d, g


@register("rasgan", "relativistic average standard GAN: against the mean score of the other side",
          relativistic=True)
def _rasgan():
    """D: -E log sigma(r - E f) - E log(1 - sigma(f - E r)).  G: the same with real and fake swapped."""
    d = lambda r, f, real_target=1.0, fake_target=0.0: _bce(r - f.mean(), real_target) + _bce(f - r.mean(), fake_target)
    g = lambda r, f: _bce(f - r.mean(), 1.0) + _bce(r - f.mean(), 0.0)
    return d, g


@register("ralsgan", "relativistic average least squares GAN", output="critic", uses_targets=False,
          relativistic=True)
def _ralsgan():
    """D: E (r - E f - 1)^2 + E (f - E r + 1)^2.  G: E (f - E r - 1)^2 + E (r - E f + 1)^2."""
    d = lambda r, f, **_: ((r - f.mean() - 1) ** 2).mean() + ((f - r.mean() + 1) ** 2).mean()
    g = lambda r, f: ((f - r.mean() - 1) ** 2).mean() + ((r - f.mean() + 1) ** 2).mean()
    return d, g


@register("rahinge", "relativistic average hinge loss", output="critic", uses_targets=False,
          relativistic=True)
def _rahinge():
    """D: E relu(1 - (r - E f)) + E relu(1 + (f - E r)).  G: E relu(1 - (f - E r)) + E relu(1 + (r - E f))."""
    d = lambda r, f, **_: F.relu(1 - (r - f.mean())).mean() + F.relu(1 + (f - r.mean())).mean()
    g = lambda r, f: F.relu(1 - (f - r.mean())).mean() + F.relu(1 + (r - f.mean())).mean()
    return d, g


# --- penalties: added to D's loss, combinable with any loss above ---------------------------------
PENALTIES: Registry[Callable[..., Tensor]] = Registry("penalty")


@PENALTIES.register("none")
def no_penalty(d_fn, real: Tensor, fake: Tensor, weight: float, y=None) -> Tensor:
    """No penalty."""
    return real.new_zeros(())


@PENALTIES.register("gp")
def gradient_penalty(d_fn, real: Tensor, fake: Tensor, weight: float, y=None) -> Tensor:
    """WGAN-GP: lambda E (||grad_x D(x_hat)||_2 - 1)^2 with x_hat = eps x + (1 - eps) G(z), eps ~ U[0, 1].

    With rsgan/rasgan this gives the RSGAN-GP / RaSGAN-GP of the relativistic GAN paper.
    """
    eps = torch.rand((real.shape[0],) + (1,) * (real.dim() - 1), device=real.device, dtype=real.dtype)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    grad = _input_grad(d_fn(x_hat, y), x_hat)
    return weight * ((grad.norm(2, dim=1) - 1) ** 2).mean()


@PENALTIES.register("r1")
def r1_penalty(d_fn, real: Tensor, fake: Tensor, weight: float, y=None) -> Tensor:
    """R1 (Mescheder et al. 2018): gamma/2 E ||grad_x D(x)||^2 on real data only."""
    x = real.detach().requires_grad_(True)
    grad = _input_grad(d_fn(x, y), x)
    return 0.5 * weight * grad.pow(2).sum(dim=1).mean()


def _input_grad(scores: Tensor, x: Tensor) -> Tensor:
    """d(sum scores)/dx flattened to [B, -1], kept in the graph for the double backward."""
    (grad,) = torch.autograd.grad(scores.float().sum(), x, create_graph=True)
    return grad.reshape(grad.shape[0], -1).float()


def report_value(loss: GanLoss, scores: Tensor) -> Tensor:
    """Mean D output as the user should read it, as a 0-d tensor (no host sync):
    a probability for sigmoid losses, else the raw critic value."""
    scores = scores.detach().float()
    return torch.sigmoid(scores).mean() if loss.output == "probability" else scores.mean()
