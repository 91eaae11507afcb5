"""Train the shipped SinGAN example on ``rocket.jpg`` (scikit-image, public domain), then export it.

    bash scripts/env.sh python scripts/train_singan.py --minutes 15            # start, or go on where it stopped
    bash scripts/env.sh python scripts/train_singan.py --chunk-minutes 5       # stop after 5 minutes; run again
    bash scripts/env.sh python scripts/train_singan.py --export                # the pyramid + config -> resources/

The run is `gan-studio singan train` with the CPU defaults (longest side 160, ``--minutes`` divided over the
scales). ``--chunk-minutes`` stops an invocation early with a checkpoint: the next invocation resumes at the
iteration it stopped at (mid-pyramid), so a shared machine can train it piece by piece.
"""
from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from scripts import _shipped as shipped  # noqa: E402

PICTURE = ROOT.parent / "shared" / "data" / "photos" / "rocket.jpg"
EXPORT_DIR = ROOT / "gan_backend" / "resources" / "models" / "singan"
CURVE_KEYS = ("loss_d", "loss_g", "loss_g_rec")


def train(run_dir: Path, minutes: float, chunk_minutes: float, picture: Path) -> int:
    from gan_backend.engine.loop import Trainer
    from gan_backend.engine.reports import RunEnded, TrainControl, TrainReport
    from gan_backend.singan import singan_config

    if (run_dir / "config.json").is_file():
        trainer = Trainer.resume(run_dir)
    else:
        cfg = singan_config(picture, max_size=160, minutes=minutes, device="cpu", run_dir=str(run_dir))
        cfg.train.num_threads = 1  # a shared CPU thrashes with 2 (the translator's script found the same)
        trainer = Trainer.new(cfg)
    control = TrainControl()
    timer = threading.Timer(chunk_minutes * 60, control.stop.set)
    timer.daemon = True  # a run that ends first does not wait for it
    if chunk_minutes > 0:
        timer.start()
    print(f"run {run_dir}: scale {trainer.task.scale} of {trainer.task.scales}, step {trainer.step}", flush=True)
    for item in trainer.run(control):
        if isinstance(item, TrainReport) and item.step % 50 == 0:
            print(f"step {item.step} scale {item.extras.get('scale_progress', 0):.2f} "
                  f"loss_d {item.losses['loss_d']:.3f} loss_g_rec {item.losses['loss_g_rec']:.4f}", flush=True)
        elif isinstance(item, RunEnded):
            print(item.message, flush=True)
            timer.cancel()
            return 0 if item.reason in ("done", "stopped") else 1
    return 0


def export(run_dir: Path) -> None:
    meta = {"picture": "rocket.jpg (scikit-image data, public domain)"}
    shipped.export(run_dir, EXPORT_DIR, "singan", ("G",), meta, CURVE_KEYS, CURVE_KEYS)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default=str(ROOT / "runs" / "singan-rocket"))
    p.add_argument("--picture", default=str(PICTURE))
    p.add_argument("--minutes", type=float, default=15.0, help="the whole run's budget (a new run only)")
    p.add_argument("--chunk-minutes", type=float, default=0.0, help="stop this invocation after this long")
    p.add_argument("--export", action="store_true", help=f"copy the trained model into {EXPORT_DIR.relative_to(ROOT)}")
    args = p.parse_args(argv)
    if args.export:
        export(Path(args.run_dir))
        return 0
    return train(Path(args.run_dir), args.minutes, args.chunk_minutes, Path(args.picture))


if __name__ == "__main__":
    sys.exit(main())
