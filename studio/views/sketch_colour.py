"""ColourisePage: the Paint tab's Colourise mode. Open a BW photo, see it in colour, export it.

The model is a pix2pix trained on ``gray:FOLDER`` (BW -> colour, a sketch model of grey inputs); it colours the
photo at its own scale, and the colour is put on the photo's own full-resolution detail
(:func:`gan_backend.sketch.colourise`). Colourising runs on a :class:`NewestWins` worker ("image"; runs are
found on its "runs" channel each time the page shows), the model loads on another. With no model chosen,
the first colourise run found is loaded.
"""
from __future__ import annotations

import html
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QMessageBox, QVBoxLayout, QWidget

from gan_backend.errors import first_line
from studio.views.paint_files import PICTURES, PictureFiles, _first_line
from studio.views.paint_layout import add_action, model_bar, side_by_side
from studio.views.paint_models import COLOURISERS, FoundRunsPicker, run_folders
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.page_helpers import connect_signals, report_model_failure, show_status
from studio.workers import BackgroundCall
from studio.workers import paint_jobs as jobs
from studio.workers.newest_wins import NewestWins
from studio.workspaces import WorkspaceHooks

TRAIN_HINT = ("Train one: open a folder of colour photos in the Dataset panel, Train as BW \u2192 colour, Start; "
              "its run is listed under Model once it has a checkpoint")


