"""The Learn tab's figures: lesson 1's optimal-D gap, lesson 5's VAE vs GAN, and every lesson's redraw time.

    bash scripts/env.sh python benchmarks/lessons.py [--vae-seconds 30] [--view-seconds 6] [--seed 0]

1. Lesson 1 with G frozen: D trains alone for the lesson's default ``DEFAULT_D_STEPS`` (2000) steps; the gap is
   max |D(x) - D*(x)| over the data's support (where p_data is at least 5% of its peak, 98.6% of its mass),
   with p_g pushed through G exactly on 20,000 z-cells (target <= 0.1).
2. Lesson 5: the ``vae`` model and DCGAN train in the engine, alternating, until each has had ``--vae-seconds``
   of training; then 1000 samples of each: sharpness (mean |Laplacian|, 0..1 pixels) and class coverage
   (classes of 10 the shipped glyph classifier finds with >= 1/40 of the samples). Targets: sharp_vae <
   sharp_gan and coverage_vae >= coverage_gan.
3. The real LearnView offscreen (1100 x 800): every lesson runs live at its default speed for ``--view-seconds``
   while the view draws; a redraw is a frame's setData calls plus the paint that shows it. Prints each
   lesson's p95 and reports the worst (target <= 50 ms).

Ends with ``RESULT optimal_d_gap=... sharp_vae=... sharp_gan=... coverage_vae=... coverage_gan=...
lesson_frame_p95_ms=...``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def optimal_d_gap(seed: int) -> float:
    from gan_backend.lessons.one_d import DEFAULT_D_STEPS, learning_to_sample

    t0 = time.perf_counter()
    experiment = learning_to_sample(seed)
    experiment.set("mode", "d")
    for _ in range(DEFAULT_D_STEPS):
        experiment.step()
    gap = experiment.measures()["optimal_d_gap"]
    print(f"lesson 1: D alone for {DEFAULT_D_STEPS} steps, max |D - D*| over the data {gap:.3f} "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    return gap


def vae_vs_gan(seed: int, seconds: float) -> dict:
    from gan_backend.lessons.vae_vs_gan import vae_vs_gan as build

    experiment = build(seed)
    try:
        while min(run.seconds for run in experiment.runs.values()) < seconds:
            experiment.step()
        m = experiment.measures()
        steps = {name: run.step for name, run in experiment.runs.items()}
    finally:
        experiment.close()
    print(f"lesson 5: {seconds:.0f} s of training each (VAE {steps['vae']} steps, DCGAN {steps['dcgan']} steps): "
          f"sharpness VAE {m['sharp_vae']:.4f} vs DCGAN {m['sharp_gan']:.4f}; classes VAE {m['coverage_vae']:.0f}/10 "
          f"(entropy {m['entropy_vae']:.3f}) vs DCGAN {m['coverage_gan']:.0f}/10 (entropy {m['entropy_gan']:.3f})",
          flush=True)
    return m


def redraw_p95(seconds: float) -> float:
    from PySide6.QtWidgets import QApplication

    from studio.views.learn import LearnView

    app = QApplication.instance() or QApplication(sys.argv)
    view = LearnView(None)
    view.resize(1100, 800)
    view.show()
    worst = 0.0
    try:
        for lesson in view.lessons:
            page = view.show_lesson(lesson.id)
            _spin(app, lambda: page.info is not None and page.last_frame is not None, 120)
            page.canvas.draw_ms.clear()
            page.run_button.click()
            _spin(app, lambda: False, seconds)
            page.run_button.click()
            ms = np.array(page.canvas.draw_ms)
            p95 = float(np.percentile(ms, 95)) if len(ms) else float("nan")
            worst = max(worst, p95)
            print(f"  {lesson.order}. {lesson.title}: {len(ms)} redraws in {seconds:.0f} s, median "
                  f"{np.median(ms):.1f} ms, p95 {p95:.1f} ms, {page.last_frame.step} steps", flush=True)
    finally:
        view.shutdown()
    return worst


def _spin(app, done, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vae-seconds", type=float, default=30.0)
    parser.add_argument("--view-seconds", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)  # as the Learn tab's thread runs the lessons
    gap = optimal_d_gap(args.seed)
    m = vae_vs_gan(args.seed, args.vae_seconds)
    print("lesson views (each running live at its default speed):", flush=True)
    p95 = redraw_p95(args.view_seconds)
    print(f"load average {os.getloadavg()[0]:.1f} (other processes share the CPU)")
    print(f"RESULT optimal_d_gap={gap:.3f} sharp_vae={m['sharp_vae']:.4f} sharp_gan={m['sharp_gan']:.4f} "
          f"coverage_vae={m['coverage_vae']:.0f} coverage_gan={m['coverage_gan']:.0f} lesson_frame_p95_ms={p95:.1f}")


if __name__ == "__main__":
    main()
