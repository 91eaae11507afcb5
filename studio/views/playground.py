"""PlaygroundView: watch a small GAN learn 2-D points, one D or G step at a time or running live.

The playground steps on its own thread (``studio.workers.playground``); this view only sends commands
and draws the newest frame, at most once per event-loop turn however fast frames arrive.
"""
from __future__ import annotations

import html

import time

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from studio.views.playground_plot import PlaygroundPlot
from studio.widgets.page_helpers import connect_signals
from studio.workers.playground import PlaygroundRunner
from studio.workspaces import WorkspaceHooks

DATASETS = [("Ring of 8", "toy2d:ring8"), ("Grid of 25", "toy2d:grid25"), ("Spiral", "toy2d:spiral")]
DEFAULT_LOSS = "nonsaturating"
READOUT_EVERY_S = 0.2  # the text re-lays out the side panel; 5 times a second is plenty to read
LEGEND = ("<span style='color:#787878'>&#9679;</span> real &nbsp; "
          "<span style='color:#ff8c1a'>&#9679;</span> generated &nbsp; "
          "<span style='color:#c85a00'>&#8594;</span> where G's loss pushes each fake<br>"
          "background: D's output (green = \"real\", purple = \"fake\"), dark line: D = 0.5 "
          "(0 for a critic)<br>purple mesh: a latent grid mapped through G")


