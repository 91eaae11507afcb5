"""The one way to open a trained model: a shipped name, a run directory or a checkpoint file.

    ck = open_checkpoint("painter")                       # a shipped model (see SHIPPED)
    ck = open_checkpoint("runs/glyphs", which="best")     # last (default), best, or a step number
    G = ck.network()                                      # G_ema when the run kept one, else G; eval mode
    ck.task, ck.shape, ck.class_names, ck.palette, ck.latent_prior, ck.note

Every reader of trained weights (sampling, eval, the painter, the translator, the latent explorer, export)
goes through :func:`open_checkpoint`, so they all take the same sources, fall back the same way when
``last.pt`` is damaged (to the newest readable step checkpoint, saying so in :attr:`Checkpoint.note`) and
fail with one :class:`CheckpointError` that names the file and what to do.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
import torch
import torch.nn as nn

from gan_backend import resources
from gan_backend.config import Config, ConfigError
from gan_backend.engine import checkpoint as ckpt
from gan_backend.engine.checkpoint import CheckpointError
from gan_backend.engine.run_dir import RunDir, RunDirError
from gan_backend.errors import first_line
from gan_backend.models import MODELS, ModelSpec
from gan_backend.models.inputs import input_dim

# Shipped models by name: (file inside gan_backend/resources, the script that trains and exports it).
SHIPPED = {
    "painter": (("models", "painter", "painter.pt"), "scripts/train_painter.py --export"),
    "painter64": (("models", "painter64", "painter.pt"), "scripts/train_painter.py --size 64 --export"),
    "translator": (("models", "translator", "translator.pt"), "scripts/train_translator.py --export"),
    "translator64": (("models", "translator64", "translator.pt"), "scripts/train_translator.py --size 64 --export"),
    "singan": (("models", "singan", "singan.pt"), "scripts/train_singan.py --export"),
    "sketch": (("models", "sketch", "sketch.pt"), "scripts/train_sketch.py --export"),
}
Which = Union[str, int]  # "last", "best" or a step number
log = logging.getLogger(__name__)  # a fallback is said on stderr (logging's last-resort handler) and in .note


class NoCheckpointError(CheckpointError):
    """A run directory that holds no checkpoint yet (training has not written one)."""


@dataclass
class Checkpoint:
    """A checkpoint read from disk and what its networks need: config, metadata, step."""

    path: Path  # the file actually read
    source: str  # what was asked for: a shipped name or a path
    state: dict
    cfg: Config
    note: str = ""  # set when another file than the one asked for was read, e.g. last.pt was damaged

    # --- metadata ---
    meta = property(lambda self: self.state.get("meta", {}))
    step = property(lambda self: int(self.state.get("step", 0)))
    model = property(lambda self: self.meta.get("model", self.cfg.model.name))
    task = property(lambda self: self.meta.get("task", ""))  # unconditional, conditional, paired, unpaired
    data_kind = property(lambda self: self.meta.get("data_kind", "image"))  # image, points, paired, unpaired
    shape = property(lambda self: tuple(int(s) for s in self.meta.get("shape", ())))  # (C, H, W) of G's output
    latent_dim = property(lambda self: input_dim(self.cfg.model))  # z and any InfoGAN codes after it
    latent_prior = property(lambda self: self.cfg.model.latent_prior)
    # G's input channels of a picture-to-picture paired run (edges: 1); older checkpoints match the output's.
    in_channels = property(lambda self: int(self.meta.get("in_channels", self.shape[0] if self.shape else 3)))

    @property
    def class_names(self) -> list[str]:
        """Classes of a conditional run, or the label classes a painter paints; [] otherwise."""
        return list(self.meta.get("class_names", []))

    @property
    def num_classes(self) -> int:
        """Labels G takes: the class count of a conditional run, 0 for every other task."""
        return len(self.class_names) if self.task == "conditional" else 0

    @property
    def palette(self) -> np.ndarray | None:
        """uint8 [K, 3] label colours of a label-map run, as trained; None when it has none."""
        colours = self.meta.get("palette")
        return np.array(colours, np.uint8).reshape(-1, 3) if colours else None

    def spec(self) -> ModelSpec:
        """The spec the networks were built from, as the run's task built it."""
        shape, names = self.shape, self.class_names
        if self.task == "paired":  # G's input: one-hot label maps, or pictures with as many channels as B
            return ModelSpec.from_config(self.cfg.model, "paired", shape, len(names) if names else self.in_channels)
        if self.task == "unpaired":
            return ModelSpec.from_config(self.cfg.model, "unpaired", shape)
        return ModelSpec.from_config(self.cfg.model, self.data_kind, shape, self.num_classes)

    def network(self, key: str = "G_ema", fallback: str = "G", device: str | torch.device = "cpu") -> nn.Module:
        """The generator stored under ``key`` (``fallback`` when the run kept none), weights loaded, eval mode."""
        modules = self.state.get("modules", {})
        weights = modules.get(key, modules.get(fallback))
        if weights is None:
            raise CheckpointError(f"{self.path}: holds no {key} or {fallback} weights (has {sorted(modules)}); "
                                  f"use a checkpoint written by `gan-studio train`")
        return self._built(0, weights, "generator", device)

    def discriminator(self, device: str | torch.device = "cpu") -> nn.Module:
        """The run's D, weights loaded, eval mode (projection's "d" loss); CheckpointError when it has none."""
        weights = self.state.get("modules", {}).get("D")
        if weights is None:
            raise CheckpointError(f"{self.path}: holds no discriminator (an exported or shipped generator); "
                                  f"use the pixels+ssim loss")
        return self._built(1, weights, "discriminator", device)

    def _built(self, which: int, weights: dict, what: str, device: str | torch.device) -> nn.Module:
        """Network ``which`` of the model's (G, D) with ``weights`` loaded, in eval mode on ``device``."""
        try:
            net = MODELS.get(self.model)(self.spec())[which]
            net.load_state_dict(weights)
        except (RuntimeError, KeyError, TypeError, AttributeError, ValueError) as exc:
            raise CheckpointError(f"{self.path}: {what} weights do not fit model {self.model!r} "
                                  f"({first_line(exc)}); use a checkpoint of a run of this version") from None
        return net.to(torch.device(device)).eval()


