"""StylePanel: the explorer's tab for style-based models (stylegan). Style mixing as in the StyleGAN paper's
figure, truncation in W, the synthesis noise, principal directions of W applied to chosen layers, and a W+ path
between two latents (projected pictures among them)."""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSpinBox, QVBoxLayout, QWidget)

from studio.state.latent import StyleLatent, seed_pick
from studio.views.explore_paths import MAX_SEED, PREVIEW, ExplorePanel, canvas, preview_label
from studio.widgets.labelled_slider import LabelledSlider
from studio.widgets.layouts import labelled_grid
from studio.widgets.qimage import to_pixmap

GROUPS = ("coarse", "middle", "fine")
NOISES = (("Fixed", "const"), ("None", "none"), ("Resampled", "random"))
W_SLIDERS = 4  # principal directions of W under sliders
EXPLORED = "Explored sample"


def _spin(minimum: int, maximum: int, value: int, tip: str) -> QSpinBox:
    return QSpinBox(minimum=minimum, maximum=maximum, value=value, keyboardTracking=False, toolTip=tip)


class StylePanel(ExplorePanel):
    """Shown for style-based models only; every picture is drawn with the state's truncation and noise."""

    channels = ("mixing", "style_edit", "style_path")
    uses_latent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self.latents: list[StyleLatent] = []  # projected or loaded latents, after the explored sample
        self.mixing_picture: np.ndarray | None = None
        self.path_frames: np.ndarray | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._build_drawing())
        layout.addWidget(self._build_mixing())
        layout.addWidget(self._build_latent())
        layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # --- building ---
    def _build_drawing(self) -> QGroupBox:
        self.psi = LabelledSlider("psi", 0.0, 1.5, steps=150)
        self.psi.set_value(1.0, notify=False)
        self.psi.setToolTip("Truncation in W: w_avg + psi (w - w_avg). Below 1: more typical pictures; 1: as trained")
        self.cutoff = _spin(0, 1, 0, "Truncate only the first N style rows (the coarse layers first); 0: all rows")
        self.cutoff.setSpecialValueText("all layers")
        self.noise = QComboBox(toolTip="The synthesis' per-pixel noise: G's fixed noise, none, or drawn anew")
        self.noise.addItems([text for text, _ in NOISES])
        new_noise = QPushButton("New noise", toolTip="Draw other noise (the same button press draws the same noise)")
        self.psi.value_changed.connect(lambda v: self.ctx.state.set_style(psi=float(v)))
        self.cutoff.valueChanged.connect(lambda v: self.ctx.state.set_style(cutoff=v or None))
        self.noise.currentIndexChanged.connect(lambda i: self.ctx.state.set_style(noise=NOISES[i][1]))
        new_noise.clicked.connect(self.new_noise)
        box = QGroupBox("Drawing (also the main picture)")
        row = QHBoxLayout(box)
        row.addWidget(self.psi, 2)
        for w in (QLabel("Cutoff"), self.cutoff, QLabel("Noise"), self.noise, new_noise):
            row.addWidget(w)
        return box

    def _build_mixing(self) -> QGroupBox:
        self.src_count, self.src_seed = _spin(1, 8, 3, "Source rows"), _spin(0, MAX_SEED, 1, "First source seed")
        self.dst_count, self.dst_seed = _spin(1, 8, 4, "Destination columns"), _spin(0, MAX_SEED, 10,
                                                                                       "First destination seed")
        self.layers = QComboBox(toolTip="Which of the destination's style rows come from the source")
        self.layers.addItems([g.capitalize() for g in GROUPS] + ["Custom"])
        self.start, self.stop = _spin(0, 1, 0, "First style row copied"), _spin(1, 1, 1, "Style row after the last")
        self.chosen_row = QCheckBox("Chosen latent as the first row",
                                    toolTip="The latent chosen below (e.g. a projected picture) as one more source")
        for w in (self.src_count, self.src_seed, self.dst_count, self.dst_seed, self.start, self.stop):
            w.valueChanged.connect(lambda _: self._redraw(self._request_mixing))
        self.layers.currentIndexChanged.connect(self._on_layers_changed)
        self.chosen_row.toggled.connect(lambda _: self._redraw(self._request_mixing))
        self.mix_caption = QLabel(wordWrap=True)
        self.mix_canvas = canvas("Destinations along the top, sources down the left, mixes in between.", 220)
        box = QGroupBox("Style mixing")
        layout = QVBoxLayout(box)
        layout.addLayout(labelled_grid([[("Sources", self.src_count), ("from seed", self.src_seed),
                                         ("Layers", self.layers), ("rows", self.start)],
                                        [("Destinations", self.dst_count), ("from seed", self.dst_seed),
                                         ("", self.chosen_row), ("to", self.stop)]]))
        layout.addWidget(self.mix_caption)
        layout.addWidget(self.mix_canvas)
        return box

    def _build_latent(self) -> QGroupBox:
        self.chosen = QComboBox(toolTip="The latent the W sliders move: the explored sample or a projected picture")
        self.edit_layers = QComboBox(toolTip="The style rows the W directions move")
        self.edit_layers.addItems(["All"] + [g.capitalize() for g in GROUPS])
        self.w_sliders = [LabelledSlider(f"W{k + 1}", -3.0, 3.0, steps=600, fmt="{:+.2f}σ") for k in range(W_SLIDERS)]
        for s in self.w_sliders:
            s.title.setMinimumWidth(s.title.fontMetrics().horizontalAdvance("W4 (100%) "))
            s.set_value(0.0, notify=False)
            s.value_changed.connect(lambda _: self._redraw(self._request_edit))
        reset = QPushButton("Reset", toolTip="Every W slider back to 0")
        reset.clicked.connect(self.reset_sliders)
        self.chosen.currentIndexChanged.connect(lambda _: self._redraw(self.request))
        self.edit_layers.currentIndexChanged.connect(lambda _: self._redraw(self._request_edit))
        self.edit_preview = preview_label("The chosen latent moved along W's principal directions")
        self.path_from, self.path_to = QComboBox(), QComboBox()
        self.frames = _spin(2, 16, 6, "Frames along the straight line in W+")
        for w in (self.path_from, self.path_to):
            w.currentIndexChanged.connect(lambda _: self._redraw(self._request_path))
        self.frames.valueChanged.connect(lambda _: self._redraw(self._request_path))
        self.path_strip = canvas("A straight line in W+ between two latents.", strip=True)
        self._fill_latent_combos()
        sliders = QVBoxLayout()
        sliders.addLayout(labelled_grid([[("Latent", self.chosen), ("Layers", self.edit_layers)]], stretch=(1,)))
        for s in self.w_sliders:
            sliders.addWidget(s)
        sliders.addWidget(reset)
        top = QHBoxLayout()
        top.addLayout(sliders, 1)
        top.addWidget(self.edit_preview)
        box = QGroupBox("Principal directions of W and a path in W+")
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addLayout(labelled_grid([[("Path from", self.path_from), ("to", self.path_to),
                                         ("Frames", self.frames)]], stretch=(1, 3)))
        layout.addWidget(self.path_strip)
        return box

    # --- model and latents ---
    def set_model(self, info) -> None:
        """A new model: its style rows bound the range spins; latents of the old model are dropped."""
        if not info.style:
            return
        self.latents = []
        self._fill_latent_combos()
        for w, value in ((self.cutoff, 0), (self.start, 0), (self.stop, info.num_ws)):
            w.blockSignals(True)
            w.setMaximum(info.num_ws)
            w.setValue(value)
            w.blockSignals(False)
        self.psi.set_value(1.0, notify=False)
        self.noise.blockSignals(True)
        self.noise.setCurrentIndex(0)
        self.noise.blockSignals(False)
        self._show_group(info)

    def add_latent(self, latent: StyleLatent) -> None:
        """A projected (or loaded) latent: chosen for the W sliders and made the path's end."""
        self.latents.append(latent)
        self._fill_latent_combos()
        last = len(self.latents)
        self.path_from.setCurrentIndex(last - 1 if last > 1 else 0)
        self.path_to.setCurrentIndex(last)
        self.chosen.setCurrentIndex(last)

    def _fill_latent_combos(self) -> None:
        names = [EXPLORED] + [lat.text for lat in self.latents]
        for combo in (self.chosen, self.path_from, self.path_to):
            index = combo.currentIndex()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(min(max(index, 0), len(names) - 1))
            combo.blockSignals(False)

    def latent_at(self, index: int) -> StyleLatent:
        if index <= 0 or index > len(self.latents):
            return StyleLatent("explored", z=self.ctx.state.current())
        return self.latents[index - 1]

    def layer_range(self) -> tuple[int, int]:
        return self.start.value(), max(self.start.value(), self.stop.value())

    def new_noise(self) -> None:
        style = self.ctx.state.style
        self.noise.blockSignals(True)
        self.noise.setCurrentIndex(2)
        self.noise.blockSignals(False)
        self.ctx.state.set_style(noise="random", noise_seed=style.noise_seed + 1)

    def reset_sliders(self) -> None:
        for s in self.w_sliders:
            s.title.setMinimumWidth(s.title.fontMetrics().horizontalAdvance("W4 (100%) "))
            s.set_value(0.0, notify=False)
        self._redraw(self._request_edit)

    def _on_layers_changed(self, _index: int) -> None:
        if self.ctx.state.info is not None:
            self._show_group(self.ctx.state.info)
        self._redraw(self._request_mixing)

    def _show_group(self, info) -> None:
        """The row spins show the chosen group's rows, editable only for a custom range."""
        index = self.layers.currentIndex()
        custom = index >= len(GROUPS)
        if not custom and info.style:
            for w, value in zip((self.start, self.stop), info.group(GROUPS[index])):
                w.blockSignals(True)
                w.setValue(value)
                w.blockSignals(False)
        self.start.setEnabled(custom)
        self.stop.setEnabled(custom)

    # --- rendering ---
    def refresh(self) -> None:
        if self.ctx.state.info is not None and self.ctx.state.info.style:
            super().refresh()

    def _redraw(self, part) -> None:
        """Ask for one part of the tab (or all of it) when shown; else redraw when next shown."""
        info = self.ctx.state.info
        if info is None or not info.style:
            return
        if not self.isVisible():
            self._dirty = True
            return
        part()

    def request(self) -> None:
        self._request_mixing()
        self._request_edit()
        self._request_path()

    def _request_mixing(self) -> None:
        info, state = self.ctx.state.info, self.ctx.state
        sources = [self._seed(s) for s in range(self.src_seed.value(), self.src_seed.value() + self.src_count.value())]
        if self.chosen_row.isChecked():
            sources.insert(0, self.latent_at(self.chosen.currentIndex()))
        destinations = [self._seed(s) for s in range(self.dst_seed.value(),
                                                     self.dst_seed.value() + self.dst_count.value())]
        start, stop = self.layer_range()
        self.mix_caption.setText(f"Columns: {_names(destinations)}. Rows: {_names(sources)}, whose style rows "
                                 f"{start}..{stop - 1} (of {info.num_ws}) replace the column's.")
        self.ctx.renderer.request("mixing", "mixing", sources, destinations, start, stop, state.current_label(),
                                  state.style)

    def _request_edit(self) -> None:
        state = self.ctx.state
        group = self.edit_layers.currentIndex()
        start, stop = (0, state.info.num_ws) if group == 0 else state.info.group(GROUPS[group - 1])
        amounts = np.array([s.value() for s in self.w_sliders], np.float32)
        self.ctx.renderer.request("style_edit", "style_edit", self.latent_at(self.chosen.currentIndex()), amounts,
                                  start, stop, state.current_label(), state.style)

    def _request_path(self) -> None:
        state = self.ctx.state
        a, b = self.latent_at(self.path_from.currentIndex()), self.latent_at(self.path_to.currentIndex())
        self.ctx.renderer.request("style_path", "style_path", a, b, self.frames.value(), state.current_label(),
                                  state.style)

    def _seed(self, seed: int) -> StyleLatent:
        return StyleLatent(f"seed {seed}", z=seed_pick(seed, self.ctx.state.info).vector)

    def on_rendered(self, channel: str, result) -> None:
        if channel == "mixing":
            self.mixing_picture = result
            self.mix_canvas.set_image(result)
        elif channel == "style_edit":
            self.edit_preview.setPixmap(to_pixmap(result.picture, PREVIEW - 4))
            for s, share in zip(self.w_sliders, result.explained):
                s.title.setText(f"W{self.w_sliders.index(s) + 1} ({100 * share:.0f}%)")
        else:
            self.path_frames = result.frames
            self.path_strip.set_image(result.picture)


def _names(latents: list[StyleLatent]) -> str:
    seeds = [lat.text for lat in latents]
    return ", ".join(seeds) if len(seeds) <= 4 else f"{seeds[0]} .. {seeds[-1]}"
