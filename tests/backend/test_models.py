"""Every registered architecture builds, runs forward and backward, and refuses data it cannot handle.

Tiny widths and batch 2 keep the whole file a few seconds on CPU.
"""
from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from gan_backend.config import Config, ModelConfig
from gan_backend.models import MODELS, ModelSpec, NeedsLabelsError, UnsupportedShapeError, build_models

WIDTH = 8
BATCH = 2
CLASSES = 3
LATENT = 16
MLP_SHAPES = [("points", (2, 1, 1)), ("image", (1, 28, 28)), ("image", (3, 16, 16))]


def _shapes(name: str) -> list[tuple[str, tuple[int, int, int]]]:
    sizes = MODELS.entry(name).meta["sizes"]
    if sizes is None:  # mlp takes anything
        return MLP_SHAPES
    return [("image", (c, s, s)) for s in sizes for c in (1, 3)]


def _class_counts(name: str) -> list[int]:
    return {"never": [0], "optional": [0, CLASSES], "required": [CLASSES]}[MODELS.entry(name).meta["conditional"]]


def _cond_modes(name: str, num_classes: int) -> list[str]:
    if num_classes == 0:
        return ["projection"]  # ignored without classes
    return ["projection"] if name == "sngan" else ["projection", "concat"]


def _z_to_image_models() -> list[str]:
    """Models with the G(z, y) contract; paired models (label map -> picture) are tested in test_paint_backend.py,
    unpaired ones (picture -> picture) in test_translate_backend.py, the vae (its second network encodes, it does
    not score) in test_lessons.py, singan (a pyramid drawn from noise maps, one picture) in test_singan.py."""
    return [name for name in MODELS.names()
            if MODELS.entry(name).meta.get("task") not in ("paired", "unpaired", "vae", "singan")]


def _cases() -> list:
    cases = []
    for name in _z_to_image_models():
        for kind, shape in _shapes(name):
            for k in _class_counts(name):
                for mode in _cond_modes(name, k):
                    spec = ModelSpec(kind, shape, latent_dim=LATENT, num_classes=k, width=WIDTH, cond_mode=mode)
                    cases.append(pytest.param(name, spec, id=f"{name}-{kind}{'x'.join(map(str, shape))}-k{k}-{mode}"))
    return cases


def _labels(spec: ModelSpec) -> torch.Tensor | None:
    return torch.arange(BATCH) % spec.num_classes if spec.num_classes else None


def test_every_registered_model_is_covered():
    assert set(MODELS.names()) >= {"mlp", "dcgan", "cdcgan", "sngan"}
    assert {c.values[0] for c in _cases()} == set(_z_to_image_models())


@pytest.mark.parametrize("name,spec", _cases())
def test_forward_shapes_range_and_backward(name: str, spec: ModelSpec):
    g, d = build_models(spec, name)
    y = _labels(spec)
    fake = g(torch.randn(BATCH, LATENT), y)
    if spec.data_kind == "points":
        assert fake.shape == (BATCH, 2)
    else:
        assert fake.shape == (BATCH, *spec.shape)
        if MODELS.entry(name).meta.get("output") != "linear":  # stylegan has no tanh, as in the paper
            assert fake.min() >= -1 and fake.max() <= 1  # tanh output, same range as the scaled data
    if getattr(d, "has_real_aux_loss", False):  # fastgan: its decoder learns only from the loss on reals
        scores, aux = d(fake, y, aux=True)
        assert aux.shape == () and torch.isfinite(aux) and aux > 0
    else:
        scores, aux = d(fake, y), 0.0
    assert scores.shape == (BATCH,)
    (scores.mean() + aux).backward()
    for net in (g, d):
        for pname, p in net.named_parameters():
            assert p.grad is not None, f"{pname} got no gradient (unused layer?)"
            assert torch.isfinite(p.grad).all(), pname


@pytest.mark.parametrize("name", ["dcgan", "cdcgan", "sngan", "fastgan"])
@pytest.mark.parametrize("shape", [(3, 48, 48), (4, 32, 32), (3, 32, 16)])
def test_unsupported_image_shape_names_supported_sizes(name: str, shape: tuple[int, int, int]):
    spec = ModelSpec("image", shape, num_classes=CLASSES, width=WIDTH)
    with pytest.raises(UnsupportedShapeError) as err:
        build_models(spec, name)
    message = str(err.value)
    for size in MODELS.entry(name).meta["sizes"]:
        assert str(size) in message
    assert "x".join(map(str, shape)) in message  # says what it got


@pytest.mark.parametrize("name", ["dcgan", "cdcgan", "sngan", "fastgan"])
def test_image_models_point_to_mlp_for_points(name: str):
    with pytest.raises(UnsupportedShapeError, match="mlp"):
        build_models(ModelSpec("points", (2, 1, 1), num_classes=CLASSES), name)


def test_cdcgan_without_labels_raises():
    with pytest.raises(NeedsLabelsError, match="no labels"):
        build_models(ModelSpec("image", (1, 28, 28), width=WIDTH), "cdcgan")
    assert issubclass(NeedsLabelsError, UnsupportedShapeError)  # one except clause catches both


