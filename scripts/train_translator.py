"""Train the shipped translator: CycleGAN on ``scenes:day2night``, in resumable chunks, then export it.

    bash scripts/env.sh python scripts/train_translator.py --minutes 10     # start, or go on where it stopped
    bash scripts/env.sh python scripts/train_translator.py --minutes 10     # ... repeat until --steps are done
    bash scripts/env.sh python scripts/train_translator.py --export         # G_A + G_B + config + curve -> resources/

Each invocation trains for at most ``--minutes`` and leaves a checkpoint in the engine's run directory,
so a shared machine can train it piece by piece; the chunks add up to the run one invocation would make
(the engine resumes bit for bit, the history pools included). Everything is seeded. As in the paper, the
learning rates hold for the first half of ``--steps`` and then fall linearly to zero: set at every report
(each ``run.log_every`` steps), so the optimiser state a checkpoint keeps carries the schedule across chunks.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from gan_backend.engine import checkpoint as ckpt  # noqa: E402
from gan_backend.engine.loop import Trainer  # noqa: E402
from gan_backend.engine.reports import RunEnded, TrainReport  # noqa: E402
from gan_backend.engine.run_dir import RunDir  # noqa: E402
from scripts.train_painter import curve_picture, write_curve_csv  # noqa: E402

EXPORT_DIR = ROOT / "gan_backend" / "resources" / "models" / "translator"
CURVE_KEYS = ("loss_d", "loss_g", "loss_G_A", "loss_G_B", "loss_cycle_A", "loss_cycle_B")
ALL_LOSSES = CURVE_KEYS + ("loss_D_A", "loss_D_B", "loss_idt_A", "loss_idt_B")


def translator_config(run_dir: Path, steps: int) -> Config:
    """The recipe: a width-16 CycleGAN (6 residual blocks) at 64x64, the paper's losses, Adam and pool."""
    cfg = Config()
    cfg.data.dataset, cfg.data.n, cfg.data.data_seed = "scenes:day2night", 1000, 0
    cfg.model.name, cfg.model.width = "cyclegan", 16  # ~0.5M weights per generator: 256 px in ~0.2 s on a CPU
    cfg.loss.name = "lsgan"
    cfg.loss.cycle_weight, cfg.loss.identity_weight, cfg.loss.pool_size = 10.0, 0.5, 50
    t = cfg.train
    t.steps, t.batch_size, t.seed, t.device, t.num_threads = steps, 2, 0, "cpu", 1  # 1: a shared CPU thrashes with 2
    t.lr_g, t.lr_d, t.beta1, t.beta2 = 2e-4, 2e-4, 0.5, 0.999  # the paper's Adam
    t.ema = 0.0  # CycleGAN keeps no average of G
    r = cfg.run
    r.run_dir, r.log_every, r.sample_every, r.checkpoint_every, r.keep_checkpoints = str(run_dir), 10, 200, 200, 2
    return cfg


def decayed(base: float, step: int, steps: int) -> float:
    """junyanz's linear decay: ``base`` for the first half of the run, then linearly down to 0 at ``steps``."""
    half = steps // 2
    return base * min(1.0, max(0.0, (steps - step) / max(1, steps - half)))


def train_chunk(run_dir: Path, minutes: float, steps: int) -> int:
    """Train for up to ``minutes`` (new run or resume); returns the step reached."""
    if (run_dir / "config.json").is_file():
        trainer = Trainer.resume(run_dir, steps=steps)
    else:
        trainer = Trainer.new(translator_config(run_dir, steps))
    trainer.cfg.train.max_time = minutes * 60  # per invocation: the loop measures from its own start
    print(f"run {run_dir}: from step {trainer.step} towards {steps}, {minutes:g} min", flush=True)
    t = trainer.cfg.train
    for item in trainer.run():
        if isinstance(item, TrainReport):  # the loop waits here: the next step sees the new rates
            trainer.task.set_lr("G", decayed(t.lr_g, item.step, steps))
            trainer.task.set_lr("D", decayed(t.lr_d, item.step, steps))
        if isinstance(item, TrainReport) and item.step % 50 == 0:
            losses = " ".join(f"{k} {v:.3f}" for k, v in item.losses.items() if k in CURVE_KEYS)
            print(f"step {item.step} {losses} lr {item.lr_g:.2e} {item.images_per_sec:.1f} img/s", flush=True)
        elif isinstance(item, RunEnded):
            print(item.message, flush=True)
            if item.reason == "nan":
                raise SystemExit(1)
            return item.step
    return trainer.step


def export(run_dir: Path, out: Path = EXPORT_DIR) -> None:
    """Write both generators only (weights_only-loadable), config, curve and the last samples to ``out``."""
    run = RunDir.open(run_dir)
    state = ckpt.load(run.last_checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(state["meta"], domains=["day", "night"])  # what A and B are, for the translate view's labels
    small = {"config": state["config"], "meta": meta, "step": state["step"], "wall_time": state["wall_time"],
             "modules": {k: state["modules"][k] for k in ("G_A", "G_B")}}
    ckpt.save_atomic(small, out / "translator.pt")
    shutil.copyfile(run.config_path, out / "config.json")
    rows = [r for r in run.read_metrics() if "loss_d" in r]
    write_curve_csv(rows, out / "training_curve.csv", ALL_LOSSES)
    Image.fromarray(curve_picture(rows, 800, 360, CURVE_KEYS)).save(out / "training_curve.png")
    if run.samples():
        shutil.copyfile(run.samples()[-1][1], out / "samples.png")
    size = (out / "translator.pt").stat().st_size / 2**20
    print(f"exported step {state['step']} ({state['wall_time'] / 60:.1f} min of training) to {out}; "
          f"translator.pt {size:.1f} MB")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", default=str(ROOT / "runs" / "translator"), help="the engine run directory to (re)use")
    p.add_argument("--minutes", type=float, default=10.0, help="training time of this invocation")
    p.add_argument("--steps", type=int, default=8000, help="total steps of the whole run")
    p.add_argument("--export", action="store_true", help="copy the trained translator into gan_backend/resources/models/translator")
    args = p.parse_args(argv)
    run_dir = Path(args.run_dir)
    if args.export:
        export(run_dir)
        return 0
    train_chunk(run_dir, args.minutes, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
