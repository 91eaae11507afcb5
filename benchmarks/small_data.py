"""Small folders of real pictures: the defaults before "Your own pictures" against the new ones, same CPU time.

    bash scripts/env.sh python benchmarks/small_data.py [--budget 600] [--folders animals-nature,smileys-emotion,objects]

For each Twemoji category folder of ``../shared/data/emoji-64/`` (a few hundred 64x64 RGBA drawings,
composited on white) two runs train for the same wall budget:

(a) before: DCGAN at 64 px with no augmentation (``train.augment=none``), the engine's old defaults;
(b) after: the recipe the app offers for a folder of that size (``gan_backend.data.recipes.recipe_for``);
(c) with ``--dcgan FOLDERS``: on those folders, the same recipe with dcgan and its default loss instead of
    fastgan (the recipe picks fastgan under 1,000 pictures), for the same budget: the small-data generator
    against DCGAN with the same augmentation, at equal CPU time.

Each run is measured with ``gan-studio eval``'s code: KID x1000 with its std (the headline for small sets;
FID is biased at a few hundred samples) and ``copies``, the share of samples nearer a training picture than
half the median nearest-neighbour distance between training pictures, both in the random-feature space used
for user folders. Sample grids go to ``benchmarks/out/small_data/``.

Ends with: RESULT kid_before=A kid_after=B copies_after=C (means over the folders)
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out" / "small_data"
DATA = ROOT.parent / "shared" / "data" / "emoji-64"
N_EVAL = 500  # generated samples per evaluation


def configure(cfg, sets: dict) -> None:
    for key, value in sets.items():
        cfg.set(key, value)


def train(dataset: str, budget: float, run_dir: Path, sets: dict) -> Path:
    from gan_backend.config import Config
    from gan_backend.engine.loop import Trainer

    cfg = Config()
    configure(cfg, {"data.dataset": dataset, "data.image_size": 64, "data.background": "white",
                    "train.steps": 10**9, "train.max_time": budget, "run.run_dir": str(run_dir),
                    "run.checkpoint_every": 10**9, "run.sample_every": 10**9, **sets})
    ended = list(Trainer.new(cfg).run())[-1]
    print(f"  {run_dir.name}: {ended.message}", file=sys.stderr)
    return run_dir


def after_settings(dataset: str) -> dict:
    """The app's recipe for this folder: what "Train on these N pictures" fills in."""
    from gan_backend.data import open_dataset
    from gan_backend.data.recipes import recipe_for

    data = open_dataset(dataset, image_size=64, background="white")
    return dict(recipe_for(data.report).fields)


def measure(run_dir: Path, grid_path: Path) -> dict:
    from gan_backend.generator import load_generator
    from gan_backend.images import make_grid, save_png
    from gan_backend.metrics.evaluate import evaluate

    result = evaluate(run_dir, n=N_EVAL)
    gen = load_generator(run_dir)
    save_png(make_grid(gen.images(gen.latents(64, 0))), grid_path)
    return {**result, "model": gen.cfg.model.name}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=float, default=600, help="training seconds per run (two runs per folder)")
    p.add_argument("--folders", default="animals-nature,smileys-emotion,objects")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--dcgan", default="", help="folders that also train the recipe with dcgan (comma list)")
    args = p.parse_args()
    if not args.data.is_dir():
        print(f"skipped: {args.data} is missing (see ../shared/data/README.md)")
        return 0
    from gan_backend.data.recipes import FEW_MODEL, MODEL

    OUT.mkdir(parents=True, exist_ok=True)
    before = {"model.name": "dcgan", "train.augment": "none"}
    rows = []
    with tempfile.TemporaryDirectory(prefix="small-data-") as tmp:
        for folder in args.folders.split(","):
            dataset = f"folder:{args.data / folder}"
            after = after_settings(dataset)
            print(f"{folder}: after = {after}", file=sys.stderr)
            row = {"folder": folder}
            runs = [("before", before), ("after", after)]
            if folder in args.dcgan.split(","):
                runs.append(("dcgan", {**{k: v for k, v in after.items() if k not in FEW_MODEL}, "model.name": MODEL}))
            for name, sets in runs:
                run = train(dataset, args.budget, Path(tmp) / f"{folder}-{name}", sets)
                r = measure(run, OUT / f"{folder}-{name}.png")
                row[name] = r
                print(f"  {name} ({r['model']}): KID x1000 {1000 * r['kid']:.2f} +- {1000 * r['kid_std']:.2f}, "
                      f"copies {r['copies']:.3f}, steps {r['step']}", file=sys.stderr)
            rows.append(row)
            shutil.rmtree(Path(tmp) / f"{folder}-before", ignore_errors=True)
    print("| folder | KID x1000 before | KID x1000 after | copies before | copies after |")
    print("|---|---|---|---|---|")
    for row in rows:
        b, a = row["before"], row["after"]
        print(f"| {row['folder']} | {1000 * b['kid']:.2f} +- {1000 * b['kid_std']:.2f} | "
              f"{1000 * a['kid']:.2f} +- {1000 * a['kid_std']:.2f} | {b['copies']:.3f} | {a['copies']:.3f} |")
    for row in rows:
        if "dcgan" in row:
            d, a = row["dcgan"], row["after"]
            print(f"recipe with dcgan, {row['folder']}: KID x1000 {1000 * d['kid']:.2f} +- {1000 * d['kid_std']:.2f} "
                  f"({d['step']} steps, copies {d['copies']:.3f}) vs {a['model']} {1000 * a['kid']:.2f} +- "
                  f"{1000 * a['kid_std']:.2f} ({a['step']} steps)")
    kb = np.mean([1000 * r["before"]["kid"] for r in rows])
    ka = np.mean([1000 * r["after"]["kid"] for r in rows])
    ca = np.mean([r["after"]["copies"] for r in rows])
    print(f"RESULT kid_before={kb:.3f} kid_after={ka:.3f} copies_after={ca:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
