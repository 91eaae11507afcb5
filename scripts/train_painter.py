"""Train the shipped painter: SPADE on the procedural ``scenes`` dataset, in resumable chunks, then export it.

    bash scripts/env.sh python scripts/train_painter.py --minutes 8        # start, or go on where it stopped
    bash scripts/env.sh python scripts/train_painter.py --minutes 8        # ... repeat until --steps are done
    bash scripts/env.sh python scripts/train_painter.py --export           # G_ema + config + curve -> resources/

Each invocation trains for at most ``--minutes`` and leaves a checkpoint in the run directory (the
engine's own: config.json, metrics.jsonl, samples/, checkpoints/), so a shared or interruptible
machine can train it piece by piece; the chunks add up to exactly the run a single invocation
would make (the engine resumes bit for bit). Everything is seeded: the same commands give the same model.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from gan_backend.data.builtin.scene_layout import CLASSES  # noqa: E402
from scripts import _shipped as shipped  # noqa: E402

EXPORT_DIR = ROOT / "gan_backend" / "resources" / "models" / "painter"
CURVE_KEYS = ("loss_d", "loss_g", "loss_g_gan", "loss_g_fm", "loss_g_recon", "loss_g_kld")


def painter_config(run_dir: Path, steps: int) -> Config:
    """The recipe: small SPADE at 64x64 with GauGAN's style encoder, SPADE's TTUR and Adam betas, hinge +
    feature matching + KL, and L1 to the real picture in place of the paper's VGG loss (no download)."""
    cfg = Config()
    cfg.data.dataset, cfg.data.n, cfg.data.data_seed, cfg.data.image_size = "scenes", 2000, 0, 64
    cfg.model.name, cfg.model.width, cfg.model.latent_dim = "spade", 16, 64
    cfg.model.style_encoder = True  # z learns the scene's look: reseeding changes it, and a picture's can be copied
    cfg.model.g_widths = "8,8,4,1,1"  # thin at H/2 and H: 1.35x the steps per CPU second (README, "what we tried")
    cfg.model.g_noise = True  # per-pixel noise: flower beds, grass and ripples get texture, not a smooth fill
    cfg.loss.name = "hinge"
    t = cfg.train
    t.steps, t.batch_size, t.seed, t.device, t.num_threads = steps, 8, 0, "cpu", 1  # 1: a shared CPU thrashes with 2
    t.lr_g, t.lr_d, t.beta1, t.beta2 = 2e-4, 4e-4, 0.0, 0.9  # SPADE's TTUR and betas; G at 2x its 1e-4: a short run
    t.ema = 0.995  # a short average: the run is only a couple of thousand steps long
    r = cfg.run
    r.run_dir, r.log_every, r.sample_every, r.checkpoint_every, r.keep_checkpoints = str(run_dir), 10, 100, 100, 2
    r.grid_size = 16
    return cfg


def train_chunk(run_dir: Path, minutes: float, steps: int) -> int:
    """Train for up to ``minutes`` (new run or resume); returns the step reached."""
    return shipped.train_chunk(run_dir, minutes, steps, painter_config, CURVE_KEYS)


def export(run_dir: Path, out: Path = EXPORT_DIR) -> None:
    """Write G_ema only (weights_only-loadable), config, palette, curve and the last samples to ``out``."""
    classes = [{"name": name, "color": list(colour)} for name, colour in CLASSES]
    out.mkdir(parents=True, exist_ok=True)
    (out / "palette.json").write_text(json.dumps({"classes": classes}, indent=1) + "\n", encoding="utf-8")
    shipped.export(run_dir, out, "painter", ("G_ema",), {"palette": [list(c) for _, c in CLASSES]},
                   CURVE_KEYS, CURVE_KEYS)


def main(argv: list[str] | None = None) -> int:
    return shipped.main(argv, __doc__, "painter", ROOT / "runs" / "painter-noise", 8.0, 9556,
                        train_chunk, export, EXPORT_DIR)


if __name__ == "__main__":
    sys.exit(main())
