"""ProjectPanel: the explorer's tab that finds the latent of your own picture (GAN inversion) and hands it to the
other tabs: the explored sample for z models, a latent of the Style tab for style-based ones."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from studio.views.explore_files import ask_latent_path, run_folder
from studio.views.explore_paths import PREVIEW, preview_label
from studio.widgets.qimage import to_pixmap
from studio.workers.projection_jobs import ProjectionJob, ProjectionRunner

LOSSES = (("pixels+ssim", "Pixels + MS-SSIM: colour and structure (the default)"),
          ("pixels", "Mean squared error only: the plain fit"),
          ("pixels+ssim+d", "Also the run's discriminator's features: textures, as far as D has learnt them"))
PICTURES = "Pictures (*.png *.jpg *.jpeg *.bmp *.webp *.gif *.tif *.tiff);;All files (*)"


class ProjectPanel(QWidget):
    """Open or drop a picture, project it, use the latent; saves and loads latents as JSON.

    Signals:
        latent_ready(object): a projected or loaded latent reached the explorer (its ``ProjectedLatent``)
    """

    latent_ready = Signal(object)

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.picture: np.ndarray | None = None  # uint8 [H, W, 3], the target
        self.name = ""  # the target's file name
        self.result = None  # the last ProjectedLatent
        self.runner = ProjectionRunner(self)
        self.runner.reported.connect(self._on_reported)
        self.runner.projected.connect(self._on_projected)
        self.runner.failed.connect(lambda message: self.set_message(f"Projection failed: {message}", error=True))
        self.runner.running_changed.connect(self._on_running_changed)
        self.setAcceptDrops(True)
        self._build()

    def _build(self) -> None:
        open_button = QPushButton("Open picture...", toolTip="A picture to find in the generator's latent space "
                                                             "(or drop one here)")
        open_button.clicked.connect(self.open_dialog)
        self.file_label = QLabel("No picture yet: open or drop one.")
        self.space = QComboBox(toolTip="W+: one w per layer (fits best); W: one w for all layers; z: the input")
        self.steps = QSpinBox(minimum=1, maximum=5000, value=300, singleStep=50, keyboardTracking=False,
                              toolTip="Optimisation steps (Adam)")
        self.loss = QComboBox()
        for i, (name, tip) in enumerate(LOSSES):
            self.loss.addItem(name)
            self.loss.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.start_button = QPushButton("Start", enabled=False)
        self.stop_button = QPushButton("Stop", enabled=False, toolTip="End at the next step; the latent so far is kept")
        self.start_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(self.stop)
        self.target_view = preview_label("The picture to project, as the generator sees it")
        self.fit_view = preview_label("What the latent draws now")
        self.progress = QLabel()
        self.message = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        save, load = QPushButton("Save latent..."), QPushButton("Load latent...")
        save.clicked.connect(self.save_dialog)
        load.clicked.connect(self.load_dialog)
        top = QHBoxLayout()
        top.addWidget(open_button)
        top.addWidget(self.file_label, 1)
        pictures = QHBoxLayout()
        for title, view in (("Target", self.target_view), ("Reconstruction", self.fit_view)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(view)
            pictures.addLayout(column)
        pictures.addStretch(1)
        buttons = QHBoxLayout()
        for w in (self.start_button, self.stop_button, save, load):
            buttons.addWidget(w)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        settings = QHBoxLayout()
        for text, w in (("Space", self.space), ("Steps", self.steps), ("Loss", self.loss)):
            settings.addWidget(QLabel(text))
            settings.addWidget(w)
        settings.addStretch(1)
        layout.addLayout(settings)
        layout.addLayout(buttons)
        layout.addLayout(pictures)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def model_changed(self, info) -> None:
        """The spaces this model has: W+ and W for style-based models, z otherwise."""
        self.space.clear()
        self.space.addItems(["W+", "W"] if info.style else ["z"])
        self.result = None
        self._on_running_changed(self.runner.running)

    # --- the picture ---
    def open_picture(self, path: str) -> bool:
        """Make the picture at ``path`` the target; a file that is no picture says so in one line."""
        from gan_backend.translator import read_picture

        try:
            picture = read_picture(Path(path))
        except (OSError, ValueError) as exc:
            self.set_message(_one_line(exc, path), error=True)
            return False
        self.picture, self.name = np.ascontiguousarray(picture), Path(path).stem
        self.file_label.setText(str(path))
        self.target_view.setPixmap(to_pixmap(self.picture, PREVIEW - 4))
        self.fit_view.clear()
        self.progress.setText("")
        self.set_message("")
        self._on_running_changed(self.runner.running)
        return True

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Picture to project", str(Path.home()), PICTURES)
        if path:
            self.open_picture(path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_picture(urls[0].toLocalFile())
            event.acceptProposedAction()

    # --- projecting ---
    def start(self, steps: int | None = None) -> None:
        info = self.ctx.state.info
        if info is None or self.picture is None:
            return
        space = self.space.currentText().lower()
        job = ProjectionJob(info.checkpoint, info.run, self.picture, space, self.loss.currentText(),
                            steps or self.steps.value(), self.ctx.state.current_label())
        self.set_message("")
        self.progress.setText("Loading the generator...")
        self.runner.start(job)

    def stop(self) -> None:
        self.runner.stop()

    def shutdown(self) -> None:
        self.runner.shutdown()

    def _on_reported(self, report) -> None:
        self.fit_view.setPixmap(to_pixmap(_rgb(report.picture), PREVIEW - 4))
        self.progress.setText(f"Step {report.step}  ·  PSNR {report.psnr:.2f} dB  ·  loss {report.loss:.4f}  ·  "
                              f"{report.seconds:.1f} s")

    def _on_projected(self, latent) -> None:
        self.result = latent
        self.deliver(latent, self.name or "picture")
        self.set_message(f"Projected {self.name} into {latent.space.upper()} in {latent.steps} steps "
                         f"(PSNR {latent.psnr:.2f} dB).")

    def _on_running_changed(self, running: bool) -> None:
        self.start_button.setEnabled(not running and self.picture is not None and self.ctx.state.info is not None)
        self.stop_button.setEnabled(running)

    def deliver(self, latent, name: str) -> None:
        """Hand a latent to the explorer: the explored sample (z), or a latent of the Style tab (W, W+)."""
        self.ctx.use_projected(latent, f"projected {name}")
        self.latent_ready.emit(latent)

    # --- latent files ---
    def save_latent(self, path: str) -> None:
        try:
            self.result.save(path)
        except OSError as exc:
            self.set_message(_one_line(exc, path), error=True)
            return
        self.set_message(f"Saved the latent to {path}")

    def load_latent(self, path: str) -> bool:
        """A latent file saved here (or by ``gan-studio project``); one that does not fit says so in one line."""
        from gan_backend.projection import load_projected

        try:
            latent = load_projected(path)
        except ValueError as exc:
            self.set_message(_one_line(exc, path), error=True)
            return False
        problem = latent_problem(latent, self.ctx.state.info)
        if problem:
            self.set_message(f"{Path(path).name}: {problem}", error=True)
            return False
        self.result = latent
        self.deliver(latent, Path(path).stem)
        self.set_message(f"Loaded {Path(path).name}")
        return True

    def save_dialog(self) -> None:
        if self.result is None:
            self.set_message("Project a picture first: there is no latent to save.", error=True)
            return
        path = ask_latent_path(self, self._folder(), f"{self.name or 'projected'}.json")
        if path:
            self.save_latent(path)

    def load_dialog(self) -> None:
        path = ask_latent_path(self, self._folder())
        if path:
            self.load_latent(path)

    def _folder(self) -> Path:
        return run_folder(self.ctx.state.info.run) if self.ctx.state.info else Path.home()

    def set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("QLabel { color: #b3261e; }" if error else "")


def latent_problem(latent, info) -> str:
    """Why a ProjectedLatent does not fit the model ("" when it does)."""
    n = latent.vector.numel()
    if latent.space == "z" or not info.style:
        if latent.space != "z":
            return f"a {latent.space.upper()} latent of a style-based run; {info.model} takes z"
        return "" if n == info.latent_dim else f"{n} values; this model's latent size is {info.latent_dim}"
    want = info.w_dim if latent.space == "w" else info.num_ws * info.w_dim
    if n != want or (latent.space == "w+" and latent.num_ws != info.num_ws):
        return f"{latent.num_ws} styles of {n // max(1, latent.num_ws)} values; this run takes {info.num_ws} of " \
               f"{info.w_dim}"
    return ""


def _one_line(exc: Exception, path: str) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if str(path) in text else f"{path}: {text}"


def _rgb(picture: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(picture, 3, axis=-1) if picture.shape[-1] == 1 else picture)
