"""How the Studio window behaves while it trains, and how fast it opens a big finished run.

1. The same DCGAN-on-glyphs config trains through the CLI (a subprocess) and in the app (offscreen
   window, TrainingWorker on its QThread), in ABBA order over the rounds (6 by default); app_vs_cli is
   the median over the rounds of each round's app/CLI ratio. Training images/s come from
   each run's metrics.jsonl, past the warm-up steps, so both are measured the same way.
2. While the app trains, a 10 ms precise QTimer measures how late the GUI event loop serves it.
3. A synthetic finished run with 100k metric lines and 200 sample grids is opened; the clock stops
   when the plots and the timeline are ready.

    bash scripts/env.sh python benchmarks/gui_latency.py [--steps 400] [--width 32] [--batch 64]

Ends with: RESULT loop_p95_ms=A loop_p99_ms=B app_vs_cli=C open_run_s=D
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
WARM_UP_STEPS = 10  # first steps pay for allocator and kernel warm-up in both runs


def settings(args) -> dict:
    return {"data.dataset": "glyphs", "data.n": 4000, "model.name": "dcgan", "model.width": args.width,
            "train.batch_size": args.batch, "train.steps": args.steps, "run.log_every": 5,
            "run.sample_every": 50, "run.checkpoint_every": 10_000}


def images_per_sec(run_dir: Path) -> float:
    """Real images per second of training time, from the report rows past the warm-up."""
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    rows = [r for r in rows if "event" not in r and r["step"] >= WARM_UP_STEPS]
    first, last = rows[0], rows[-1]
    return (last["images_seen"] - first["images_seen"]) / (last["wall_time"] - first["wall_time"])


def train_cli(args, run_dir: Path) -> float:
    sets = [a for k, v in settings(args).items() for a in ("--set", f"{k}={v}")]
    subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--run-dir", str(run_dir), *sets],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return images_per_sec(run_dir)


def train_app(args, window, run_dir: Path) -> tuple[float, np.ndarray]:
    """Train in the window; returns (images/s, event-loop lateness in ms of each 10 ms tick)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from gan_backend.config import Config

    cfg = Config()
    for key, value in {**settings(args), "run.run_dir": str(run_dir)}.items():
        cfg.set(key, value)
    late, last = [], [0.0]
    measuring = [False]

    def tick():
        now = time.perf_counter()
        if measuring[0] and last[0]:
            late.append((now - last[0]) * 1000 - 10.0)
        last[0] = now

    probe = QTimer(interval=10, timerType=Qt.TimerType.PreciseTimer, timeout=tick)
    window.runner.report_ready.connect(lambda r: measuring.__setitem__(0, r.step >= WARM_UP_STEPS))
    loop = QEventLoop()
    window.runner.run_ended.connect(lambda _: loop.quit())
    window.runner.failed.connect(lambda msg, _: (print(msg, file=sys.stderr), loop.quit()))
    probe.start()
    window.start_training(cfg)
    loop.exec()
    probe.stop()
    while window.runner.is_running:
        loop.processEvents()
    return images_per_sec(run_dir), np.maximum(np.array(late), 0.0)


def make_big_run(path: Path, lines: int = 100_000, grids: int = 200) -> None:
    from PIL import Image

    from gan_backend.config import Config

    (path / "samples").mkdir(parents=True)
    (path / "checkpoints").mkdir()
    cfg = Config()
    cfg.set("train.steps", lines)
    cfg.save(path / "config.json")
    rng = np.random.default_rng(0)
    every = lines // grids
    with open(path / "metrics.jsonl", "w") as fh:
        for step in range(1, lines + 1):
            fh.write(json.dumps({"step": step, "epoch": step / 300, "images_seen": step * 64, "wall_time": step * 0.05,
                                 "images_per_sec": 1280.0, "loss_d": 1.0 + rng.random(), "loss_g": 2.0 + rng.random(),
                                 "penalty": 0.0, "d_real": 0.7, "d_fake": 0.3, "d_output": "probability",
                                 "grad_norm_d": 3.0, "grad_norm_g": 4.0, "lr_d": 2e-4, "lr_g": 2e-4}) + "\n")
            if step % every == 0:
                fh.write(json.dumps({"step": step, "event": "sample", "path": f"samples/step_{step:07d}.png"}) + "\n")
    grid = rng.integers(0, 255, (242, 242, 3), dtype=np.uint8)
    for i in range(1, grids + 1):
        Image.fromarray(grid).save(path / "samples" / f"step_{i * every:07d}.png")


