"""What the scripts that train a shipped model share: train in resumable chunks, export, plot the curve.

``train_painter.py`` and ``train_translator.py`` each give a recipe (a :class:`Config`) and what to keep
of the checkpoint; the loop, the export and the command line are the same for both.
"""
from __future__ import annotations

import argparse
import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from gan_backend.config import Config
from gan_backend.engine import checkpoint as ckpt
from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import RunEnded, TrainControl, TrainReport
from gan_backend.engine.signals import signal_name, stop_on_signals
from gan_backend.engine.run_dir import RunDir

ROOT = Path(__file__).resolve().parents[1]
CURVE_COLOURS = ((200, 60, 40), (40, 90, 200), (120, 120, 120), (40, 150, 60), (150, 60, 170), (230, 140, 20))


def train_chunk(run_dir: Path, minutes: float, steps: int, recipe: Callable[[Path, int], Config],
                curve_keys: tuple[str, ...], on_report: Callable[[Trainer, TrainReport], None] | None = None,
                show_lr: bool = False) -> int:
    """Train for up to ``minutes`` (a new run from ``recipe(run_dir, steps)``, or a resume); returns the
    step reached. ``on_report`` sees every report while the loop waits, before the next step."""
    if (run_dir / "config.json").is_file():
        trainer = Trainer.resume(run_dir, steps=steps)
    else:
        trainer = Trainer.new(recipe(run_dir, steps))
    trainer.cfg.train.max_time = minutes * 60  # per invocation: the loop measures from its own start
    print(f"run {run_dir}: from step {trainer.step} towards {steps}, {minutes:g} min", flush=True)
    control = TrainControl()
    # SIGTERM / SIGINT / SIGHUP finish the step and write the checkpoint, as `gan-studio train` does.
    with stop_on_signals(control.stop, lambda signum: print(f"{signal_name(signum)}: saving a checkpoint", flush=True)):
        for item in trainer.run(control):
            if isinstance(item, TrainReport) and on_report is not None:
                on_report(trainer, item)
            if isinstance(item, TrainReport) and item.step % 50 == 0:
                losses = " ".join(f"{k} {v:.3f}" for k, v in item.losses.items() if k in curve_keys)
                lr = f" lr {item.lr_g:.2e}" if show_lr else ""
                print(f"step {item.step} {losses}{lr} {item.images_per_sec:.1f} img/s", flush=True)
            elif isinstance(item, RunEnded):
                print(item.message, flush=True)
                if item.reason == "nan":
                    raise SystemExit(1)
                return item.step
    return trainer.step


def start_from(cfg: Config, state: dict, modules: tuple[str, ...] | None = None) -> None:
    """Create the run of ``cfg`` holding the networks and optimisers of ``state`` (a checkpoint's), or only
    its ``modules`` (an exported model's: the other networks and the optimisers start fresh)."""
    trainer = Trainer.new(cfg)
    if modules is None:
        trainer.task.load_state_dict(state)
    else:
        nets = trainer.task.modules()
        for name in modules:
            nets[name].load_state_dict(state["modules"][name])
    trainer.save_checkpoint(with_step_file=False)


def train_for(run_dir: Path, seconds: float, recipe: Callable[[], Config], log: Callable[[str], None],
              name: str, resume_steps: int | None = None, at_least: float = 1.0) -> None:
    """Train a run (``recipe()`` when ``run_dir`` has none, else resumed) until ``seconds`` of training in all;
    a run that lacks under ``at_least`` seconds is reused as it is. For the benchmarks' baselines."""
    if (run_dir / "config.json").is_file():
        trainer = Trainer.resume(run_dir, steps=resume_steps)
    else:
        trainer = Trainer.new(recipe())
    trainer.cfg.train.max_time = max(0.0, seconds - trainer.wall_time)
    log(f"{name}: training {trainer.cfg.train.max_time:.0f} s more in {run_dir}")
    if trainer.cfg.train.max_time > at_least:
        for _ in trainer.run():
            pass
    log(f"{name}: step {trainer.step}, {trainer.wall_time:.0f} s of training")


def export(run_dir: Path, out: Path, name: str, modules: tuple[str, ...], meta: dict,
           csv_keys: tuple[str, ...], curve_keys: tuple[str, ...], curve_width: int = 640) -> None:
    """Write ``modules`` only (weights_only-loadable) as ``out/<name>.pt`` with ``meta`` added to the
    checkpoint's, and the config, the curve (CSV of ``csv_keys``, PNG of ``curve_keys``) and the last samples."""
    run = RunDir.open(run_dir)
    state = ckpt.load(run.last_checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    small = {"config": state["config"], "meta": dict(state["meta"], **meta), "step": state["step"],
             "wall_time": state["wall_time"], "modules": {k: state["modules"][k] for k in modules}}
    ckpt.save_atomic(small, out / f"{name}.pt")
    shutil.copyfile(run.config_path, out / "config.json")
    rows = [r for r in run.read_metrics() if "loss_d" in r]
    write_curve_csv(rows, out / "training_curve.csv", csv_keys)
    Image.fromarray(curve_picture(rows, curve_keys, curve_width)).save(out / "training_curve.png")
    if run.samples():
        shutil.copyfile(run.samples()[-1][1], out / "samples.png")
    size = (out / f"{name}.pt").stat().st_size / 2**20
    print(f"exported step {state['step']} ({state['wall_time'] / 60:.1f} min of training) to {out}; "
          f"{name}.pt {size:.1f} MB")


def main(argv: list[str] | None, doc: str, what: str, run_dir: Path, minutes: float, steps: int,
         train: Callable[[Path, float, int], int], export_to: Callable[[Path], None], export_dir: Path) -> int:
    """The command line of a training script: ``--minutes`` of training per call, or ``--export``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--run-dir", default=str(run_dir), help="the engine run directory to (re)use")
    p.add_argument("--minutes", type=float, default=minutes, help="training time of this invocation")
    p.add_argument("--steps", type=int, default=steps, help="total steps of the whole run")
    p.add_argument("--export", action="store_true",
                   help=f"copy the trained {what} into {export_dir.relative_to(ROOT).as_posix()}")
    args = p.parse_args(argv)
    if args.export:
        export_to(Path(args.run_dir))
    else:
        train(Path(args.run_dir), args.minutes, args.steps)
    return 0


def write_curve_csv(rows: list[dict], path: Path, keys: tuple[str, ...]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("step", "wall_time") + tuple(keys))
        for r in rows:
            writer.writerow([r["step"], r.get("wall_time", "")] + [_fmt(r.get(k)) for k in keys])


def _fmt(value) -> str:
    return "" if value is None else f"{value:.5g}"


def curve_picture(rows: list[dict], keys: tuple[str, ...], width: int = 640, height: int = 360) -> np.ndarray:
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
