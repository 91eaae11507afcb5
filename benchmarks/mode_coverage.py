"""Mode coverage on toy2d:ring8 per loss: how many of the 8 Gaussians the generator covers after N steps.

    bash scripts/env.sh python benchmarks/mode_coverage.py [--steps 5000] [--seeds 0 1 2] [--losses minimax hinge]

Every loss trains the same engine config (the 2-D playground's settings: mlp with width 64, i.e. 256
hidden units, latent 2, batch 256, Adam lr 1e-3 with betas 0.5/0.999, one D step per G step, no EMA)
for the same number of steps, then ``gan_backend.metrics.evaluate`` scores 2000 samples: modes covered
(a mode holds >= 1% of the high-quality samples) and the high-quality share (within 3 std of a mode),
as in the Unrolled-GAN and VEEGAN papers. Prints mean +- std over seeds and ends with
`RESULT minimax=a nonsaturating=b wgan_gp=c hinge=d` (mean modes covered).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOSSES = ("minimax", "nonsaturating", "wgan_gp", "hinge")
N_EVAL = 2000  # generated points scored per run


def config(loss: str, seed: int, steps: int, run_dir: str):
    from gan_backend.config import Config

    cfg = Config()
    cfg.data.dataset, cfg.model.name, cfg.loss.name = "toy2d:ring8", "mlp", loss
    cfg.model.latent_dim, cfg.model.width = 2, 64
    cfg.train.steps, cfg.train.batch_size, cfg.train.seed, cfg.train.device = steps, 256, seed, "cpu"
    cfg.train.lr_g = cfg.train.lr_d = 1e-3
    cfg.train.ema, cfg.train.num_threads = 0.0, 1  # score G itself; tiny MLPs gain nothing from more threads
    cfg.run.run_dir, cfg.run.log_every = run_dir, 100
    cfg.run.sample_every = cfg.run.checkpoint_every = steps  # one picture and one checkpoint, at the end
    return cfg


def train_and_score(loss: str, seed: int, steps: int, root: Path) -> dict:
    """One run in ``root``; its modes covered and high-quality share on N_EVAL points."""
    from gan_backend.engine.loop import Trainer
    from gan_backend.engine.reports import RunEnded
    from gan_backend.metrics.evaluate import evaluate

    run_dir = root / f"{loss}-{seed}"
    t0 = time.perf_counter()
    ended = [i for i in Trainer.new(config(loss, seed, steps, str(run_dir))).run() if isinstance(i, RunEnded)][-1]
    seconds = time.perf_counter() - t0
    if ended.reason != "done":
        print(f"  {loss} seed {seed}: {ended.message}", flush=True)
        return {"modes_covered": 0, "high_quality": 0.0, "seconds": seconds}
    m = evaluate(run_dir, n=N_EVAL)
    print(f"  {loss:13s} seed {seed}: {m['modes_covered']}/8 modes, high quality {m['high_quality']:.1%}, "
          f"{seconds:.0f} s", flush=True)
    return {"modes_covered": m["modes_covered"], "high_quality": m["high_quality"], "seconds": seconds}


def print_table(results: dict[str, list[dict]], steps: int) -> None:
    print(f"\ntoy2d:ring8 after {steps} steps, {len(next(iter(results.values())))} seeds each (mean +- std)")
    print(f"{'loss':14s} {'modes covered':>14s} {'high quality':>15s} {'s/run':>6s}")
    for loss, rows in results.items():
        modes = np.array([r["modes_covered"] for r in rows], float)
        hq = np.array([r["high_quality"] for r in rows], float) * 100
        secs = np.mean([r["seconds"] for r in rows])
        print(f"{loss:14s} {modes.mean():7.2f} +- {modes.std():4.2f} {hq.mean():7.1f}% +- {hq.std():4.1f} {secs:6.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--losses", nargs="+", default=list(LOSSES))
    args = ap.parse_args()
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="mode-coverage-") as tmp:
        for loss in args.losses:
            results[loss] = [train_and_score(loss, seed, args.steps, Path(tmp)) for seed in args.seeds]
    print_table(results, args.steps)
    means = {loss: np.mean([r["modes_covered"] for r in rows]) for loss, rows in results.items()}
    print("RESULT " + " ".join(f"{loss}={m:.2f}" for loss, m in means.items()))


if __name__ == "__main__":
    main()
