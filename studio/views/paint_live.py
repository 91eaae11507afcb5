"""LivePage: the behaviour shared by the Paint tab's pages that paint or draw on a canvas and show the model's
picture of it beside it, live (the label mode, :class:`~studio.views.paint.PaintView`, and the Sketch mode,
:class:`~studio.views.sketch.SketchPage`).

A page using it has a ``doc`` (:class:`~studio.state.canvas.CanvasDocument`), a ``renderer`` (NewestWins), a
``loader`` (BackgroundCall), a ``gesture``, and the widgets of a :class:`~studio.views.paint_layout.CanvasWidgets`.
"""
from __future__ import annotations

from studio.state.paint_tools import Gesture
from studio.widgets.page_helpers import connect_signals, show_status
from studio.workers import BackgroundCall
from studio.workers.newest_wins import NewestWins


class LivePage:
    """Behaviour shared by the pages that paint or draw on a canvas and show the model's picture beside it."""

    def _init_live(self, window, doc, settings, name: str, extras: str, on_picked) -> None:
        """The state every such page starts with; its ``name``-renderer draws "image" before ``extras``."""
        self.window_ref = window
        self.doc, self.settings = doc, settings
        self.model = None  # the loaded model, once one is in
        self.loading = ""  # the source being loaded, "" when none
        self.model_error = ""  # why no model could be loaded at all
        self.picture = None  # uint8 [S, S, 3]: the finished picture on screen
        self.last_frame = None  # the last finished frame (its render time says whether to draft)
        self.shown_revision, self.last_status, self._shown_once = -1, "", False
        self.renderer = NewestWins(f"{name}-renderer", priority=("image", extras), busy_channels=("image",),
                                   parent=self)  # only "image" shows as busy
        self.loader = BackgroundCall(f"{name}-model-loader", self)
        self.gesture = Gesture(self.doc, self.settings, on_picked)

    def _keep_widgets(self, ui) -> None:
        """Keep the canvas widgets and actions of a :class:`~studio.views.paint_layout.CanvasWidgets`."""
        self.canvas, self.output, self.hint = ui.canvas, ui.output, ui.hint
        self.splitter, self.side_combo = ui.splitter, ui.side_combo
        self.undo_action, self.redo_action = ui.undo_action, ui.redo_action

    def _connect_live(self) -> None:
        """The document, renderer, loader and canvas signals every such page handles."""
        self.doc.changed.connect(self._on_doc_changed)
        connect_signals(self.renderer, result_ready=self._on_rendered, request_failed=self._on_render_failed,
                        busy_changed=self._update_hint)
        connect_signals(self.loader, finished=self._on_model_loaded, failed=self._on_model_failed)
        connect_signals(self.canvas, pressed=lambda x, y: self.gesture.press((x, y)),
                        moved=lambda x, y: self.gesture.move((x, y)), released=self._on_canvas_released)

    def _show_frame(self, result) -> None:
        """Show a rendered picture: a mid-stroke draft, or the picture of a finished revision."""
        self.output.set_image(result.picture)
        if result.draft:
            self._update_hint()
            self.draft_shown.emit(result.revision)
            return
        self.picture, self.last_frame, self.shown_revision = result.picture, result, result.revision
        self._update_hint()
        self.image_shown.emit(result.revision)

    def _set_hint(self, text: str, busy: bool) -> None:
        """The line under the picture, after an amber dot while busy, a green one when up to date."""
        dot = f'<span style="color:{"#e69500" if busy else "#2a9a3a"}">&#9679;</span> ' if text else ""
        self.hint.setText(dot + text)

    def status(self, text: str) -> None:
        """A passing message in the window's status bar (and kept in ``last_status``)."""
        show_status(self, text)

    def _update_undo_actions(self) -> None:
        self.undo_action.setEnabled(bool(self.doc.undo_stack))
        self.redo_action.setEnabled(bool(self.doc.redo_stack))

    def _on_canvas_released(self, x: float, y: float) -> None:
        was_drawing = self.gesture.active
        self.gesture.release((x, y))
        self._update_undo_actions()  # the stroke became an undo step only now
        if was_drawing:
            self.request_render()  # the stroke's final picture, full size

    def _even_splitter_once(self) -> None:
        """On first show: the picture's canvas asks for more room than the input's; even them out."""
        if not self._shown_once:
            self._shown_once = True
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])
