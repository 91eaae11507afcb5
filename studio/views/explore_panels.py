"""The explorer's truncation, vector-arithmetic and class panels."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox,
                               QVBoxLayout)

from studio.views.explore_paths import PREVIEW, ExplorePanel, PickEdit, canvas, preview_label
from studio.widgets.labelled_slider import LabelledSlider
from studio.widgets.layouts import labelled_grid, labelled_row
from studio.widgets.qimage import to_pixmap

TRUNCATION_SAMPLES = 16


class TruncationPanel(ExplorePanel):
    """psi from 0 to 1.5 on a grid of 16 samples: quality against diversity (BigGAN's truncation trick)."""

    channels = ("truncation",)

    def __init__(self, ctx):
        super().__init__(ctx)
        self.psi = LabelledSlider("psi", 0.0, 1.5, steps=150)
        self.psi.set_value(0.7, notify=False)
        self.psi.setToolTip("Latents are pulled toward the prior's mean: mean + psi (z - mean)")
        self.psi.value_changed.connect(self.refresh)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0, keyboardTracking=False,
                             toolTip="Seed of the 16 samples")
        self.seed.valueChanged.connect(self.refresh)
        new = QPushButton("New samples", toolTip="Another 16 latents")
        new.clicked.connect(lambda: self.seed.setValue(self.seed.value() + 1))
        note = QLabel("psi 0: every sample is the mean latent's picture; below 1: cleaner, more alike; 1: the "
                      "generator as trained; above 1: more varied, more artefacts.", wordWrap=True)
        controls = QHBoxLayout()
        controls.addWidget(self.psi, 1)
        controls.addWidget(QLabel("Seed"))
        controls.addWidget(self.seed)
        controls.addWidget(new)
        self.grid = canvas("16 truncated samples appear here.", 240)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(note)
        layout.addWidget(self.grid, 1)

    def request(self) -> None:
        self.ctx.renderer.request("truncation", "truncation", self.seed.value(), self.psi.value(), TRUNCATION_SAMPLES,
                                  self.ctx.state.current_label())

    def on_rendered(self, channel: str, result) -> None:
        self.grid.set_image(result)


class ArithmeticPanel(ExplorePanel):
    """DCGAN Fig. 7: three picks per group, mean(A) - mean(B) + mean(C)."""

    channels = ("arithmetic",)
    GROUPS = ("A", "- B", "+ C")

    def __init__(self, ctx):
        super().__init__(ctx)
        self.vector: np.ndarray | None = None
        self.groups = [[PickEdit(ctx, 10 * g + i + 1) for i in range(3)] for g in range(3)]
        picks = QGridLayout()
        for g, (title, row) in enumerate(zip(self.GROUPS, self.groups)):
            picks.addWidget(QLabel(f"<b>{title}</b>"), g, 0)
            for i, w in enumerate(row):
                picks.addWidget(w, g, i + 1)
                w.changed.connect(self.refresh)
        self.rows = canvas("Each group's samples and the picture of their mean latent.", 200)
        self.rows.setToolTip("One row per group: its three samples, then the picture of their mean latent")
        self.result = preview_label("The picture of mean A - mean B + mean C")
        use = QPushButton("Explore the result", toolTip="Make A - B + C the latent the sliders edit")
        use.clicked.connect(lambda: self.vector is not None and ctx.use_latent(self.vector, "A - B + C"))
        result_box = QVBoxLayout()
        result_box.addWidget(QLabel("mean A - mean B + mean C"))
        result_box.addWidget(self.result)
        result_box.addWidget(use)
        result_box.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.rows, 1)
        bottom.addLayout(result_box)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Pick three samples per group that share a feature (e.g. the gallery's bold 3s)."))
        layout.addLayout(picks)
        layout.addLayout(bottom, 1)

    def request(self) -> None:
        groups = np.stack([np.stack([w.pick().vector for w in row]) for row in self.groups])  # [3, 3, d]
        self.ctx.renderer.request("arithmetic", "arithmetic", groups, self.ctx.state.current_label())

    def on_rendered(self, channel: str, result) -> None:
        self.vector = result.vector
        self.rows.set_image(result.rows)
        self.result.setPixmap(to_pixmap(result.result, PREVIEW - 4))


class ClassPanel(ExplorePanel):
    """For class-conditional models: the explored latent drawn from one class to another."""

    channels = ("class_strip", "class_point")
    uses_latent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self.start, self.end = QComboBox(), QComboBox()
        self.count = QSpinBox(minimum=2, maximum=32, value=8, keyboardTracking=False, toolTip="Frames")
        self.mix = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=50,
                           toolTip="How much of the second class: 0 is the first class, 1 the second")
        for w in (self.start, self.end):
            w.currentIndexChanged.connect(self.refresh)
        self.count.valueChanged.connect(self.refresh)
        self.mix.valueChanged.connect(self._request_point)
        self.how = QLabel(wordWrap=True)
        self.strip = canvas("The explored latent, from one class to the other.", strip=True)
        self.preview = preview_label("The explored latent drawn as the mix of the two classes")
        self.t_label = QLabel()
        top = labelled_grid([[("From class", self.start), ("to class", self.end), ("Frames", self.count)]],
                            stretch=(1, 3))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.how)
        layout.addWidget(self.strip)
        layout.addLayout(labelled_row("Mix", self.mix))
        layout.addWidget(self.t_label)
        layout.addWidget(self.preview)
        layout.addStretch(1)

    def set_classes(self, names: tuple[str, ...], embedding: bool) -> None:
        for combo, index in ((self.start, 0), (self.end, min(1, len(names) - 1))):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(class_titles(names))
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
        self.how.setText("The generator's label embeddings are mixed, so every frame is one picture of a blended class."
                         if embedding else "This generator takes a one-hot label and has no embedding to mix: the "
                         "frames blend the two classes' pictures.")

    def request(self) -> None:
        self.ctx.renderer.request("class_strip", "class_path", self.ctx.state.current(), self.start.currentIndex(),
                                  self.end.currentIndex(), self.count.value())
        self._request_point()

    def _request_point(self) -> None:
        t = self.mix.value() / 100
        self.t_label.setText(f"{1 - t:.2f} x class {self.start.currentText()}  +  {t:.2f} x class "
                             f"{self.end.currentText()}")
        if self.ctx.state.info is not None and self.ctx.state.info.conditional:
            self.ctx.renderer.request("class_point", "class_point", self.ctx.state.current(),
                                      self.start.currentIndex(), self.end.currentIndex(), t)

    def refresh(self) -> None:
        if self.ctx.state.info is not None and self.ctx.state.info.conditional:
            super().refresh()

    def on_rendered(self, channel: str, result) -> None:
        if channel == "class_strip":
            self.strip.set_image(result.picture)
        else:
            self.preview.setPixmap(to_pixmap(result, PREVIEW - 4))



def class_titles(names: tuple[str, ...]) -> list[str]:
    """Combo texts: "3" for glyphs' digit classes, "3: cat" when the name is not the index."""
    return [name if name == str(i) else f"{i}: {name}" for i, name in enumerate(names)]
