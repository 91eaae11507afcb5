"""The style-based generator (mapping, styles per layer, mixing, truncation in W), InfoGAN codes, and projection."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from gan_backend.engine.loop import Trainer
from gan_backend.generator import load_generator
from gan_backend.models import ModelSpec, build_models
from gan_backend.models.inputs import InfoCodes, input_dim, sample_inputs
from gan_backend.models.stylegan import layer_groups, mix_styles, style_sides
from gan_backend.projection import Projector, load_projected, ms_ssim, psnr
from tests.backend.helpers import gs, last_error, tiny_config

pytestmark = pytest.mark.usefixtures("one_thread")


def _style(size=16, **fields):
    spec = ModelSpec("image", (3, size, size), latent_dim=16, width=8, **fields)
    return build_models(spec, "stylegan")


def test_layer_groups_cover_every_style_row_in_order():
    for size in (16, 32, 64, 128):
        groups = layer_groups(size)
        rows = len(style_sides(size))
        assert groups["coarse"][0] == 0 and groups["fine"][1] == rows
        assert groups["coarse"][1] == groups["middle"][0] and groups["middle"][1] == groups["fine"][0]
        assert all(stop > start for start, stop in groups.values()), (size, groups)
    G, _ = _style(32)
    assert G.num_ws == len(style_sides(32)) == 8


def test_rows_of_ws_are_the_layers_styles():
    G, _ = _style(16)
    G.eval()
    z = torch.randn(2, 16)
    ws = G.ws(z)
    same = G.synthesis(ws, "const")
    assert torch.allclose(G(z, noise_mode="const"), same, atol=1e-6)
    start, stop = G.groups["fine"]
    mixed = mix_styles(ws[:1], ws[1:], start, stop)
    assert torch.equal(mixed[0, :start], ws[0, :start]) and torch.equal(mixed[0, start:stop], ws[1, start:stop])
    # The fine rows change the picture, and less than taking every row would.
    a, b, m = (G.synthesis(w, "const") for w in (ws[:1], ws[1:], mixed))
    assert (m - a).abs().mean() > 0 and (m - a).abs().mean() < (b - a).abs().mean()


def test_truncation_psi_zero_draws_the_average_w_for_any_z():
    G, _ = _style(16)
    G.eval()
    G.mapping.w_avg.normal_()
    out = G(torch.randn(3, 16), psi=0.0, noise_mode="const")
    assert torch.allclose(out[0], out[1], atol=1e-5) and torch.allclose(out[1], out[2], atol=1e-5)
    ws = G.ws(torch.randn(2, 16), psi=0.0, cutoff=2)
    assert torch.allclose(ws[:, :2], G.w_avg.expand(2, 2, -1)) and not torch.allclose(ws[:, 2], G.w_avg)


def test_noise_modes():
    G, _ = _style(16)
    G.eval()
    for layer in G.synthesis.layers:
        layer.noise_strength.data.fill_(0.5)
    ws = G.ws(torch.randn(1, 16))
    assert torch.equal(G.synthesis(ws, "const"), G.synthesis(ws, "const"))
    assert not torch.equal(G.synthesis(ws, "random"), G.synthesis(ws, "random"))
    assert not torch.equal(G.synthesis(ws, "none"), G.synthesis(ws, "const"))
    with pytest.raises(ValueError, match="noise_mode"):
        G.synthesis(ws, "sometimes")


def test_training_forward_mixes_styles_and_tracks_w_avg():
    G, _ = _style(16, style_mixing=1.0)
    G.train()
    before = G.w_avg.clone()
    G(torch.randn(4, 16))
    assert not torch.equal(before, G.w_avg)
    penalty = G.path_length(torch.randn(2, 16))
    assert penalty.shape == () and torch.isfinite(penalty) and G.pl_mean > 0


def test_info_codes_parse_sample_and_score():
    codes = InfoCodes.parse("cat10,cont2")
    assert codes.categorical == (10,) and codes.continuous == 2 and codes.dim == 12
    x = codes.sample(5, torch.Generator().manual_seed(0))
    assert x.shape == (5, 12) and torch.equal(x[:, :10].sum(1), torch.ones(5)) and x[:, 10:].abs().max() <= 1
    perfect = torch.cat([x[:, :10] * 50, x[:, 10:]], 1)
    assert codes.loss(perfect, x) < 1e-3 < codes.loss(torch.zeros(5, 12), x)
    assert torch.equal(codes.read(perfect)[:, 0], x[:, :10].argmax(1).float())
    assert not InfoCodes.parse("") and InfoCodes.parse(" ").dim == 0
    for bad in ("cat1", "cat", "dog3", "cont0"):
        with pytest.raises(ValueError, match="model.info_codes"):
            InfoCodes.parse(bad)
    assert sample_inputs(3, 16, "normal", "cat4").shape == (3, 20)


@pytest.mark.parametrize("model", ["dcgan", "stylegan"])
def test_info_codes_train_q_and_latents_carry_the_codes(tmp_path, model):
    cfg = tiny_config(tmp_path / "r", "shapes", model, steps=6, **{"model.info_codes": "cat4,cont1",
                                                                  "data.image_size": 16})
    list(Trainer.new(cfg).run())
    rows = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    assert any("loss_info" in r for r in rows)
    gen = load_generator(tmp_path / "r")
    assert gen.latent_dim == input_dim(cfg.model) == 16 + 5
    z = gen.latents(4, 0)
    assert torch.equal(z[:, 16:20].sum(1), torch.ones(4))
    assert gen.images(z).shape == (4, 16, 16, 3)


def test_q_can_read_the_codes_from_transformed_fakes(tmp_path, monkeypatch):
    cfg = tiny_config(tmp_path / "r", "shapes", "dcgan", steps=2, **{"model.info_codes": "cat4",
                                                                   "loss.info_augment": "tilt,xint,scale",
                                                                   "data.image_size": 16})
    trainer = Trainer.new(cfg)
    seen = []
    forward = trainer.task.D.forward
    monkeypatch.setattr(trainer.task.D, "forward", lambda x, *a, **k: seen.append(len(x)) or forward(x, *a, **k))
    list(trainer.run())
    rows = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    assert all(math.isfinite(r["loss_info"]) for r in rows if "loss_info" in r)
    assert 2 * cfg.train.batch_size in seen  # the fakes and their transformed copies, in one pass
    cfg.loss.info_augment = "tilt,sheer"
    with pytest.raises(ValueError, match="loss.info_augment: unknown augmentation op 'sheer'"):
        Trainer.new(cfg)


def test_info_codes_need_a_q_head(tmp_path):
    cfg = tiny_config(tmp_path / "r", "shapes", "sngan", steps=2, **{"model.info_codes": "cat4"})
    with pytest.raises(ValueError, match="Q head"):
        Trainer.new(cfg)


def test_stylegan_trains_with_its_paper_settings_and_lazy_r1(tmp_path):
    cfg = tiny_config(tmp_path / "r", "shapes", "stylegan", steps=4, **{"data.image_size": 16})
    trainer = Trainer.new(cfg)
    task = trainer.task
    assert task.penalty_every == 16 and task.penalty_weight >= 0.01
    assert task.opt_g.param_groups[0]["lr"] == 0.002 and task.opt_g.param_groups[0]["betas"] == (0.0, 0.99)
    assert task.opt_d.param_groups[0]["lr"] == pytest.approx(0.002 * 16 / 17)
    list(trainer.run())
    assert task.d_updates == 4 and task.state_dict()["d_updates"] == 4
    # A user's own rate wins over the model's.
    own = tiny_config(tmp_path / "o", "shapes", "stylegan", steps=1, **{"data.image_size": 16, "train.lr_g": 1e-3})
    assert Trainer.new(own).task.opt_g.param_groups[0]["lr"] == 1e-3


def test_ms_ssim_and_psnr():
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    assert torch.allclose(ms_ssim(x, x), torch.ones(2), atol=1e-4)
    noisy = (x + 0.3 * torch.randn_like(x)).clamp(-1, 1)
    assert (ms_ssim(x, noisy) < 0.9).all()
    assert psnr(x, x) == float("inf") and 5 < psnr(x, noisy) < 20


def _tiny_style_run(tmp_path):
    cfg = tiny_config(tmp_path / "r", "shapes", "stylegan", steps=2, **{"data.image_size": 16})
    list(Trainer.new(cfg).run())
    return load_generator(tmp_path / "r")


def test_projection_finds_a_picture_the_generator_can_draw(tmp_path):
    gen = _tiny_style_run(tmp_path)
    with torch.no_grad():
        ws = gen.net.ws(gen.latents(1, 5))
        target = ((gen.net.synthesis(ws, "const").clamp(-1, 1)[0].permute(1, 2, 0) + 1) * 127.5).byte().numpy()
    proj = Projector(gen, target, space="w+")
    reports = list(proj.run(steps=60, every=20))
    assert [r.step for r in reports] == [20, 40, 60]
    first = Projector(gen, target, space="w+").report().psnr
    assert reports[-1].psnr > first + 3, (first, reports[-1].psnr)
    latent = proj.result("r")
    latent.save(tmp_path / "lat.json")
    back = load_projected(tmp_path / "lat.json")
    assert back.space == "w+" and back.ws.shape == (gen.net.num_ws, gen.net.w_dim)
    assert torch.allclose(back.vector, latent.vector, atol=1e-5)
    stopped = list(Projector(gen, target).run(steps=60, every=10, stop=lambda: True))
    assert len(stopped) == 1 and stopped[0].step == 0


def test_project_cli_for_style_and_z_runs(tmp_path, capsys):
    from PIL import Image

    gen = _tiny_style_run(tmp_path)
    picture = tmp_path / "in.png"
    Image.fromarray(np.full((40, 30, 3), (200, 30, 30), np.uint8)).save(picture)
    assert gs("project", tmp_path / "r", "--in", picture, "--out", tmp_path / "w.json", "--steps", 5,
              "--picture", tmp_path / "w.png") == 0
    assert json.loads((tmp_path / "w.json").read_text())["space"] == "w+" and (tmp_path / "w.png").is_file()
    assert gs("sample", tmp_path / "r", "--latent", tmp_path / "w.json", "--n", 2, "--out", tmp_path / "s.png") == 0
    assert gs("project", tmp_path / "r", "--in", picture, "--out", tmp_path / "d.json", "--steps", 3,
              "--loss", "pixels+d") == 0
    list(Trainer.new(tiny_config(tmp_path / "z", "shapes", "dcgan", steps=2, **{"data.image_size": 16})).run())
    assert gs("project", tmp_path / "z", "--in", picture, "--out", tmp_path / "z.json", "--steps", 5) == 0
    data = json.loads((tmp_path / "z.json").read_text())
    assert data["space"] == "z" and len(data["vector"]) == 16
    assert gs("sample", tmp_path / "z", "--latent", tmp_path / "z.json", "--n", 2, "--out", tmp_path / "z.png") == 0
    # Bad input: one line naming what to change.
    capsys.readouterr()
    assert gs("project", tmp_path / "z", "--in", tmp_path / "missing.png", "--out", tmp_path / "x.json") == 2
    assert "missing.png" in last_error(capsys)
    assert gs("project", tmp_path / "z", "--in", picture, "--out", tmp_path / "x.json", "--space", "w+") == 2
    assert "z" in last_error(capsys)
    assert gs("project", tmp_path / "z", "--in", picture, "--out", tmp_path / "x.json", "--loss", "vibes") == 2
    assert "vibes" in last_error(capsys)
    assert gs("sample", tmp_path / "z", "--latent", tmp_path / "w.json", "--n", 1, "--out", tmp_path / "y.png") == 2
    assert "style-based" in last_error(capsys)
