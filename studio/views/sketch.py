"""SketchPage: the Paint tab's Sketch mode. Draw with a pen; a sketch model draws the picture beside it, live.

The drawing is a :class:`CanvasDocument` of grey levels (the pen paints ink 0, the eraser paper 255), so undo
and redo are the label painter's. Every change asks the :class:`NewestWins` renderer for a picture of the newest
drawing: pictures follow the pen mid-stroke and the final one comes on release. The model loads on another
worker; drawing goes on meanwhile. Sketch runs are found on the renderer's "runs" channel each time the page
shows (a run trained since is listed once it has a checkpoint). The drawing autosaves a moment after each
change and on close, and comes back on the next start, as the label painting does.
"""
from __future__ import annotations

import html
import time
from functools import partial

import numpy as np
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from gan_backend.errors import first_line
from studio.state.canvas import CanvasDocument
from studio.state.paint_tools import ToolSettings
from studio.state.sketch_files import INK, PAPER, resize_drawing, starter_drawing
from studio.views.paint_live import LivePage
from studio.views.paint_models import SKETCHERS, FoundRunsPicker, run_folders
from studio.views.sketch_files import SketchFiles
from studio.views.sketch_layout import SketchSlots, build_sketch_layout
from studio.widgets.page_helpers import connect_signals, report_model_failure
from studio.workers import paint_jobs as jobs
from studio.workspaces import WorkspaceHooks

DEFAULT_SIDE = 128  # drawing and picture side; the model draws at its own size (64 px for the shipped one)
PEN_PER_64 = 1  # pen width per 64 px of canvas: about the one-pixel lines the model learned at 64 px
AUTOSAVE_MS = 1500  # quiet time after a change before the drawing is autosaved
GREYS = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)  # [256, 3]: the canvas shows grey levels
TRAIN_HINT = ("Pick a sketch run under Model, or train one: open a folder of pictures in the Dataset panel, "
              "Train as sketch \u2192 picture, Start")


