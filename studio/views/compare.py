"""CompareView: several runs' curves of one metric overlaid with a legend, and a table of final metrics;
the figure exports as PNG or SVG and the table as CSV.

Runs are read by ``gan_backend.compare`` on a worker thread (long metrics files take a while).
"""
from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from studio.widgets.theme import plot_colours
from studio.workers.background import BackgroundCall
from studio.workspaces import WorkspaceHooks

DEFAULT_METRICS = ("loss_d", "loss_g", "fid", "modes_covered", "d_real")  # the first one present is shown


class CompareView(WorkspaceHooks, QWidget):
    """``comparison`` is the loaded ``gan_backend.compare.Comparison`` (None before the first load)."""

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.paths: list[str] = []
        self.comparison = None
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.loader = BackgroundCall("compare-reader", self)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self._build()

    def _build(self) -> None:
        self.run_list = QListWidget()
        self.run_list.setToolTip("Run directories (each has config.json and metrics.jsonl)")
        self.add_button, self.remove_button = QPushButton("Add run..."), QPushButton("Remove")
        self.metric_box = QComboBox()
        self.metric_box.currentTextChanged.connect(self._draw_curves)
        self.export_png_button, self.export_csv_button = QPushButton("Export figure..."), QPushButton("Export table...")
        self.status = QLabel("Add two or more runs to compare them.")
        self.status.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "step")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        colours = plot_colours(self.palette())
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextColor=colours.foreground)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.add_button.clicked.connect(self.add_run_dialog)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.export_png_button.clicked.connect(self.export_figure_dialog)
        self.export_csv_button.clicked.connect(self.export_table_dialog)
        self._arrange()
        self.plot.setBackground(colours.background)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen(colours.foreground)
            self.plot.getAxis(side).setTextPen(colours.foreground)

    def _arrange(self) -> None:
        side = QVBoxLayout()
        side.addWidget(QLabel("Runs"))
        side.addWidget(self.run_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        side.addLayout(buttons)
        side.addWidget(QLabel("Metric"))
        side.addWidget(self.metric_box)
        side.addWidget(self.export_png_button)
        side.addWidget(self.export_csv_button)
        side.addWidget(self.status)
        panel = QWidget()
        panel.setLayout(side)
        panel.setFixedWidth(280)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plot)
        right.addWidget(self.table)
        right.setSizes([600, 220])
        layout = QHBoxLayout(self)
        layout.addWidget(panel)
        layout.addWidget(right, 1)

    # --- runs ---
    def set_runs(self, paths: list[str]) -> None:
        """Compare these run directories (read on the worker thread; ``comparison`` follows)."""
        from gan_backend.compare import compare

        self.paths = list(paths)
        self.run_list.clear()
        self.run_list.addItems(self.paths)
        if not self.paths:
            self.comparison = None
            self._show_comparison()
            return
        self.status.setText("Reading the runs...")
        self.loader.submit(lambda paths=tuple(self.paths): compare(list(paths)))

    def add_run_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Add a run directory", "runs")
        if path and path not in self.paths:
            self.set_runs(self.paths + [path])

    @Slot()
    def _on_remove_clicked(self) -> None:
        rows = {i.row() for i in self.run_list.selectedIndexes()}
        self.set_runs([p for i, p in enumerate(self.paths) if i not in rows])

    @Slot(object)
    def _on_loaded(self, comparison) -> None:
        self.comparison = comparison
        self._show_comparison()

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        self.status.setText(f"Could not read a run: {html.escape(str(exc))}")

    # --- drawing ---
    def _show_comparison(self) -> None:
        c, keep = self.comparison, self.metric_box.currentText()
        names = sorted(c.curves) if c else []
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        self.metric_box.addItems(names)
        pick = keep if keep in names else next((m for m in DEFAULT_METRICS if m in names), names[0] if names else "")
        self.metric_box.setCurrentText(pick)
        self.metric_box.blockSignals(False)
        self._draw_curves(pick)
        self._fill_table(c.table if c else [])
        self.status.setText(f"{len(c.runs)} run(s)." if c else "Add two or more runs to compare them.")

    @Slot(str)
    def _draw_curves(self, metric: str) -> None:
        self.plot.clear()  # also empties the legend
        self.curves = {}
        if self.comparison is None or not metric:
            return
        colours = plot_colours(self.palette()).curves
        for i, run in enumerate(self.comparison.runs):
            if metric not in run.curves:
                continue
            steps, values = run.curves[metric]
            pen = pg.mkPen(colours[i % len(colours)], width=1.5)
            curve = self.plot.plot(steps, values, pen=pen, name=run.label, connect="finite")
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves[run.label] = curve
        self.plot.setLabel("left", metric)

    def _fill_table(self, table: list[dict]) -> None:
        columns = list(dict.fromkeys(k for row in table for k in row))
        self.table.clear()
        self.table.setRowCount(len(table))
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        for r, row in enumerate(table):
            for c, key in enumerate(columns):
                self.table.setItem(r, c, QTableWidgetItem(_cell(row.get(key))))
        self.table.resizeColumnsToContents()

    # --- export ---
    def export_figure_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export figure", "comparison.png", "PNG (*.png);;SVG (*.svg)")
        if path:
            self.export_figure(path)

    def export_figure(self, path: str) -> None:
        from pyqtgraph import exporters

        kind = exporters.SVGExporter if path.lower().endswith(".svg") else exporters.ImageExporter
        kind(self.plot.getPlotItem()).export(path)
        self.status.setText(f"Saved {html.escape(path)}")

    def export_table_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export table", "comparison.csv", "CSV (*.csv)")
        if path:
            self.export_table(path)

    def export_table(self, path: str) -> None:
        from gan_backend.compare import to_csv

        to_csv(self.comparison.table if self.comparison else [], path)
        self.status.setText(f"Saved {html.escape(path)}")

    def prepare_for_tour(self) -> None:
        """The tour compares the run it trained (with itself, there being one)."""
        run_dir = getattr(getattr(self.window_ref, "session", None), "run_dir", "")
        if run_dir:
            self.set_runs([run_dir])

    def tour_ready(self) -> bool:
        return not self.paths or self.comparison is not None

    def shutdown(self) -> None:
        self.loader.shutdown()



def _cell(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)
