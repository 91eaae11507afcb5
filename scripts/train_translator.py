"""Train the shipped translator: CycleGAN on ``scenes:day2night``, in resumable chunks, then export it.

    bash scripts/env.sh python scripts/train_translator.py --minutes 10     # start, or go on where it stopped
    bash scripts/env.sh python scripts/train_translator.py --minutes 10     # ... repeat until --steps are done
    bash scripts/env.sh python scripts/train_translator.py --export         # G_A + G_B + config + curve -> resources/

The shipped translator works at 128 px. It starts from the 64 px one's generators (``translator64``,
``--size 64`` trains and exports that one from scratch: 8000 steps), which already know day from night;
the networks are fully convolutional, so they are the same tensors. At 128 px, with new discriminators,
they learn the textures at the new scale (``--steps``, default 1200: half at the full rate, half decaying
to 0). Both are ordinary engine runs (``runs/translator128``, ``runs/translator``).

Each invocation trains for at most ``--minutes`` and leaves a checkpoint in the engine's run directory,
so a shared machine can train it piece by piece; the chunks add up to the run one invocation would make
(the engine resumes bit for bit, the history pools included). Everything is seeded. As in the paper, the
learning rates hold for the first half of ``--steps`` and then fall linearly to zero: set at every report
(each ``run.log_every`` steps), so the optimiser state a checkpoint keeps carries the schedule across chunks.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from gan_backend.loader import open_checkpoint  # noqa: E402
from scripts import _shipped as shipped  # noqa: E402

MODELS = ROOT / "gan_backend" / "resources" / "models"
CURVE_KEYS = ("loss_d", "loss_g", "loss_G_A", "loss_G_B", "loss_cycle_A", "loss_cycle_B")
ALL_LOSSES = CURVE_KEYS + ("loss_D_A", "loss_D_B", "loss_idt_A", "loss_idt_B")


def translator_config(run_dir: Path, steps: int, size: int = 64) -> Config:
    """The recipe: a width-16 CycleGAN (6 residual blocks) at ``size``, the paper's losses, Adam and pool."""
    cfg = Config()
    cfg.data.dataset, cfg.data.n, cfg.data.data_seed, cfg.data.image_size = "scenes:day2night", 1000, 0, size
    cfg.model.name, cfg.model.width = "cyclegan", 16  # ~0.5M weights per generator: 256 px in ~0.2 s on a CPU
    cfg.loss.name = "lsgan"
    cfg.loss.cycle_weight, cfg.loss.identity_weight, cfg.loss.pool_size = 10.0, 0.5, 50
    t = cfg.train
    t.steps, t.batch_size, t.seed, t.device = steps, 2, 0, "cpu"
    t.num_threads = 1 if size == 64 else 2  # 1: a shared CPU thrashes with 2 (the 128 stage had the CPU to itself)
    t.lr_g, t.lr_d, t.beta1, t.beta2 = 2e-4, 2e-4, 0.5, 0.999  # the paper's Adam
    t.ema = 0.0  # CycleGAN keeps no average of G
    r = cfg.run
    r.run_dir, r.log_every, r.sample_every, r.checkpoint_every, r.keep_checkpoints = str(run_dir), 10, 200, 200, 2
    return cfg


def decayed(base: float, step: int, steps: int) -> float:
    """junyanz's linear decay: ``base`` for the first half of the run, then linearly down to 0 at ``steps``."""
    half = steps // 2
    return base * min(1.0, max(0.0, (steps - step) / max(1, steps - half)))


def train_chunk(run_dir: Path, minutes: float, steps: int, size: int = 64) -> int:
    """Train for up to ``minutes`` (new run or resume); returns the step reached. A new 128 px run starts
    from the shipped 64 px translator's generators."""
    def set_rates(trainer, report) -> None:  # the loop waits here: the next step sees the new rates
        t = trainer.cfg.train
        trainer.task.set_lr("G", decayed(t.lr_g, report.step, steps))
        trainer.task.set_lr("D", decayed(t.lr_d, report.step, steps))

    if size != 64 and not (run_dir / "config.json").is_file():
        earlier = open_checkpoint("translator64").state
        shipped.start_from(translator_config(run_dir, steps, size), earlier, ("G_A", "G_B"))
    recipe = lambda d, n: translator_config(d, n, size)  # noqa: E731
    return shipped.train_chunk(run_dir, minutes, steps, recipe, CURVE_KEYS, set_rates, show_lr=True)


def export(run_dir: Path, out: Path) -> None:
    """Write both generators only (weights_only-loadable), config, curve and the last samples to ``out``."""
    meta = {"domains": ["day", "night"]}  # what A and B are, for the translate view's labels
    shipped.export(run_dir, out, "translator", ("G_A", "G_B"), meta, ALL_LOSSES, CURVE_KEYS, curve_width=800)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, choices=(64, 128), default=128, help="the translator to train")
    p.add_argument("--run-dir", help="the run directory to (re)use (default runs/translator128, runs/translator)")
    p.add_argument("--minutes", type=float, default=10.0, help="training time of this invocation")
    p.add_argument("--steps", type=int, help="total steps of the run (default 1200 at 128 px, 8000 at 64)")
    p.add_argument("--export", action="store_true", help="copy the trained translator into gan_backend/resources/models/")
    args = p.parse_args(argv)
    run_dir = Path(args.run_dir or ROOT / "runs" / ("translator" if args.size == 64 else f"translator{args.size}"))
    if args.export:
        export(run_dir, MODELS / ("translator64" if args.size == 64 else "translator"))
    else:
        train_chunk(run_dir, args.minutes, args.steps or (8000 if args.size == 64 else 1200), args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
