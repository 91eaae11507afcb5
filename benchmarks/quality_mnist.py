"""Sample quality on MNIST: FID, KID and precision/recall of the engine's default config after a time budget.

    bash scripts/env.sh python benchmarks/quality_mnist.py [--budget 300] [--data PATH] [--baseline]

1. A small CNN is trained on the train split; its 128-d penultimate layer is the feature space
   (Inception is not available offline and means little for 28x28 digits), so the numbers compare
   runs of this script with each other, not with papers.
2. ``Config()`` with only the data set changed trains for ``--budget`` seconds of wall time.
3. 1666 samples (the size of the test split) are compared with the test split. ``fid_real``, the
   FID of 1666 train images against the same test split, is the floor a perfect generator reaches.

``--baseline`` also trains the classic DCGAN-on-MNIST settings (width 64, no EMA, batch 64, Adam 2e-4,
non-saturating) on the same engine for the same budget. ``--no-augment`` also trains the engine defaults with
``train.augment=none``, the defaults before augmentation for D (``auto`` picks ADA for this 8k-picture set), for
the same budget. Sample grids go to ``benchmarks/out/``.
Ends with `RESULT fid=F fid_real=R` (plus `fid_baseline=B` with --baseline, `fid_no_augment=N` with --no-augment).
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

OUT = ROOT / "benchmarks" / "out"
N_EVAL = 1666  # generated and reference images per comparison: the test split's size
GRID = 64  # samples in each saved grid
READABLE = 0.9  # classifier confidence above which a sample counts as a readable digit
CLASSIFIER_EPOCHS = 3
SAMPLE_SEED = 2024  # latents of the evaluated samples, the same for every run


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=300, help="training seconds per GAN run")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/mnist-10k",
                    help="folder with the MNIST IDX files (train-* and t10k-*)")
    ap.add_argument("--baseline", action="store_true", help="also train the classic DCGAN settings and report them")
    ap.add_argument("--seed", type=int, default=0, help="train.seed of every GAN run")
    ap.add_argument("--no-augment", action="store_true",
                    help="also train the engine defaults without augmentation for D (train.augment=none)")
    return ap.parse_args()


def engine_config(data: Path, budget: float, run_dir: str):
    """The engine's defaults; only the data set, a time budget and the run folder are set."""
    from gan_backend.config import Config

    cfg = Config()
    cfg.data.dataset = f"mnist:{data}"
    cfg.train.steps, cfg.train.max_time, cfg.run.run_dir = 10**9, budget, run_dir  # the budget ends the run
    return cfg


def baseline_config(data: Path, budget: float, run_dir: str):
    """The classic DCGAN-on-MNIST loop expressed as engine settings (PyTorch examples/dcgan)."""
    cfg = engine_config(data, budget, run_dir)
    cfg.model.name, cfg.model.width, cfg.train.ema = "dcgan", 64, 0.0
    cfg.loss.name, cfg.train.batch_size = "nonsaturating", 64
    cfg.train.lr_g = cfg.train.lr_d = 2e-4
    cfg.train.beta1, cfg.train.beta2 = 0.5, 0.999
    return cfg


def no_augment_config(data: Path, budget: float, run_dir: str):
    """The engine's defaults as they were before augmentation for D: ``train.augment=none``."""
    cfg = engine_config(data, budget, run_dir)
    cfg.train.augment = "none"
    return cfg


# the runs beside the engine's defaults: (argument, config, label, grid file, RESULT key)
EXTRA_RUNS = (("baseline", baseline_config, "classic dcgan baseline", "quality_mnist_baseline_grid.png", "fid_baseline"),
              ("no_augment", no_augment_config, "defaults, augment=none", "quality_mnist_no_augment_grid.png",
               "fid_no_augment"))


def train_gan(cfg, label: str) -> int:
    """Run the engine to its time budget, printing progress about every 30 s; returns the steps done."""
    from gan_backend.engine.loop import Trainer
    from gan_backend.engine.reports import RunEnded, TrainReport

    trainer, next_print = Trainer.new(cfg), 30.0
    for item in trainer.run():
        if isinstance(item, TrainReport) and item.wall_time >= next_print:
            losses = " ".join(f"{k}={v:.3f}" for k, v in item.losses.items())
            print(f"  [{label}] {item.wall_time:5.0f} s  step {item.step:6d}  {losses}", flush=True)
            next_print += 30.0
        elif isinstance(item, RunEnded):
            print(f"  [{label}] {item.message}", flush=True)
            return item.step
    raise RuntimeError("the engine ended without a RunEnded report")


def generate(run_dir: str, n: int) -> np.ndarray:
    """uint8 [n, H, W, C] samples of the run's last checkpoint (G_ema when EMA is on)."""
    import torch

    from gan_backend.generator import load_generator

    gen = load_generator(run_dir)
    z = gen.latents(n, seed=SAMPLE_SEED)
    labels = torch.arange(n) % gen.num_classes if gen.num_classes else None
    return gen.images(z, labels)


