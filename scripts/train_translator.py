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

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from gan_backend.config import Config  # noqa: E402
from scripts import _shipped as shipped  # noqa: E402

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
    def set_rates(trainer, report) -> None:  # the loop waits here: the next step sees the new rates
        t = trainer.cfg.train
        trainer.task.set_lr("G", decayed(t.lr_g, report.step, steps))
        trainer.task.set_lr("D", decayed(t.lr_d, report.step, steps))

    return shipped.train_chunk(run_dir, minutes, steps, translator_config, CURVE_KEYS, set_rates, show_lr=True)


def export(run_dir: Path, out: Path = EXPORT_DIR) -> None:
    """Write both generators only (weights_only-loadable), config, curve and the last samples to ``out``."""
    meta = {"domains": ["day", "night"]}  # what A and B are, for the translate view's labels
    shipped.export(run_dir, out, "translator", ("G_A", "G_B"), meta, ALL_LOSSES, CURVE_KEYS, curve_width=800)


def main(argv: list[str] | None = None) -> int:
    return shipped.main(argv, __doc__, "translator", ROOT / "runs" / "translator", 10.0, 8000,
                        train_chunk, export, EXPORT_DIR)


if __name__ == "__main__":
    sys.exit(main())
