"""How fast the procedural paired data is made: plain ``scenes`` and ``scenes:rich`` label maps plus renders.

    bash scripts/env.sh python benchmarks/scenes_speed.py [--n 128]

Times ``generate`` (layout and render, one process, torch at one thread) at 128 and 256 px, best of three
runs each, side by side in one run. Ends with ``RESULT rich_per_s_256=A plain_per_s_256=B rich_per_s_128=C
plain_per_s_128=D`` (scenes per second).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_backend.data.builtin.scenes import generate  # noqa: E402


def rate(n: int, size: int, rich: bool, repeats: int = 3) -> float:
    best = float("inf")
    for r in range(repeats):
        started = time.perf_counter()
        generate(r, n, size, rich=rich)
        best = min(best, time.perf_counter() - started)
    return n / best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=128, help="scenes per timed run")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    generate(0, 4, 64, rich=True)  # warm up torch's kernels
    out = {}
    for size in (256, 128):
        for rich in (True, False):
            key = f"{'rich' if rich else 'plain'}_per_s_{size}"
            out[key] = rate(args.n, size, rich)
            print(f"{key}: {out[key]:.1f} scenes/s", file=sys.stderr)
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", file=sys.stderr)
    print("RESULT " + " ".join(f"{k}={v:.1f}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