def readable_share(model, images: np.ndarray) -> float:
    """Share of images the classifier assigns to one class with probability > READABLE."""
    from gan_backend.metrics.classifier import probabilities

    return float((probabilities(model, images).max(axis=1) > READABLE).mean())


def evaluate(model, images: np.ndarray, test_feats: np.ndarray) -> dict:
    """FID, KID, precision/recall and readable share of ``images`` against the test split's features."""
    from gan_backend.metrics import fid, kid, precision_recall
    from gan_backend.metrics.classifier import features

    feats = features(model, images)
    kid_mean, kid_std = kid(feats, test_feats, subsets=50, subset_size=1000)
    precision, recall = precision_recall(test_feats, feats, k=3)
    return {"fid": fid(feats, test_feats), "kid": kid_mean, "kid_std": kid_std, "precision": precision,
            "recall": recall, "readable": readable_share(model, images)}


def save_grid(images: np.ndarray, name: str) -> Path:
    from gan_backend.images import make_grid, save_png

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    save_png(make_grid(images[:GRID]), path)
    return path


def run_and_score(cfg_fn, label: str, grid_name: str, args, model, test_feats) -> dict:
    """Train one config in a temporary run folder, then score its samples and save their grid."""
    with tempfile.TemporaryDirectory(prefix="quality-mnist-") as tmp:
        cfg = cfg_fn(args.data, args.budget, str(Path(tmp) / "run"))
        cfg.train.seed = args.seed
        print(f"training {label}: {cfg.model.name} width {cfg.model.width}, batch {cfg.train.batch_size}, "
              f"ema {cfg.train.ema}, {args.budget:g} s", flush=True)
        t0 = time.perf_counter()
        steps = train_gan(cfg, label)
        seconds = time.perf_counter() - t0
        images = generate(cfg.run.run_dir, N_EVAL)
    print(f"  grid: {save_grid(images, grid_name)}", flush=True)
    return {"name": label, "steps": steps, "seconds": seconds, **evaluate(model, images, test_feats)}


def fit_classifier(train, test):
    """Train the feature classifier on the train split; prints its test accuracy."""
    from gan_backend.metrics.classifier import accuracy, train_classifier

    t0 = time.perf_counter()
    model = train_classifier(train.x, train.labels, epochs=CLASSIFIER_EPOCHS, seed=0)
    acc = accuracy(model, test.x, test.labels)
    print(f"feature classifier: {CLASSIFIER_EPOCHS} epochs on {len(train)} train images in "
          f"{time.perf_counter() - t0:.1f} s, test accuracy {acc:.2%}", flush=True)
    return model


def print_table(rows: list[dict], test_readable: float) -> None:
    print(f"\n{'samples':22s} {'steps':>6s} {'train s':>7s} {'FID':>7s} {'KID x1e3':>13s} "
          f"{'precision':>9s} {'recall':>6s} {'readable':>8s}")
    for r in rows:
        steps = f"{r['steps']:6d}" if "steps" in r else f"{'-':>6s}"
        secs = f"{r['seconds']:7.0f}" if "seconds" in r else f"{'-':>7s}"
        kid_text = f"{r['kid'] * 1e3:6.2f}+-{r['kid_std'] * 1e3:5.2f}"
        print(f"{r['name']:22s} {steps} {secs} {r['fid']:7.2f} {kid_text:>13s} {r['precision']:9.3f} "
              f"{r['recall']:6.3f} {r['readable']:8.1%}")
    print(f"{'test split itself':22s} {'':6s} {'':7s} {'':7s} {'':13s} {'':9s} {'':6s} {test_readable:8.1%}")
    print(f"(readable: classifier confidence > {READABLE}; FID/KID/PR against the {N_EVAL} test images "
          "in the classifier's 128-d feature space)")


def main() -> None:
    args = parse_args()
    if not args.data.is_dir():
        print(f"skipped: no MNIST data at {args.data}")
        return
    from gan_backend.data import open_dataset
    from gan_backend.metrics.classifier import features

    train, test = (open_dataset(f"mnist:{args.data}", split=s) for s in ("train", "test"))
    model = fit_classifier(train, test)
    test_feats = features(model, test.x)
    pick = np.random.default_rng(0).choice(len(train), min(N_EVAL, len(train)), replace=False)
    rows = [{"name": f"real train ({len(pick)})", **evaluate(model, train.x[pick], test_feats)}]
    rows.append(run_and_score(engine_config, "engine default", "quality_mnist_grid.png", args, model, test_feats))
    result = ""
    for flag, cfg_fn, label, grid, key in EXTRA_RUNS:
        if getattr(args, flag):
            rows.append(run_and_score(cfg_fn, label, grid, args, model, test_feats))
            result += f" {key}={rows[-1]['fid']:.3f}"
    print_table(rows, readable_share(model, test.x))
    print(f"RESULT fid={rows[1]['fid']:.3f} fid_real={rows[0]['fid']:.3f}" + result)


if __name__ == "__main__":
    main()