def open_big_run(window, path: Path) -> float:
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    window.run_opened.connect(lambda _: loop.quit())
    started = time.perf_counter()
    window.open_run(str(path))
    loop.exec()
    window.plots.redraw()  # what the next frame would draw
    assert len(window.plots.curves["loss_d"][2].getData()[0]) == 100_000
    assert window.gallery.slider.maximum() == 199 and window.gallery.canvas.image.image is not None
    return time.perf_counter() - started


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=6,
                   help="ABBA rounds of one CLI and one app run each, against load drift (0: only the big-run opening)")
    p.add_argument("--skip-open", action="store_true", help="leave out the big-run opening measurement")
    args = p.parse_args()
    from studio.app import create_app
    from studio.main_window import MainWindow
    from studio.state.catalog import load_catalog

    with tempfile.TemporaryDirectory(prefix="gui-latency-") as tmp:
        tmp = Path(tmp)
        app = create_app()
        window = MainWindow()
        window.show()
        # As the app does: torch imported and the registries read on a worker thread, not the GUI thread
        # (torch work on the GUI thread first slows a training thread later by up to a third: OpenMP).
        catalog = []
        reader = threading.Thread(target=lambda: catalog.append(load_catalog()))
        reader.start()
        reader.join()
        window.set_catalog(catalog[0], restore=False)
        cli_rates, app_rates, lateness = [], [], []
        for i in range(args.repeats):
            # CLI-app, then app-CLI (ABBA): a machine whose load drifts during the benchmark favours neither.
            order = ("cli", "app") if i % 2 == 0 else ("app", "cli")
            for which in order:
                if which == "cli":
                    cli_rates.append(train_cli(args, tmp / f"cli{i}"))
                else:
                    rate, late = train_app(args, window, tmp / f"app{i}")
                    app_rates.append(rate)
                    lateness.append(late)
            print(f"round {i + 1} ({'-'.join(order)}): cli {cli_rates[-1]:.1f} images/s, app {app_rates[-1]:.1f} "
                  f"images/s, app/cli {app_rates[-1] / cli_rates[-1]:.3f}", file=sys.stderr)
        p95 = p99 = ratio = float("nan")
        if lateness:
            late = np.concatenate(lateness)
            p95, p99 = np.percentile(late, 95), np.percentile(late, 99)
            ratios = np.array(app_rates) / np.array(cli_rates)  # each round's pair ran back to back
            ratio = float(np.median(ratios))
            print(f"app/cli per round: {', '.join(f'{r:.3f}' for r in ratios)}; median {ratio:.3f}, "
                  f"min {ratios.min():.3f}, max {ratios.max():.3f}", file=sys.stderr)
            print(f"event loop lateness over {len(late)} ticks: p50 {np.percentile(late, 50):.1f} ms, p95 {p95:.1f} "
                  f"ms, p99 {p99:.1f} ms, max {late.max():.1f} ms", file=sys.stderr)
        open_s = float("nan")
        if not args.skip_open:
            make_big_run(tmp / "big")
            open_s = open_big_run(window, tmp / "big")
            print(f"open run with 100k lines and 200 grids: {open_s:.2f} s", file=sys.stderr)
        window.shutdown_workers()
        window.close()
    print(f"RESULT loop_p95_ms={p95:.1f} loop_p99_ms={p99:.1f} app_vs_cli={ratio:.3f} open_run_s={open_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