class PlaygroundView(WorkspaceHooks, QWidget):
    """Controls on the left, the plane on the right. ``last_frame`` is the newest frame drawn."""

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.runner = PlaygroundRunner(self)
        self.plot = PlaygroundPlot()
        self.last_frame = None
        self._pending = None
        self._readout_at = 0.0
        self._draw_timer = QTimer(self, singleShot=True, interval=0, timeout=self._draw_pending)
        self._modes = None  # (means [K, 2], std) for the mixtures; None for the spiral
        self._build()
        self._connect()
        self._on_dataset_changed()

    # --- layout ---
    def _build(self) -> None:
        from gan_backend.losses import LOSSES

        self.dataset = QComboBox()
        for title, name in DATASETS:
            self.dataset.addItem(title, name)
        self.loss = QComboBox()
        self.loss.addItems(LOSSES.names())
        self.loss.setCurrentText(DEFAULT_LOSS)
        self.loss.setToolTip("Changes the loss between steps; the networks stay (try minimax, then wgan_gp)")
        self.d_steps, self.g_steps = _spin(1, 10, 1), _spin(1, 10, 1)
        self.d_steps.setToolTip("D updates per round: more makes D overpower G")
        self.fps_cap, self.steps_per_frame = _spin(1, 60, 30), _spin(1, 50, 1)
        self.fps_cap.setToolTip("Slow motion: at most this many pictures a second")
        self.steps_per_frame.setToolTip("Rounds of D and G steps between pictures (more = faster training)")
        self.run_button = QPushButton("Run")
        self.run_button.setCheckable(True)
        self.step_d_button, self.step_g_button = QPushButton("Step D"), QPushButton("Step G")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("New networks on the chosen data")
        self.show_field, self.show_arrows, self.show_mesh = (_check("D field"), _check("G gradient"),
                                                             _check("Latent mesh"))
        self.readout = QLabel("Building the networks...")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        legend = QLabel(LEGEND)
        legend.setWordWrap(True)
        self.plot.setMinimumSize(320, 320)
        self.setLayout(self._arrange(legend))

    def _arrange(self, legend: QLabel) -> QHBoxLayout:
        form = QFormLayout()
        form.addRow("Data", self.dataset)
        form.addRow("Loss", self.loss)
        form.addRow("D steps", self.d_steps)
        form.addRow("G steps", self.g_steps)
        form.addRow("Frames/s at most", self.fps_cap)
        form.addRow("Steps per frame", self.steps_per_frame)
        steps = QHBoxLayout()
        steps.addWidget(self.step_d_button)
        steps.addWidget(self.step_g_button)
        layers = QHBoxLayout()
        for box in (self.show_field, self.show_arrows, self.show_mesh):
            layers.addWidget(box)
        side = QVBoxLayout()
        side.addLayout(form)
        for row in (self.run_button, steps, self.reset_button, layers, self.readout, legend):
            (side.addLayout if isinstance(row, QHBoxLayout) else side.addWidget)(row)
        side.addStretch(1)
        panel = QWidget()
        panel.setLayout(side)
        panel.setFixedWidth(300)
        outer = QHBoxLayout()
        outer.addWidget(panel)
        outer.addWidget(self.plot, 1)
        return outer

    def _connect(self) -> None:
        connect_signals(self.runner, frame_ready=self._on_frame_ready, failed=self._on_failed,
                        running_changed=self._on_running_changed)
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.loss.currentTextChanged.connect(self.runner.set_loss)
        for spin, slot in ((self.d_steps, self._on_ratio_changed), (self.g_steps, self._on_ratio_changed),
                           (self.fps_cap, self._on_speed_changed), (self.steps_per_frame, self._on_speed_changed)):
            spin.valueChanged.connect(slot)
        self.run_button.toggled.connect(self.runner.set_running)
        for button, slot in ((self.reset_button, self._on_dataset_changed), (self.step_d_button, self.runner.step_d),
                             (self.step_g_button, self.runner.step_g)):
            button.clicked.connect(slot)
        for box in (self.show_field, self.show_arrows, self.show_mesh):
            box.toggled.connect(self._on_layers_toggled)

    # --- public ---
    def set_running(self, running: bool) -> None:
        self.run_button.setChecked(running)

    def shutdown(self) -> None:
        """Stop the playground thread (the window calls this when it closes)."""
        self._draw_timer.stop()
        self.runner.shutdown()

    def prepare_for_tour(self) -> None:
        """The tour shows a few hundred steps of training rather than the untrained start."""
        self.steps_per_frame.setValue(50)
        self.set_running(True)

    def tour_ready(self) -> bool:
        ready = self.last_frame is not None and self.last_frame.step_g >= 400
        if ready:
            self.set_running(False)
        return ready

    # --- slots ---
    @Slot()
    def _on_dataset_changed(self, *_) -> None:
        name = self.dataset.currentData()
        self._modes = _mode_centres(name)
        self.runner.start(name, self.loss.currentText(), self.d_steps.value(), self.g_steps.value())

    @Slot()
    def _on_ratio_changed(self, *_) -> None:
        self.runner.set_ratio(self.d_steps.value(), self.g_steps.value())

    @Slot()
    def _on_speed_changed(self, *_) -> None:
        # Plain attribute writes: the worker reads them before each frame.
        self.runner.speed.max_fps = float(self.fps_cap.value())
        self.runner.speed.steps_per_frame = self.steps_per_frame.value()

    @Slot()
    def _on_layers_toggled(self, *_) -> None:
        self.plot.show_layers(self.show_field.isChecked(), self.show_arrows.isChecked(),
                              self.show_mesh.isChecked())

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.run_button.setText("Pause" if running else "Run")
        self.step_d_button.setEnabled(not running)
        self.step_g_button.setEnabled(not running)

    @Slot(object)
    def _on_frame_ready(self, frame) -> None:
        self._pending = frame
        if not self._draw_timer.isActive():
            self._draw_timer.start()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.set_running(False)
        self.readout.setText(f"<b>Stopped:</b> {html.escape(message)}")

    def _draw_pending(self) -> None:
        frame, self._pending = self._pending, None
        if frame is None:
            return
        self.plot.draw(frame)
        self.last_frame = frame
        now = time.monotonic()
        if now - self._readout_at >= READOUT_EVERY_S or not self.runner.is_running:
            self._readout_at = now
            self.readout.setText(self._readout(frame))

    def _readout(self, frame) -> str:
        losses = " &nbsp; ".join(f"{k.replace('loss_', 'loss ')} {v:.3f}" for k, v in sorted(frame.losses.items()))
        text = f"<b>D steps</b> {frame.step_d} &nbsp; <b>G steps</b> {frame.step_g}<br>{losses or 'no steps yet'}"
        if self._modes is not None:
            from gan_backend.metrics.modes import mode_coverage

            cover = mode_coverage(frame.fake, *self._modes)
            text += (f"<br><b>Modes covered</b> {cover['modes_covered']}/{cover['modes_total']} &nbsp; "
                     f"<b>High quality</b> {cover['high_quality']:.0%}")
        return text


def _mode_centres(dataset: str):
    from gan_backend.metrics.modes import MODES

    if dataset not in MODES:
        return None
    means, std = MODES[dataset]
    return means(), std


def _spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    return box


def _check(text: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setChecked(True)
    return box
