"""How fast the Explore workspace answers on a CPU: slider drag, interpolation strip, GUI-thread stalls.

A DCGAN-64 generator (width 64, latent 100, random weights: speed does not depend on training) is saved as a
checkpoint and opened in the real :class:`LatentExplorer`, offscreen. Then:

1. A simulated continuous drag of the first principal-direction slider for ``--seconds`` (one slider move per
   mouse event, every 16 ms, sweeping back and forth). Each move's latency is the time from the move to the
   first image shown that includes it (the move's own render, or a newer one that superseded it).
2. Meanwhile a 10 ms precise QTimer measures how late the GUI event loop serves it (a stall = a dropped frame).
3. A 16-frame interpolation strip, requested from the Interpolate tab, timed to the strip shown (median of 5).

    bash scripts/env.sh python benchmarks/latent_latency.py [--seconds 5] [--threads N]

Ends with: RESULT slider_p95_ms=A strip16_ms=B gui_block_p95_ms=C
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
MOVE_MS = 16  # a mouse reports moves at about 60 Hz while dragging
PROBE_MS = 10


def make_checkpoint(path: Path, width: int) -> Path:
    """A DCGAN-64 G with random weights, saved the way training saves checkpoints."""
    from gan_backend.config import Config
    from gan_backend.engine import checkpoint as ckpt
    from gan_backend.models import MODELS, ModelSpec

    cfg = Config()
    cfg.set("model.name", "dcgan")
    cfg.set("model.width", width)
    shape = (3, 64, 64)
    G, _ = MODELS.get("dcgan")(ModelSpec.from_config(cfg.model, "image", shape))
    meta = {"model": "dcgan", "task": "unconditional", "shape": list(shape), "data_kind": "image",
            "class_names": [], "dataset": "random-weights", "palette": []}
    ckpt.save_atomic({"format": ckpt.FORMAT, "version": ckpt.VERSION, "config": cfg.to_dict(), "meta": meta,
                      "step": 0, "modules": {"G": G.state_dict()}}, path)
    return path


def wait(app, condition, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the explorer did not answer in time")
        app.processEvents()
        time.sleep(0.001)


def drag(app, view, seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(per-move latency ms, per-shown-frame latency ms, event-loop lateness ms, moves) of a continuous drag."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    slider = view.sliders.direction_rows[0].slider.slider
    moved_at: dict[int, float] = {}  # stamp -> time of the move that made it
    shown: list[tuple[int, float]] = []
    late, last = [], [0.0]
    view.image_shown.connect(lambda stamp: shown.append((stamp, time.perf_counter())))
    positions = np.concatenate([np.arange(slider.minimum(), slider.maximum(), 7),
                                np.arange(slider.maximum(), slider.minimum(), -7)])
    step = [0]

    def move():
        t = time.perf_counter()
        slider.setValue(int(positions[step[0] % len(positions)]))  # as a mouse drag does: valueChanged per move
        step[0] += 1
        moved_at[view.renderer.latest("image")] = t

    def probe():
        now = time.perf_counter()
        if last[0]:
            late.append((now - last[0]) * 1000 - PROBE_MS)
        last[0] = now

    mover = QTimer(interval=MOVE_MS, timerType=Qt.TimerType.PreciseTimer, timeout=move)
    prober = QTimer(interval=PROBE_MS, timerType=Qt.TimerType.PreciseTimer, timeout=probe)
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    mover.start()
    prober.start()
    loop.exec()
    mover.stop()
    prober.stop()
    wait(app, lambda: not view.renderer.pending("image"))
    shown_stamps = np.array([s for s, _ in shown])
    shown_times = np.array([t for _, t in shown])
    per_move = []
    for stamp, t in moved_at.items():  # first image at or after this move's request
        i = np.searchsorted(shown_stamps, stamp)
        if i < len(shown_stamps):
            per_move.append((shown_times[i] - t) * 1000)
    per_frame = [(t - moved_at[s]) * 1000 for s, t in shown if s in moved_at]
    return np.array(per_move), np.array(per_frame), np.maximum(np.array(late), 0.0), len(moved_at)


def strip_times(app, view, frames: int, repeats: int) -> list[float]:
    panel = view.interpolation
    view.tabs.setCurrentWidget(panel)
    panel.count.setValue(frames)
    wait(app, lambda: panel.frames is not None and len(panel.frames) == frames and not view.renderer.pending("strip"))
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        panel.end.spin.setValue(100 + i)  # a new end point: the strip is drawn again
        wait(app, lambda: not view.renderer.pending("strip"))
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5.0, help="length of the simulated drag")
    p.add_argument("--width", type=int, default=64, help="DCGAN width (ngf); 64 is the paper's")
    p.add_argument("--threads", type=int, default=0, help="torch threads of the renderer (0: the app's choice)")
    args = p.parse_args()
    from studio.workers import latent_jobs

    latent_jobs.RENDER_THREADS = args.threads or latent_jobs.RENDER_THREADS
    from studio.app import create_app
    from studio.views.explore import LatentExplorer

    app = create_app()
    with tempfile.TemporaryDirectory(prefix="latent-latency-") as tmp:
        checkpoint = make_checkpoint(Path(tmp) / "dcgan64.pt", args.width)
        view = LatentExplorer(None)
        view.resize(1200, 800)
        view.show()
        started = time.perf_counter()
        view.load(checkpoint)
        wait(app, lambda: view.state.info is not None and len(view.sliders.direction_rows) > 0
             and not view.renderer.pending("image"))
        print(f"open + {len(view.state.vectors)} principal directions: {time.perf_counter() - started:.2f} s "
              f"(renderer torch threads {latent_jobs.RENDER_THREADS}, {os.cpu_count()} CPUs, shared)", file=sys.stderr)
        per_move, per_frame, late, moves = drag(app, view, args.seconds)
        ran = view.renderer.executed("image")
        print(f"drag {args.seconds:.0f} s: {moves} moves, {len(per_frame)} frames shown, {ran} rendered; move -> image"
              f" p50 {np.percentile(per_move, 50):.1f} ms, p95 {np.percentile(per_move, 95):.1f} ms, max "
              f"{per_move.max():.1f} ms; own-frame p95 {np.percentile(per_frame, 95):.1f} ms", file=sys.stderr)
        print(f"GUI event loop lateness over {len(late)} ticks: p50 {np.percentile(late, 50):.1f} ms, p95 "
              f"{np.percentile(late, 95):.1f} ms, max {late.max():.1f} ms", file=sys.stderr)
        strips = strip_times(app, view, 16, 5)
        print(f"16-frame strip: {', '.join(f'{t:.0f}' for t in strips)} ms", file=sys.stderr)
        view.shutdown()
        view.close()
    print(f"RESULT slider_p95_ms={np.percentile(per_move, 95):.1f} strip16_ms={np.median(strips):.1f} "
          f"gui_block_p95_ms={np.percentile(late, 95):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
