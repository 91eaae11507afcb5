"""GAN Studio backend: PyTorch engine, registries, datasets and CLI. Never imports Qt."""
