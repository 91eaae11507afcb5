"""Translation quality against the truth that real unpaired data never has: the held-out pairs of scenes:day2night.

1. Render 300 held-out scenes (a seed stream training never saw) by day and by night.
2. Translate each day picture to night and each night picture to day with the shipped CycleGAN, which
   learned from unpaired pictures only.
3. Compare with the true render of the same scene: mean L1 (pixels in 0..1) and PSNR (dB), next to
   two references: the identity (the input itself, what "no translation" scores) and a pix2pix
   trained on true day -> night pairs for as long as the translator trained (``--pix2pix-run``
   reuses one already trained; ``--budget-s`` sets another time).

    bash scripts/env.sh python benchmarks/translate_quality.py [--pix2pix-run runs/bench-pix2pix-day2night]
    bash scripts/env.sh python benchmarks/translate_quality.py --model translator64 --skip-pix2pix

Ends with ``RESULT cyclegan_l1=A identity_l1=B pix2pix_l1=C cyclegan_psnr=D back_l1=E back_identity_l1=F``
(A-D day -> night, the direction all three can do; E, F night -> day; C is absent with ``--skip-pix2pix``).
Target: cyclegan_l1 <= 0.5 x identity_l1, and back_l1 <= 0.5 x back_identity_l1.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_backend.data.builtin.day2night import true_pairs  # noqa: E402
from gan_backend.images import from_uint8, to_uint8  # noqa: E402
from gan_backend.loader import open_checkpoint  # noqa: E402
from gan_backend.translator import load_translator  # noqa: E402

HELD_OUT = 300


def errors(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(mean L1, mean PSNR in dB) of uint8 [N, H, W, 3] pictures, pixels scaled to 0..1; PSNR per picture."""
    p, t = pred.astype(np.float64) / 255, truth.astype(np.float64) / 255
    mse = ((p - t) ** 2).mean(axis=(1, 2, 3))
    return float(np.abs(p - t).mean()), float((10 * np.log10(1.0 / np.maximum(mse, 1e-10))).mean())


@torch.no_grad()
def translate_all(translator, pictures: np.ndarray, direction: str) -> np.ndarray:
    """uint8 [N, S, S, 3] at the model's size -> translations, in batches of 50."""
    out = [to_uint8(translator.run(from_uint8(torch.from_numpy(pictures[i:i + 50])), direction))
           for i in range(0, len(pictures), 50)]
    return np.concatenate(out)


def train_pix2pix(run_dir: Path, seconds: float, size: int, log) -> None:
    """pix2pix on true day -> night pairs at ``size`` for ``seconds`` of training (resumed if the run exists)."""
    from scripts._shipped import train_for
    from scripts.train_translator import translator_config

    def recipe():
        cfg = translator_config(run_dir, steps=1_000_000, size=size)
        cfg.data.dataset = "scenes:day2night_paired"  # the translator's day scenes, each with its true night
        cfg.model.name, cfg.model.width = "pix2pix", 32  # ~1.5M G weights, next to the two CycleGAN Gs' ~1M
        cfg.loss.name = "nonsaturating"  # the config default: pix2pix then takes its own (hinge + L1)
        cfg.train.ema, cfg.train.batch_size = 0.999, 4  # batch 4: the U-Net's BatchNorm needs a few pictures
        return cfg

    train_for(run_dir, seconds, recipe, log, "pix2pix", resume_steps=1_000_000)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pix2pix-run", default=str(ROOT / "runs" / "bench-pix2pix-day2night"))
    p.add_argument("--budget-s", type=float, default=0.0, help="pix2pix training time (default: the translator's)")
    p.add_argument("--model", default="translator", help="the CycleGAN to measure (shipped name or run directory)")
    p.add_argument("--skip-pix2pix", action="store_true", help="no pix2pix reference (it trains as long as the model)")
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # a shared CPU: one thread does not thrash
    t0 = time.perf_counter()
    log = lambda msg: print(f"[{time.perf_counter() - t0:6.0f} s] {msg}", flush=True)  # noqa: E731
    cyclegan = load_translator(args.model)
    day, night = true_pairs(HELD_OUT, cyclegan.size)
    rows = {
        ("day -> night", "identity"): errors(day, night),
        ("day -> night", "cyclegan"): errors(translate_all(cyclegan, day, "AtoB"), night),
        ("night -> day", "identity"): errors(night, day),
        ("night -> day", "cyclegan"): errors(translate_all(cyclegan, night, "BtoA"), day),
    }
    trained = ""
    if not args.skip_pix2pix:
        budget = args.budget_s or float(open_checkpoint(args.model).state.get("wall_time", 0.0))
        train_pix2pix(Path(args.pix2pix_run), budget, cyclegan.size, log)
        pix2pix = load_translator(args.pix2pix_run)
        rows[("day -> night", "pix2pix (true pairs)")] = errors(translate_all(pix2pix, day, "AtoB"), night)
        trained = f", pix2pix step {pix2pix.step} trained {budget:.0f} s, as long as the cyclegan"
    print("\n| direction | model | mean L1 (0..1) | PSNR (dB) |\n|---|---|---|---|")
    for (direction, model), (l1, psnr) in sorted(rows.items()):
        print(f"| {direction} | {model} | {l1:.4f} | {psnr:.2f} |")
    print(f"\n({HELD_OUT} held-out true pairs at {cyclegan.size}x{cyclegan.size}; cyclegan step {cyclegan.step}{trained})")
    fwd = {m: v for (d, m), v in rows.items() if d == "day -> night"}
    keys = {"cyclegan_l1": fwd["cyclegan"][0], "identity_l1": fwd["identity"][0]}
    if "pix2pix (true pairs)" in fwd:
        keys["pix2pix_l1"] = fwd["pix2pix (true pairs)"][0]
    keys.update(cyclegan_psnr=fwd["cyclegan"][1], back_l1=rows[("night -> day", "cyclegan")][0],
                back_identity_l1=rows[("night -> day", "identity")][0])
    print("RESULT " + " ".join(f"{k}={v:.4f}" for k, v in keys.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
