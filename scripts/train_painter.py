"""Train the shipped painter: SPADE at 256 px on ``scenes:rich``, in resumable chunks, then export it.

    bash scripts/env.sh python scripts/train_painter.py --minutes 8        # start, or go on where it stopped
    bash scripts/env.sh python scripts/train_painter.py --minutes 8        # ... repeat until both stages are done
    bash scripts/env.sh python scripts/train_painter.py --export           # G_ema + config + curve -> resources/

The painter trains in two stages, each an ordinary engine run under ``--run-dir``: ``stage128`` learns
the layout and colours on the scenes downscaled to 128 px (a quarter of the cost per picture), and
``stage256`` starts from its weights (G, G_ema, D and their optimisers; the networks are fully
convolutional, so they are the same tensors) and learns the textures at 256 px. ``--steps`` is the
256-stage's length; the 128 stage is ``--stage-steps`` long.

Each invocation trains for at most ``--minutes`` and leaves a checkpoint in the stage's run directory
(config.json, metrics.jsonl, samples/, checkpoints/), so a shared or interruptible machine can train it
piece by piece; the chunks add up to exactly the run a single invocation would make (the engine resumes
bit for bit). Everything is seeded: the same commands give the same model.

``--size 64`` trains the earlier 64 px painter on the 10-class ``scenes`` in one stage (shipped as ``painter64``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from gan_backend.data.builtin.scene_layout import CLASSES  # noqa: E402
from gan_backend.data.builtin.scene_rich import RICH_CLASSES  # noqa: E402
from gan_backend.engine import checkpoint as ckpt  # noqa: E402
from scripts import _shipped as shipped  # noqa: E402

MODELS = ROOT / "gan_backend" / "resources" / "models"
EXPORT_DIR = MODELS / "painter"
CURVE_KEYS = ("loss_d", "loss_g", "loss_g_gan", "loss_g_fm", "loss_g_recon", "loss_g_kld")
STAGES = (128, 256)  # the 256 painter's stages: sides of the pictures
BATCH = {64: 8, 128: 8, 256: 4}  # a 256 px batch of 4 costs twice a 128 px batch of 8


def painter_config(run_dir: Path, steps: int, size: int = 64) -> Config:
    """The recipe: small SPADE with GauGAN's style encoder, SPADE's TTUR and Adam betas, hinge + feature
    matching + KL, and L1 to the real picture in place of the paper's VGG loss (no download). At 64 px on the
    10-class ``scenes`` (the earlier painter), at 128 and 256 px on ``scenes:rich``."""
    cfg = Config()
    cfg.data.dataset = "scenes" if size == 64 else "scenes:rich"
    cfg.data.n, cfg.data.data_seed, cfg.data.image_size = 2000, 0, size
    cfg.model.name, cfg.model.width, cfg.model.latent_dim = "spade", 16, 64
    cfg.model.style_encoder = True  # z learns the scene's look: reseeding changes it, and a picture's can be copied
    cfg.model.g_widths = "8,8,4,1,1"  # thin at H/2 and H: 1.35x the steps per CPU second (README, "what we tried")
    cfg.model.g_noise = True  # per-pixel noise: flower beds, grass and ripples get texture, not a smooth fill
    cfg.loss.name = "hinge"
    t = cfg.train
    t.steps, t.batch_size, t.seed, t.device = steps, BATCH[size], 0, "cpu"
    t.num_threads = 1 if size == 64 else 2  # 1: a shared CPU thrashes with 2 (the 256 painter had the CPU to itself)
    t.lr_g, t.lr_d, t.beta1, t.beta2 = 2e-4, 4e-4, 0.0, 0.9  # SPADE's TTUR and betas; G at 2x its 1e-4: a short run
    t.ema = 0.995  # a short average: the run is only a couple of thousand steps long
    r = cfg.run
    r.run_dir, r.log_every, r.sample_every, r.checkpoint_every, r.keep_checkpoints = str(run_dir), 10, 100, 100, 2
    r.grid_size = 16
    return cfg


def start_from(run_dir: Path, earlier: Path, recipe: Callable[[Path], Config] | None = None) -> None:
    """Create the run in ``run_dir`` (the 256 stage's recipe unless given) with the networks and optimisers
    of the finished run in ``earlier``."""
    cfg = recipe(run_dir) if recipe else painter_config(run_dir, 1, 256)
    shipped.start_from(cfg, ckpt.load(earlier / "checkpoints" / "last.pt"))


def train_stages(run_dir: Path, minutes: float, steps: int, stage_steps: int) -> int:
    """Train whichever stage is unfinished for up to ``minutes`` in all; returns the 256 stage's step."""
    deadline = time.monotonic() + minutes * 60
    first, last = (run_dir / f"stage{side}" for side in STAGES)
    if not (last / "config.json").is_file():
        reached = shipped.train_chunk(first, minutes, stage_steps, lambda d, n: painter_config(d, n, 128), CURVE_KEYS)
        if reached < stage_steps:
            return 0
        start_from(last, first)
    left = (deadline - time.monotonic()) / 60
    return shipped.train_chunk(last, left, steps, lambda d, n: painter_config(d, n, 256), CURVE_KEYS) if left > 0.2 else 0


def export(run_dir: Path, out: Path, classes) -> None:
    """Write G_ema only (weights_only-loadable), config, palette, curve and the last samples to ``out``."""
    named = [{"name": name, "color": list(colour)} for name, colour in classes]
    out.mkdir(parents=True, exist_ok=True)
    (out / "palette.json").write_text(json.dumps({"classes": named}, indent=1) + "\n", encoding="utf-8")
    shipped.export(run_dir, out, "painter", ("G_ema",), {"palette": [list(c) for _, c in classes]},
                   CURVE_KEYS, CURVE_KEYS)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, choices=(64, 256), default=256, help="the painter to train")
    p.add_argument("--run-dir", help="the run directory to (re)use (default runs/painter256, runs/painter-noise)")
    p.add_argument("--minutes", type=float, default=8.0, help="training time of this invocation")
    p.add_argument("--steps", type=int, help="total steps of the (last stage of the) run")
    p.add_argument("--stage-steps", type=int, default=2000, help="256 painter: steps of the 128 px stage")
    p.add_argument("--export", action="store_true", help="copy the trained painter into gan_backend/resources/models/")
    args = p.parse_args(argv)
    if args.size == 64:
        run_dir = Path(args.run_dir or ROOT / "runs" / "painter-noise")
        if args.export:
            export(run_dir, MODELS / "painter64", CLASSES)
        else:
            shipped.train_chunk(run_dir, args.minutes, args.steps or 9556, painter_config, CURVE_KEYS)
        return 0
    run_dir = Path(args.run_dir or ROOT / "runs" / "painter256")
    if args.export:
        export(run_dir / "stage256", EXPORT_DIR, RICH_CLASSES)
    else:
        train_stages(run_dir, args.minutes, args.steps or 6000, args.stage_steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
