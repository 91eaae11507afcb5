"""The headless tour: open the window, load glyphs, train briefly, save a PNG of every view.

``gan-studio tour --out DIR [--steps N]`` runs it offscreen; the README's screenshots come from it.
"""
from __future__ import annotations

import shutil
import sys
import time
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

TOUR_DATASET = "glyphs"
WATCHDOG_MS = 230_000  # the tour must end well under four minutes on two CPU cores
# Small enough for ~100 steps in well under a minute on a CPU, big enough to show digits forming.
# A higher learning rate and no EMA of G, so the grids show digits forming within 100 steps.
TOUR_SETTINGS = {"data.n": 4000, "model.width": 16, "train.batch_size": 32, "train.lr_g": 5e-4,
                 "train.lr_d": 5e-4, "train.ema": 0.0, "run.log_every": 5, "run.sample_every": 20,
                 "run.checkpoint_every": 1000, "train.seed": 1, "run.eval_every": 25, "run.eval_n": 500}


class Tour(QObject):
    """Drives a :class:`MainWindow` through one short run, then screenshots each view."""

    def __init__(self, window, out_dir: str, steps: int = 100):
        super().__init__(window)
        self.window, self.out, self.steps = window, Path(out_dir), max(10, int(steps))
        self.exit_code = 1
        self._changed = False
        self._errors: list[str] = []
        self._run_root = ""
        self._watchdog = QTimer(self, singleShot=True, interval=WATCHDOG_MS, timeout=self._on_watchdog)

    def start(self) -> None:
        sys.excepthook = self._on_uncaught  # an exception in any slot fails the tour instead of scrolling by
        self.out.mkdir(parents=True, exist_ok=True)
        self.window.resize(1440, 900)
        w = self.window
        w.catalog_loaded.connect(lambda _: w.browser.select(TOUR_DATASET))
        w.browser.dataset_opened.connect(self._on_dataset_opened)
        w.browser.dataset_failed.connect(lambda msg: self._fail(f"dataset: {msg}"))
        w.runner.report_ready.connect(self._on_report_ready)
        w.runner.run_ended.connect(self._on_run_ended)
        w.runner.failed.connect(lambda msg, _: self._fail(f"training: {msg}"))
        self._watchdog.start()

    def _on_dataset_opened(self, info) -> None:
        w = self.window
        if w.runner.is_running or w.session.run_dir:
            return
        w.panel.set_values({"train.steps": self.steps, **{k: v for k, v in TOUR_SETTINGS.items()
                                                         if k in w.panel.widgets}})
        cfg = w.panel.config()
        for key, value in TOUR_SETTINGS.items():
            cfg.set(key, value)
        self._run_root = tempfile.mkdtemp(prefix="gan-tour-")  # only screenshots go into the output folder
        cfg.set("run.run_dir", str(Path(self._run_root) / "run"))
        w.start_training(cfg)

    def _on_report_ready(self, report) -> None:
        if not self._changed and report.step >= self.steps * 6 // 10:
            self._changed = True  # a live change, as a user would make it: its marker shows in the plots
            self.window.panel.widgets["train.lr_d"].setValue(report.lr_d / 2)

    def _on_run_ended(self, ended) -> None:
        if ended.reason != "done":
            self._fail(f"run ended early: {ended.message}")
            return
        QTimer.singleShot(300, self._shoot)  # let the last report and sample reach the views

    def _shoot(self) -> None:
        w = self.window
        w.plots.redraw()
        self._pick_sample()
        shots = {"main_window.png": w, "dataset_browser.png": w.browser, "training_panel.png": w.panel.form,
                 "plots.png": w.plots, "gallery.png": w.gallery}
        for name, widget in shots.items():
            self._save(widget, name)
        w.set_theme("dark")
        QApplication.processEvents()
        w.plots.redraw()
        self._save(w, "main_window_dark.png")
        self._save(w.plots, "plots_dark.png")
        w.set_theme("light")
        shots.update(self._shoot_workspaces())
        if self._errors:
            self._fail(f"{len(self._errors)} error(s) during the tour, first: {self._errors[0]}")
            return
        self.exit_code = 0
        print(f"tour: {len(shots) + 2} screenshots in {self.out}", file=sys.stderr)
        self._quit()

    def _shoot_workspaces(self) -> dict:
        """Every extra tab, as a user opening it sees it, once its ``WorkspaceView.tour_ready()`` (at most 60 s)."""
        from studio.workspaces import WORKSPACES

        w, shots = self.window, {}
        for index, ws in enumerate(WORKSPACES, start=1):
            w.workspaces.setCurrentIndex(index)
            view = w.workspaces.view(ws.title)
            view.prepare_for_tour()
            self._wait_ready(view)
            name = f"workspace_{ws.title.lower().replace(' ', '_')}.png"
            self._save(w, name)
            shots[name] = view
            # A view with pages (the Learn tab's lessons) is shot once per page: show_tour_page, then ready.
            for page in getattr(view, "tour_pages", lambda: [])():
                view.show_tour_page(page)
                self._wait_ready(view)
                name = f"workspace_{ws.title.lower().replace(' ', '_')}_{page}.png"
                self._save(w, name)
                shots[name] = view
        w.workspaces.setCurrentIndex(0)
        return shots

    def _wait_ready(self, view) -> None:
        deadline = time.monotonic() + 60
        while not view.tour_ready() and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.02)
        QApplication.processEvents()

    def _pick_sample(self) -> None:
        """Click the sample in the second row, third column, as a user picking a digit would."""
        g = self.window.gallery
        grid = g.state.grid()
        layout = g.state.cell_size(grid) if grid is not None else None
        if layout:
            _, h, wd = layout
            g._on_canvas_clicked(2 + 2 * (wd + 2) + wd / 2, 2 + 1 * (h + 2) + h / 2)

    def _save(self, widget, name: str) -> None:
        if not widget.grab().save(str(self.out / name)):
            self._fail(f"could not write {self.out / name}")

    def _on_uncaught(self, kind, exc, tb) -> None:
        import traceback

        traceback.print_exception(kind, exc, tb)
        self._errors.append(f"{kind.__name__}: {exc}")

    def _on_watchdog(self) -> None:
        self._fail(f"the tour took longer than {WATCHDOG_MS // 1000} s")

    def _fail(self, message: str) -> None:
        print(f"tour failed: {message}", file=sys.stderr)
        self.exit_code = 1
        self._quit()

    def _quit(self) -> None:
        self._watchdog.stop()
        self.window.shutdown_workers()
        if self._run_root:
            shutil.rmtree(self._run_root, ignore_errors=True)
        QApplication.instance().exit(self.exit_code)
