"""SinGAN on real photos and a built-in scene at the default CPU settings: time, SIFID, diversity, copies.

    bash scripts/env.sh python benchmarks/singan.py [--minutes 15] [--max-size 160] [--pictures rocket,coffee,chelsea]

For each picture (three of ``../shared/data/photos``, scikit-image's public-domain images, and one render of
the built-in ``scenes`` dataset) it trains SinGAN with ``gan_backend.singan.singan_config`` (the settings of
`gan-studio singan train`: max side 160, the budget divided over the scales), then draws 50 samples and reports:

- ``time_s``: the training's wall time.
- ``sifid`` / ``sifid_1``: SIFID (``gan_backend.metrics.sifid``: patch statistics in a fixed random conv space)
  between the picture and each sample, averaged over 50 samples, drawn from the coarsest scale (0) and from
  the second (1). References: the picture randomly shifted (``sifid_shifted``, low) and the picture with its
  16x16 patches shuffled (``sifid_shuffled``, high). Below shuffled means the samples keep the structure.
  Pictures with structure are the test: on a stationary texture (hubble_deep_field, gravel) shuffled tiles
  keep the statistics and both references are low.
- ``diversity``: pixel std across the samples over the picture's std (0 = every sample the same).
- ``copy_l1``: mean L1 (0..1) between a sample and the picture at their best alignment by shift, over 20
  samples: a copy scores ~0. Target >= 0.05.

Sample strips go to ``benchmarks/out/singan/``. Ends with one line, means over the pictures:
RESULT time_s=... sifid=... sifid_shuffled=... diversity=... copy_l1=...
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out" / "singan"
PHOTOS = ROOT.parent / "shared" / "data" / "photos"
SAMPLES = 50
COPY_SAMPLES = 20


def scene_picture(folder: Path) -> Path:
    """One render of the built-in scenes dataset (128 px), as a PNG."""
    from PIL import Image

    from gan_backend.data import open_dataset

    data = open_dataset("scenes", n=4, seed=3)
    size = 128 if data.x.shape[1] < 128 else data.x.shape[1]
    path = folder / "scene.png"
    Image.fromarray(data.x[1]).resize((size, size), Image.Resampling.BICUBIC).save(path)
    return path


def measure(model, rng) -> dict:
    from gan_backend.metrics import sifid as sf

    picture = model.picture()
    out = {}
    for start, key in ((0, "sifid"), (1, "sifid_1")):
        if start >= model.scales:
            continue
        samples = np.stack([model.sample(seed=1000 * start + i, start_scale=start) for i in range(SAMPLES)])
        out[key] = float(np.mean([sf.sifid(picture, s) for s in samples]))
        if start == 0:
            out["diversity"] = sf.diversity(samples, picture)
            out["copy_l1"] = float(np.mean([sf.copy_distance(s, picture) for s in samples[:COPY_SAMPLES]]))
            out["strip"] = np.concatenate([picture] + list(samples[:5]), axis=1)
    out["sifid_shifted"] = float(np.mean([sf.sifid(picture, sf.shifted(picture, rng)) for _ in range(10)]))
    out["sifid_shuffled"] = float(np.mean([sf.sifid(picture, sf.patch_shuffled(picture, rng)) for _ in range(10)]))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=15.0, help="training budget per picture")
    p.add_argument("--max-size", type=int, default=160)
    p.add_argument("--pictures", default="rocket,coffee,chelsea", help="names in ../shared/data/photos")
    p.add_argument("--no-scene", action="store_true", help="skip the built-in scene")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default; 1 on a busy machine)")
    args = p.parse_args()

    from gan_backend.engine.loop import Trainer
    from gan_backend.images import save_png
    from gan_backend.singan import load_singan, singan_config

    work = Path(tempfile.mkdtemp(prefix="singan-bench-"))
    pictures = []
    for name in args.pictures.split(","):
        found = sorted(PHOTOS.glob(f"{name}.*"))
        if not found:
            print(f"skipping {name}: not in {PHOTOS}", file=sys.stderr)
            continue
        pictures.append((name, found[0]))
    if not args.no_scene:
        pictures.append(("scene", scene_picture(work)))
    OUT.mkdir(parents=True, exist_ok=True)
    rows, rng = [], np.random.default_rng(0)
    print(f"{'picture':18} {'size':>8} {'scales':>6} {'time_s':>7} {'sifid':>7} {'sifid_1':>7} {'shifted':>8} "
          f"{'shuffled':>8} {'divers.':>7} {'copy_l1':>7}")
    for name, path in pictures:
        cfg = singan_config(path, args.max_size, args.minutes, device="cpu", run_dir=str(work / name))
        cfg.set("run.tensorboard", False)
        cfg.set("train.num_threads", args.threads)
        started = time.perf_counter()
        ended = list(Trainer.new(cfg).run())[-1]
        seconds = time.perf_counter() - started
        model = load_singan(work / name)
        m = measure(model, rng)
        save_png(m.pop("strip"), OUT / f"{name}.png")
        w, h = model.size
        row = {"name": name, "time_s": seconds, **m}
        rows.append(row)
        print(f"{name:18} {w:>4}x{h:<3} {model.scales:>6} {seconds:7.0f} {m['sifid']:7.3f} {m.get('sifid_1', float('nan')):7.3f} "
              f"{m['sifid_shifted']:8.3f} {m['sifid_shuffled']:8.3f} {m['diversity']:7.3f} {m['copy_l1']:7.3f}  "
              f"({ended.message})", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    if not rows:
        print("no pictures found", file=sys.stderr)
        return 1
    below = sum(r["sifid"] < r["sifid_shuffled"] for r in rows)
    print(f"sifid below the shuffled reference on {below} of {len(rows)} pictures; strips in {OUT}")
    mean = lambda k: float(np.mean([r[k] for r in rows]))  # noqa: E731
    print(f"RESULT time_s={mean('time_s'):.0f} sifid={mean('sifid'):.4f} sifid_shuffled={mean('sifid_shuffled'):.4f} "
          f"diversity={mean('diversity'):.3f} copy_l1={mean('copy_l1'):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
