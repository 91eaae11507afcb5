"""FID speed: 10k vs 10k 28x28 glyph images in the shipped glyphs classifier's features, ours against a
direct reference implementation with the same features, in the same run.

    bash scripts/env.sh python benchmarks/metric_speed.py [--n 10000] [--threads 0]

* ours: ``gan_backend.metrics.features`` (the shipped classifier, chunked) + ``gan_backend.metrics.fid``
  (the trace term from ``eigh`` of the symmetric S1^1/2 S2 S1^1/2).
* reference: the same classifier's ``embed`` called directly in chunks of 1000, and the textbook
  formula with ``scipy.linalg.sqrtm(S1 @ S2)`` (what pytorch-fid does).

Both time the features and the distance; the two FIDs must agree. Ends with `RESULT fid_s=A reference_s=B`.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEEDS = (11, 12)  # data seeds of the two image sets (neither is the classifiers' 123/124 or training's 0)


def reference_fid(model, a: np.ndarray, b: np.ndarray) -> float:
    """Features straight from the classifier, then FID with scipy's general matrix square root."""
    import scipy.linalg
    import torch

    def embed(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            chunks = [torch.from_numpy(x[i:i + 1000]).permute(0, 3, 1, 2).float() / 127.5 - 1 for i in range(0, len(x), 1000)]
            return torch.cat([model.embed(c) / model.feature_scale for c in chunks]).double().numpy()

    fa, fb = embed(a), embed(b)
    mu1, mu2 = fa.mean(0), fb.mean(0)
    s1, s2 = np.cov(fa, rowvar=False), np.cov(fb, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def ours(a: np.ndarray, b: np.ndarray) -> float:
    from gan_backend.metrics import fid
    from gan_backend.metrics.features import classifier_space

    space = classifier_space("glyphs")
    return fid(space.embed(a), space.embed(b))


def timed(fn, *args) -> tuple[float, float]:
    t0 = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="images per set")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    args = ap.parse_args()
    import torch

    from gan_backend.data import open_dataset
    from gan_backend.metrics.features import shipped_classifier

    if args.threads:
        torch.set_num_threads(args.threads)
    a, b = (open_dataset("glyphs", seed=s, n=args.n).x for s in SEEDS)
    model = shipped_classifier("glyphs")
    ours(a[:256], b[:256]), reference_fid(model, a[:256], b[:256])  # warm-up: first calls allocate and load
    value, fid_s = timed(ours, a, b)
    ref_value, reference_s = timed(reference_fid, model, a, b)
    print(f"{args.n} vs {args.n} glyph images (28x28x1), glyphs classifier features (128-d), "
          f"{torch.get_num_threads()} torch threads")
    print(f"ours       FID {value:.6f}  {fid_s:.2f} s  (features + eigh-based Frechet distance)")
    print(f"reference  FID {ref_value:.6f}  {reference_s:.2f} s  (features + scipy.linalg.sqrtm)")
    print(f"relative difference {abs(value - ref_value) / max(abs(ref_value), 1e-12):.2e}")
    print(f"RESULT fid_s={fid_s:.3f} reference_s={reference_s:.3f}")


if __name__ == "__main__":
    main()
