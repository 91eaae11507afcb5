"""The course's lessons (gan_backend.lessons): the texts parse, every experiment builds, steps and fills its
plots, the formulas match closed forms, the attention map is a distribution over the feature map, the VAE's
ELBO falls."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gan_backend.lessons import LessonTextError, Picture, Plot, formula_html, load_lessons, parse_lesson
from tests.backend.helpers import gs, tiny_config

pytestmark = pytest.mark.usefixtures("one_thread")  # small networks, as the Learn tab's thread runs them

LESSON_IDS = ["learning_to_sample", "why_minimax_saturates", "js_vs_wasserstein", "mode_collapse", "vae_vs_gan",
              "conditional_gans", "self_attention", "paired_vs_unpaired"]
SMALL = {"vae_vs_gan": {"n": 512}, "conditional_gans": {"n": 512}, "self_attention": {"n": 512},
         "paired_vs_unpaired": {"n": 16}}  # build options that keep the training lessons' data tiny


# --- texts ---
def test_the_shipped_lessons_are_complete_and_name_an_experiment_that_exists():
    lessons = load_lessons()
    assert [lesson.id for lesson in lessons] == LESSON_IDS
    for lesson in lessons:
        assert lesson.title and lesson.formulas and lesson.look_for, lesson.id
        assert 2 <= len([s for s in lesson.explanation.split(". ") if s]) <= 6, lesson.id  # a few sentences
        assert 1 <= len(lesson.questions) <= 3 and len(lesson.answers) == len(lesson.questions), lesson.id
        assert lesson.opens in ("train", "playground", "translate", "explore") and lesson.settings, lesson.id


def test_a_lesson_text_names_what_is_missing():
    with pytest.raises(LessonTextError, match="experiment"):
        parse_lesson("---\nid: x\ntitle: X\norder: 1\nopens: train\n---\nText.", "x.md")
    with pytest.raises(LessonTextError, match="opens 'paint'"):
        parse_lesson("---\nid: x\ntitle: X\norder: 1\nexperiment: m:f\nopens: paint\n---\n", "x.md")
    lesson = parse_lesson("---\nid: x\ntitle: X\norder: 2\nexperiment: m:f\nopens: train\nsettings: a=1, b=two\n"
                          "---\nOne. Two.\n\n$$ p_{data} $$\n## What to look for\nLook.\n## Questions\n1. Why?\n"
                          "   Really?\n2. How?\n", "x.md")
    assert lesson.settings == {"a": "1", "b": "two"} and lesson.questions == ("Why? Really?", "How?")
    assert lesson.formulas == ("p_{data}",) and "$$" not in lesson.explanation and lesson.look_for == "Look."


def test_formulas_become_html_with_subscripts_and_symbols():
    assert formula_html(r"D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x))") == (
        "D<sup>*</sup>(x) = p<sub>data</sub>(x) / (p<sub>data</sub>(x) + p<sub>g</sub>(x))")
    assert formula_html(r"W_1 = |\theta| \neq \infty") == "W<sub>1</sub> = |θ| ≠ ∞"


# --- every experiment ---
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_builds_steps_and_its_plots_hold_data(lesson_id):
    lesson = next(lesson for lesson in load_lessons() if lesson.id == lesson_id)
    experiment = lesson.build(**SMALL.get(lesson_id, {}))
    try:
        assert all(c.kind in ("choice", "slider", "int", "toggle", "button") for c in experiment.controls)
        for _ in range(3):
            experiment.step()
        frame = experiment.frame()
        assert frame.step == experiment.steps == 3 and frame.panels and frame.readout
        for key, panel in frame.panels.items():
            if isinstance(panel, Plot):
                drawn = [s for s in panel.series.values() if len(s.x)]
                assert drawn and all(len(s.x) == len(s.y) for s in panel.series.values()), key
                assert any(np.isfinite(s.y).any() for s in drawn), key
            else:
                assert isinstance(panel, Picture) and panel.image.dtype == np.uint8, key
                assert panel.image.ndim == 3 and panel.image.shape[2] == 3 and np.ptp(panel.image) > 0, key
        for control in experiment.controls:  # every control is taken
            if control.kind != "slider":
                experiment.set(control.name, control.default)
        assert set(frame.values) <= {c.name for c in experiment.controls}
        assert experiment.measures()
    finally:
        experiment.close()


# --- lesson 1: the optimal discriminator ---
def test_optimal_discriminator_of_two_gaussians_is_the_closed_form_sigmoid():
    from gan_backend.lessons.one_d import optimal_discriminator

    x = np.linspace(-4, 4, 81)
    p = np.exp(-0.5 * (x - 1) ** 2) / math.sqrt(2 * math.pi)
    q = np.exp(-0.5 * (x + 1) ** 2) / math.sqrt(2 * math.pi)
    # log p/q = 2x for unit variances and means +-1, so D* = sigmoid(2x).
    np.testing.assert_allclose(optimal_discriminator(p, q), 1 / (1 + np.exp(-2 * x)), atol=1e-12)
    assert optimal_discriminator(np.zeros(1), np.zeros(1))[0] == 0.5


def test_gs_density_is_z_pushed_through_g():
    from gan_backend.lessons.one_d import centres, pushforward_density

    z = np.linspace(-6, 6, 8001)
    edges = np.linspace(-4, 6, 201)
    x = centres(edges)
    affine = pushforward_density(z, 0.5 * z + 1.0, edges)  # x = 0.5 z + 1 ~ N(1, 0.25)
    np.testing.assert_allclose(affine, np.exp(-0.5 * ((x - 1) / 0.5) ** 2) / (0.5 * math.sqrt(2 * math.pi)), atol=2e-3)
    folded = pushforward_density(z, np.abs(z), edges)  # |z|: the half-normal, twice N(0, 1) on x > 0
    expect = np.where(x > 0, 2 * np.exp(-0.5 * x ** 2) / math.sqrt(2 * math.pi), 0.0)
    np.testing.assert_allclose(folded[np.abs(x) > 0.1], expect[np.abs(x) > 0.1], atol=2e-3)


def test_with_g_frozen_d_climbs_towards_the_optimal_d():
    from gan_backend.lessons.one_d import learning_to_sample

    experiment = learning_to_sample()
    experiment.set("mode", "d")
    start = experiment.gan.optimal_d_gap()
    for _ in range(300):
        experiment.step()
    assert experiment.gan.count_g == 0 and experiment.gan.optimal_d_gap() < 0.6 * start


@pytest.mark.slow
def test_after_the_default_training_d_is_within_a_tenth_of_the_optimal_d():
    from gan_backend.lessons.one_d import DEFAULT_D_STEPS, learning_to_sample

    experiment = learning_to_sample()
    experiment.set("mode", "d")
    for _ in range(DEFAULT_D_STEPS):
        experiment.step()
    assert experiment.measures()["optimal_d_gap"] <= 0.1


# --- lesson 2: the two generator losses ---
def test_the_drawn_generator_losses_are_the_registry_s():
    from gan_backend.lessons.saturation import generator_losses
    from gan_backend.losses import LOSSES

    d = np.array([0.01, 0.3, 0.9])
    logits = torch.tensor(np.log(d / (1 - d)), dtype=torch.float64)
    curves = generator_losses(d)
    for name in ("minimax", "nonsaturating"):
        per = [float(LOSSES.get(name).g(None, logits[i:i + 1])) for i in range(3)]
        np.testing.assert_allclose(curves[name], per, rtol=1e-6)
    # Saturation in one line: the minimax slope per logit at D(G(z)) = 0.01 is 1/99 of the non-saturating one.
    lg = logits[:1].clone().requires_grad_(True)
    slopes = [torch.autograd.grad(LOSSES.get(n).g(None, lg), lg)[0].item() for n in ("minimax", "nonsaturating")]
    assert slopes[0] == pytest.approx(-0.01, rel=1e-6) and slopes[1] == pytest.approx(-0.99, rel=1e-6)


# --- lesson 3: JS, KL and W1 ---
def test_divergences_match_the_closed_forms_of_example_1():
    from gan_backend.lessons.divergences import js_divergence, kl_divergence, line_divergences, wasserstein_1d

    for theta in (0.5, -0.2, 1.0):
        exact = line_divergences(theta)
        assert exact == {"js": math.log(2), "kl": math.inf, "w1": abs(theta)}
        # P_0 and P_theta as histograms over x: all mass at 0, or all at theta.
        p, q = np.array([1.0, 0.0]), np.array([0.0, 1.0])
        assert js_divergence(p, q) == pytest.approx(exact["js"]) and kl_divergence(p, q) == exact["kl"]
        z = np.random.default_rng(0).random(1000)
        assert wasserstein_1d(np.zeros_like(z), np.full_like(z, theta)) == pytest.approx(exact["w1"])
    assert line_divergences(0.0) == {"js": 0.0, "kl": 0.0, "w1": 0.0}
    assert js_divergence([0.5, 0.5], [0.5, 0.5]) == 0.0
    # Bernoulli(0.5) vs Bernoulli(0.25): KL = 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75).
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))


# --- lesson 7: self-attention ---
@pytest.mark.parametrize("model,size,side", [("dcgan", 28, 14), ("dcgan", 28, 7), ("dcgan", 32, 16),
                                             ("sngan", 32, 16), ("sngan", 32, 8)])
def test_the_attention_map_of_a_pixel_sums_to_one_over_the_feature_map(model, size, side):
    from gan_backend.models import ModelSpec, build_models
    from gan_backend.models.attention import attention_blocks, attention_for_pixel

    spec = ModelSpec("image", (1, size, size), width=8, latent_dim=16, attention=side)
    G, D = build_models(spec, model)
    assert len(attention_blocks(G)) == len(attention_blocks(D)) == 1
    assert D(torch.zeros(2, 1, size, size)).shape == (2,)
    picture, heat = attention_for_pixel(G.eval(), torch.randn(1, 16), size // 3, size - 1)
    assert picture.shape == (1, 1, size, size) and heat.shape == (side, side)
    assert float(heat.sum()) == pytest.approx(1.0, abs=1e-5) and float(heat.min()) >= 0


def test_attention_at_a_side_the_model_lacks_names_the_sides_it_has():
    from gan_backend.models import ModelSpec, UnsupportedShapeError, build_models

    with pytest.raises(UnsupportedShapeError, match="side 7, 14"):
        build_models(ModelSpec("image", (1, 28, 28), width=8, attention=12), "dcgan")
    plain = build_models(ModelSpec("image", (1, 28, 28), width=8), "dcgan")[0].state_dict()
    assert not any("gamma" in k for k in plain)  # attention 0: the networks (and old checkpoints) are as before


# --- lesson 5: the VAE ---
@pytest.mark.parametrize("size", [16, 28, 32, 64])
def test_the_vae_decodes_codes_and_encodes_pictures_at_every_size(size):
    from gan_backend.models import ModelSpec, build_models

    decoder, encoder = build_models(ModelSpec("image", (3, size, size), width=8, latent_dim=16), "vae")
    pictures = decoder(torch.randn(2, 16))
    assert pictures.shape == (2, 3, size, size) and pictures.abs().max() <= 1
    mu, logvar = encoder(pictures)
    assert mu.shape == logvar.shape == (2, 16)
    (mu.sum() + logvar.sum()).backward()
    assert all(p.grad is not None for p in list(decoder.parameters()) + list(encoder.parameters()))


def test_vae_elbo_falls_on_a_tiny_run_and_its_decoder_loads_as_a_generator(tmp_path, capsys):
    from gan_backend.engine.loop import Trainer
    from gan_backend.engine.reports import TrainReport
    from gan_backend.loader import open_checkpoint

    cfg = tiny_config(tmp_path / "run", model="vae", steps=40, **{"run.tensorboard": False, "train.num_threads": 1,
                                                                  "train.lr_g": 1e-3, "train.lr_d": 1e-3})
    losses = [item.losses for item in Trainer.new(cfg).run() if isinstance(item, TrainReport)]
    assert set(losses[0]) >= {"loss_elbo", "loss_recon", "loss_kl"}
    assert losses[-1]["loss_elbo"] < 0.6 * losses[0]["loss_elbo"]
    assert all(v["loss_elbo"] == pytest.approx(v["loss_recon"] + v["loss_kl"], rel=1e-4) for v in losses)
    ck = open_checkpoint(tmp_path / "run")
    assert ck.task == "vae" and ck.network()(torch.randn(3, 16)).shape == (3, 1, 28, 28)
    assert gs("list", "models") == 0 and "vae" in capsys.readouterr().out
