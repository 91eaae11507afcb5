"""Picking latents, and the explorer's path panels: interpolation strip with scrubber, and the 2-D corner grid."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QMessageBox,
                               QPushButton, QSlider, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from studio.state.latent import Pick, export_gif, export_strip_png, seed_pick
from studio.widgets.image_canvas import ImageCanvas
from studio.widgets.layouts import labelled_grid, labelled_row
from studio.widgets.qimage import to_pixmap

MAX_SEED = 2**31 - 1
PREVIEW = 168  # side of the scrubber's and results' previews, px
STRIP_HEIGHT = 150  # a strip is wide and low: more height would only add margins


class PickEdit(QWidget):
    """A latent chosen by seed number, as a random seed, from the gallery's picked sample or as the explored
    latent. The spin box shows the seed, or the pick's name when it is not a seed. Signals: changed()."""

    changed = Signal()

    def __init__(self, ctx, seed: int, allow_current: bool = True):
        super().__init__()
        self.ctx, self.default_seed = ctx, seed
        self._pick: Pick | None = None  # a pick that is not a seed; None: the spin box's seed
        self._cache: tuple | None = None  # (seed, ModelInfo, Pick)
        self.spin = QSpinBox(minimum=-1, maximum=MAX_SEED, value=seed, keyboardTracking=False)
        self.spin.setToolTip("Seed: the sample `gan-studio sample RUN --seed N --n 1` draws")
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance("gallery #1000 ") + 24)
        self.spin.valueChanged.connect(self._on_spin_value_changed)
        menu = QMenu(self)
        for text, slot in (("Random seed", self._pick_random), ("Gallery pick", self._pick_gallery)) + \
                ((("Explored latent", self._pick_current),) if allow_current else ()):
            menu.addAction(QAction(text, self, triggered=slot))
        more = QToolButton(text="Pick", menu=menu, popupMode=QToolButton.ToolButtonPopupMode.InstantPopup,
                           toolTip="A random seed, the sample picked in the Train tab's gallery, or the explored "
                                   "latent")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.spin, 1)
        layout.addWidget(more)
        self.setMaximumWidth(self.spin.minimumWidth() + 120)

    def pick(self) -> Pick | None:
        """The chosen latent for the loaded model (None before one is loaded)."""
        info = self.ctx.state.info
        if info is None:
            return None
        if self._pick is not None and len(self._pick.vector) == info.latent_dim:
            return self._pick
        if self._pick is not None:  # made for another model: back to the seed
            self.set_seed(self.default_seed, notify=False)
        seed = self.spin.value()
        if self._cache is None or self._cache[:2] != (seed, info):
            self._cache = (seed, info, seed_pick(seed, info))
        return self._cache[2]

    def set_seed(self, seed: int, notify: bool = True) -> None:
        self._pick = None
        self.spin.blockSignals(True)
        self.spin.setValue(seed)
        self.spin.blockSignals(False)
        if notify:
            self.changed.emit()

    def set_pick(self, pick: Pick, notify: bool = True) -> None:
        if pick.seed is not None:
            self.set_seed(pick.seed, notify)
            return
        self._pick = pick
        self.spin.blockSignals(True)
        self.spin.setSpecialValueText(pick.text)
        self.spin.setValue(-1)
        self.spin.blockSignals(False)
        if notify:
            self.changed.emit()

    def _on_spin_value_changed(self, value: int) -> None:
        if value >= 0:
            self._pick = None
            self.changed.emit()

    def _pick_random(self) -> None:
        self.set_seed(random.randrange(1_000_000))

    def _pick_gallery(self) -> None:
        pick = self.ctx.gallery_pick()
        if pick is not None:
            self.set_pick(pick)

    def _pick_current(self) -> None:
        if self.ctx.state.info is not None:
            self.set_pick(Pick(self.ctx.state.current(), None, "explored"))


class ExplorePanel(QWidget):
    """A tab of the explorer. Asks the renderer for its pictures only while shown; ``channels`` are its own."""

    channels: tuple[str, ...] = ()
    uses_latent = False  # redrawn when the explored latent changes

    def __init__(self, ctx):
        super().__init__()
        self.ctx, self._dirty = ctx, True
        ctx.renderer.rendered.connect(self._on_rendered)

    def refresh(self) -> None:
        if self.ctx.state.info is None:
            return
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self.request()

    def request(self) -> None:
        raise NotImplementedError

    def on_rendered(self, channel: str, result) -> None:
        raise NotImplementedError

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def _on_rendered(self, channel: str, stamp: int, result) -> None:
        if channel in self.channels:
            self.on_rendered(channel, result)


def canvas(placeholder: str, height: int = 150, strip: bool = False) -> ImageCanvas:
    """An image canvas; a ``strip`` one keeps a fixed height (its pictures are wide and low)."""
    c = ImageCanvas()
    c.set_placeholder(placeholder)
    if strip:
        c.setFixedHeight(STRIP_HEIGHT)
    else:
        c.setMinimumHeight(height)
    return c


def preview_label(tip: str) -> QLabel:
    label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, toolTip=tip)
    label.setFixedSize(PREVIEW, PREVIEW)
    label.setFrameShape(QLabel.Shape.StyledPanel)
    return label


