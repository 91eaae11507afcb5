"""The SinGAN view's "Train" tab: the picture to learn, the maximum size and time budget, Train / Stop /
Resume, and the current scale's samples as they arrive (the picture, its reconstruction, four random draws)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSplitter, QWidget

from studio.views.singan_modes import spin, stack, titled_column
from studio.widgets.image_canvas import ImageCanvas

DEFAULT_MINUTES = 15.0  # what the issue asks a CPU to manage at 160 px
ITERS_PER_SCALE = 2000  # the paper's (gan_backend.singan.ITERS_PER_SCALE); the time budget usually ends a scale first
PROGRESS_STEPS = 1000  # the progress bar's resolution within a scale


class ScaleProgress(QProgressBar):
    """How far the current scale is ("Scale 3 of 6: 42%"), from the reports' ``scale_progress`` and ``scales``."""

    def __init__(self, parent=None):
        super().__init__(parent, visible=False, minimumWidth=280, textVisible=True)
        self.setRange(0, PROGRESS_STEPS)
        self.scale_text = ""  # "Scale 3 of 6", "" before the first report

    def start(self) -> None:
        self.setVisible(True)
        self.setValue(0)
        self.setFormat("Starting...")

    def show_report(self, report, minutes: float) -> None:
        scales = int(report.extras.get("scales", 0))
        if not scales:
            return
        at = float(report.extras.get("scale_progress", 0.0))  # the scale index plus the share of it done
        scale = min(int(at), scales - 1)
        self.scale_text = f"Scale {scale + 1} of {scales}"
        self.setValue(round(min(1.0, at - scale) * PROGRESS_STEPS))
        self.setFormat(f"{self.scale_text}: %p%")
        budget = f" of {minutes:g} min" if minutes else ""
        self.setToolTip(f"Step {report.step:,}, {report.wall_time / 60:.1f} min{budget}; "
                        f"{100 * at / scales:.0f}% of the whole pyramid")

    def finish(self) -> None:
        self.setValue(PROGRESS_STEPS)
        self.setFormat("Trained: all scales")


class TrainPanel(QWidget):
    """Edits the training settings; the view does the work.

    Signals:
        open_requested(): "Open picture..." was pressed
        train_requested(), stop_requested(), resume_requested()
        max_side_changed(int): the picture is read again at this size
    """

    open_requested = Signal()
    train_requested = Signal()
    stop_requested = Signal()
    resume_requested = Signal()
    max_side_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.side_touched = False  # the user chose a maximum side: the device's default no longer replaces it
        self.open_button = QPushButton("Open picture...", toolTip="The one picture to learn (or drop it on the view)")
        self.open_button.clicked.connect(self.open_requested)
        self.max_side = spin(25, 1024, 160, "Longest side the picture is learnt at: a larger one has more scales, "
                             "more detail and trains longer (160 px suits a CPU, 250 a GPU)", " px")
        self.max_side.valueChanged.connect(self._on_side_changed)
        self.minutes = QDoubleSpinBox(toolTip="Time budget, shared out over the scales (0: no limit, each scale "
                                      "trains its iterations)", suffix=" min", decimals=1, keyboardTracking=False)
        self.minutes.setRange(0, 24 * 60)
        self.minutes.setValue(DEFAULT_MINUTES)
        self.iters = spin(1, 100_000, ITERS_PER_SCALE, "Most iterations per scale; the time budget usually ends a "
                          "scale first (the paper trains 2000)")
        self.train_button = QPushButton("Train", enabled=False, toolTip="Learn the picture: a pyramid of small GANs, "
                                        "coarsest scale first")
        self.stop_button = QPushButton("Stop", enabled=False, toolTip="Stop and save; Resume continues at the "
                                       "same scale")
        self.resume_button = QPushButton("Resume", enabled=False, toolTip="Continue the stopped run where it stopped")
        self.train_button.clicked.connect(self.train_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        row = QHBoxLayout()
        for w in (self.open_button, QLabel("   Maximum side"), self.max_side, QLabel("   Time budget"), self.minutes,
                  QLabel("   At most"), self.iters, QLabel("iterations per scale")):
            row.addWidget(w)
        row.addStretch(1)
        for w in (self.train_button, self.stop_button, self.resume_button):
            row.addWidget(w)
        self.picture_view, self.samples_view = ImageCanvas(), ImageCanvas()
        self.picture_view.set_placeholder("Drop a picture here or open one: SinGAN learns that one picture")
        self.samples_view.set_placeholder("While it trains, each scale's samples appear here")
        self.picture_caption = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.samples_caption = QLabel(wordWrap=True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
        for title, canvas, caption in (("Picture to learn", self.picture_view, self.picture_caption),
                                       ("Samples at the current scale", self.samples_view, self.samples_caption)):
            for w in (canvas, canvas.viewport()):
                w.setAcceptDrops(False)  # drops go to the view
            self.splitter.addWidget(titled_column(title, canvas, caption))
        stack(self, row, self.splitter)

    def set_picture(self, picture: np.ndarray | None, caption: str) -> None:
        self.picture_view.set_image(picture)
        self.picture_caption.setText(caption)

    def set_samples(self, grid: np.ndarray | None, caption: str) -> None:
        self.samples_view.set_image(grid)
        self.samples_caption.setText(caption)

    def set_running(self, running: bool, can_train: bool, can_resume: bool) -> None:
        """Settings are fixed while a run trains; Train needs a picture, Resume a stopped run."""
        for w in (self.open_button, self.max_side, self.minutes, self.iters):
            w.setEnabled(not running)
        self.train_button.setEnabled(can_train and not running)
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(can_resume and not running)

    def set_default_side(self, side: int) -> None:
        """The device's default maximum side, unless the user chose one."""
        if not self.side_touched and side != self.max_side.value():
            self.max_side.blockSignals(True)
            self.max_side.setValue(side)
            self.max_side.blockSignals(False)
            self.max_side_changed.emit(side)

    def _on_side_changed(self, side: int) -> None:
        self.side_touched = True
        self.max_side_changed.emit(side)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        half = max(1, self.splitter.width() // 2)
        if abs(self.splitter.sizes()[0] - half) > half // 2:
            self.splitter.setSizes([half, half])
