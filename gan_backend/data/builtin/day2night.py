"""``scenes:day2night``: unpaired day and night landscapes, with the true pairs kept for benchmarks.

Real unpaired data never says what a translation should have been; this one does. Every scene of
the ``scenes`` generator can be rendered by day or by night (:mod:`gan_backend.data.builtin.scene_night`)
from the same generator state, so the two renders share every shape. Scenes come from three disjoint
streams of generator seeds, ``(seed, stream, chunk, size)``:

* stream 0 gives domain A (day), stream 1 domain B (night): training never sees one scene in both;
* stream 2 is held out: :func:`true_pairs` renders its scenes in both styles, for measuring
  translation error (``benchmarks/translate_quality.py``).

``scenes:day2night_paired`` gives stream 0's scenes in both styles as paired data (x night, "a" day),
for a pix2pix trained on the truth as a reference.
"""
from __future__ import annotations

import numpy as np

from gan_backend.data.base import DATASETS, ArrayDataset
from gan_backend.data.builtin.scene_layout import CHUNK, make_layout
from gan_backend.data.builtin.scene_render import render

DEFAULT_SIZE = 64  # small enough to train a CycleGAN on a CPU
DEFAULT_N = 1000  # scenes per domain, as many as horse2zebra has horses
STREAM_A, STREAM_B, STREAM_HELD_OUT = 0, 1, 2


def render_stream(seed: int, stream: int, n: int, size: int, styles=("day", "night")) -> dict[str, np.ndarray]:
    """{style: uint8 [n, S, S, 3]}: scene i of a stream in each style; scene i depends on (seed, stream, i) only."""
    out = {style: np.empty((n, size, size, 3), np.uint8) for style in styles}
    for start in range(0, n, CHUNK):
        rng = np.random.default_rng([seed, stream, start // CHUNK, size])
        layout = make_layout(rng, CHUNK, size)
        state = rng.bit_generator.state  # every style starts its draws from here: the same fields and colours
        stop = min(n, start + CHUNK)
        for style in styles:
            rng.bit_generator.state = state
            out[style][start:stop] = render(rng, layout, style)[:stop - start]
    return out


def true_pairs(n: int = 300, size: int = DEFAULT_SIZE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(day, night), each uint8 [n, S, S, 3]: held-out scenes (never in training) in both styles."""
    pics = render_stream(seed, STREAM_HELD_OUT, n, size)
    return pics["day"], pics["night"]


def _check_size(size: int) -> int:
    if not 16 <= int(size) <= 512 or int(size) % 16:
        raise ValueError(f"scenes:day2night: size must be a multiple of 16 in 16..512, got {size}")
    return int(size)


@DATASETS.register("scenes:day2night")
def day2night(seed: int = 0, n: int = DEFAULT_N, size: int = DEFAULT_SIZE) -> ArrayDataset:
    """Unpaired landscapes: A by day, B by night, different scenes in each (true pairs held out)."""
    size, n = _check_size(size), int(n)
    day = render_stream(seed, STREAM_A, n, size, ("day",))["day"]
    night = render_stream(seed, STREAM_B, n, size, ("night",))["night"]
    data = ArrayDataset("scenes:day2night", "unpaired", day, None, ["A", "B"], {"b": night})
    data.report.class_counts = [n, n]
    data.report.notes.append(f"procedural landscapes, seed {seed}, {size}x{size}: A day, B night, no scene in both")
    return data


@DATASETS.register("scenes:day2night_paired")
def day2night_paired(seed: int = 0, n: int = DEFAULT_N, size: int = DEFAULT_SIZE) -> ArrayDataset:
    """The day scenes of scenes:day2night paired with their night renders (x night, a day): pix2pix's reference."""
    pics = render_stream(seed, STREAM_A, int(n), _check_size(size))
    data = ArrayDataset("scenes:day2night_paired", "paired", pics["night"], None, [], {"a": pics["day"]})
    data.report.notes.append(f"procedural landscapes, seed {seed}, {size}x{size}: day (A) -> night (B), aligned")
    return data