def shipped_path(name: str) -> Path:
    """The file of a shipped model; CheckpointError saying how to rebuild it when it is missing."""
    parts, script = SHIPPED[name]
    path = resources.path(*parts)
    if not path.is_file():
        raise CheckpointError(f"{path}: the shipped {name} is missing from this install; reinstall GAN Studio, "
                              f"or train and export it with `python {script}` from a clone")
    return path


def candidates(source: str | Path, which: Which = "last") -> tuple[list[Path], RunDir | None]:
    """The files to try for ``source``, in order, and its run directory (None for a shipped model or a file)."""
    if str(source) in SHIPPED:
        return [shipped_path(str(source))], None
    path = Path(source).expanduser()
    if not path.exists():
        raise RunDirError(f"{path}: no such run directory or checkpoint file (or shipped model: "
                          f"{', '.join(SHIPPED)})")
    if not path.is_dir():
        return [path], None
    run = RunDir.open(path)
    steps = [p for _, p in reversed(run.step_checkpoints())]
    if which == "last":
        return [run.last_checkpoint, *steps], run
    if which == "best":
        return [run.best_checkpoint], run
    try:
        return [run.step_checkpoint_path(int(which))], run
    except ValueError:
        raise CheckpointError(f"checkpoint {which!r}: choose last, best or a step number") from None


def open_checkpoint(source: str | Path, which: Which = "last") -> Checkpoint:
    """Read ``source`` (see the module docstring); CheckpointError / RunDirError with a one-line message."""
    files, run = candidates(source, which)
    existing = [p for p in files if p.is_file()]
    if not existing:
        raise _missing(files[0], run, which)
    failures = []
    for path in existing:
        try:
            state = ckpt.load(path)
            cfg = Config.from_dict(state["config"], source=str(path))
        except (CheckpointError, ConfigError, KeyError, TypeError) as exc:
            failures.append((path, exc))
            continue
        note = ""
        if failures:
            note = (f"{failures[0][0].name} is damaged ({first_line(failures[0][1])[:120]}); "
                    f"loaded {path.name} (step {int(state.get('step', 0))}) instead")
            log.warning("warning: %s", note)
        return Checkpoint(path, str(source), state, cfg, note)
    first, exc = failures[0]
    if len(failures) == 1:
        raise CheckpointError(first_line(exc) if isinstance(exc, CheckpointError) else f"{first}: {first_line(exc)}")
    raise CheckpointError(f"{first}: damaged, and so are the {len(failures) - 1} step checkpoints beside it "
                          f"({first_line(exc)[:120]}); resume from an earlier copy of the run or train again")


def _missing(path: Path, run: RunDir | None, which: Which) -> CheckpointError:
    if run is None:
        return CheckpointError(f"{path}: no such checkpoint file")
    if which == "last":
        return NoCheckpointError(
            f"{run.path.name} has no checkpoint yet. Training writes one every run.checkpoint_every steps and "
            f"when it stops; press Save checkpoint in the Training panel (Ctrl+S) to write one now")
    if which == "best":
        return CheckpointError(f"{path}: no best checkpoint; it is kept only with run.eval_every > 0")
    kept = ", ".join(str(s) for s, _ in run.step_checkpoints()) or "none"
    return CheckpointError(f"{path}: no checkpoint at step {which}; step checkpoints kept: {kept}")
