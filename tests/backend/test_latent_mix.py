"""The explorer's backend helpers: directions from G's first layer only, and class mixing."""
import torch

from gan_backend import latent
from gan_backend.models import MODELS, ModelSpec


def _generator(name: str, num_classes: int = 0):
    spec = ModelSpec("image", (1, 16, 16), num_classes=num_classes, latent_dim=12, width=8)
    G, _ = MODELS.get(name)(spec)
    return G.eval()


def test_up_to_layer_gives_the_same_directions_without_running_all_of_g():
    G = _generator("dcgan")
    calls = []
    G.net[-1].register_forward_hook(lambda *_: calls.append(1))  # the last layer: must not run
    z = torch.randn(64, 12, generator=torch.Generator().manual_seed(0))
    fast = latent.principal_directions(latent.UpToLayer(G), z, k=4)
    assert not calls and not G.training  # stopped early, and G is still in eval mode
    full = latent.principal_directions(G, z, k=4)
    assert calls  # the reference did run the whole network
    assert torch.allclose(fast.vectors, full.vectors, atol=1e-5) and torch.allclose(fast.sigma, full.sigma, atol=1e-5)


def test_class_mix_ends_are_the_classes_and_the_middle_differs():
    G = _generator("cdcgan", num_classes=3)
    assert latent.label_embeddings(G)
    z = torch.randn(2, 12, generator=torch.Generator().manual_seed(1))
    a, b = G(z, torch.tensor([0, 0])), G(z, torch.tensor([2, 2]))
    assert torch.allclose(latent.class_mix(G, z, 0, 2, 0.0), a, atol=1e-5)
    assert torch.allclose(latent.class_mix(G, z, 0, 2, 1.0), b, atol=1e-5)
    mid = latent.class_mix(G, z, 0, 2, torch.tensor([0.5, 0.5]))
    assert not torch.allclose(mid, a, atol=1e-3) and not torch.allclose(mid, b, atol=1e-3)
    assert not latent.label_embeddings(G)[0]._forward_hooks  # hooks removed


def test_class_mix_blends_pictures_when_g_has_no_embedding():
    class OneHotG(torch.nn.Module):
        def forward(self, z, y):
            return torch.nn.functional.one_hot(y, 2).float()[:, :, None, None] * z.sum(1)[:, None, None, None]

    z = torch.ones(1, 3)
    out = latent.class_mix(OneHotG(), z, 0, 1, 0.25)
    assert torch.allclose(out[0, :, 0, 0], torch.tensor([2.25, 0.75]))
