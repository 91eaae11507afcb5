"""Translation latency with the shipped translator on a CPU: what a user waits for after dropping a picture.

A 256x256 picture is translated day -> night 30 times (after 3 warm-up runs) at full resolution (one
256 px tile through the network) and at the model's resolution (scaled to 64 px first), with the
torch threads the machine has (two on the target CPU). Reading and writing files is not timed.

    bash scripts/env.sh python benchmarks/translate_latency.py [--threads 2]

Ends with ``RESULT p95_ms_256=A`` (full resolution). Target: <= 300 ms p95 on a 2-core CPU.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_backend.data.builtin.day2night import true_pairs  # noqa: E402
from gan_backend.translator import fit_shorter_side, load_translator  # noqa: E402

RUNS, WARMUP = 30, 3


def timings_ms(fn, runs: int = RUNS, warmup: int = WARMUP) -> np.ndarray:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return np.array(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    translator = load_translator("translator")
    day = fit_shorter_side(true_pairs(1, 128)[0][0], 256)  # a 256x256 landscape, rendered at 128 and scaled up
    rows = {"full resolution (256 px)": timings_ms(lambda: translator.translate(day, "AtoB", full_res=True)),
            f"model resolution ({translator.size} px)": timings_ms(lambda: translator.translate(day, "AtoB"))}
    print(f"\n| 256x256 picture, {args.threads} thread(s) | median ms | p95 ms |\n|---|---|---|")
    for name, t in rows.items():
        print(f"| {name} | {np.median(t):.1f} | {np.percentile(t, 95):.1f} |")
    print(f"RESULT p95_ms_256={np.percentile(rows['full resolution (256 px)'], 95):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
