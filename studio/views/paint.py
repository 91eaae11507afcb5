"""PaintView: paint a semantic label map, see the model's picture of it beside it, live.

The Paint tab's first mode; the Sketch (:mod:`studio.views.sketch`) and Colourise
(:mod:`studio.views.sketch_colour`) modes are pages beside it (:class:`~studio.views.paint_modes.PaintModes`).

The map is a :class:`CanvasDocument`; every change asks the :class:`NewestWins` renderer for a picture of the
newest map (its worker thread renders one at a time, so a stroke's intermediate states are skipped and
its last is always shown). The model loads on another worker; painting goes on meanwhile and the
picture follows once the model is in. The painting autosaves a moment after each change.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from gan_backend.errors import first_line
from studio.state.canvas import CanvasDocument
from studio.state.label_files import Classes, read_palette_json
from studio.state.paint_tools import ToolSettings
from studio.views.paint_files import PaintFiles
from studio.views.paint_layout import PaintSlots, build_layout
from studio.views.paint_live import LivePage
from studio.views.paint_modes import PaintModes
from studio.widgets.page_helpers import connect_signals, warn_unusable
from studio.workers import paint_jobs as jobs
from studio.workspaces import WorkspaceHooks

DEFAULT_SIDE = 256  # map and picture side: the shipped painter's own
AUTOSAVE_MS = 1500  # quiet time after a change before the painting is autosaved
DRAFT_ABOVE_MS = 40.0  # full pictures slower than this (25 a second) are drafted at a smaller size mid-stroke
DRAFT_MS = 30.0  # what a draft may cost: half the side if that is cheap enough, else a quarter (not below 64 px)
FIRST_SCENE = 3  # the random scene a first launch starts from: mountains, lake, beach, trees and bushes
VARIATIONS_MS = 600  # quiet time after a change before the style strip is re-rendered


class PaintView(LivePage, WorkspaceHooks, QWidget):
    """The "Paint" workspace: the label painter, and the other modes' pages (``modes``).

    Signals:
        image_shown(int): the picture of map revision N is on screen
        draft_shown(int): a half-size draft of revision N is on screen (mid-stroke; its picture follows)
        model_changed(str): a model finished loading and paints from now on ("painter" or a run directory)
    """

    image_shown = Signal(int)
    draft_shown = Signal(int)
    model_changed = Signal(str)

    def __init__(self, window=None, side: int = DEFAULT_SIDE):
        super().__init__()
        # the renderer draws "image" (the picture beside the map) before "extras" (the style strip)
        self._init_live(window, CanvasDocument(side), ToolSettings(cls=7), "paint", "extras", self._on_picked)
        self.model: jobs.LoadedModel | None = None
        self.classes: Classes = read_palette_json()
        self.style = None  # a reference picture's latent, overriding the seed (encoder models only)
        self._strip: tuple[int, np.ndarray | None, list[int]] = (0, None, [])  # (token, map, seeds) of the strip
        self.busy = True  # a picture of the current map is pending (the hint shows it)
        self.scene_seed = FIRST_SCENE
        self._untouched = True  # nothing painted yet: the first model's random scene may replace the map
        self.files = PaintFiles(self)
        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self.autosave)
        self._variations_timer = QTimer(self, singleShot=True, interval=VARIATIONS_MS, timeout=self.render_variations)
        self.page = QWidget()  # the label mode's page; its shortcuts work only while it shows
        ui = build_layout(self.page, self.settings, self.doc.shape[0], PaintSlots(
            random_scene=self.random_scene, clear=lambda: self.doc.clear(self.settings.cls), undo=self.doc.undo,
            redo=self.doc.redo, open_map=self.files.open_labels, save_map=self.files.save_labels,
            export_picture=self.files.export_picture, cancel_gesture=self.gesture.cancel, set_side=self.set_side))
        self.picker, self.tools, self.style_panel = ui.picker, ui.tools, ui.style_panel
        self._keep_widgets(ui)  # canvas: the map; output: its picture; hint: the line under it
        self.modes = PaintModes(self.page, self._make_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.modes)
        self._connect()
        self._restore()
        self.modes.restore()

    def _make_page(self, mode: str) -> QWidget:
        """The Sketch or Colourise page, built the first time its mode is chosen."""
        if mode == "sketch":
            from studio.views.sketch import SketchPage

            return SketchPage(self.window_ref)
        from studio.views.sketch_colour import ColourisePage

        return ColourisePage(self.window_ref)

    def _connect(self) -> None:
        self._connect_live()
        self.tools.settings_changed.connect(self._on_settings_changed)
        connect_signals(self.style_panel, seed_chosen=self._on_seed_chosen, variations_requested=self.render_variations,
                        reference_requested=self.files.choose_reference)
        self.picker.model_requested.connect(self.load_model)

    # --- models ---
    def load_model(self, source: str) -> None:
        """Load ``source`` on the worker; painting goes on, and the picture follows once it is in."""
        self.loading = source
        scene_side = self.doc.shape[0] if self._untouched else 0
        self.loader.submit(partial(jobs.load_model, source, scene_side, self.scene_seed))
        self._update_hint()

    @Slot(object)
    def _on_model_loaded(self, loaded: jobs.LoadedModel) -> None:
        self.loading = ""
        names, mine = list(loaded.classes.names), list(self.classes.names)
        extends = names[:len(mine)] == mine  # e.g. the 15 scenes:rich classes after the 10 scenes ones: the map holds
        if names != mine and not extends and not self._untouched and not self._confirm_switch(loaded):
            self.picker.revert()
            self._update_hint()
            return
        self.renderer.cancel()
        self.model, self.style = loaded, None
        self.picker.set_current(loaded.source, loaded.title, loaded.details)
        self.style_panel.set_reference_available(loaded.has_encoder)
        if names != mine:
            if not extends:
                self.doc.reset(np.zeros(self.doc.shape, np.uint8))  # first: the old map may hold classes beyond K
            self._set_classes(loaded.classes)
        if self._untouched and loaded.scene is not None:
            self.doc.reset(loaded.scene)
        self.model_changed.emit(loaded.source)
        self.request_render()
        self.render_variations()

    def _confirm_switch(self, loaded: jobs.LoadedModel) -> bool:
        shown = ", ".join(loaded.classes.names[:12]) + (" ..." if len(loaded.classes) > 12 else "")
        answer = QMessageBox.question(
            self, "Different classes",
            f"{loaded.title} paints {len(loaded.classes)} classes ({shown}); this painting uses the "
            f"{len(self.classes)} classes of the current model.\n\nSwitch and start a new painting? "
            f"(To keep this one, answer No and save the map first.)")
        return answer == QMessageBox.StandardButton.Yes

    @Slot(object)
    def _on_model_failed(self, exc: Exception) -> None:
        source, self.loading = self.loading, ""
        message = first_line(exc)
        self.model_error = "" if self.model else message
        self.picker.revert()
        self._update_hint()
        warn_unusable(self, source, message)
        if self.model is None and source != jobs.SHIPPED:  # e.g. the autosaved painting's run was deleted
            self.load_model(jobs.SHIPPED)

    def _set_classes(self, classes: Classes) -> None:
        self.classes = classes
        self.tools.set_classes(classes, current=min(self.settings.cls, len(classes) - 1))
        self.canvas.set_map(self.doc.labels, classes.colours)

    # --- rendering ---
    def request_render(self) -> None:
        """Ask for a picture of the map as it is now (replacing any older pending request); mid-stroke, a draft."""
        if self.model is not None:
            fn = partial(jobs.render, self.model.painter, self.doc.labels.copy(), self.style_panel.seed(), self.style,
                         self.doc.shape[0], self.doc.revision, time.perf_counter(),
                         self._draft_side() if self.gesture.active else 0)
            self.renderer.request("image", fn)
        self._update_hint()

    def _draft_side(self) -> int:
        """The side mid-stroke pictures are painted at (0: full size): smaller drafts when a full picture takes
        too long to keep up with the pointer, half the side or a quarter, whichever the last full one says
        will cost at most DRAFT_MS."""
        side = self.doc.shape[0]
        full_ms = self.last_frame.render_ms if self.last_frame is not None else float("inf")
        if full_ms <= DRAFT_ABOVE_MS:
            return 0
        for fraction in (2, 4):
            draft = max(64, side // fraction // 16 * 16)
            if full_ms * (draft / side) ** 2 <= DRAFT_MS or draft == 64:
                break
        return draft if draft < side else 0

    def render_variations(self) -> None:
        """Re-render the style strip, one picture per request (a stroke's picture goes first)."""
        self._variations_timer.stop()
        self._strip = (self._strip[0] + 1, self.doc.labels.copy(), list(self.style_panel.seeds))
        self._request_variation(0)

    def _request_variation(self, index: int) -> None:
        token, labels, seeds = self._strip
        if self.model is not None and index < len(seeds):
            self.renderer.request("extras", partial(jobs.render_variation, self.model.painter, labels, seeds[index],
                                                    index, token))

    @Slot(str, int, object)
    def _on_rendered(self, lane: str, _stamp: int, result) -> None:
        painter = self.model.painter if self.model else None
        if lane == "extras":
            if result.model is painter and result.token == self._strip[0]:
                self.style_panel.set_thumbnail(result.index, result.picture, self._strip[2][result.index])
                self._request_variation(result.index + 1)
            return
        if result.model is painter:  # else a picture by the previous model
            self._show_frame(result)

    @Slot(str, object)
    def _on_render_failed(self, lane: str, exc: Exception) -> None:
        self.hint.setText(f"Cannot render: {first_line(exc)}")

    def _update_hint(self, *_) -> None:
        """The line under the picture: an amber dot while a picture is pending, green when it shows the map."""
        if self.model is None and self.model_error and not self.loading:
            text, busy = f"No model: {self.model_error}", True
        elif self.loading or self.model is None:
            text, busy = f"Loading {self.loading or 'the model'}... keep painting, the picture follows", True
        elif self.gesture.active and self._draft_side():
            text, busy = "Painting: a quick draft until you let go", True
        elif self.renderer.busy:
            text, busy = "Rendering...", True
        elif self.last_frame is not None:
            text, busy = f"Up to date: {self.last_frame.render_ms:.0f} ms per picture at {self.doc.shape[0]} px", False
        else:
            text, busy = "", False
        self._set_hint(text, busy)
        self.busy = busy

    # --- the map ---
    def _on_doc_changed(self, box) -> None:
        if box is None:  # a new map, maybe of another size (a resize, or its undo)
            self.canvas.set_map(self.doc.labels, self.classes.colours)
            self.side_combo.setCurrentIndex(self.side_combo.findData(self.doc.shape[0]))
        else:
            self.canvas.update_box(self.doc.labels, self.classes.colours, box)
        self._untouched = False
        self._update_undo_actions()
        self.request_render()
        self._autosave_timer.start()
        self._variations_timer.start()

    def _on_picked(self, cls: int) -> None:
        self.tools.set_class(cls)

    def _on_settings_changed(self) -> None:
        s = self.settings
        self.canvas.pan_mode = s.tool == "pan"
        self.canvas.set_brush(None if s.tool in ("fill", "eyedropper", "pan") else s.size, s.square)

    def _on_seed_chosen(self, seed: int) -> None:
        self.style = None
        self.request_render()

    def random_scene(self, seed: int | None = None) -> None:
        """A fresh procedural landscape to start from (models trained on ``scenes``)."""
        seed = int(np.random.default_rng().integers(1 << 30)) if seed is None else seed
        scene = self.model.painter.random_scene(seed, self.doc.shape[0]) if self.model else None
        if scene is None:
            QMessageBox.information(self, "Random scene", "Random scenes need a model trained on the scenes dataset"
                                    if self.model else "The model is still loading; try again in a moment.")
            return
        self.doc.replace(scene)

    def set_side(self, side: int) -> None:
        """Resize the map (nearest neighbour, undoable); the picture is rendered at this size."""
        if side != self.doc.shape[0]:
            from PIL import Image

            self.doc.replace(np.asarray(Image.fromarray(np.array(self.doc.labels)).resize((side, side), Image.NEAREST)))

    # --- autosave, tour, closing ---
    def autosave(self) -> None:
        if not self._untouched:
            self.files.autosave()

    def _restore(self) -> None:
        """The autosaved painting, if any, then its model (else the shipped painter) starts loading."""
        source = self.files.restore()
        self._untouched = self.doc.revision == 0
        self.tools.set_classes(self.classes, current=self.settings.cls)
        self.canvas.set_map(self.doc.labels, self.classes.colours)
        self._on_settings_changed()
        self.load_model(source)

    def prepare_for_tour(self) -> None:
        if self.model is not None:
            self.random_scene(seed=FIRST_SCENE)

    def tour_ready(self) -> bool:
        mode = self.modes.mode
        return (self.model is not None and self.shown_revision == self.doc.revision and self.renderer.is_idle()
                and not self._variations_timer.isActive() and (mode == "labels" or self.modes.page(mode).tour_ready()))

    def shutdown(self) -> None:
        """Autosave and stop the worker threads (the window calls this when it closes)."""
        self._autosave_timer.stop()
        self._variations_timer.stop()
        self.autosave()
        self.renderer.shutdown()
        self.loader.shutdown()
        for page in self.modes.built():
            page.shutdown()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._even_splitter_once()
