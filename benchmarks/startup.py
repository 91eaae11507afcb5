"""Window start-up: seconds from launching the process to the main window shown (and, after it, the
registries loaded, which imports torch on a worker while the window is already usable).

    bash scripts/env.sh python benchmarks/startup.py [--rounds 5]

Each round is a fresh process (``QT_QPA_PLATFORM=offscreen``, QSettings in a temp folder, so a user's
remembered state does not count); the median over rounds counts. Ends with
``RESULT startup_s=A catalog_s=B`` (target: startup under 2 s).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QSettings, QTimer
from studio.app import create_app
app = create_app()
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})
from studio.main_window import MainWindow
window = MainWindow()
window.show()
app.processEvents()
print("shown", time.time(), flush=True)
window.catalog_loaded.connect(lambda _: (print("catalog", time.time(), flush=True), app.quit()))
QTimer.singleShot(0, window.load_catalog)
QTimer.singleShot(60_000, app.quit)
app.exec()
window.close()
"""


def one_round() -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    code = CHILD.format(root=str(ROOT), settings=tempfile.mkdtemp(prefix="bench-startup-"))
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120).stdout
    marks = dict(line.split() for line in out.splitlines() if line.startswith(("shown", "catalog")))
    return float(marks["shown"]) - started, float(marks.get("catalog", "nan")) - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    one_round()  # warm the file cache: a first launch after install reads every library from disk
    rounds = [one_round() for _ in range(args.rounds)]
    for i, (shown, catalog) in enumerate(rounds, 1):
        print(f"round {i}: window shown {shown:.2f} s, registries loaded {catalog:.2f} s")
    shown = statistics.median(r[0] for r in rounds)
    catalog = statistics.median(r[1] for r in rounds)
    print(f"RESULT startup_s={shown:.2f} catalog_s={catalog:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
