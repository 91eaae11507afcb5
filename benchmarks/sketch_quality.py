"""The shipped sketch model on held-out emoji: its picture of each emoji's line drawing against the real emoji.

    bash scripts/env.sh python benchmarks/sketch_quality.py [--model sketch] [--n 200]

The held-out emoji are the ones ``scripts/train_sketch.py`` never trains on (every 19th of the sorted list of
``../shared/data/emoji-64``, Twemoji by Twitter, CC BY 4.0), composited on white at 64 px. For each, its line
drawing (``gan_backend.data.sketch.line_drawing``, what ``edges:`` trains on) goes through the model, and the
output is compared with the real emoji, next to two baselines: "the edge drawing itself" (shown as RGB) and
"the mean emoji" (the pixel mean of the training emoji, the best constant picture under L2).

- ``l1``: mean absolute pixel difference, 0..1.
- ``kid``: KID x1000 in the fixed random conv feature space (``gan_backend.metrics.random_features``: colour,
  edge and texture statistics and coarse layout of a seeded, untrained conv net; no downloaded weights),
  between the set of outputs and the set of real emoji.

Ends with: RESULT l1=A l1_edges=B l1_mean=C kid=D kid_edges=E kid_mean=F. Target: the model beats both baselines.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.train_sketch import split  # noqa: E402


def load(files: list[Path], size: int = 64) -> np.ndarray:
    from PIL import Image

    out = []
    for f in files:
        im = Image.open(f).convert("RGBA").resize((size, size), Image.Resampling.LANCZOS)
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        out.append(np.asarray(Image.alpha_composite(white, im).convert("RGB")))
    return np.stack(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="sketch", help='"sketch" (shipped), a run directory or a checkpoint')
    p.add_argument("--n", type=int, default=200, help="held-out emoji to use")
    args = p.parse_args()

    from gan_backend.data.sketch import line_drawing
    from gan_backend.images import save_png
    from gan_backend.metrics.kernel import kid
    from gan_backend.metrics.random_features import random_features
    from gan_backend.sketch import load_sketcher

    train, held = split()
    if not held:
        print("no ../shared/data/emoji-64 on this machine", file=sys.stderr)
        return 1
    real = load(held[:args.n])
    lines = line_drawing(real)[..., 0]
    sketcher = load_sketcher(args.model)
    outputs = np.stack([sketcher.translate(np.repeat(m[..., None], 3, axis=2)) for m in lines])
    mean = load(train[::10]).astype(np.float64).mean(axis=0).round().astype(np.uint8)
    baselines = {"": outputs, "_edges": np.repeat(lines[..., None], 3, axis=3),
                 "_mean": np.repeat(mean[None], len(real), axis=0)}
    feats_real = random_features(real)
    figures = {}
    for key, pics in baselines.items():
        figures[f"l1{key}"] = float(np.abs(pics.astype(np.float64) - real).mean() / 255)
        figures[f"kid{key}"] = 1000 * kid(random_features(pics), feats_real, subset_size=min(100, len(real)))[0]
    out = ROOT / "benchmarks" / "out" / "sketch"
    out.mkdir(parents=True, exist_ok=True)
    strip = np.concatenate([np.concatenate([np.repeat(lines[i, ..., None], 3, 2), outputs[i], real[i]], 0)
                            for i in range(0, min(len(real), 96), 8)], 1)
    save_png(strip, out / "held_out.png")
    print(f"{len(real)} held-out emoji (of {len(train) + len(held)}); model {sketcher.source} step {sketcher.step}; "
          f"rows: drawing, model, real -> {out / 'held_out.png'}")
    for key in ("", "_edges", "_mean"):
        name = {"": "model", "_edges": "edge drawing", "_mean": "mean emoji"}[key]
        print(f"  {name:13} L1 {figures['l1' + key]:.4f}  KIDx1000 {figures['kid' + key]:.2f}")
    order = ("l1", "l1_edges", "l1_mean", "kid", "kid_edges", "kid_mean")
    print("RESULT " + " ".join(f"{k}={figures[k]:.4f}" for k in order))
    return 0


if __name__ == "__main__":
    sys.exit(main())
