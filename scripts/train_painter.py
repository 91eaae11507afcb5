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

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from gan_backend.data.builtin.scene_layout import CLASSES  # noqa: E402
from gan_backend.engine import checkpoint as ckpt  # noqa: E402
from gan_backend.engine.loop import Trainer  # noqa: E402
from gan_backend.engine.reports import RunEnded, TrainReport  # noqa: E402
from gan_backend.engine.run_dir import RunDir  # noqa: E402

EXPORT_DIR = ROOT / "gan_backend" / "resources" / "models" / "painter"
CURVE_KEYS = ("loss_d", "loss_g", "loss_g_gan", "loss_g_fm", "loss_g_recon", "loss_g_kld")
CURVE_COLOURS = ((200, 60, 40), (40, 90, 200), (120, 120, 120), (40, 150, 60), (150, 60, 170), (230, 140, 20))


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
    if (run_dir / "config.json").is_file():
        trainer = Trainer.resume(run_dir, steps=steps)
    else:
        trainer = Trainer.new(painter_config(run_dir, steps))
    trainer.cfg.train.max_time = minutes * 60  # per invocation: the loop measures from its own start
    print(f"run {run_dir}: from step {trainer.step} towards {steps}, {minutes:g} min", flush=True)
    for item in trainer.run():
        if isinstance(item, TrainReport) and item.step % 50 == 0:
            losses = " ".join(f"{k} {v:.3f}" for k, v in item.losses.items() if k in CURVE_KEYS)
            print(f"step {item.step} {losses} {item.images_per_sec:.1f} img/s", flush=True)
        elif isinstance(item, RunEnded):
            print(item.message, flush=True)
            if item.reason == "nan":
                raise SystemExit(1)
            return item.step
    return trainer.step


# --- export ------------------------------------------------------------------------------------------
def export(run_dir: Path, out: Path = EXPORT_DIR) -> None:
    """Write G_ema only (weights_only-loadable), config, palette, curve and the last samples to ``out``."""
    run = RunDir.open(run_dir)
    state = ckpt.load(run.last_checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(state["meta"], palette=[list(c) for _, c in CLASSES])
    small = {"config": state["config"], "meta": meta, "step": state["step"], "wall_time": state["wall_time"],
             "modules": {"G_ema": state["modules"]["G_ema"]}}
    ckpt.save_atomic(small, out / "painter.pt")
    shutil.copyfile(run.config_path, out / "config.json")
    classes = [{"name": name, "color": list(colour)} for name, colour in CLASSES]
    (out / "palette.json").write_text(json.dumps({"classes": classes}, indent=1) + "\n", encoding="utf-8")
    rows = [r for r in run.read_metrics() if "loss_d" in r]
    write_curve_csv(rows, out / "training_curve.csv")
    Image.fromarray(curve_picture(rows)).save(out / "training_curve.png")
    if run.samples():
        shutil.copyfile(run.samples()[-1][1], out / "samples.png")
    size = (out / "painter.pt").stat().st_size / 2**20
    print(f"exported step {state['step']} ({state['wall_time'] / 60:.1f} min of training) to {out}; "
          f"painter.pt {size:.1f} MB")


def write_curve_csv(rows: list[dict], path: Path, keys: tuple[str, ...] = CURVE_KEYS) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("step", "wall_time") + tuple(keys))
        for r in rows:
            writer.writerow([r["step"], r.get("wall_time", "")] + [_fmt(r.get(k)) for k in keys])


def _fmt(value) -> str:
    return "" if value is None else f"{value:.5g}"


def curve_picture(rows: list[dict], width: int = 640, height: int = 360,
                  keys: tuple[str, ...] = CURVE_KEYS) -> np.ndarray:
    """uint8 [H, W, 3]: the losses (up to 6 ``keys``) against steps, one colour each, smoothed over 10 points."""
    pic = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(pic)
    colours = dict(zip(keys, CURVE_COLOURS))
    steps = np.array([r["step"] for r in rows], float)
    series = {k: np.array([r.get(k) if r.get(k) is not None else np.nan for r in rows], float) for k in keys}
    values = np.concatenate([v[np.isfinite(v)] for v in series.values()] + [np.zeros(1)])
    lo, hi = float(np.percentile(values, 1)), float(np.percentile(values, 99))
    box = (50, 20, width - 20, height - 40)  # left, top, right, bottom of the plot area
    sx = lambda s: box[0] + (s - steps.min()) / max(1.0, np.ptp(steps)) * (box[2] - box[0])  # noqa: E731
    sy = lambda v: box[3] - (np.clip(v, lo, hi) - lo) / max(1e-9, hi - lo) * (box[3] - box[1])  # noqa: E731
    draw.rectangle(box, outline=(0, 0, 0))
    for i, (key, v) in enumerate(series.items()):
        padded = np.pad(np.nan_to_num(v), (5, 4), mode="edge")  # edge padding: no dip at the ends
        smooth = np.convolve(padded, np.ones(10) / 10, mode="valid") if len(v) >= 10 else v
        points = [(sx(s), sy(y)) for s, y in zip(steps, smooth) if np.isfinite(y)]
        if len(points) > 1:
            draw.line(points, fill=colours[key], width=2)
        draw.text((box[0] + 10 + min(120, (box[2] - box[0]) // len(keys)) * i, height - 25), key, fill=colours[key])
    draw.text((5, box[1]), f"{hi:.2f}", fill=(0, 0, 0))
    draw.text((5, box[3] - 10), f"{lo:.2f}", fill=(0, 0, 0))
    draw.text((box[2] - 90, box[3] + 3), f"step {int(steps.max()) if len(steps) else 0}", fill=(0, 0, 0))
    return np.asarray(pic)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default=str(ROOT / "runs" / "painter-noise"),
                   help="the engine run directory to (re)use")
    p.add_argument("--minutes", type=float, default=8.0, help="training time of this invocation")
    p.add_argument("--steps", type=int, default=9556, help="total steps of the whole run")
    p.add_argument("--export", action="store_true", help="copy the trained painter into gan_backend/resources/models/painter")
    args = p.parse_args(argv)
    run_dir = Path(args.run_dir)
    if args.export:
        export(run_dir)
        return 0
    train_chunk(run_dir, args.minutes, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