def test_conditional_nets_refuse_missing_labels():
    g, d = build_models(ModelSpec("image", (1, 28, 28), latent_dim=LATENT, num_classes=CLASSES, width=WIDTH), "cdcgan")
    with pytest.raises(ValueError, match="labels"):
        g(torch.randn(BATCH, LATENT))
    with pytest.raises(ValueError, match="labels"):
        d(torch.zeros(BATCH, 1, 28, 28))


def test_bad_cond_mode_and_unknown_model_are_named():
    spec = ModelSpec("image", (3, 32, 32), num_classes=CLASSES, width=WIDTH, cond_mode="concat")
    with pytest.raises(ValueError, match="projection"):
        build_models(spec, "sngan")
    with pytest.raises(KeyError, match="dcgan"):
        build_models(spec, "dcgna")


@pytest.mark.parametrize(
    "name,kind,shape",
    [("mlp", "points", (2, 1, 1)), ("cdcgan", "image", (1, 28, 28)), ("sngan", "image", (3, 32, 32))],
)
def test_conditional_generator_follows_the_label(name: str, kind: str, shape: tuple[int, int, int]):
    spec = ModelSpec(kind, shape, latent_dim=LATENT, num_classes=CLASSES, width=WIDTH)
    g, _ = build_models(spec, name)
    g.eval()
    z = torch.randn(1, LATENT).expand(CLASSES, LATENT)  # one z, every class
    with torch.no_grad():
        out = g(z, torch.arange(CLASSES))
    for a in range(CLASSES):
        for b in range(a + 1, CLASSES):
            assert not torch.allclose(out[a], out[b]), f"classes {a} and {b} gave the same sample"


@pytest.mark.parametrize(
    "name,kind,shape",
    [("mlp", "points", (2, 1, 1)), ("dcgan", "image", (1, 28, 28)), ("sngan", "image", (3, 32, 32))],
)
def test_g_dropout_adds_noise_in_training_only(name: str, kind: str, shape: tuple[int, int, int]):
    z = torch.randn(BATCH, LATENT)
    plain, _ = build_models(ModelSpec(kind, shape, latent_dim=LATENT, width=WIDTH), name)
    assert torch.equal(plain(z), plain(z))  # without dropout G is deterministic even in train mode
    g, _ = build_models(ModelSpec(kind, shape, latent_dim=LATENT, width=WIDTH, g_dropout=0.5), name)
    assert any(isinstance(m, nn.Dropout) for m in g.modules())
    assert not torch.equal(g(z), g(z))
    g.eval()
    assert torch.equal(g(z), g(z))


def test_dcgan_spectral_norm_wraps_d_and_drops_batchnorm():
    spec = ModelSpec("image", (3, 32, 32), width=WIDTH, spectral_norm_d=True)
    _, d = build_models(spec, "dcgan")
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(hasattr(m, "parametrizations") for m in convs)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())


def test_dcgan_uses_paper_init():
    g, d = build_models(ModelSpec("image", (3, 64, 64), width=64), "dcgan")
    conv = next(m for m in d.modules() if isinstance(m, nn.Conv2d))
    bn = next(m for m in g.modules() if isinstance(m, nn.BatchNorm2d))
    assert conv.weight.std().item() == pytest.approx(0.02, rel=0.1)
    assert bn.weight.mean().item() == pytest.approx(1.0, abs=0.01)


def test_a_spec_takes_its_model_fields_and_defaults_from_the_config():
    spec = ModelSpec("image", (1, 28, 28), width=8)
    assert spec.model == ModelConfig(width=8) and (spec.width, spec.latent_dim) == (8, ModelConfig().latent_dim)
    old = Config.from_dict({"model": {"name": "dcgan", "width": 16}})  # a checkpoint's config from before g_noise
    spec = ModelSpec.from_config(old.model, "image", (1, 28, 28))
    assert (spec.width, spec.g_noise) == (16, False)
    with pytest.raises(TypeError, match="widht"):
        ModelSpec("image", (1, 28, 28), widht=8)


def test_fastgan_skip_excitation_gates_high_res_features_from_low_res_ones():
    g, _ = build_models(ModelSpec("image", (3, 64, 64), latent_dim=LATENT, width=WIDTH), "fastgan")
    assert g.pairs == {64: 8, 32: 4}  # 8x smaller sources, into the sides from 32 up
    seen = {}
    g.sle["64"].register_forward_hook(lambda mod, args, out: seen.update(low=args[0], high=args[1], out=out))
    g(torch.randn(BATCH, LATENT))
    assert seen["low"].shape[-1] == 8 and seen["high"].shape[-1] == 64
    assert not torch.allclose(seen["out"], seen["high"])  # the gates (0..1) changed the 64x64 features


def test_fastgan_decoder_rebuilds_a_downscaled_real():
    _, d = build_models(ModelSpec("image", (1, 64, 64), latent_dim=LATENT, width=WIDTH), "fastgan")
    x = torch.rand(BATCH, 1, 64, 64) * 2 - 1
    scores, recon = d(x, aux=True)
    assert torch.equal(scores, d(x))  # the same scores with or without the aux term
    rebuilt = d.decoder(d.to_8(x))
    assert rebuilt.shape == (BATCH, 1, 32, 32)
    target = torch.nn.functional.interpolate(x, size=32, mode="area")
    assert recon.item() == pytest.approx((rebuilt - target).abs().mean().item(), rel=1e-5)