class ColourisePage(WorkspaceHooks, QWidget):
    """The Colourise mode of the Paint tab.

    Signals:
        coloured(int): the colour version of opened photo N (``token``) is on screen
        model_changed(str): a colouriser finished loading (its run directory)
    """

    coloured = Signal(int)
    model_changed = Signal(str)

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.model: jobs.LoadedSketcher | None = None
        self.loading = ""
        self.model_error = ""
        self._asked = False  # the load in progress was the user's choice
        self.photo: np.ndarray | None = None  # uint8 [H, W] grey, as opened
        self.photo_name = ""
        self.token = 0  # counts opened photos, so a late colouring of an older one is not shown
        self.picture: np.ndarray | None = None  # uint8 [H, W, 3] the colour version on screen
        self.render_ms = 0.0
        self.last_status = ""
        self.renderer = NewestWins("colourise-worker", priority=("image", "runs"), busy_channels=("image",),
                                   parent=self)
        self.loader = BackgroundCall("colourise-model-loader", self)
        self.files = PictureFiles(self)
        self._build()
        connect_signals(self.renderer, result_ready=self._on_result, request_failed=self._on_failed,
                        busy_changed=self._update_hint)
        connect_signals(self.loader, finished=self._on_model_loaded, failed=self._on_model_failed)
        connect_signals(self.picker, model_requested=lambda source: self.load_model(source, asked=True),
                        popup_opened=self.scan_runs)
        remembered = QSettings().value(COLOURISERS.settings_key, [], list) or []
        if remembered:  # the colouriser used last
            self.load_model(str(remembered[0]))
        self._update_hint()

    def _build(self) -> None:
        self.picker = FoundRunsPicker(COLOURISERS)
        bar = model_bar(self.picker)
        add_action(self, bar, "Open photo...", self.open_photo, "Open a BW photo to colour (a colour one is made "
                                                                "grey first)")
        self.export_action = add_action(self, bar, "Export picture...", self.files.export_picture,
                                        "Save the coloured photo as a PNG, at the photo's size")
        self.input_view, self.output_view = ImageCanvas(), ImageCanvas()
        self.input_view.set_placeholder("Open a BW photo (Open photo...)")
        self.output_view.set_placeholder("Its colour version appears here")
        self.hint = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.splitter = side_by_side([self.input_view], [self.output_view, self.hint])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(self.splitter, 1)

    # --- model ---
    def load_model(self, source: str, asked: bool = False) -> None:
        """Load ``source`` on the worker; ``asked``: the user chose it, so a failure is said in a message box."""
        if not source:  # the "no colouriser" entry
            self.picker.revert()
            return
        self.loading, self._asked = source, asked
        self.loader.submit(partial(jobs.load_sketch_model, source, True))
        self._update_hint()

    @Slot(object)
    def _on_model_loaded(self, loaded: jobs.LoadedSketcher) -> None:
        self.loading, self.model_error, self.model = "", "", loaded
        self.picker.set_current(loaded.source, loaded.title, loaded.details)
        self.model_changed.emit(loaded.source)
        self.request_colour()

    @Slot(object)
    def _on_model_failed(self, exc: Exception) -> None:
        report_model_failure(self, exc)

    # --- the photo ---
    def open_photo(self, path: str | None = None) -> bool:
        """Show a photo's grey version and colour it (its colour, if any, is dropped first, with a notice)."""
        path = path or self.files._ask_open("Open a BW photo", PICTURES)
        if not path:
            return False
        try:
            grey, note = jobs.read_photo(path)
        except (ValueError, OSError) as exc:  # TranslateError names the file
            QMessageBox.warning(self, "Cannot open photo", _first_line(exc, path))
            return False
        self.photo, self.photo_name, self.token, self.picture = grey, Path(path).name, self.token + 1, None
        self.input_view.set_image(np.repeat(grey[..., None], 3, axis=2))
        self.output_view.set_image(None)
        self.status(note or f"Opened {self.photo_name}")
        self.request_colour()
        return True

    def request_colour(self) -> None:
        if self.model is not None and self.photo is not None:
            self.renderer.request("image", partial(jobs.colourise_photo, self.model.sketcher, self.photo, self.token))
        self._update_hint()

    @Slot(str, int, object)
    def _on_result(self, channel: str, _stamp: int, result) -> None:
        if channel == "runs":
            self._on_runs_found([run.path for run in result if run.colourise])
            return
        if self.model is None or result.model is not self.model.sketcher or result.token != self.token:
            return  # an older photo, or the previous model
        self.picture, self.render_ms = result.picture, result.render_ms
        self.output_view.set_image(result.picture)
        self._update_hint()
        self.coloured.emit(result.token)

    @Slot(str, object)
    def _on_failed(self, channel: str, exc: Exception) -> None:
        if channel == "image":
            self.hint.setText(f"Cannot colour it: {html.escape(first_line(exc))}")

    def _on_runs_found(self, runs: list[str]) -> None:
        self.picker.add_found(runs)
        if runs and self.model is None and not self.loading and not self.model_error:
            self.load_model(runs[0])  # nothing chosen yet: the first colouriser found

    def _update_hint(self, *_) -> None:
        if self.model is None and not self.loading:
            text = (f"Cannot use it: {html.escape(self.model_error)}<br>" if self.model_error else
                    "No BW \u2192 colour model yet. ") + TRAIN_HINT + "."
        elif self.model is None:
            text = f"Loading {html.escape(Path(self.loading).name)}..."
        elif self.photo is None:
            text = "Open a BW photo (Open photo...) to see it in colour."
        elif self.renderer.busy:
            text = f"Colouring {html.escape(self.photo_name)}..."
        else:
            h, w = self.photo.shape
            text = (f"Coloured in {self.render_ms:.0f} ms: the model's colour (at {self.model.sketcher.size} px) "
                    f"on the photo's own detail, {w} x {h} px")
        self.hint.setText(text)

    def status(self, text: str) -> None:
        show_status(self, text)

    # --- tour, closing ---
    def tour_ready(self) -> bool:
        return not self.loading and self.renderer.is_idle()

    def shutdown(self) -> None:
        self.renderer.shutdown()
        self.loader.shutdown()

    def scan_runs(self) -> None:
        """Look for colourise runs under the runs folders (on the worker: each checkpoint is read once)."""
        self.renderer.request("runs", partial(jobs.find_sketch_runs, run_folders()))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scan_runs()  # a run trained since the last look is listed once it has a checkpoint
