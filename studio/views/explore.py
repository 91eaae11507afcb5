"""LatentExplorer: the "Explore" workspace. A run's generator, its latent under sliders, paths, grids, truncation,
vector arithmetic and class mixes, all drawn by one newest-request-wins renderer thread."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from studio.state.latent import LatentState, ModelInfo, Pick, StyleLatent
from studio.views.explore_files import LatentFiles
from studio.views.explore_panels import ArithmeticPanel, ClassPanel, TruncationPanel, class_titles
from studio.views.explore_paths import ExplorePanel, GridPanel, InterpolationPanel, PickEdit, canvas
from studio.views.explore_project import ProjectPanel
from studio.views.explore_sliders import MAX_DIRECTIONS, SliderPanel
from studio.views.explore_style import StylePanel
from studio.workers.latent_renderer import LatentRenderer
from studio.workspaces import WorkspaceHooks

NO_RUN = ("No run to explore yet. Train one in the Train tab, open one with File > Open run, or use "
          "Open run... / Open checkpoint... here.")


class LatentExplorer(WorkspaceHooks, QWidget):
    """The explorer of one generator (a run's latest checkpoint, or a checkpoint file).

    Signals:
        image_shown(int): the main picture now shows the render request with this stamp
        model_opened(object): a generator was loaded (its :class:`ModelInfo`)
        load_failed(str): a run or checkpoint could not be explored (the one-line reason, also shown in the view)
    """

    image_shown = Signal(int)
    model_opened = Signal(object)
    load_failed = Signal(str)

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.state = LatentState()
        self.renderer = LatentRenderer(self)
        self.follow_current = True  # load the Train tab's run when shown (until a run or file is opened here)
        self._source, self._source_key = "", None
        self._build()
        self.renderer.model_loaded.connect(self._on_model_loaded)
        self.renderer.rendered.connect(self._on_rendered)
        self.renderer.failed.connect(self._on_failed)
        self.state.changed.connect(self._on_state_changed)
        if window is not None:
            window.run_opened.connect(lambda _: self._on_current_run_changed())
            window.runner.run_ended.connect(lambda _: self._on_current_run_changed())
        self._set_message(NO_RUN)

    # --- layout ---
    def _build(self) -> None:
        self.source_label = QLabel("No model loaded", textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = [("Current run", "The latest checkpoint of the run trained or opened in the Train tab",
                    lambda: self.use_current_run(force=True)),
                   ("Open run...", "A run directory: its latest checkpoint", self.open_run_dialog),
                   ("Open checkpoint...", "A checkpoint file, e.g. RUN/checkpoints/best.pt",
                    self.open_checkpoint_dialog),
                   ("Reload", "Load the run's newest checkpoint again (training writes new ones)", self.reload)]
        source = QHBoxLayout()
        source.addWidget(QLabel("<b>Model</b>"))
        source.addWidget(self.source_label, 1)
        for text, tip, slot in buttons:
            b = QPushButton(text, toolTip=tip)
            b.clicked.connect(slot)
            source.addWidget(b)
        self.banner = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setFrameShape(QLabel.Shape.StyledPanel)
        self.banner.setContentsMargins(8, 6, 8, 6)

        self.canvas = canvas("The explored sample appears here.", 256)
        self.caption = QLabel(wordWrap=True)
        self.sample = PickEdit(self, 0, allow_current=False)
        self.sample.changed.connect(lambda: self.state.set_base(self.sample.pick()))
        self.label_combo = QComboBox(toolTip="The class a conditional generator is asked for")
        self.label_combo.currentIndexChanged.connect(self._on_label_index_changed)
        self.label_title = QLabel("Class")
        pick_row = QHBoxLayout()
        for w in (QLabel("Sample"), self.sample, self.label_title, self.label_combo):
            pick_row.addWidget(w)
        pick_row.addStretch(1)
        self.files = LatentFiles(self)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.canvas, 1)
        left_layout.addWidget(self.caption)
        left_layout.addLayout(pick_row)
        left_layout.addWidget(self.files)

        self.sliders = SliderPanel(self.state)
        self.interpolation, self.grid = InterpolationPanel(self), GridPanel(self)
        self.truncation, self.arithmetic, self.classes = TruncationPanel(self), ArithmeticPanel(self), ClassPanel(self)
        self.style, self.project = StylePanel(self), ProjectPanel(self)
        self.tabs = QTabWidget(documentMode=True)
        for panel, title in ((self.sliders, "Sliders"), (self.interpolation, "Interpolate"), (self.grid, "Grid"),
                             (self.truncation, "Truncation"), (self.arithmetic, "Arithmetic"),
                             (self.classes, "Class"), (self.style, "Style"), (self.project, "Project")):
            self.tabs.addTab(panel, title)
        self.body = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
        self.body.addWidget(left)
        self.body.addWidget(self.tabs)
        self.body.setSizes([420, 560])
        self.body.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(source)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)

    def panels(self) -> list[ExplorePanel]:
        return [self.interpolation, self.grid, self.truncation, self.arithmetic, self.classes, self.style]

    # --- choosing the model ---
    def load(self, path: str | os.PathLike, follow_current: bool = False) -> None:
        """Explore a run directory (its newest checkpoint) or a checkpoint file; loads on the renderer thread."""
        self.follow_current = follow_current
        self._source, self._source_key = str(path), _checkpoint_key(path)
        self._set_message(f"Loading {Path(path).name}...")
        self.renderer.load(str(path))

    def reload(self) -> None:
        if self._source:
            self.load(self._source, self.follow_current)

    def current_run(self) -> str:
        w = self.window_ref
        return (w.session.run_dir or w.opened_run) if w is not None else ""

    def use_current_run(self, force: bool = False) -> None:
        run = self.current_run()
        if not run:
            self.follow_current = True
            self._set_message(NO_RUN)
        elif force or run != self._source or _checkpoint_key(run) != self._source_key:
            self.load(run, follow_current=True)

    def open_run_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Explore a run directory", str(Path.cwd() / "runs"))
        if path:
            self.load(path)

    def open_checkpoint_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Explore a checkpoint", str(Path.cwd() / "runs"),
                                              "Checkpoints (*.pt);;All files (*)")
        if path:
            self.load(path)

    def _on_current_run_changed(self) -> None:
        if self.follow_current and self.isVisible():
            self.use_current_run()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.follow_current:
            self.use_current_run()

    @Slot(object)
    def _on_model_loaded(self, info: ModelInfo) -> None:
        self._set_message("")
        self.source_label.setText(f"{Path(info.run).name}  ·  {info.model} at step {info.step:,}  ·  latent "
                                  f"{info.latent_dim} ({info.latent_prior})  ·  {info.image_shape[2]}x"
                                  f"{info.image_shape[1]} pictures")
        self.source_label.setToolTip(info.checkpoint)
        self.label_combo.blockSignals(True)
        self.label_combo.clear()
        self.label_combo.addItems(class_titles(info.class_names))
        self.label_combo.blockSignals(False)
        self.label_combo.setVisible(info.conditional)
        self.label_title.setVisible(info.conditional)
        if info.conditional:
            self.classes.set_classes(info.class_names, info.label_embedding)
        self.tabs.setTabEnabled(self.tabs.indexOf(self.classes), info.conditional)
        self.tabs.setTabToolTip(self.tabs.indexOf(self.classes), "" if info.conditional else
                                "This model was trained without labels: there is no class to choose")
        self.tabs.setTabVisible(self.tabs.indexOf(self.style), info.style)
        self.style.set_model(info)
        self.project.model_changed(info)
        self.body.setEnabled(True)
        seed = self.sample.spin.value()
        self.state.set_model(info, seed if seed >= 0 else 0)
        self.renderer.request("directions", "directions", MAX_DIRECTIONS)
        self.model_opened.emit(info)

    @Slot(int)
    def _on_label_index_changed(self, index: int) -> None:
        if index >= 0:
            self.state.set_label(index)

    # --- rendering ---
    def _on_state_changed(self, what: str) -> None:
        if self.state.info is None or what == "directions":
            return
        style = self.state.style if self.state.info.style else None
        self.renderer.request("image", "image", self.state.current(), self.state.current_label(), style)
        self._update_caption()
        if what in ("model", "label"):
            for panel in self.panels():
                panel.refresh()
        elif what == "style":
            self.style.refresh()
        else:
            for panel in self.panels():
                if panel.uses_latent:
                    panel.refresh()
        if what == "model":
            self.sample.set_pick(self.state.base, notify=False)

    @Slot(str, int, object)
    def _on_rendered(self, channel: str, stamp: int, result) -> None:
        if channel == "image":
            self.canvas.set_image(result)
            self.image_shown.emit(stamp)
        elif channel == "directions":
            self.state.set_directions(*result)

    @Slot(str, str)
    def _on_failed(self, channel: str, message: str) -> None:
        if channel == "model":
            shown = f"; still showing {Path(self.state.info.run).name}" if self.state.info else ""
            self._set_message(f"Cannot explore this: {message}{shown}", error=True)
            self.load_failed.emit(message)
        else:
            self.show_message(f"Could not draw the {channel.replace('_', ' ')}: {message}")

    def _update_caption(self) -> None:
        """Which sample, and the slider edits on it: "seed 3; PC1 +2.00σ, z[5] = -1.20"."""
        state, base = self.state, self.state.base
        edits = [f"PC{k + 1} {a:+.2f}σ" for k, a in enumerate(state.amounts) if a]
        edits += [f"z[{i}] = {v:+.2f}" for i, v in sorted(state.raw.items())]
        shown = ", ".join(edits[:6]) + (f" and {len(edits) - 6} more" if len(edits) > 6 else "")
        self.caption.setText(f"{base.text or 'latent'}; {shown}" if edits else f"{base.text or 'latent'}, unedited")

    # --- for the panels ---
    def gallery_pick(self) -> Pick | None:
        """The sample picked in the Train tab's gallery, or None (with a message saying why)."""
        sel = self.window_ref.gallery.state.selection if self.window_ref is not None else None
        info = self.state.info
        if sel is None:
            self.show_message("Click a sample in the Train tab's sample grid first.")
            return None
        if info is None or (sel.latent_dim, sel.info_codes) != (info.code_start, info.info_codes):
            self.show_message(f"The gallery's run has latent size {sel.latent_dim}, this model "
                              f"{info.latent_dim if info else '?'}: open the same run in both.")
            return None
        if info.conditional and info.class_names:  # the sample's class comes with it
            self.label_combo.setCurrentIndex(sel.label(len(info.class_names)))
        return Pick(sel.latent(), None, f"gallery #{sel.index}")

    def use_latent(self, vector: np.ndarray, text: str, show_sliders: bool = True) -> None:
        """Make ``vector`` the explored sample (from a path point, an arithmetic result or a projection)."""
        pick = Pick(np.asarray(vector, np.float32).copy(), None, text)
        self.state.set_base(pick)
        self.sample.set_pick(pick, notify=False)
        if show_sliders:
            self.tabs.setCurrentWidget(self.sliders)

    def use_projected(self, latent, text: str) -> None:
        """A ``ProjectedLatent`` that fits the model: a z becomes the explored sample (every tab can use it); W and
        W+ rows become a latent of the Style tab."""
        info, vector = self.state.info, latent.vector.numpy().astype(np.float32)
        if latent.space == "z":
            self.use_latent(vector, text, show_sliders=False)
            if info.style:
                self.style.add_latent(StyleLatent(text, z=vector))
            return
        ws = np.repeat(vector[None], info.num_ws, 0) if latent.space == "w" else vector.reshape(info.num_ws, -1)
        self.style.add_latent(StyleLatent(text, ws=ws.copy()))
        self.show_message(f"{text} is in the Style tab's latents")

    def show_message(self, text: str) -> None:
        w = self.window_ref
        if w is not None:
            w.statusBar().showMessage(text, 8000)

    def _set_message(self, text: str, error: bool = False) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.banner.setStyleSheet("QLabel { color: #b3261e; }" if error else "")

    # --- tour and shutdown ---
    def prepare_for_tour(self) -> None:
        """The tour's run, showing the sample it picked in the gallery."""
        def show_gallery_pick(_info) -> None:
            self.model_opened.disconnect(show_gallery_pick)
            pick = self.gallery_pick()
            if pick is not None:
                self.use_latent(pick.vector, pick.text)

        self.model_opened.connect(show_gallery_pick)
        self.use_current_run(force=True)

    def tour_ready(self) -> bool:
        loaded = self.state.info is not None and len(self.state.vectors) > 0 and not self.renderer.pending("image")
        return loaded or self.banner.styleSheet() != ""  # an error is worth a screenshot too

    def shutdown(self) -> None:
        self.project.shutdown()
        self.renderer.shutdown()



def _checkpoint_key(path) -> tuple:
    """Changes when a newer checkpoint is written (training saves last.pt by an atomic replace)."""
    p = Path(path)
    target = p / "checkpoints" / "last.pt" if p.is_dir() else p
    try:
        return str(p), target.stat().st_mtime_ns
    except OSError:
        return str(p), None
