"""Tiny configurations for every suite: backend, CLI and window tests (CPU, seconds)."""
from gan_backend.cli import main
from gan_backend.config import Config


def tiny_config(run_dir, dataset="glyphs", model="dcgan", steps=20, **sets) -> Config:
    """``sets``: more fields, as ``section__field=value`` or ``**{"section.field": value}``."""
    cfg = Config()
    cfg.data.dataset, cfg.data.n = dataset, 512
    cfg.model.name, cfg.model.width, cfg.model.latent_dim = model, 8, 16
    cfg.train.steps, cfg.train.batch_size, cfg.train.device, cfg.train.seed = steps, 16, "cpu", 3
    cfg.run.run_dir, cfg.run.log_every, cfg.run.sample_every, cfg.run.checkpoint_every = str(run_dir), 5, 10, 10
    cfg.run.grid_size = 16
    for key, value in sets.items():
        cfg.set(key.replace("__", "."), value)
    return cfg


TINY_ARGS = ["--set", "data.n=512", "--set", "model.width=8", "--set", "model.latent_dim=16",
             "--batch-size", "16", "--device", "cpu", "--set", "run.log_every=5", "--set", "run.sample_every=10",
             "--set", "run.grid_size=16"]


def gs(*args) -> int:
    """``gan-studio ARGS`` in process (numbers and paths passed as text); returns the exit code."""
    return main([str(a) for a in args])


def last_error(capsys) -> str:
    """The last line the command wrote to stderr: its one-line message."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines, "no message"
    return lines[-1]
