"""TranslateView: drop, open or paste a picture and see it translated (day -> night, or any CycleGAN / pix2pix run).

Input and output sit side by side, at the model's resolution or tiled at the picture's full size.
Translation runs on a worker thread (newest request wins: changing the direction mid-translation
drops the old result); a folder is translated in batch on another thread with a progress bar and a
cancel button that stops after the current picture. On first show the shipped translator loads and
translates an example scene, so the view works on first launch.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QSplitter, QToolBar, QVBoxLayout, QWidget)

from gan_backend.errors import first_line
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.qimage import from_qimage
from studio.widgets.run_picker import PickerKind, RunPicker
from studio.workers import BackgroundCall
from studio.workers import translate_jobs as jobs
from studio.workspaces import WorkspaceHooks

TRANSLATORS = PickerKind(
    shipped=jobs.SHIPPED, shipped_title="Shipped translator (CycleGAN, day \u2194 night)",
    models=("cyclegan", "pix2pix"), settings_key="translate/models", dialog_title="Open a CycleGAN or pix2pix run",
    tip="What translates: the shipped day/night CycleGAN or a CycleGAN / picture-to-picture pix2pix run you trained")
PICTURE_FILTER = "Pictures (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
FIRST_EXAMPLE = 4  # the example scene a first launch shows: lake, hills and trees


class TranslateView(WorkspaceHooks, QWidget):
    """The "Translate" workspace.

    Signals:
        translated(object): a Translation is on screen
        model_changed(str): a translator finished loading ("translator" or a run directory)
        batch_finished(int, int, bool): translated, failed, cancelled
    """

    translated = Signal(object)
    model_changed = Signal(str)
    batch_finished = Signal(int, int, bool)

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.model: jobs.LoadedTranslator | None = None
        self.loading = ""  # the source being loaded, "" when none
        self.source: Path | np.ndarray | jobs.ExampleScene | None = None  # what is being translated
        self.source_name = ""
        self.result: jobs.Translation | None = None  # on screen
        self.error = ""  # why the last request failed
        self.batch_errors: list[str] = []
        self.batch_out: Path | None = None
        self.last_status = ""
        self.loader = BackgroundCall("translate-model-loader", self)
        self.worker = BackgroundCall("translate-worker", self)
        self.batch = jobs.BatchTranslator(self)
        self._build()
        self.setAcceptDrops(True)
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self.worker.finished.connect(self._on_translated)
        self.worker.failed.connect(self._on_failed)
        self.worker.busy_changed.connect(lambda _: self._update_hint())
        self.batch.progress.connect(self._on_batch_progress)
        self.batch.finished.connect(self._on_batch_finished)
        self.picker.model_requested.connect(self.load_model)
        self.load_model(self.picker.current)

    # --- layout ---
    def _build(self) -> None:
        self.picker = RunPicker(TRANSLATORS)
        self.direction = QComboBox(toolTip="Which way to translate: A to B or back (CycleGAN learns both)")
        self.direction.setMinimumContentsLength(14)
        self.direction.activated.connect(lambda _: self.request())
        self.full_res = QCheckBox("Full resolution", toolTip="Translate at the picture's own size in overlapping "
                                  "tiles (slower); off: at the model's resolution, as it was trained")
        self.full_res.toggled.connect(lambda _: self.request())
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(QLabel("Model "))
        bar.addWidget(self.picker)
        bar.addWidget(QLabel("  Direction "))
        bar.addWidget(self.direction)
        bar.addWidget(QLabel("  "))
        bar.addWidget(self.full_res)
        bar.addSeparator()
        self._action(bar, "Open picture...", self.choose_picture, "Open a picture to translate (or drop one here)")
        self._action(bar, "Paste", self.paste, "Translate the picture on the clipboard (Ctrl+V)",
                     QKeySequence.StandardKey.Paste)
        self._action(bar, "Example", self.example, "A new procedural landscape to translate")
        self.save_action = self._action(bar, "Save output...", self.choose_save, "Save the translation as a PNG")
        self.save_action.setEnabled(False)
        bar.addSeparator()
        self.folder_action = self._action(bar, "Translate folder...", self.choose_folder,
                                          "Translate every picture in a folder into a new folder beside it")

        self.input_view, self.output_view = ImageCanvas(), ImageCanvas()
        self.input_view.set_placeholder("Drop a picture here, open one or paste one")
        self.output_view.set_placeholder("Its translation appears here")
        self.input_caption, self.output_caption = QLabel(), QLabel()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
        for caption, canvas in ((self.input_caption, self.input_view), (self.output_caption, self.output_view)):
            canvas.setAcceptDrops(False)  # drops go to the view
            canvas.viewport().setAcceptDrops(False)
            column = QWidget()
            box = QVBoxLayout(column)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(caption)
            box.addWidget(canvas, 1)
            self.splitter.addWidget(column)
        self.hint = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.progress = QProgressBar(visible=False, format="%v / %m")
        self.cancel_button = QPushButton("Cancel", visible=False, toolTip="Stop after the current picture")
        self.cancel_button.clicked.connect(self.cancel_batch)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(bar)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

    def _action(self, bar: QToolBar, text: str, slot, tip: str, shortcut=None) -> QAction:
        action = QAction(text, self, toolTip=tip)
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcuts(QKeySequence.keyBindings(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        bar.addAction(action)
        return action

    # --- models ---
    def load_model(self, source: str) -> None:
        self.loading = source
        self.loader.submit(partial(jobs.load, source))
        self._update_hint()

    @Slot(object)
    def _on_loaded(self, loaded: jobs.LoadedTranslator) -> None:
        self.loading, self.model = "", loaded
        self.picker.set_current(loaded.source, loaded.title, loaded.details)
        previous = self.direction.currentData()
        self.direction.clear()
        for key, name in loaded.directions.items():
            self.direction.addItem(name, key)
        self.direction.setCurrentIndex(max(0, self.direction.findData(previous)))
        self.model_changed.emit(loaded.source)
        if self.source is None and loaded.has_scenes():
            self.example(FIRST_EXAMPLE)
        else:
            self.request()

    @Slot(object)
    def _on_load_failed(self, exc: Exception) -> None:
        source, self.loading = self.loading, ""
        self.picker.revert()
        self._update_hint()
        message = first_line(exc)
        QMessageBox.warning(self, "Cannot translate with this model",
                            message if source in message else f"{source}:\n{message}")
        if self.model is None and source != jobs.SHIPPED:
            self.load_model(jobs.SHIPPED)

    # --- one picture ---
    def set_source(self, source: Path | np.ndarray | jobs.ExampleScene, name: str = "") -> None:
        """Translate a picture file or a uint8 [H, W, C] picture (the newest request replaces older ones)."""
        self.source = source
        self.source_name = name or (source.name if isinstance(source, Path) else "picture")
        self.request()

    def request(self) -> None:
        """Translate the current source with the current model, direction and resolution."""
        if self.source is None or self.model is None:
            self._update_hint()
            return
        self.error = ""
        self.worker.submit(partial(jobs.translate, self.model, self.source, self.source_name,
                                   self.direction.currentData() or "AtoB", self.full_res.isChecked()))
        self._update_hint()

    @Slot(object)
    def _on_translated(self, result: jobs.Translation) -> None:
        if self.model is None or result.model is not self.model.translator:
            return  # made by the previous model; the current one's follows
        self.result = result
        self.input_view.set_image(result.picture)
        self.output_view.set_image(result.output)
        h, w = result.picture.shape[:2]
        oh, ow = result.output.shape[:2]
        self.input_caption.setText(f"<b>{result.name}</b> &nbsp; {w} \u00d7 {h}")
        how = "full resolution, tiled" if result.full_res else "model resolution"
        self.output_caption.setText(f"<b>{self.model.directions.get(result.direction, result.direction)}</b> "
                                    f"&nbsp; {ow} \u00d7 {oh} ({how}), {result.ms:.0f} ms")
        self.save_action.setEnabled(True)
        self._update_hint()
        self.translated.emit(result)

    @Slot(object)
    def _on_failed(self, exc: Exception) -> None:
        self.error, self.result = first_line(exc), None
        for canvas in (self.input_view, self.output_view):
            canvas.set_image(None)
        self.input_caption.setText(f"<b>{self.source_name}</b>")
        self.output_caption.setText("")
        self.save_action.setEnabled(False)
        self._update_hint()

    def choose_picture(self) -> None:
        start = str(QSettings().value("translate/last_dir", Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Open a picture to translate", start, PICTURE_FILTER)
        if path:
            QSettings().setValue("translate/last_dir", str(Path(path).parent))
            self.set_source(Path(path))

    def paste(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.status("The clipboard holds no picture; copy one (e.g. from a browser or screenshot tool) first")
            return
        self.set_source(from_qimage(image), "pasted picture")

    def example(self, seed: int | None = None) -> None:
        """A procedural day landscape (what the shipped translator was trained on) as the input."""
        seed = int(np.random.default_rng().integers(1 << 30)) if seed is None else seed
        self.set_source(jobs.ExampleScene(seed), f"example scene {seed}")

    def choose_save(self) -> None:
        if self.result is None:
            return
        stem = Path(self.result.name).stem.replace(" ", "-")
        suffix = self.model.directions.get(self.result.direction, self.result.direction).split()[-1] if self.model \
            else self.result.direction
        start = Path(str(QSettings().value("translate/save_dir", Path.home()))) / f"{stem}-{suffix}.png"
        path, _ = QFileDialog.getSaveFileName(self, "Save the translation", str(start), "PNG picture (*.png)")
        if path:
            self.save_output(Path(path))

    def save_output(self, path: Path) -> bool:
        """Write the translation on screen as PNG; a warning naming the file if it cannot be written."""
        from gan_backend.translator import TranslateError, write_picture

        path = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
        try:
            write_picture(self.result.output, path)
        except TranslateError as exc:
            QMessageBox.warning(self, "Cannot save", str(exc))
            return False
        QSettings().setValue("translate/save_dir", str(path.parent))
        self.status(f"Saved {path}")
        return True

    # --- a folder ---
    def choose_folder(self) -> None:
        start = str(QSettings().value("translate/last_dir", Path.home()))
        folder = QFileDialog.getExistingDirectory(self, "Translate every picture in a folder", start)
        if folder:
            QSettings().setValue("translate/last_dir", folder)
            self.translate_folder(Path(folder))

    def translate_folder(self, folder: Path, out_dir: Path | None = None) -> bool:
        """Start translating ``folder``'s pictures into ``out_dir`` (default: a new folder beside it)."""
        from gan_backend.translator import TranslateError, batch_jobs, list_pictures

        if self.model is None:
            QMessageBox.information(self, "Translate folder", "The translator is still loading; try again in a moment.")
            return False
        if self.batch.running:
            QMessageBox.information(self, "Translate folder", "A folder is being translated; cancel it first.")
            return False
        direction = self.direction.currentData() or "AtoB"
        try:
            files = list_pictures(folder)
        except TranslateError as exc:
            QMessageBox.warning(self, "Translate folder", str(exc))
            return False
        suffix = self.model.directions[direction].split()[-1]
        self.batch_out = out_dir or jobs.batch_folder(folder, suffix)
        self.batch_errors = []
        self.progress.setRange(0, len(files))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.folder_action.setEnabled(False)
        self.batch.start(self.model.translator, batch_jobs(files, self.batch_out), direction, self.full_res.isChecked())
        self._update_hint()
        return True

    def cancel_batch(self) -> None:
        self.batch.cancel()
        self.cancel_button.setEnabled(False)
        self._update_hint()

    @Slot(int, int, object)
    def _on_batch_progress(self, done: int, total: int, result) -> None:
        self.progress.setValue(done)
        if result.error:
            self.batch_errors.append(result.error)
        self._update_hint(f"{done} of {total}: {result.source.name}")

    @Slot(int, int, bool)
    def _on_batch_finished(self, ok: int, failed: int, cancelled: bool) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.folder_action.setEnabled(True)
        how = "Cancelled after" if cancelled else "Translated"
        text = f"{how} {ok} picture{'s' * (ok != 1)} into {self.batch_out}"
        if failed:
            text += f"; {failed} could not be translated (hover for why)"
        self.hint.setToolTip("\n".join(self.batch_errors[:50]))
        self.status(text)
        self._update_hint()
        self.batch_finished.emit(ok, failed, cancelled)

    # --- drops ---
    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()) or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths and paths[0].is_dir():
            self.translate_folder(paths[0])
        elif paths:
            self.set_source(paths[0])
        elif event.mimeData().hasImage():
            self.set_source(from_qimage(event.mimeData().imageData()), "dropped picture")
        event.acceptProposedAction()

    # --- status ---
    def _update_hint(self, batch_line: str = "") -> None:
        if self.loading:
            text, busy = f"Loading {self.loading}...", True
        elif self.model is None:
            text, busy = "No translator loaded: choose one above", True
        elif self.error:
            text, busy = f"Cannot translate: {self.error}", True
        elif self.worker.busy:
            text, busy = f"Translating {self.source_name}...", True
        elif self.result is not None:
            text, busy = f"Up to date: {self.result.ms:.0f} ms", False
        else:
            text, busy = "Drop a picture or a folder here, open one, or paste one", False
        if self.batch.running:
            text = f"{text} &nbsp;|&nbsp; Folder: {batch_line or 'starting'}"
        colour = "#c0392b" if self.error else "#e69500" if busy else "#2a9a3a"
        self.hint.setText(f'<span style="color:{colour}">&#9679;</span> {text}')

    def status(self, text: str) -> None:
        self.last_status = text
        if self.window_ref is not None and hasattr(self.window_ref, "statusBar"):
            self.window_ref.statusBar().showMessage(text, 10_000)

    # --- tour, closing ---
    def tour_ready(self) -> bool:
        return self.result is not None and not self.worker.busy and not self.loading

    def shutdown(self) -> None:
        self.batch.shutdown()
        self.worker.shutdown()
        self.loader.shutdown()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        half = max(1, self.splitter.width() // 2)
        if abs(self.splitter.sizes()[0] - half) > half // 2:
            self.splitter.setSizes([half, half])
