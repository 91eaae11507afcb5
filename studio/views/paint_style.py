"""StylePanel: the picture's style (its latent seed): reseed, six variations to pick from, a reference."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QToolButton, QVBoxLayout, QWidget

from studio.widgets.qimage import to_pixmap

VARIATIONS = 6
THUMB = 64  # px, one variation in the strip
MAX_SEED = 2**31 - 1
NO_ENCODER_TIP = ("This model has no style encoder, so it cannot copy a picture's style; "
                  "reseed or pick one of the variations instead")


class StylePanel(QWidget):
    """The seed, a Reseed button, "From picture..." and a strip of VARIATIONS styles of the painting.

    Signals:
        seed_chosen(int): the user typed, drew or clicked a new seed for the picture
        variations_requested(): new seeds for the strip were drawn (render them)
        reference_requested(): "From picture..." was pressed (only enabled when the model has an encoder)
    """

    seed_chosen = Signal(int)
    variations_requested = Signal()
    reference_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rng = np.random.default_rng()
        self.seeds = [int(s) for s in self._rng.integers(0, MAX_SEED, VARIATIONS)]
        self.seed_spin = QSpinBox(minimum=0, maximum=MAX_SEED, toolTip="The style: the same seed and map give the "
                                                                       "same picture")
        self.seed_spin.valueChanged.connect(self._on_seed_spin_changed)
        self.reseed_button = QPushButton("Reseed", toolTip="A random new style for the picture")
        self.reseed_button.clicked.connect(lambda: self.set_seed(int(self._rng.integers(0, MAX_SEED)), emit=True))
        self.more_button = QPushButton("More styles", toolTip=f"{VARIATIONS} new variations below to pick from")
        self.more_button.clicked.connect(self.new_variations)
        self.reference_button = QPushButton("From picture...", enabled=False, toolTip=NO_ENCODER_TIP)
        self.reference_button.clicked.connect(self.reference_requested)
        top = QHBoxLayout()
        top.addWidget(QLabel("Style seed"))
        top.addWidget(self.seed_spin)
        for button in (self.reseed_button, self.more_button, self.reference_button):
            top.addWidget(button)
        top.addStretch(1)

        self.thumbs: list[QToolButton] = []
        strip = QHBoxLayout()
        strip.setSpacing(4)
        for i in range(VARIATIONS):
            button = QToolButton(checkable=True, autoRaise=True, iconSize=QSize(THUMB, THUMB))
            button.setFixedSize(THUMB + 8, THUMB + 8)
            button.clicked.connect(lambda _=False, at=i: self._on_thumb_clicked(at))
            self.thumbs.append(button)
            strip.addWidget(button)
        strip.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(strip)
        self._update_tips()

    def seed(self) -> int:
        return self.seed_spin.value()

    def set_seed(self, seed: int, emit: bool = False) -> None:
        self.seed_spin.blockSignals(True)
        self.seed_spin.setValue(int(seed))
        self.seed_spin.blockSignals(False)
        self._check_current()
        if emit:
            self.seed_chosen.emit(int(seed))

    def new_variations(self) -> None:
        self.seeds = [int(s) for s in self._rng.integers(0, MAX_SEED, VARIATIONS)]
        for button in self.thumbs:
            button.setIcon(to_pixmap(np.zeros((THUMB, THUMB, 3), np.uint8)))
        self._update_tips()
        self._check_current()
        self.variations_requested.emit()

    def set_thumbnail(self, index: int, picture: np.ndarray, seed: int) -> None:
        """uint8 [H, W, 3]: the painting in ``seed``'s style, for strip place ``index`` (ignored if reseeded since)."""
        if self.seeds[index] == seed:
            self.thumbs[index].setIcon(to_pixmap(picture, THUMB))

    def set_reference_available(self, available: bool) -> None:
        self.reference_button.setEnabled(available)
        self.reference_button.setToolTip("Copy the style of a picture (the model's encoder reads it)" if available
                                         else NO_ENCODER_TIP)

    def _on_thumb_clicked(self, at: int) -> None:
        self.set_seed(self.seeds[at], emit=True)

    def _on_seed_spin_changed(self, value: int) -> None:
        self._check_current()
        self.seed_chosen.emit(value)

    def _check_current(self) -> None:
        for button, seed in zip(self.thumbs, self.seeds):
            button.setChecked(seed == self.seed())

    def _update_tips(self) -> None:
        for button, seed in zip(self.thumbs, self.seeds):
            button.setToolTip(f"Use this style (seed {seed})")
