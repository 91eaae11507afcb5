"""A first training recipe for a folder of pictures, chosen from its report: what "Train on these N pictures" fills in.

    recipe = recipe_for(data.report)       # None for data that is not a folder of single pictures
    for key, value in recipe.fields.items():
        cfg.set(key, value)                # every field is an ordinary config field, changeable before Start

The rules are rough rules of thumb for a first run, not a search: few pictures need augmentation and
flips to stop D memorising them and a generator made for few pictures (fastgan, with the hinge loss FastGAN
trains with), small pictures train at 32 px, and more pictures earn more steps. The small-data choice is
measured by ``benchmarks/small_data.py``: on Twemoji folders of 159-264 pictures at 64 px and 10 CPU minutes,
fastgan with ADA reached a lower KID than dcgan with or without ADA (README, "Small data").
"""
from __future__ import annotations

from dataclasses import dataclass

from gan_backend.data.base import DatasetReport

MODEL = "dcgan"  # trains on any folder of pictures, fast enough on a CPU
FEW_MODEL = {"model.name": "fastgan", "loss.name": "hinge"}  # under FEW pictures: FastGAN and its loss
BATCH = 64  # the recipe's batch; the engine clamps it to a smaller folder
SMALL_SIDE = 64  # pictures whose median shorter side is below this train at TINY_SIZE
SIZE, TINY_SIZE = 64, 32
FEW = 1000  # below this many pictures D memorises them quickly: augment
ADA_KIMG_FEW = 50  # ADA's p may go from 0 to 1 in 50k images (~800 steps at batch 64) instead of the paper's 500k
# (at least this many pictures, steps): more pictures are worth more steps before they are all seen often
STEPS = ((0, 3000), (FEW, 10_000), (10_000, 20_000))


@dataclass(frozen=True)
class Recipe:
    """Config fields (``"section.field" -> value``) and the one line that says why they were chosen."""

    fields: dict[str, object]
    why: str


def recipe_for(report: DatasetReport) -> Recipe | None:
    """The recipe for a dataset of single pictures (kind "image"); None for points and pairs."""
    if report.kind != "image" or report.count < 1:
        return None
    n = report.count
    side = _median_side(report)
    size = TINY_SIZE if side < SMALL_SIDE else SIZE
    steps = max(s for at_least, s in STEPS if n >= at_least)
    if n < FEW:  # ADA's paper controller (500 kimg from p=0 to 1) barely moves in a CPU run of a few thousand steps
        model, augment = FEW_MODEL, {"train.augment": "ada", "train.ada_kimg": ADA_KIMG_FEW}
    else:
        model, augment = {"model.name": MODEL}, {"train.augment": "auto"}
    fields: dict[str, object] = {**model, "data.image_size": size, "data.flip": True,
                                 "train.batch_size": min(BATCH, n), "train.steps": steps, **augment}
    loss = f" ({model['loss.name']} loss)" if "loss.name" in model else ""
    why = (f"{n} picture{'s' if n != 1 else ''} of median side {side} px: {model['model.name']}{loss} at {size} px, "
           f"{steps:,} steps, flips, {augment['train.augment']} augmentation")
    if n == 1:
        why = "one picture: expect copies of it (SinGAN is the model for variations of one picture); " + why
    return Recipe(fields, why)


def _median_side(report: DatasetReport) -> int:
    """The shorter side of the median picture on disk (of the decoded shape when sizes were not recorded)."""
    w, h = report.sizes_seen.get("median", (report.shape[1], report.shape[0]))
    return int(min(w, h))
