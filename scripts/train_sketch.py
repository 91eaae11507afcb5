"""Train the shipped sketch model: pix2pix on ``edges:`` of the Twemoji pictures, in resumable chunks, then export.

    bash scripts/env.sh python scripts/train_sketch.py --minutes 10     # start, or go on where it stopped
    bash scripts/env.sh python scripts/train_sketch.py --export         # G_ema + config + curve -> resources/

The pictures are ``../shared/data/emoji-64`` (Twemoji by Twitter, CC BY 4.0), all categories, composited on
white. Every HOLD_OUT-th picture of the sorted list is held out for ``benchmarks/sketch_quality.py``; the rest
are linked into ``runs/sketch-data/train`` and trained on as ``edges:`` pairs (line drawing -> picture) at 64 px.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from scripts import _shipped as shipped  # noqa: E402

EMOJI = ROOT.parent / "shared" / "data" / "emoji-64"
DATA_DIR = ROOT / "runs" / "sketch-data"
EXPORT_DIR = ROOT / "gan_backend" / "resources" / "models" / "sketch"
HOLD_OUT = 19  # every 19th emoji (~200 of 3,786) is never trained on
CURVE_KEYS = ("loss_d", "loss_g", "loss_g_gan", "loss_g_l1")


def emoji_files(root: Path = EMOJI) -> list[Path]:
    return sorted(p for p in root.rglob("*.png"))


def split(root: Path = EMOJI) -> tuple[list[Path], list[Path]]:
    """(training pictures, held-out pictures): every HOLD_OUT-th of the sorted list is held out."""
    files = emoji_files(root)
    return ([f for i, f in enumerate(files) if i % HOLD_OUT],
            [f for i, f in enumerate(files) if i % HOLD_OUT == 0])


def link_training_folder(out: Path = DATA_DIR / "train") -> Path:
    """A flat folder of links to the training emoji (made once; the folder loader reads links as files)."""
    train, _ = split()
    if not train:
        raise SystemExit(f"no emoji under {EMOJI}; this script needs ../shared/data/emoji-64")
    out.mkdir(parents=True, exist_ok=True)
    for f in train:
        link = out / f"{f.parent.name}-{f.name}"
        if not link.exists():
            os.symlink(f, link)
    return out


def sketch_config(run_dir: Path, steps: int) -> Config:
    """pix2pix (U-Net + PatchGAN, hinge + L1 x 100) at 64 px from 1-channel line drawings."""
    cfg = Config()
    cfg.data.dataset, cfg.data.image_size = f"edges:{link_training_folder()}", 64
    cfg.model.name, cfg.model.width = "pix2pix", 32
    t = cfg.train
    t.steps, t.batch_size, t.seed, t.device, t.num_threads = steps, 16, 0, "cpu", 1  # 1: a shared CPU thrashes with 2
    t.lr_g, t.lr_d, t.augment, t.ema = 2e-4, 2e-4, "none", 0.999
    r = cfg.run
    r.run_dir, r.log_every, r.sample_every, r.checkpoint_every, r.keep_checkpoints = str(run_dir), 10, 200, 200, 2
    return cfg


def train_chunk(run_dir: Path, minutes: float, steps: int) -> int:
    return shipped.train_chunk(run_dir, minutes, steps, sketch_config, CURVE_KEYS)


def export(run_dir: Path, out: Path = EXPORT_DIR) -> None:
    meta = {"domains": ["line drawing", "emoji"], "credit": "Twemoji by Twitter, CC BY 4.0 (emoji-datasource-twitter)"}
    shipped.export(run_dir, out, "sketch", ("G_ema",), meta, CURVE_KEYS, CURVE_KEYS)
    (out / "CREDITS.txt").write_text(
        "The sketch model was trained on Twemoji pictures: Copyright Twitter, Inc. and other contributors,\n"
        "graphics licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), from the npm package\n"
        "emoji-datasource-twitter 16.0.0. Trained by scripts/train_sketch.py.\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    return shipped.main(argv, __doc__, "sketch model", ROOT / "runs" / "sketch", 10.0, 6000,
                        train_chunk, export, EXPORT_DIR)


if __name__ == "__main__":
    sys.exit(main())
