"""SliderPanel: sliders for the top-K principal directions and the first N raw latent dimensions, and the InfoGAN
codes of runs that have them (a combo box per categorical code, a slider per continuous one)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

from studio.state.latent import SLIDER_SIGMAS, LatentState
from studio.widgets.labelled_slider import LabelledSlider

MAX_DIRECTIONS = 20  # directions computed once per model; the panel shows the first K
DEFAULT_DIRECTIONS, DEFAULT_RAW = 8, 8
SLIDER_STEPS = 600  # 0.01 sigma per step
CODE_LIMIT = 2.0  # continuous codes are U(-1, 1) in training; the slider goes a little beyond


class SliderRow(QWidget):
    """A labelled slider with its own reset button. Signals: moved(float), reset_requested()."""

    moved = Signal(float)
    reset_requested = Signal()

    def __init__(self, title: str, limit: float, fmt: str, tip: str, title_width: int):
        super().__init__()
        self.slider = LabelledSlider(title, -limit, limit, SLIDER_STEPS, fmt=fmt)
        self.slider.title.setFixedWidth(title_width)
        self.slider.setToolTip(tip)
        self.slider.value_changed.connect(self.moved)
        reset = QToolButton(text="Reset", toolTip="Back to the picked sample's value", autoRaise=True)
        reset.clicked.connect(self.reset_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(reset)

    def show_value(self, value: float) -> None:
        self.slider.set_value(value, notify=False)


class SliderPanel(QWidget):
    """Edits a :class:`LatentState`: every slider move sets the state, which asks for a new image."""

    def __init__(self, state: LatentState):
        super().__init__()
        self.state = state
        self.direction_rows: list[SliderRow] = []
        self.raw_rows: list[SliderRow] = []
        self.code_combos: list[QComboBox] = []  # one per categorical code
        self.code_rows: list[SliderRow] = []  # one per continuous code
        self._code_widgets: list[QWidget] = []
        self._editing = False  # True while a slider writes the state: no need to move the sliders back
        self.k_spin = QSpinBox(minimum=0, maximum=MAX_DIRECTIONS, value=DEFAULT_DIRECTIONS, keyboardTracking=False,
                               toolTip="Principal directions of the generator (GANSpace), strongest first")
        self.n_spin = QSpinBox(minimum=0, maximum=DEFAULT_RAW, value=DEFAULT_RAW, keyboardTracking=False,
                               toolTip="Raw latent coordinates z[0], z[1], ... (up to the latent size)")
        self.k_spin.valueChanged.connect(self._rebuild)
        self.n_spin.valueChanged.connect(self._rebuild)
        reset_all = QPushButton("Reset all", toolTip="Every slider back to the picked sample")
        reset_all.clicked.connect(state.reset_all)
        counts = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Directions", self.k_spin)
        counts.addLayout(form)
        form = QFormLayout()
        form.addRow("Raw dimensions", self.n_spin)
        counts.addLayout(form)
        counts.addStretch(1)
        counts.addWidget(reset_all)

        self.codes_title = QLabel("<b>InfoGAN codes</b> (the code entries at the end of the latent)")
        self.codes_box = QFormLayout()
        self.directions_title = QLabel(wordWrap=True)
        self.raw_title = QLabel("<b>Raw latent dimensions</b> (the value of z[i]; +-3 sigma of the prior)")
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.codes_title)
        body_layout.addLayout(self.codes_box)
        body_layout.addWidget(self.directions_title)
        body_layout.addLayout(self.rows_box)
        body_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(counts)
        layout.addWidget(scroll, 1)
        state.changed.connect(self._on_state_changed)
        self._rebuild_codes()
        self._rebuild()

    # --- building ---
    def _rebuild(self) -> None:
        """Sliders for the current K and N (rows are cheap; rebuilding keeps the code simple)."""
        for row in self.direction_rows + self.raw_rows:
            self.rows_box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows_box.removeWidget(self.raw_title)
        info, k_have = self.state.info, len(self.state.vectors)
        k = min(self.k_spin.value(), k_have)
        for hidden in range(k, k_have):  # a direction without a slider must not move the latent
            if self.state.amounts[hidden]:
                self.state.set_amount(hidden, 0.0)
        width = self.fontMetrics().horizontalAdvance("PC20 (99.9%)  ")
        self.direction_rows = [self._row(f"PC{i + 1} ({100 * self.state.explained[i]:.1f}%)", SLIDER_SIGMAS,
                                         "{:+.2f}σ", self._direction_tip(i), width, i, True) for i in range(k)]
        n = min(self.n_spin.value(), info.latent_dim if info else 0)
        limit = SLIDER_SIGMAS * (info.raw_sigma if info else 1.0)
        self.raw_rows = [self._row(f"z[{i}]", limit, "{:+.2f}", f"Latent coordinate {i}", width, i, False)
                         for i in range(n)]
        for row in self.direction_rows:
            self.rows_box.addWidget(row)
        self.rows_box.addWidget(self.raw_title)
        self.raw_title.setVisible(bool(self.raw_rows))
        for row in self.raw_rows:
            self.rows_box.addWidget(row)
        self._update_directions_title()
        self._sync()

    def _rebuild_codes(self) -> None:
        """A combo box per categorical code (values 0..K-1) and a slider per continuous code."""
        for w in self._code_widgets:
            w.hide()
            w.deleteLater()
        while self.codes_box.rowCount():
            self.codes_box.removeRow(0)
        self.code_combos, self.code_rows, self._code_widgets = [], [], []
        info = self.state.info
        if info is None or not info.info_codes:
            self.codes_title.setVisible(False)
            return
        from gan_backend.models.inputs import InfoCodes  # loaded already: the renderer built the info with it

        cats, cont = info.codes
        names = InfoCodes(cats, cont).names()
        at = info.code_start
        for i, k in enumerate(cats):
            combo = QComboBox(toolTip=f"Categorical code {i + 1}: the one-hot entries z[{at}..{at + k - 1}]")
            combo.addItems([str(v) for v in range(k)])
            combo.currentIndexChanged.connect(lambda v, at=at, k=k: self._set_code(at, k, v))
            self.code_combos.append(combo)
            self.codes_box.addRow(names[i], combo)
            at += k
        width = self.fontMetrics().horizontalAdvance("continuous 10  ")
        for j in range(cont):
            row = self._row("", CODE_LIMIT, "{:+.2f}", f"Continuous code {j + 1}: z[{at}]", width, at, False)
            self.code_rows.append(row)
            self.codes_box.addRow(names[len(cats) + j], row)
            at += 1
        self._code_widgets = [*self.code_combos, *self.code_rows]
        self.codes_title.setVisible(bool(self._code_widgets))

    def _set_code(self, at: int, k: int, value: int) -> None:
        if value >= 0:
            self._edit(lambda _i, _v: self.state.set_raws({at + j: float(j == value) for j in range(k)}), at, value)

    def _row(self, title: str, limit: float, fmt: str, tip: str, width: int, index: int, direction: bool) -> SliderRow:
        row = SliderRow(title, limit, fmt, tip, width)
        setter = self.state.set_amount if direction else self.state.set_raw
        row.moved.connect(lambda value: self._edit(setter, index, value))
        if direction:
            row.reset_requested.connect(lambda: self.state.set_amount(index, 0.0))
        else:
            row.reset_requested.connect(lambda: self.state.reset_raw(index))
        return row

    def _direction_tip(self, i: int) -> str:
        return (f"Principal direction {i + 1}: {100 * self.state.explained[i]:.1f}% of the variance of the generator's "
                f"first layer; the slider moves the latent by up to 3 sigma ({self.state.sigma[i]:.2f}) along it")

    def _update_directions_title(self) -> None:
        info = self.state.info
        if info is None:
            text = "Load a model to get sliders."
        elif not len(self.state.vectors):
            text = "<b>Principal directions</b>: computing them (PCA of the generator's first layer)..."
        else:
            text = ("<b>Principal directions</b> (GANSpace: PCA of the generator's first layer, strongest first; "
                    "amounts in sigmas)")
        self.directions_title.setText(text)

    # --- state <-> sliders ---
    def _edit(self, setter, index: int, value: float) -> None:
        self._editing = True
        try:
            setter(index, value)
        finally:
            self._editing = False

    def _on_state_changed(self, what: str) -> None:
        if what == "model":
            self.n_spin.setMaximum(self.state.info.latent_dim)
            self._rebuild_codes()
            self._rebuild()
        elif what == "directions":
            self._rebuild()
        elif what == "latent" and not self._editing:
            self._sync()

    def _sync(self) -> None:
        """Sliders show the state: raw sliders the coordinate's value, direction sliders their amount."""
        for i, row in enumerate(self.direction_rows):
            row.show_value(float(self.state.amounts[i]))
        for i, row in enumerate(self.raw_rows):
            row.show_value(self.state.raw_value(i))
        if self.state.base is None or not self._code_widgets:  # most runs have no codes: nothing more to show
            return
        z, at = self.state.current(), self.state.info.code_start
        for combo, k in zip(self.code_combos, self.state.info.codes[0]):
            combo.blockSignals(True)
            combo.setCurrentIndex(int(np.argmax(z[at:at + k])))
            combo.blockSignals(False)
            at += k
        for row in self.code_rows:
            row.show_value(float(z[at]))
            at += 1
