"""Train the feature classifiers shipped in ``gan_backend/resources/classifiers/`` for `gan-studio eval` and the trainer.

    bash scripts/env.sh python scripts/train_classifiers.py            # both, ~1 min on one CPU core
    bash scripts/env.sh python scripts/train_classifiers.py --only glyphs

One small CNN per built-in labelled image dataset (``glyphs`` 28x28x1, ``shapes`` 32x32x3), trained on
generated data with a data seed (123) that differs from the training default (0), so the classifier
never saw the exact images a GAN is trained on. Its 128-d penultimate layer is the feature space of
FID/KID/precision/recall; its softmax gives the class histogram of generated samples. Also writes
``gan_backend/resources/classifiers/README.md`` with the accuracies and these instructions.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "gan_backend" / "resources" / "classifiers"
TRAIN_SEED, TEST_SEED = 123, 124  # data seeds: neither is the training default (0)
TRAIN_N, TEST_N = 8000, 2000
EPOCHS = 3
MNIST = ROOT.parent / "shared" / "data" / "mnist-10k"  # optional: real digits, to show how glyph features transfer
DATASETS = ("glyphs", "shapes")


def train_one(name: str) -> dict:
    """Train, measure and save the classifier of one dataset; returns a row for the README."""
    from gan_backend.data import open_dataset
    from gan_backend.metrics.classifier import accuracy, save_classifier, train_classifier

    train = open_dataset(name, seed=TRAIN_SEED, n=TRAIN_N)
    test = open_dataset(name, seed=TEST_SEED, n=TEST_N)
    t0 = time.perf_counter()
    model = train_classifier(train.x, train.labels, epochs=EPOCHS, seed=0)
    seconds = time.perf_counter() - t0
    path = OUT / f"{name}.pt"
    save_classifier(model, path)
    row = {"name": name, "shape": "x".join(map(str, train.x.shape[1:])), "classes": len(train.class_names),
           "accuracy": accuracy(model, test.x, test.labels), "seconds": seconds,
           "kib": path.stat().st_size / 1024, "mnist": mnist_accuracy(model) if name == "glyphs" else None}
    print(f"{name}: test accuracy {row['accuracy']:.2%} on {TEST_N} images (seed {TEST_SEED}), trained in "
          f"{seconds:.1f} s, {row['kib']:.0f} KiB -> {path.relative_to(ROOT)}", flush=True)
    return row


def mnist_accuracy(model) -> float | None:
    """Accuracy on real MNIST digits (the shared test split) when that folder exists, else None."""
    if not MNIST.is_dir():
        return None
    from gan_backend.data import open_dataset
    from gan_backend.metrics.classifier import accuracy

    test = open_dataset(f"mnist:{MNIST}", split="test")
    acc = accuracy(model, test.x, test.labels)
    print(f"glyphs classifier on {len(test)} real MNIST test digits: {acc:.2%}", flush=True)
    return acc


def write_readme(rows: list[dict]) -> None:
    lines = ["# Feature classifiers for sample-quality metrics", "",
             "Small CNNs (`gan_backend.metrics.classifier.SmallClassifier`) whose 128-d penultimate layer is the",
             "feature space of FID, KID and precision/recall in `gan-studio eval` and the trainer's `eval_every`,",
             "and whose softmax gives the class histogram (mode coverage) of generated samples.",
             "Numbers are comparable only between runs measured with the same file: these are not Inception",
             "FIDs (pass `--inception FILE` to `gan-studio eval` for those).", "",
             "| file | images | classes | test accuracy | train time (1 thread) | size |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['name']}.pt` | {r['shape']} | {r['classes']} | {r['accuracy']:.2%} | "
                     f"{r['seconds']:.0f} s | {r['kib']:.0f} KiB |")
    mnist = [r["mnist"] for r in rows if r.get("mnist") is not None]
    lines += ["", f"Training data: {TRAIN_N} generated images per dataset, data seed {TRAIN_SEED} (the GAN default "
              f"is 0); test: {TEST_N} images with data seed {TEST_SEED}; {EPOCHS} epochs of Adam 1e-3, batch 32, "
              "torch seed 0.", "",
              "`mnist:` runs are measured with `glyphs.pt` (both are 28x28 grey digits 0-9)"
              + (f"; its accuracy on the 1,666 real MNIST test digits of `../shared/data/mnist-10k` is "
                 f"{mnist[0]:.2%}." if mnist else "."), "",
              "Reproduce (about a minute on one CPU core; the glyph bank depends on the installed fonts, so",
              "files trained on another machine differ slightly):", "",
              "    bash scripts/env.sh python scripts/train_classifiers.py", ""]
    (OUT / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=DATASETS, help="train just this dataset's classifier (README not rewritten)")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = [train_one(name) for name in ([args.only] if args.only else DATASETS)]
    if not args.only:
        write_readme(rows)
        print(f"wrote {(OUT / 'README.md').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