class InterpolationPanel(ExplorePanel):
    """Two picks and the path between them: a strip of K frames, a scrubber, PNG and GIF export."""

    channels = ("strip", "scrub")

    def __init__(self, ctx):
        super().__init__(ctx)
        self.frames: np.ndarray | None = None  # uint8 [K, H, W, 3] of the shown strip
        self.start, self.end = PickEdit(ctx, 1), PickEdit(ctx, 2)
        self.count = QSpinBox(minimum=2, maximum=32, value=8, keyboardTracking=False, toolTip="Frames along the path")
        self.mode = QComboBox(toolTip="Slerp keeps the latent's norm typical of the prior; linear cuts through the "
                                      "middle, where latents are shorter than any the generator was trained on")
        self.mode.addItems(["Spherical (slerp)", "Linear"])
        for w in (self.start, self.end):
            w.changed.connect(self.refresh)
        self.count.valueChanged.connect(self.refresh)
        self.mode.currentIndexChanged.connect(self.refresh)
        self.strip = canvas("The path from A to B appears here.", strip=True)
        self.scrubber = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=50,
                                toolTip="Any point along the path, drawn as you drag")
        self.scrubber.valueChanged.connect(self._request_scrub)
        self.t_label = QLabel("t = 0.50")
        self.preview = preview_label("The latent at the scrubber's position")
        use = QPushButton("Explore this point", toolTip="Make the scrubbed latent the one the sliders edit")
        use.clicked.connect(lambda: ctx.use_latent(self._scrub_latent(), f"path t={self._t():.2f}"))
        self.png_button = QPushButton("Export strip PNG...", enabled=False)
        self.gif_button = QPushButton("Export path GIF...", enabled=False)
        self.png_button.clicked.connect(lambda: self._export_dialog("strip.png", "PNG image (*.png)", self.export_png))
        self.gif_button.clicked.connect(lambda: self._export_dialog("path.gif", "GIF animation (*.gif)",
                                                                    self.export_gif))
        top = labelled_grid([[("From A", self.start), ("Frames", self.count)],
                             [("to B", self.end), ("Path", self.mode)]], stretch=(4,))
        scrub = labelled_row("Scrub", self.scrubber, self.t_label)
        side = QVBoxLayout()
        for w in (use, self.png_button, self.gif_button):
            side.addWidget(w)
        side.addStretch(1)
        point = QHBoxLayout()
        point.addWidget(self.preview)
        point.addLayout(side)
        point.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.strip)
        layout.addLayout(scrub)
        layout.addLayout(point)
        layout.addStretch(1)

    def _t(self) -> float:
        return self.scrubber.value() / 100

    def _spherical(self) -> bool:
        return self.mode.currentIndex() == 0

    def _scrub_latent(self) -> np.ndarray:
        from studio.workers.latent_jobs import path_latent

        return path_latent(self.start.pick().vector, self.end.pick().vector, self._t(), self._spherical())

    def request(self) -> None:
        a, b = self.start.pick(), self.end.pick()
        self.ctx.renderer.request("strip", "path", a.vector, b.vector, self.count.value(), self._spherical(),
                                  self.ctx.state.current_label())
        self._request_scrub()

    def _request_scrub(self) -> None:
        self.t_label.setText(f"t = {self._t():.2f}")
        if self.ctx.state.info is not None:
            self.ctx.renderer.request("scrub", "path_point", self.start.pick().vector, self.end.pick().vector,
                                      self._t(), self._spherical(), self.ctx.state.current_label())

    def on_rendered(self, channel: str, result) -> None:
        if channel == "strip":
            self.frames = result.frames
            self.strip.set_image(result.picture)
            self.png_button.setEnabled(True)
            self.gif_button.setEnabled(True)
        else:
            self.preview.setPixmap(to_pixmap(result, PREVIEW - 4))

    # --- export ---
    def export_png(self, path: str) -> None:
        export_strip_png(self.frames, path)

    def export_gif(self, path: str) -> None:
        export_gif(self.frames, path)

    def _export_dialog(self, name: str, kinds: str, write) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export", str(Path.home() / name), kinds)
        if not path:
            return
        try:
            write(path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {Path(path).name}: {exc}")
            return
        self.ctx.show_message(f"Wrote {path}")


class GridPanel(ExplorePanel):
    """Four corner picks and the bilinear grid between them."""

    channels = ("grid",)
    CORNERS = ("Top left", "Top right", "Bottom left", "Bottom right")

    def __init__(self, ctx):
        super().__init__(ctx)
        self.corners = [PickEdit(ctx, seed) for seed in (1, 2, 3, 4)]
        self.side = QSpinBox(minimum=2, maximum=9, value=5, keyboardTracking=False, toolTip="Rows and columns")
        named = list(zip(self.CORNERS, self.corners))
        picks = labelled_grid([named[:2], named[2:], [("Size", self.side)]], stretch=(4,))
        for w in self.corners:
            w.changed.connect(self.refresh)
        self.side.valueChanged.connect(self.refresh)
        self.grid = canvas("The grid between the four corners appears here.", 240)
        layout = QVBoxLayout(self)
        layout.addLayout(picks)
        layout.addWidget(self.grid, 1)

    def request(self) -> None:
        corners = np.stack([w.pick().vector for w in self.corners])
        self.ctx.renderer.request("grid", "grid", corners, self.side.value(), self.ctx.state.current_label())

    def on_rendered(self, channel: str, result) -> None:
        self.grid.set_image(result)
