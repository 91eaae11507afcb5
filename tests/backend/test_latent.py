"""Latent maths without Qt: interpolation, truncation, directions, arithmetic, latent files."""
import pytest
import torch
import torch.nn as nn

from gan_backend import latent


def test_lerp_and_slerp_endpoints_and_norm():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(64, generator=g), torch.randn(64, generator=g)
    for spherical in (False, True):
        p = latent.path(a, b, 9, spherical)
        assert p.shape == (9, 64)
        assert torch.allclose(p[0], a, atol=1e-5) and torch.allclose(p[-1], b, atol=1e-5)
    # Midpoint: lerp shrinks the norm of independent Gaussians (~1/sqrt 2); slerp keeps it.
    mid_lerp, mid_slerp = latent.lerp(a, b, 0.5).norm(), latent.slerp(a, b, 0.5).norm()
    assert mid_lerp < 0.85 * (a.norm() + b.norm()) / 2
    assert mid_slerp == pytest.approx(((a.norm() + b.norm()) / 2).item(), rel=0.1)
    assert torch.allclose(latent.slerp(a, a.clone(), 0.3), a, atol=1e-5)  # parallel: no NaN


def test_grid_corners_and_centre():
    corners = torch.eye(4, 8)
    g = latent.grid(corners, 3, 5)
    assert g.shape == (15, 8)
    assert torch.allclose(g[0], corners[0]) and torch.allclose(g[4], corners[1])
    assert torch.allclose(g[10], corners[2]) and torch.allclose(g[14], corners[3])
    assert torch.allclose(g[7], corners.mean(0))


def test_truncation_pulls_toward_mean():
    z = torch.randn(100, 16)
    assert torch.equal(latent.truncate(z, 1.0), z)
    assert latent.truncate(z, 0.0).abs().max() == 0
    assert latent.truncate(z, 0.5).norm() == pytest.approx(0.5 * z.norm().item(), rel=1e-5)
    mean = torch.ones(16)
    assert torch.allclose(latent.truncate(z, 0.0, mean), mean.expand_as(z))


def test_arithmetic():
    a, b, c = torch.full((3, 4), 2.0), torch.full((3, 4), 1.0), torch.full((3, 4), 5.0)
    assert torch.equal(latent.arithmetic(a, b, c), torch.full((4,), 6.0))


def test_principal_directions_find_the_dominant_latent_axis():
    """A G whose first layer amplifies latent axis 3 most: the first direction must be axis 3."""
    d = 8
    first = nn.Linear(d, d, bias=False)
    with torch.no_grad():
        first.weight.copy_(torch.diag(torch.tensor([1.0, 1, 1, 10, 1, 1, 2, 1])))
    G = nn.Sequential(first, nn.Tanh(), nn.Linear(d, 4))
    z = torch.randn(2000, d, generator=torch.Generator().manual_seed(1))
    dirs = latent.principal_directions(G, z, k=3)
    assert dirs.vectors.shape == (3, d) and dirs.sigma.shape == (3,)
    assert dirs.vectors[0].abs().argmax().item() == 3
    assert dirs.vectors[1].abs().argmax().item() == 6
    assert dirs.explained[0] > dirs.explained[1] > dirs.explained[2]
    assert torch.allclose(dirs.vectors @ dirs.vectors.T, torch.eye(3), atol=1e-5)  # orthonormal
    moved = dirs.move(z[:1], torch.tensor([3.0, 0, 0]))
    assert (moved - z[:1]).norm().item() == pytest.approx(3 * dirs.sigma[0].item(), rel=1e-4)


def test_latent_file_round_trip_and_errors(tmp_path):
    v = torch.randn(10)
    latent.save_latent(tmp_path / "z.json", v, run="runs/x", seed=4, label=2)
    back = latent.load_latent(tmp_path / "z.json", 10)
    assert torch.allclose(back["vector"], v) and back["seed"] == 4 and back["label"] == 2
    with pytest.raises(ValueError, match="latent size is 12"):
        latent.load_latent(tmp_path / "z.json", 12)
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match="bad.json"):
        latent.load_latent(tmp_path / "bad.json", 10)
