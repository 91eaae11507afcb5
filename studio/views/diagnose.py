"""DiagnoseView: what ``gan_backend.diagnosis`` finds in the current run's metrics, with the evidence and
the fixes the course teaches, and a link from each finding to the step on the Train tab's plots.

Below the findings, every rule the diagnosis knows is listed with what it means, its state (healthy, watch,
problem) and the values it reads, each with its current value and a sparkline: a student sees what "D
winning" would look like before it happens (``studio.views.diagnose_watch``).

Rows come from the run's ``metrics.jsonl`` (read on a worker thread), or, for a run with no directory
yet, from the session's curves. While the tab is on screen the diagnosis follows the run: every
``LIVE_MS`` it is redone if the session changed (a live or followed run) and the last reading finished.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from studio.views.diagnose_watch import RuleCard
from studio.workers.background import BackgroundCall
from studio.workspaces import WorkspaceHooks

RULE_TITLES = {"d_winning": "D is winning", "mode_collapse": "Mode collapse", "divergence": "Divergence",
               "oscillation": "Oscillation"}
HEALTHY = "No problems found in {n} metric rows. What each rule watches, and where this run stands, is below."
MARKER_COLOUR = QColor("#d62828")
LIVE_MS = 2000  # how often a visible view re-diagnoses a run that is still changing


class DiagnoseView(WorkspaceHooks, QWidget):
    """A list of finding cards; ``findings`` holds what is shown."""

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.findings = []
        self._diagnosed = None  # (run_dir, session version) last read, so showing the tab again is free
        self._markers: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.loader = BackgroundCall("diagnosis-reader", self)
        self.loader.finished.connect(self.show_rows)
        self.loader.failed.connect(self._on_load_failed)
        self.summary = QLabel("Open or train a run, then press Refresh.")
        self.summary.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Run the diagnosis rules over the run's metrics so far")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.cards = QVBoxLayout()  # one card per finding
        self.rules = {name: RuleCard(title) for name, title in RULE_TITLES.items()}  # what each rule watches
        self.live = QTimer(self, interval=LIVE_MS, timeout=self._follow)
        self._build()

    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(self.cards)
        heading = QLabel("<b>What the diagnosis watches</b>: every rule, its state now, and the values it reads "
                         "(the line each must cross, and its recent history)")
        heading.setWordWrap(True)
        column.addWidget(heading)
        for card in self.rules.values():
            column.addWidget(card)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    # --- input ---
    def refresh(self, force: bool = True) -> None:
        """Diagnose the window's session; unless ``force``, only when it changed since the last time."""
        session = getattr(self.window_ref, "session", None)
        key = None if session is None else (session.run_dir, session.version)
        if session is None or not force and key == self._diagnosed:
            return
        self._diagnosed = key
        metrics = Path(session.run_dir) / "metrics.jsonl" if session.run_dir else None
        if metrics is not None and metrics.is_file():
            from gan_backend.engine.run_dir import RunDir

            self.summary.setText("Reading the metrics...")
            self.loader.submit(lambda path=session.run_dir: RunDir(path).read_metrics())
        else:
            self.show_rows(session_rows(session))

    @Slot(object)
    def show_rows(self, rows: list[dict]) -> None:
        from gan_backend.diagnosis import diagnose

        from gan_backend.diagnosis import watch

        self.findings = diagnose(rows)
        for status in watch(rows, self.findings):
            self.rules[status.rule].show_status(status)
        while self.cards.count():
            self.cards.takeAt(0).widget().deleteLater()
        for i, finding in enumerate(self.findings):
            self.cards.insertWidget(i, self._card(finding))
        self.summary.setText(f"<b>{len(self.findings)} finding(s)</b> in {len(rows)} metric rows."
                             if self.findings else HEALTHY.format(n=len(rows)))

    def _card(self, finding) -> QFrame:
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        fixes = "".join(f"<li>{html.escape(f)}</li>" for f in finding.fixes)
        text = QLabel(f"<b>{RULE_TITLES.get(finding.rule, finding.rule)}</b> from step {finding.step:,}: "
                      f"{html.escape(finding.message)}<br><i>Evidence:</i> {html.escape(finding.evidence)}"
                      f"<br><i>Try:</i><ul style='margin-top:0'>{fixes}</ul>")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton("Show on plot")
        button.setToolTip(f"Switch to the Train tab and mark step {finding.step:,}")
        button.clicked.connect(lambda _=False, s=finding.step, r=finding.rule: self.show_on_plot(s, r))
        layout = QHBoxLayout(card)
        layout.addWidget(text, 1)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return card

    # --- output ---
    def show_on_plot(self, step: int, rule: str = "") -> None:
        """Mark ``step`` on every Train plot (replacing the last mark) and show the samples nearest it."""
        w = self.window_ref
        if w is None:
            return
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers = []
        for pid, plot in w.plots.plots.items():
            line = pg.InfiniteLine(pos=step, angle=90, movable=False, pen=pg.mkPen(MARKER_COLOUR, width=2),
                                   label=RULE_TITLES.get(rule, rule) if pid == "losses" else None,
                                   labelOpts={"position": 0.9, "color": MARKER_COLOUR})
            line.setToolTip(f"step {step}: {RULE_TITLES.get(rule, rule)} starts here")
            plot.addItem(line, ignoreBounds=True)
            self._markers.append((plot, line))
        _show_nearest_sample(w.gallery, step)
        w.workspaces.setCurrentIndex(0)

    @Slot(object)
    def _on_load_failed(self, exc: Exception) -> None:
        self.summary.setText(f"Could not read the metrics: {html.escape(str(exc))}")

    def _follow(self) -> None:
        if not self.loader.busy:  # a long metrics file still being read: wait for it rather than pile up
            self.refresh(force=False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh(force=False)
        self.live.start()

    def hideEvent(self, event) -> None:
        self.live.stop()
        super().hideEvent(event)

    def prepare_for_tour(self) -> None:
        self.refresh(force=False)

    def tour_ready(self) -> bool:
        return not self.loader.busy

    def shutdown(self) -> None:
        self.live.stop()
        self.loader.shutdown()



def _show_nearest_sample(gallery, step: int) -> None:
    snaps = gallery.state.snapshots
    if snaps:
        nearest = min(range(len(snaps)), key=lambda i: abs(snaps[i].step - step))
        gallery.slider.setValue(nearest)


def session_rows(session) -> list[dict]:
    """metrics.jsonl-like report rows rebuilt from a session's curves (NaN -> None, as JSON writes it)."""
    rows: dict[int, dict] = {}
    for name, series in session.series.items():
        for step, value in zip(series.steps.view(), series.values.view()):
            row = rows.setdefault(int(step), {"step": int(step), "d_output": session.d_output})
            row[name] = None if math.isnan(value) else float(value)
    return [rows[s] for s in sorted(rows)]
