"""Catalog: what the registries and config dataclasses offer, as plain data for the combo boxes.

``load_catalog()`` imports the engine (and so torch, ~2 s): the window calls it on a worker thread after
it is on screen. Adding a model, loss, penalty or dataset to a registry adds it here with no GUI change.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

PATH_SUFFIX = ":PATH"
# Kinds that accept almost any folder of pictures ("paired" splits each picture in two): tried last,
# in this order, when a folder is opened without saying its kind.
GENERIC_KINDS = ("folder", "paired")


@dataclass(frozen=True)
class Choice:
    """One registry entry: its name, the one-line summary and the registry's metadata."""

    name: str
    summary: str = ""
    meta: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def needs_path(self) -> bool:
        """Dataset kinds read from disk are registered as "kind:PATH"."""
        return self.name.endswith(PATH_SUFFIX)

    @property
    def kind(self) -> str:
        return self.name[:-len(PATH_SUFFIX)] if self.needs_path else self.name


@dataclass(frozen=True)
class DeviceChoice:
    name: str  # "cpu", "cuda:0", "mps"
    description: str
    memory_bytes: int = 0
    present: bool = True  # absent kinds are listed greyed, with why in the tooltip


@dataclass
class Catalog:
    datasets: list[Choice]
    models: list[Choice]
    losses: list[Choice]
    penalties: list[Choice]
    devices: list[DeviceChoice]
    comments: dict[str, str]  # "train.lr_d" -> the field's one-line why
    defaults: dict[str, object]  # "train.lr_d" -> default value
    options: dict[str, list[str]] = field(default_factory=dict)  # "data.crop" -> its valid values, for combos

    def path_kinds(self) -> list[Choice]:
        """Dataset kinds that read a file or folder: layout-specific ones first, then the generic ones."""
        rank = {kind: i for i, kind in enumerate(GENERIC_KINDS)}
        return sorted((c for c in self.datasets if c.needs_path), key=lambda c: (rank.get(c.kind, -1), c.kind))

    def model(self, name: str) -> Choice | None:
        return next((m for m in self.models if m.name == name), None)

    def loss(self, name: str) -> Choice | None:
        return next((m for m in self.losses if m.name == name), None)


def load_catalog() -> Catalog:
    from gan_backend.config import Config, field_comments
    from gan_backend.data import DATASETS
    from gan_backend.engine.devices import list_devices
    from gan_backend.losses import LOSSES, PENALTIES
    from gan_backend.models import MODELS

    def choices(registry, meta=lambda e: dict(e.meta)) -> list[Choice]:
        return [Choice(e.name, e.summary, meta(e)) for e in registry]

    cfg, comments, defaults = Config(), {}, {}
    for section in dataclasses.fields(cfg):
        part = getattr(cfg, section.name)
        for name, why in field_comments(type(part)).items():
            comments[f"{section.name}.{name}"] = why
        for f in dataclasses.fields(part):
            defaults[f"{section.name}.{f.name}"] = getattr(part, f.name)
    return Catalog(
        datasets=choices(DATASETS), models=choices(MODELS),
        losses=choices(LOSSES, lambda e: {"output": e.obj.output, "default_penalty": e.obj.default_penalty}),
        penalties=choices(PENALTIES), devices=_devices(list_devices()), comments=comments, defaults=defaults,
        options=_options())


def _options() -> dict[str, list[str]]:
    """The valid values of the string config fields the panel offers as fixed lists."""
    from gan_backend.augment import MODES as AUGMENT_MODES
    from gan_backend.data.pipeline import CROPS

    return {"data.crop": list(CROPS), "train.augment": list(AUGMENT_MODES)}


def _devices(found) -> list[DeviceChoice]:
    out = [DeviceChoice(d.name, d.description, d.memory_bytes) for d in found]
    names = {d.name.split(":")[0] for d in found}
    if "cuda" not in names:
        out.append(DeviceChoice("cuda", "no CUDA GPU found by PyTorch on this machine", present=False))
    if "mps" not in names:
        out.append(DeviceChoice("mps", "no Apple Metal (MPS) device on this machine", present=False))
    return out
