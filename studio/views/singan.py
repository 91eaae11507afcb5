"""SinGANView: learn one picture, then draw with it (Shaham et al. 2019, "SinGAN").

The "Train" tab takes one dropped or opened picture, a maximum side and a time budget; training runs in the
engine's loop on a :class:`~studio.workers.training.TrainingRunner` (the same worker as every run), with a
per-scale progress bar and the current scale's samples live. Stop (or closing the window) saves, and Resume
continues mid-pyramid. Once a pyramid is loaded (the one just trained, any SinGAN run, or the shipped example
at first show) the mode tabs draw with it: Random, Paint to picture, Harmonise, Edit and Animate. Pictures are
read and drawn on worker threads, the newest request of each mode winning.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QToolBar, QWidget

from gan_backend.errors import first_line
from studio.views.singan_modes import AnimatePanel, ModePanel, RandomPanel, ask_picture, stack
from studio.views.singan_paint import PaintPanel
from studio.views.singan_region import RegionPanel
from studio.views.singan_train import ScaleProgress, TrainPanel
from studio.widgets.run_picker import PickerKind, RunPicker
from studio.workers import TrainingRunner
from studio.workers import singan_jobs as jobs
from studio.workspaces import WorkspaceHooks

MODELS = PickerKind(
    shipped=jobs.SHIPPED, shipped_title="Shipped example (SinGAN)", models=("singan",),
    settings_key="singan/models", dialog_title="Open a SinGAN run",
    tip="The pyramid that draws: the shipped example, a SinGAN run you trained, or another run folder")


class SinGANView(WorkspaceHooks, QWidget):
    """The "SinGAN" workspace.

    Signals:
        model_changed(str): a pyramid finished loading (its source)
        picture_read(object): the picture to train on was read (a ``PictureInfo``)
        drawn(object): a mode's drawing is on screen (a ``Drawing``)
        training_ended(object): the run's ``RunEnded``
    """

    model_changed = Signal(str)
    picture_read = Signal(object)
    drawn = Signal(object)
    training_ended = Signal(object)

    # The view's state as it starts (immutable defaults; the instance sets its own as things happen).
    loaded: jobs.LoadedSinGAN | None = None
    loading = ""  # the source being loaded, "" when none
    picture_path: Path | None = None
    picture_info: jobs.PictureInfo | None = None
    error = ""  # the last failure, shown in red until the next action
    notice = ""  # the last thing worth saying (a picture's notes, a save)
    run_dir = ""  # of the run training now or last
    resume_dir = ""  # a stopped or unfinished run that Resume continues
    run_root = ""  # where new runs go ("": runs/ in the working folder)

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.train_overrides: dict = {}  # further run settings, e.g. {"model.width": 8} (tests, experiments)
        self.files = jobs.CallbackJobs("singan-files", parent=self)
        self.renderer = jobs.CallbackJobs("singan-renderer", parent=self)
        self.runner = TrainingRunner(self)
        self._build()
        self._connect()
        self.setAcceptDrops(True)
        self.files.submit("defaults", jobs.default_max_side, self.train_panel.set_default_side)
        self.load_model(self.picker.current)

    # --- layout ---
    def _build(self) -> None:
        self.picker = RunPicker(MODELS)
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(QLabel("Model "))
        bar.addWidget(self.picker)
        open_run = QAction("Open run...", self, toolTip="Load any SinGAN run directory (or checkpoint folder)")
        open_run.triggered.connect(lambda _=False: self.picker.choose_folder())
        bar.addAction(open_run)
        self.model_caption = QLabel()
        bar.addWidget(self.model_caption)
        self.train_panel = TrainPanel()
        self.random, self.paint = RandomPanel(), PaintPanel()
        self.harmonise, self.edit, self.animate = RegionPanel("harmonise"), RegionPanel("edit"), AnimatePanel()
        self.panels: list[ModePanel] = [self.random, self.paint, self.harmonise, self.edit, self.animate]
        self.modes = QTabWidget(documentMode=True)
        self.modes.addTab(self.train_panel, "Train")
        tabs = (("Random", "New pictures at any width \u00d7 height, from a seed and a start scale"),
                ("Paint to picture", "Paint colour blobs; SinGAN turns them into a picture like the original"),
                ("Harmonise", "Paste another picture or a region; SinGAN blends it into the picture"),
                ("Edit", "Move or copy a region of the picture; SinGAN redraws it to fit"),
                ("Animate", "A random walk in the coarsest noise, played here and exported as a GIF"))
        for panel, (title, tip) in zip(self.panels, tabs):
            panel.files = self.files
            index = self.modes.addTab(panel, title)
            self.modes.setTabToolTip(index, tip)
            self.modes.setTabEnabled(index, False)
        self.hint = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.progress = ScaleProgress()
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.progress)
        stack(self, bar, self.modes, bottom, stretch=1, margins=4)

    def _connect(self) -> None:
        self.picker.model_requested.connect(self.load_model)
        self.files.failed.connect(self._on_file_failed)
        self.files.busy_changed.connect(lambda _: self._update_hint())
        self.renderer.failed.connect(self._on_draw_failed)
        self.renderer.busy_changed.connect(lambda _: self._update_hint())
        self.modes.currentChanged.connect(self._on_mode_changed)
        for panel in self.panels:
            panel.requested.connect(partial(self.request, panel))
            panel.message.connect(self.say)
        t = self.train_panel
        t.open_requested.connect(self.choose_picture)
        t.max_side_changed.connect(lambda _: self.set_picture(self.picture_path) if self.picture_path else None)
        t.train_requested.connect(self.start_training)
        t.stop_requested.connect(self.runner.stop)
        t.resume_requested.connect(self.resume_training)
        r = self.runner
        r.run_started.connect(self._on_run_started)
        r.report_ready.connect(self._on_report)
        r.sample_ready.connect(self._on_sample)
        r.run_ended.connect(self._on_run_ended)
        r.failed.connect(self._on_training_failed)
        r.running_changed.connect(lambda _: self._update_buttons())

    # --- the pyramid ---
    def load_model(self, source: str) -> None:
        """Load ``source`` ("singan", a run directory or a checkpoint) on the worker."""
        self.loading, self.error = str(source), ""
        self.files.submit("model", partial(jobs.load, str(source)), self._on_loaded, drop_running=True)
        self._update_hint()

    def _on_loaded(self, loaded: jobs.LoadedSinGAN) -> None:
        self.loading = ""
        self.renderer.cancel()
        self.loaded = loaded
        self.picker.set_current(loaded.source, loaded.title, loaded.details)
        self.model_caption.setText(f"  {loaded.size[0]} \u00d7 {loaded.size[1]} px, {loaded.scales} scales")
        for index, panel in enumerate(self.panels, start=1):
            panel.set_model(loaded)
            needs_two = panel.channel in ("paint", "harmonise", "edit")
            self.modes.setTabEnabled(index, loaded.scales >= 2 or not needs_two)
        if not self.runner.is_running and loaded.run_dir != self.run_dir:
            self.progress.setVisible(False)  # it showed another run
        if self.modes.currentIndex() == 0 and not self.runner.is_running:
            self.modes.setCurrentWidget(self.random)
        self.notice = f"Loaded {loaded.details}"
        if not loaded.finished:
            self.resume_dir = loaded.run_dir
            self.notice += ": its finer scales are untrained; Resume (Train tab) finishes it"
        self._request_current()
        self._update_buttons()
        self.model_changed.emit(loaded.source)

    def request(self, panel: ModePanel) -> None:
        """Draw ``panel``'s inputs as they are now (its newest request wins); a hidden tab draws when shown."""
        if panel is not self.modes.currentWidget():
            panel.stale = True
            return
        fn = panel.job()
        if fn is None:
            return
        panel.stale, self.error = False, ""
        self.renderer.submit(panel.channel, fn, partial(self._on_drawn, panel))
        self._update_hint()

    def _request_current(self) -> None:
        panel = self.modes.currentWidget()
        if isinstance(panel, ModePanel) and panel.stale:
            self.request(panel)

    def _on_drawn(self, panel: ModePanel, drawing: jobs.Drawing) -> None:
        if self.loaded is None or drawing.model is not self.loaded.model:
            return  # drawn by the previous pyramid
        panel.show_drawing(drawing)
        self._update_hint()
        self.drawn.emit(drawing)

    @Slot(int)
    def _on_mode_changed(self, _index: int) -> None:
        if not self.error:
            self.notice = ""  # what another tab said
        self._request_current()

    # --- the picture to learn ---
    def choose_picture(self) -> None:
        path = ask_picture(self, "Open the picture to learn")
        if path:
            self.set_picture(path)

    def set_picture(self, path: Path) -> None:
        """Read ``path`` as training would (converted, downscaled, or refused with a reason) on the worker."""
        self.picture_path, self.error = Path(path), ""
        self.modes.setCurrentWidget(self.train_panel)
        side = self.train_panel.max_side.value()
        self.files.submit("picture", partial(jobs.read_picture, Path(path), side), self._on_picture_read,
                          drop_running=True)
        self._update_hint()

    def _on_picture_read(self, info: jobs.PictureInfo) -> None:
        if info.path != self.picture_path:
            return
        self.picture_info = info
        h, w = info.picture.shape[:2]
        notes = "".join(f"<br>{note}" for note in info.notes)
        self.train_panel.set_picture(info.picture, f"<b>{info.path.name}</b> &nbsp; learnt at {w} \u00d7 {h}{notes}")
        self.notice = info.notes[0] if info.notes else f"{info.path.name}: {w} \u00d7 {h}, ready to train"
        self._update_buttons()
        self._update_hint()
        self.picture_read.emit(info)

    # --- training ---
    def start_training(self) -> None:
        """Build the run's config on the worker (it reads the picture again), then train it."""
        if self.picture_info is None or self.runner.is_running:
            return
        t = self.train_panel
        self.error = ""
        self.files.submit("train", partial(jobs.train_config, self.picture_info.path, t.max_side.value(),
                                           t.minutes.value(), t.iters.value(), self.run_root,
                                           dict(self.train_overrides)), self._on_config_ready, drop_running=True)
        self.train_panel.train_button.setEnabled(False)

    def _on_config_ready(self, cfg) -> None:
        if not self.runner.is_running:
            self.runner.start(cfg)

    def resume_training(self) -> None:
        if self.resume_dir and not self.runner.is_running:
            self.error = ""
            self.runner.start(resume_dir=self.resume_dir)

    def _on_run_started(self, info) -> None:
        self.run_dir, self.resume_dir = info.run_dir, ""
        self.modes.setCurrentWidget(self.train_panel)
        self.progress.start()
        self.notice = f"Training into {info.run_dir}" + (f" from step {info.step}" if info.step else "")
        self._update_hint()

    def _on_report(self, report) -> None:
        self.progress.show_report(report, self.train_panel.minutes.value())

    def _on_sample(self, sample) -> None:
        self.train_panel.set_samples(sample.grid, f"Step {sample.step:,}: the picture at the current scale, its "
                                     f"reconstruction, and four random draws")

    def _on_run_ended(self, ended) -> None:
        self.training_ended.emit(ended)
        if ended.reason == "done":
            self.progress.finish()
            self.load_model(self.run_dir)
        elif ended.reason == "stopped":
            self.resume_dir = self.run_dir
            self.notice = f"Stopped and saved at step {ended.step:,} ({self.progress.scale_text.lower()}); Resume " \
                          f"continues there"
        else:
            self.error = f"Training ended: {ended.message}"
        self._update_buttons()
        self._update_hint()

    def _on_training_failed(self, message: str, run_dir: str) -> None:
        self.error = f"Cannot train: {message}"
        self.progress.setVisible(False)
        self._update_hint()

    def _update_buttons(self) -> None:
        self.train_panel.set_running(self.runner.is_running, self.picture_info is not None, bool(self.resume_dir))

    # --- failures and the status line ---
    def _on_file_failed(self, channel: str, exc: Exception) -> None:
        message = first_line(exc)
        if channel == "model":
            source, self.loading = self.loading, ""
            self.picker.revert()
            if source == jobs.SHIPPED and self.loaded is None:
                self.picker.setItemText(self.picker.findData(jobs.SHIPPED), "Shipped example (not installed)")
                self.notice = "No shipped example in this install yet: drop a picture and press Train, or open a " \
                              "SinGAN run"
                self.hint.setToolTip(message)
            else:
                self.error = f"Cannot open {source}: {message}" if source not in message else message
        elif channel == "picture":
            self.picture_info = None
            self.train_panel.set_picture(None, "")
            self.error = f"Cannot learn this picture: {message}"
            self._update_buttons()
        elif channel == "train":
            self.error = f"Cannot train: {message}"
            self._update_buttons()
        elif channel != "defaults":
            self.error = f"Cannot open it: {message}"
        self._update_hint()

    def _on_draw_failed(self, channel: str, exc: Exception) -> None:
        self.error = f"Cannot draw: {first_line(exc)}"
        self._update_hint()

    @Slot(str, bool)
    def say(self, text: str, is_error: bool = False) -> None:
        """A line on the status (red for an error), also in the window's status bar."""
        self.error, self.notice = (text, self.notice) if is_error else ("", text)
        self._update_hint()
        if self.window_ref is not None and hasattr(self.window_ref, "statusBar"):
            self.window_ref.statusBar().showMessage(text, 10_000)

    def _update_hint(self) -> None:
        if self.error:
            text, colour = self.error, "#c0392b"
        elif self.loading:
            text, colour = f"Loading {self.loading}...", "#e69500"
        elif self.renderer.busy or self.files.pending("picture") or self.files.pending("train"):
            text, colour = "Working...", "#e69500"
        elif self.notice:
            text, colour = self.notice, "#2a9a3a" if self.loaded or self.picture_info else "#e69500"
        elif self.loaded is not None:
            text, colour = f"Drawing with {self.loaded.details}", "#2a9a3a"
        else:
            text, colour = "Drop a picture to learn, or open a SinGAN run", "#e69500"
        self.hint.setText(f'<span style="color:{colour}">&#9679;</span> {text}')

    # --- drops ---
    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()) or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """A folder or checkpoint opens a run; a picture is pasted (Harmonise), painted (Paint) or learnt."""
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        current = self.modes.currentWidget()
        if paths and (paths[0].is_dir() or paths[0].suffix == ".pt"):
            self.load_model(str(paths[0]))
        elif paths and current is self.harmonise and self.loaded:
            self.harmonise.open_paste(paths[0])
        elif paths and current is self.paint and self.loaded:
            self.paint.open_painting(paths[0])
        elif paths:
            self.set_picture(paths[0])
        elif event.mimeData().hasImage() and current is self.harmonise and self.loaded:
            from studio.views.singan_region import qimage_rgba

            self.harmonise.paste_picture(qimage_rgba(event.mimeData().imageData()))
        event.acceptProposedAction()

    # --- tour, closing ---
    def prepare_for_tour(self) -> None:
        if self.loaded is not None:
            self.modes.setCurrentWidget(self.random)
            self.random.set_size(self.loaded.size[0] * 2, self.loaded.size[1])

    def tour_ready(self) -> bool:
        if self.loading or not self.files.is_idle():
            return False
        return self.loaded is None or (self.random.drawing is not None and self.renderer.is_idle())

    def shutdown(self) -> None:
        """Stop training (it saves, so Resume continues mid-pyramid), then the workers."""
        self.animate.timer.stop()
        self.runner.shutdown()
        self.renderer.shutdown()
        self.files.shutdown()
