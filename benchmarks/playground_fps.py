"""Frames per second the 2-D playground draws while it trains on toy2d:ring8.

    bash scripts/env.sh python benchmarks/playground_fps.py [--seconds 10] [--steps-per-frame 1]

Opens the real ``PlaygroundView`` offscreen (800 x 600), presses Run with the default settings
(1 D step : 1 G step per round, frames capped at 30/s) and counts the frames the view actually drew
(heatmap, contour, points, arrows, mesh, read-out) over ``--seconds`` of wall time after the first frame.
Also prints the rounds trained in that time. Ends with ``RESULT fps=A`` (target >= 20 on 2 CPU cores).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--steps-per-frame", type=int, default=1)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from studio.views.playground import PlaygroundView

    app = QApplication.instance() or QApplication(sys.argv)
    view = PlaygroundView(None)
    view.resize(800, 600)
    view.show()
    while view.last_frame is None:
        app.processEvents()
        time.sleep(0.005)
    view.steps_per_frame.setValue(args.steps_per_frame)
    view.set_running(True)
    while view.last_frame.step_g == 0:  # the first running frame
        app.processEvents()
    start_frames, start_g, start = view.plot.frames_drawn, view.last_frame.step_g, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        app.processEvents()  # the offscreen window paints each drawn frame, as a visible one would
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    frames = view.plot.frames_drawn - start_frames
    rounds = view.last_frame.step_g - start_g
    view.shutdown()
    print(f"toy2d:ring8, {args.steps_per_frame} round(s)/frame: {frames} frames and {rounds} rounds "
          f"in {elapsed:.1f} s; {re.sub('<[^>]+>|&nbsp;', '', view.readout.text().split('<br>')[-1])}")
    print(f"load average {os.getloadavg()[0]:.1f} (other processes share the CPU)")
    print(f"RESULT fps={frames / elapsed:.1f}")


if __name__ == "__main__":
    main()