class SketchPage(LivePage, WorkspaceHooks, QWidget):
    """The Sketch mode of the Paint tab.

    Signals:
        image_shown(int): the picture of drawing revision N is on screen (the stroke is finished)
        draft_shown(int): a mid-stroke picture of revision N is on screen (the stroke goes on)
        model_changed(str): a sketch model finished loading ("sketch" or a run directory)
        runs_found(object): the sketch runs found under the runs folders (a list of run directories)
    """

    image_shown = Signal(int)
    draft_shown = Signal(int)
    model_changed = Signal(str)
    runs_found = Signal(object)

    def __init__(self, window=None, side: int = DEFAULT_SIDE):
        super().__init__()
        pen = ToolSettings(tool="brush", cls=INK, erase_cls=PAPER, size=max(1, PEN_PER_64 * side // 64))
        self._init_live(window, CanvasDocument(side, fill=PAPER), pen, "sketch", "runs", lambda _grey: None)
        self.model: jobs.LoadedSketcher | None = None
        self._asked = False  # the load in progress was the user's choice (a failure says so in a box)
        self._changed = False  # drawn on since the start: worth autosaving
        self.files = SketchFiles(self)
        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self.autosave)
        self.picker = FoundRunsPicker(SKETCHERS)
        ui = build_sketch_layout(self, self.settings, side, self.picker, SketchSlots(
            clear=lambda: self.doc.clear(PAPER), undo=self.doc.undo, redo=self.doc.redo,
            open_drawing=self.files.open_drawing, save_drawing=self.files.save_drawing,
            export_picture=self.files.export_picture, cancel_gesture=self.gesture.cancel, set_side=self.set_side))
        self.pen = ui.pen
        self._keep_widgets(ui)
        self._connect()
        self._restore()

    def _connect(self) -> None:
        self._connect_live()
        self.pen.settings_changed.connect(self._on_settings_changed)
        connect_signals(self.picker, model_requested=lambda source: self.load_model(source, asked=True),
                        popup_opened=self.scan_runs)

    # --- models ---
    def load_model(self, source: str, asked: bool = False) -> None:
        """Load ``source`` on the worker; drawing goes on, and the picture follows once it is in.

        ``asked``: the user chose it, so a failure is said in a message box (else only in the hint line).
        """
        self.loading, self._asked = source, asked
        self.loader.submit(partial(jobs.load_sketch_model, source))
        self._update_hint()

    @Slot(object)
    def _on_model_loaded(self, loaded: jobs.LoadedSketcher) -> None:
        self.loading, self.model_error = "", ""
        self.renderer.cancel()
        self.model = loaded
        self.picker.set_current(loaded.source, loaded.title, loaded.details)
        self.output.set_placeholder("The picture appears here")
        self.model_changed.emit(loaded.source)
        self.request_render()

    @Slot(object)
    def _on_model_failed(self, exc: Exception) -> None:
        source = report_model_failure(self, exc, "No sketch model yet: pick one under Model")
        if not self._asked and self.model is None and source != jobs.SKETCH_SHIPPED:  # e.g. its run was deleted
            self.load_model(jobs.SKETCH_SHIPPED)

    def scan_runs(self) -> None:
        """Look for sketch runs under the runs folders (on the worker: each checkpoint is read once)."""
        self.renderer.request("runs", partial(jobs.find_sketch_runs, run_folders()))

    # --- rendering ---
    def request_render(self) -> None:
        """Ask for a picture of the drawing as it is now (replacing any older pending request)."""
        if self.model is not None:
            fn = partial(jobs.render_sketch, self.model.sketcher, self.doc.labels.copy(), self.doc.revision,
                         time.perf_counter(), self.gesture.active)
            self.renderer.request("image", fn)
        self._update_hint()

    @Slot(str, int, object)
    def _on_rendered(self, channel: str, _stamp: int, result) -> None:
        if channel == "runs":
            runs = [run.path for run in result if not run.colourise]
            self.picker.add_found(runs)
            self.runs_found.emit(runs)
            return
        if self.model is not None and result.model is self.model.sketcher:  # else a picture by the previous model
            self._show_frame(result)

    @Slot(str, object)
    def _on_render_failed(self, channel: str, exc: Exception) -> None:
        if channel == "image":
            reason = first_line(exc)
            self.hint.setText(f"Cannot draw the picture: {html.escape(reason)}")

    def _update_hint(self, *_) -> None:
        """The line under the picture: an amber dot while a picture is pending, green when it shows the drawing."""
        if self.model is None and self.model_error and not self.loading:
            shipped_missing = "shipped" in self.model_error and "missing" in self.model_error
            why = "the shipped sketch model is not in this install yet" if shipped_missing else self.model_error
            text, busy = f"No sketch model: {html.escape(why)}.<br>{TRAIN_HINT}.", True
        elif self.loading or self.model is None:
            name = html.escape(self.loading or "the model")
            text, busy = f"Loading {name}... keep drawing, the picture follows", True
        elif self.gesture.active:
            text, busy = "Drawing: the picture follows the pen", True
        elif self.renderer.busy:
            text, busy = "Rendering...", True
        elif self.last_frame is not None:
            text, busy = (f"Up to date: {self.last_frame.render_ms:.0f} ms per picture (the model draws at "
                          f"{self.model.sketcher.size} px, shown at {self.doc.shape[0]} px)"), False
        else:
            text, busy = "", False
        self._set_hint(text, busy)
        self.hint.setToolTip(self.model_error if self.model is None else "")  # the whole message, with the file

    # --- the drawing ---
    def _on_doc_changed(self, box) -> None:
        if box is None:  # a new drawing, maybe of another size (a resize, an opened file, or their undo)
            self.canvas.set_map(self.doc.labels, GREYS)
            self.side_combo.setCurrentIndex(self.side_combo.findData(self.doc.shape[0]))
        else:
            self.canvas.update_box(self.doc.labels, GREYS, box)
        self._changed = True
        self._update_undo_actions()
        self.request_render()
        self._autosave_timer.start()

    def _on_settings_changed(self) -> None:
        self.canvas.set_brush(self.settings.size)

    def set_side(self, side: int) -> None:
        """Resize the drawing (undoable), and the pen with it; the picture is shown at this size."""
        old = self.doc.shape[0]
        if side != old:
            self.doc.replace(resize_drawing(np.array(self.doc.labels), side))
            self.pen.set_width(max(1, round(self.settings.size * side / old)))

    # --- autosave, tour, closing ---
    def autosave(self) -> None:
        if self._changed:
            self.files.autosave()

    def _restore(self) -> None:
        """The autosaved drawing (else a face to start from), then its model (else the shipped one) starts loading."""
        lines, source = self.files.restore()
        self.doc.reset(starter_drawing(self.doc.shape[0]) if lines is None else lines)
        self._changed = False
        self._on_settings_changed()
        self.load_model(source)

    def tour_ready(self) -> bool:
        if self.model is None:
            return bool(self.model_error) and not self.loading
        return self.shown_revision == self.doc.revision and self.renderer.is_idle()

    def shutdown(self) -> None:
        """Autosave and stop the worker threads (the Paint view calls this when the window closes)."""
        self._autosave_timer.stop()
        self.autosave()
        self.renderer.shutdown()
        self.loader.shutdown()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scan_runs()  # a run trained since the last look is listed once it has a checkpoint
        self._even_splitter_once()
