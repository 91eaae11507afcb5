"""SampleGallery: the fixed-noise grid over the run's timeline; zoom, pick a sample (shown beside the training
picture nearest it, to see whether G copies), export PNG/GIF."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSlider, QToolButton,
                               QVBoxLayout, QWidget)

from studio.state.gallery import GalleryState
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.qimage import to_pixmap
from studio.workers.nearest import NearestPictureFinder

PREVIEW_SIZE = 128


class SampleGallery(QWidget):
    """Shows a :class:`GalleryState`: the grid at the timeline position and the picked sample.

    Signals: sample_selected(object): the ``SampleSelection`` the user clicked (for the latent explorer).
    ``nearest`` finds the training picture nearest the picked sample; its ``found`` / ``failed`` fill
    ``nearest_preview`` and ``nearest_info``.
    """

    sample_selected = Signal(object)

    def __init__(self, state: GalleryState | None = None, parent=None):
        super().__init__(parent)
        self.state = state or GalleryState()
        self.canvas = ImageCanvas()
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.canvas.setToolTip("Wheel to zoom, drag to pan, click a sample to pick it")
        self.canvas.set_placeholder("The fixed-noise sample grid appears here\nonce training starts or a run is opened.")
        self.preview = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setFrameShape(QLabel.Shape.StyledPanel)
        self.preview.setToolTip("The picked sample, enlarged; it follows the timeline")
        self.preview_info = QLabel("Click a sample to zoom on it; its latent is remembered for the latent explorer.",
                                   wordWrap=True)
        self.preview_info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.nearest_preview = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.nearest_preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.nearest_preview.setFrameShape(QLabel.Shape.StyledPanel)
        self.nearest_preview.setToolTip("The training picture nearest the picked sample, in pixels: "
                                        "a twin means G copied it")
        self.nearest_info = QLabel(wordWrap=True)
        self.nearest_info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.nearest = NearestPictureFinder(self)
        self.nearest.found.connect(self._on_nearest_found)
        self.nearest.failed.connect(self._on_nearest_failed)
        self._run_config: dict = {}  # the shown run's config.json, for its training data

        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=0, enabled=False)
        self.slider.setToolTip("Timeline: every snapshot taken so far")
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.step_label = QLabel("no samples yet")
        self.step_label.setMinimumWidth(self.step_label.fontMetrics().horizontalAdvance("step 10,000,000 (999/999)"))
        timeline = QHBoxLayout()
        timeline.addWidget(QLabel("Timeline"))
        timeline.addWidget(self.slider, 1)
        timeline.addWidget(self.step_label)

        buttons = QHBoxLayout()
        for text, tip, slot in (("-", "Zoom out", lambda: self.canvas.zoom(1 / 1.5)),
                                ("+", "Zoom in", lambda: self.canvas.zoom(1.5)),
                                ("Fit", "Fit the grid in the view", self.canvas.fit)):
            b = QToolButton(text=text, toolTip=tip)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.export_png_button = QPushButton("Export PNG...", clicked=self.export_png_dialog, enabled=False)
        self.export_gif_button = QPushButton("Export GIF...", clicked=self.export_gif_dialog, enabled=False)
        buttons.addWidget(self.export_png_button)
        buttons.addWidget(self.export_gif_button)

        texts = QVBoxLayout()
        texts.addWidget(self.preview_info)
        texts.addWidget(self.nearest_info, 1)
        picked = QHBoxLayout()
        picked.addWidget(self.preview)
        picked.addWidget(self.nearest_preview)
        picked.addLayout(texts, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(timeline)
        layout.addLayout(buttons)
        layout.addLayout(picked)

    # --- feeding ---
    def reset(self, run_dir: str, cfg: dict, is_grid: bool = True) -> None:
        self.state.configure(run_dir, cfg, is_grid)
        self._run_config = cfg
        self.nearest.cancel()
        self.canvas.set_image(None)
        self.preview.clear()
        self.nearest_preview.clear()
        self.nearest_info.clear()
        self._sync()

    def set_samples(self, samples: list[tuple[int, str]]) -> None:
        """All snapshots of an opened run at once: (step, PNG path), decoded only when shown."""
        for step, path in samples:
            self.state.add(step, path)
        self._sync()

    def add_sample(self, step: int, path: str = "", grid: np.ndarray | None = None) -> None:
        moved = self.state.add(step, path, grid)
        self._sync(show=moved)

    def _sync(self, show: bool = True) -> None:
        n = len(self.state.snapshots)
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(0, n - 1))
        self.slider.setValue(max(0, self.state.index))
        self.slider.blockSignals(False)
        self.slider.setEnabled(n > 1)
        self.export_png_button.setEnabled(n > 0)
        self.export_gif_button.setEnabled(n > 0)
        if show:
            self._show_current()
        self._update_step_label()

    def _update_step_label(self) -> None:
        n, step = len(self.state.snapshots), self.state.current_step()
        self.step_label.setText("no samples yet" if step is None else f"step {step:,} ({self.state.index + 1}/{n})")

    @Slot(int)
    def _on_slider_value_changed(self, value: int) -> None:
        self.state.set_index(value)
        self._show_current()
        self._update_step_label()

    def _show_current(self) -> None:
        grid = self.state.grid()
        if grid is not None:
            self.canvas.set_image(grid)
            self._show_preview()

    # --- picking ---
    @Slot(float, float)
    def _on_canvas_clicked(self, x: float, y: float) -> None:
        selection = self.state.select_at(x, y)
        if selection is not None:
            self._show_preview()
            self.sample_selected.emit(selection)

    def _show_preview(self) -> None:
        """The picked sample at the shown step, enlarged (it follows the timeline)."""
        image, sel = self.state.selected_image(), self.state.selection
        if image is None or sel is None:
            return
        self.preview.setPixmap(to_pixmap(image, PREVIEW_SIZE - 8))
        step = self.state.current_step()
        self.preview_info.setText(f"Sample #{sel.index} (row {sel.row + 1}, column {sel.col + 1}) at step {step:,}. "
                                  f"Its latent (seed {sel.seed}, index {sel.index}) is kept for the latent explorer.")
        self._find_nearest(image)

    # --- the nearest training picture ---
    def _find_nearest(self, image: np.ndarray) -> None:
        if not self._run_config.get("data", {}).get("dataset"):
            return  # not a run's grid: no training data to compare with
        if self.nearest_preview.pixmap().isNull():
            self.nearest_info.setText("Looking for the nearest training picture...")
        self.nearest.find(self._run_config, image)

    @Slot(object)
    def _on_nearest_found(self, hit) -> None:
        self.nearest_preview.setPixmap(to_pixmap(hit.image, PREVIEW_SIZE - 8))
        verdict = (" It looks like a copy of it (closer than half that)." if hit.looks_copied else "")
        self.nearest_info.setText(f"Beside it: the nearest of the {hit.count:,} training pictures (#{hit.index}), "
                                  f"{hit.rms:.3f} apart (RMS pixel difference, 0..1); a training picture is "
                                  f"typically {hit.median_rms:.3f} from its nearest other one.{verdict}")

    @Slot(str)
    def _on_nearest_failed(self, message: str) -> None:
        self.nearest_preview.clear()
        self.nearest_info.setText(f"No nearest training picture: {message}")

    def shutdown(self) -> None:
        self.nearest.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --- export ---
    def export_png_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export sample grid", f"samples_step_{self.state.current_step()}.png",
                                              "PNG image (*.png)")
        if path:
            self._export(lambda: self.state.export_png(path), path)

    def export_gif_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export timeline as GIF", "timeline.gif", "GIF animation (*.gif)")
        if path:
            self._export(lambda: self.state.export_gif(path), path)

    def _export(self, write, path: str) -> None:
        try:
            write()
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {Path(path).name}: {exc}")
