"""MainWindow: dataset browser and training panel on the left, plots and gallery in the centre."""
from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QPlainTextEdit, QSplitter

from gan_backend.errors import first_line
from studio import settings
from studio.menus import build_menus
from studio.state.catalog import Catalog, load_catalog
from studio.state.run_reader import OpenedRun, RunTail, open_run
from studio.state.session import TrainingSession, format_eta
from studio.views.datasets import DatasetBrowser, DatasetInfo
from studio.views.gallery import SampleGallery
from studio.views.plots import LossPlotPanel
from studio.views.training import TrainingPanel
from studio.widgets.page_helpers import connect_signals
from studio.widgets.theme import apply_theme
from studio.workers import BackgroundCall, TrainingRunner
from studio.workspaces import WorkspaceTabs

FOLLOW_MS = 500  # how often an opened run directory is checked for new lines
NOTICE_MS = 15_000  # how long an engine notice stays in the status bar (it stays in the Messages log)


class MainWindow(QMainWindow):
    """The Studio window.

    Signals:
        catalog_loaded(object): the registries' :class:`Catalog`, once the engine is imported
        run_opened(str): a run directory's curves and samples are shown (and followed)
        notice_shown(str): an engine notice of the run shown (a ``{"event": "notice"}`` row) reached the status
            bar and the Messages log
    """

    catalog_loaded = Signal(object)
    run_opened = Signal(str)
    notice_shown = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._ask_before_stopping = True  # False once a signal asked to close: stop and save without a question
        self.setWindowTitle("GAN Studio")
        self.setAcceptDrops(True)
        self.session = TrainingSession()
        self.catalog: Catalog | None = None
        self.opened_run = ""  # run directory shown from disk (not trained here), "" when none
        self.run_device = ""  # the device of the run shown ("" before any: the panel's choice is shown)
        self.theme = "system"
        self.runner = TrainingRunner(self)
        self.browser, self.panel = DatasetBrowser(), TrainingPanel()
        self.plots, self.gallery = LossPlotPanel(), SampleGallery()
        self._catalog_loader = BackgroundCall("catalog-loader", self)
        self._run_loader = BackgroundCall("run-reader", self)
        self._tail: RunTail | None = None
        self._run_notices: tuple[RunTail, int] | None = None  # the run trained here: its metrics, its first step
        self._follow_timer = QTimer(self, interval=FOLLOW_MS, timeout=self._poll_followed_run)
        self._build()
        self.actions = build_menus(self)
        self._connect()
        self.plots.set_session(self.session)
        settings.restore_window(self)

    # --- layout ---
    def _build(self) -> None:
        self.centre = QSplitter(Qt.Orientation.Horizontal)
        self.centre.addWidget(self.plots)
        self.centre.addWidget(self.gallery)
        self.centre.setStretchFactor(0, 3)
        self.centre.setStretchFactor(1, 2)
        self.workspaces = WorkspaceTabs(self, self.centre)
        self.setCentralWidget(self.workspaces)
        self.docks = []
        for title, widget in (("Dataset", self.browser), ("Training", self.panel)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{title.lower()}_dock")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable |
                             QDockWidget.DockWidgetFeature.DockWidgetClosable)
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            self.docks.append(dock)
        self.resizeDocks(self.docks, [420, 420], Qt.Orientation.Horizontal)
        self.resizeDocks(self.docks, [380, 520], Qt.Orientation.Vertical)
        self.messages = QPlainTextEdit(readOnly=True, maximumBlockCount=1000)  # notices, "step N: message"
        self.messages_dock = QDockWidget("Messages", self, objectName="messages_dock")
        self.messages_dock.setWidget(self.messages)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.messages_dock)
        self.messages_dock.hide()  # until the first notice
        self.status_labels = {key: QLabel() for key in ("device", "step", "rate", "eta")}
        for label in self.status_labels.values():
            self.statusBar().addPermanentWidget(label)
        self._update_status()

    def _connect(self) -> None:
        connect_signals(self._catalog_loader, finished=self._on_catalog_loaded, failed=self._on_catalog_failed)
        connect_signals(self._run_loader, finished=self._on_run_loaded, failed=self._on_run_failed)
        connect_signals(self.browser, dataset_opened=self._on_dataset_opened,
                        recipe_chosen=lambda recipe: self.panel.apply_recipe(recipe.fields, recipe.why),
                        dataset_failed=lambda msg: self.statusBar().showMessage(msg, 10000))
        connect_signals(self.panel, start_requested=self.start_training,
                        live_change_requested=self._on_live_change_requested)
        self.panel.widgets["train.device"].currentIndexChanged.connect(self._update_status)
        for action, slot in ((self.panel.pause_action, self.runner.set_paused),
                             (self.panel.stop_action, self._on_stop_triggered),
                             (self.panel.checkpoint_action, self._on_checkpoint_triggered)):
            action.triggered.connect(slot)
        connect_signals(self.runner, run_started=self._on_run_started, report_ready=self._on_report_ready,
                        sample_ready=self._on_sample_ready, eval_ready=self._on_eval_ready,
                        run_ended=self._on_run_ended, failed=self._on_training_failed,
                        running_changed=self._on_running_changed, paused_changed=self._on_running_changed)

    def load_catalog(self) -> None:
        """Import the engine and read the registries on a worker thread (the window is already up)."""
        self.statusBar().showMessage("Loading the engine and its registries...")
        self._catalog_loader.submit(load_catalog)

    # --- catalog and dataset ---
    @Slot(object)
    def _on_catalog_loaded(self, catalog: Catalog) -> None:
        self.set_catalog(catalog)

    def set_catalog(self, catalog: Catalog, restore: bool = True) -> None:
        """Fill the combos from the registries; ``restore`` reapplies the last choices and dataset."""
        self.catalog = catalog
        self.browser.set_catalog(catalog)
        self.panel.set_catalog(catalog)
        if restore:
            settings.restore_choices(self)
        self.statusBar().showMessage("Ready", 3000)
        self._update_status()
        self.catalog_loaded.emit(catalog)

    @Slot(object)
    def _on_catalog_failed(self, exc: Exception) -> None:
        QMessageBox.critical(self, "Engine not available", f"The training engine could not be loaded:\n{exc}")

    @Slot(object)
    def _on_dataset_opened(self, info: DatasetInfo) -> None:
        self.panel.set_dataset(info.spec, info.kind, info.num_classes)
        self.statusBar().showMessage(f"Dataset {info.spec}: {info.count:,} items", 5000)

    # --- training ---
    def start_training(self, cfg) -> None:
        if self.runner.is_running:
            return
        self._stop_following()
        self.run_device = ""
        self.session = TrainingSession(total_steps=cfg.train.steps)
        self.plots.set_session(self.session)
        self.gallery.reset("", cfg.to_dict())
        self.runner.start(cfg)
        self.statusBar().showMessage("Preparing data and networks...")

    def resume_opened_run(self) -> None:
        if self.runner.is_running or not self.opened_run:
            return
        steps = int(self.panel.values()["train.steps"])
        self._stop_following()
        self.runner.start(resume_dir=self.opened_run, steps=steps if steps > self.session.step else None)
        self.statusBar().showMessage(f"Resuming {self.opened_run}...")

    @Slot(object)
    def _on_run_started(self, info) -> None:
        if info.step > 0:  # resumed: the engine rewound metrics.jsonl to the checkpoint
            self.session.truncate_after(info.step)
            self.gallery.state.truncate_after(info.step)
        else:
            self.gallery.reset(info.run_dir, info.config, info.data_kind == "image")
        self.session.run_dir, self.session.total_steps = info.run_dir, info.config["train"]["steps"]
        self.run_device = info.device
        # Notices are rows of metrics.jsonl, logged just before the report they come with. Read from the start
        # (a resume's first read goes over the earlier rows once) and shown from the first step trained now.
        self._run_notices = (RunTail(info.run_dir), info.step)
        self.setWindowTitle(f"GAN Studio - {Path(info.run_dir).name}")
        self.statusBar().showMessage(f"Training into {info.run_dir}", 5000)
        self._update_status()

    @Slot(object)
    def _on_report_ready(self, report) -> None:
        self.session.add_rows([report.to_row()])
        self._update_status()
        if self._run_notices is not None:
            tail, first_step = self._run_notices
            self._show_notices(tail.poll(), after=first_step)

    @Slot(object)
    def _on_sample_ready(self, sample) -> None:
        self.gallery.add_sample(sample.step, sample.path, sample.grid)

    @Slot(object)
    def _on_eval_ready(self, report) -> None:
        """The same row the engine logged, so a live run and one opened from disk plot alike."""
        self.session.add_rows([report.to_row()])
        best = f"best {report.best_value:.4g} at step {report.best_step}" if report.best_value is not None else ""
        note = " (new best: checkpoints/best.pt)" if report.is_best else f" ({best})" if best else ""
        self.statusBar().showMessage(f"Step {report.step}: {report.metric} {report.value:.4g}{note}", 15000)

    def _show_notices(self, rows: list[dict], after: int = -1) -> None:
        """The ``{"event": "notice"}`` rows past step ``after``: in the status bar and the Messages log."""
        for row in rows:
            if row.get("event") != "notice" or int(row.get("step", 0)) <= after:
                continue
            text = str(row.get("message", ""))
            self.messages.appendPlainText(f"step {row.get('step', 0)}: {text}")
            self.messages_dock.show()
            self.statusBar().showMessage(f"Notice: {text}", NOTICE_MS)
            self.notice_shown.emit(text)

    @Slot(object)
    def _on_run_ended(self, ended) -> None:
        self._run_notices = None
        self.session.ended, self.session.step = ended.reason, ended.step
        self.opened_run = self.session.run_dir
        self._update_status()
        note = f"{ended.message}; checkpoint {ended.checkpoint}" if ended.checkpoint else ended.message
        self.statusBar().showMessage(note, 15000)
        if ended.reason == "nan":
            QMessageBox.warning(self, "Training diverged", ended.message)

    @Slot(str, str)
    def _on_training_failed(self, message: str, run_dir: str) -> None:
        self.session.ended = "error"
        QMessageBox.critical(self, "Training failed",
                             f"{message}\n\nRun directory: {run_dir or '(none was created)'}")

    def _on_running_changed(self, *_) -> None:
        self.panel.set_running(self.runner.is_running, self.runner.is_paused)
        self.actions["resume"].setEnabled(bool(self.opened_run) and not self.runner.is_running)
        self.actions["open_run"].setEnabled(not self.runner.is_running)
        self._update_status()

    def _on_stop_triggered(self) -> None:
        self.runner.stop()
        self.statusBar().showMessage("Stopping after this step and saving a checkpoint...")

    def _on_checkpoint_triggered(self) -> None:
        self.runner.save_checkpoint()
        self.statusBar().showMessage(f"Checkpoint requested: {self.session.run_dir}/checkpoints/last.pt", 5000)

    @Slot(object)
    def _on_live_change_requested(self, values: dict) -> None:
        self.runner.change(**values)
        for key, value in values.items():
            self.session.add_change(self.session.step, f"train.{key}", value)
        text = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
        self.statusBar().showMessage(f"Applied {text} from step {self.session.step + 1}", 5000)

    # --- opening and following a run directory ---
    def open_run_dialog(self) -> None:
        start = QSettings().value("runs/last_parent", str(Path.cwd() / "runs"))
        path = QFileDialog.getExistingDirectory(self, "Open run directory", start)
        if path:
            self.open_run(path)

    def open_run(self, path: str) -> None:
        if self.runner.is_running:
            QMessageBox.information(self, "Training in progress", "Stop the current run before opening another.")
            return
        self.statusBar().showMessage(f"Opening {path}...")
        self._run_loader.submit(lambda: open_run(path))

    @Slot(object)
    def _on_run_loaded(self, opened: OpenedRun) -> None:
        self._stop_following()
        self.session, self.opened_run = opened.session, opened.path
        self.plots.set_session(self.session)
        self.gallery.reset(opened.path, opened.config)
        self.gallery.set_samples(opened.samples)
        self._tail = RunTail(opened.path, opened.offset)
        self._follow_timer.start()
        QSettings().setValue("runs/last_parent", str(Path(opened.path).parent))
        self.run_device = str(opened.config.get("train", {}).get("device", "?"))
        self.setWindowTitle(f"GAN Studio - {Path(opened.path).name}")
        self._on_running_changed()
        self.statusBar().showMessage(f"Opened {opened.path}; following it while it grows", 5000)
        self.run_opened.emit(opened.path)

    @Slot(object)
    def _on_run_failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Cannot open run", first_line(exc))

    def _poll_followed_run(self) -> None:
        rows = self._tail.poll() if self._tail else []
        if self._tail is not None and self._tail.rewritten:  # resumed elsewhere: metrics were rewound
            path = self._tail.path
            self._stop_following()
            self.open_run(path)
            return
        if not rows:
            return
        self.session.add_rows(rows)
        self._show_notices(rows)
        for row in rows:
            if row.get("event") == "sample" and row.get("path"):
                self.gallery.add_sample(int(row["step"]), os.path.join(self._tail.path, row["path"]))
        self._update_status()

    def _stop_following(self) -> None:
        self._follow_timer.stop()
        self._tail = None

    # --- status bar ---
    def _update_status(self) -> None:
        s, labels = self.session, self.status_labels
        chosen = self.panel.widgets["train.device"].currentData() if self.catalog else None
        labels["device"].setText(f"Device: {self.run_device or chosen or '...'}")
        total = f"/{s.total_steps:,}" if s.total_steps else ""
        paused = " (paused)" if self.runner.is_paused else ""
        labels["step"].setText(f"Step {s.step:,}{total}{paused}")
        rate = s.images_per_sec
        labels["rate"].setText(f"{rate:,.0f} images/s" if math.isfinite(rate) else "- images/s")
        labels["eta"].setText(f"ETA {format_eta(s.eta_seconds())}" if self.runner.is_running else
                              (f"Ended: {s.ended}" if s.ended else "ETA --:--"))

    # --- appearance, drops, closing ---
    def set_theme(self, theme: str) -> None:
        self.theme = theme
        apply_theme(theme)
        action = self.actions.get(f"theme_{theme}") if hasattr(self, "actions") else None
        if action is not None:
            action.setChecked(True)

    def reset_layout(self) -> None:
        for dock in self.docks:
            dock.setFloating(False)
            dock.show()
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks(self.docks, [380, 520], Qt.Orientation.Vertical)

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if os.path.isfile(os.path.join(paths[0], "config.json")):
            self.open_run(paths[0])  # a run directory: show its curves
        else:
            self.browser.open_path(paths[0])

    def close_without_asking(self) -> bool:
        """Close as "stop and save" would (SIGTERM, SIGHUP, Ctrl+C in the terminal): training stops and saves."""
        self._ask_before_stopping = False
        return self.close()

    def closeEvent(self, event) -> None:
        if self.runner.is_running and self._ask_before_stopping:
            answer = QMessageBox.question(
                self, "Training in progress", "Stop and save checkpoint?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self.runner.is_running:
            self.statusBar().showMessage("Stopping and saving a checkpoint...")
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.runner.shutdown()
            finally:
                QGuiApplication.restoreOverrideCursor()
        settings.save(self)
        self.shutdown_workers()
        super().closeEvent(event)

    def shutdown_workers(self) -> None:
        self._stop_following()
        self.runner.shutdown()
        self.workspaces.shutdown()
        for loader in (self._catalog_loader, self._run_loader):
            loader.shutdown()
        self.browser.shutdown()
        self.gallery.shutdown()
