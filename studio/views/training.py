"""TrainingPanel: every training choice, built from the registries and the config dataclasses."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QScrollArea,
                               QSpinBox, QToolButton, QVBoxLayout, QWidget)

from studio.state.catalog import Catalog
from studio.views.training_fields import (AMP_MODES, ANY_MODEL_SIZES, GROUPS, INFO_CODE_CHOICES, LIVE_FIELDS,
                                         NUMBER_FIELDS, TIPS)
from studio.widgets.spinboxes import ScientificSpinBox

LOCKED_TIP = "Locked while training: stop the run to change it."
LIVE_TIP = "Applied live at the next step and marked in the plots."


class TrainingPanel(QWidget):
    """Model, loss, optimiser, tips, device and run length; Start, Pause/Resume, Stop, Save checkpoint.

    The panel owns the four actions so menus and shortcuts share them (Space pauses, Ctrl+S saves).

    Signals:
        start_requested(object): a ``gan_backend.config.Config`` to train (dataset filled in)
        live_change_requested(object): {"lr_d": 1e-4, ...} while a run is going
    """

    start_requested = Signal(object)
    live_change_requested = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.catalog: Catalog | None = None
        self.dataset_spec, self.dataset_kind, self.num_classes = "", "", 0
        self.running = False
        self.widgets: dict[str, QWidget] = {}
        self._live_pending: dict[str, object] = {}
        self._live_timer = QTimer(self, singleShot=True, interval=400, timeout=self._flush_live_changes)
        self._make_actions()
        self._build()
        self._update_actions()

    # --- actions ---
    def _make_actions(self) -> None:
        self.start_action = QAction("Start", self, shortcut=QKeySequence("Ctrl+Return"), triggered=self.request_start,
                                    toolTip="Start training with these settings on the chosen dataset (Ctrl+Enter)")
        self.pause_action = QAction("Pause", self, shortcut=QKeySequence(Qt.Key.Key_Space), checkable=True,
                                    toolTip="Pause or resume between steps (Space)")
        self.stop_action = QAction("Stop", self, shortcut=QKeySequence("Ctrl+."),
                                   toolTip="Stop after the current step and save a checkpoint (Ctrl+.)")
        self.checkpoint_action = QAction("Save checkpoint", self, shortcut=QKeySequence.StandardKey.Save,
                                         toolTip="Save checkpoints/last.pt now, without stopping (Ctrl+S)")
        for action in self.actions_list():
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def actions_list(self) -> list[QAction]:
        return [self.start_action, self.pause_action, self.stop_action, self.checkpoint_action]

    # --- layout ---
    def _build(self) -> None:
        buttons = QHBoxLayout()
        for action in self.actions_list():
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.dataset_label = QLabel("Dataset: none yet", wordWrap=True)
        self.note = QLabel("While training, learning rates and D/G steps change live (marked in the plots); "
                           "the rest is locked until you stop.", wordWrap=True, visible=False)
        self.recipe_note = QLabel(wordWrap=True, visible=False)
        self.recipe_extras: dict[str, object] = {}  # recipe fields without a widget here (e.g. train.ada_kimg)
        self.form = form_host = QWidget()
        form_layout = QVBoxLayout(form_host)
        form_layout.setContentsMargins(0, 0, 0, 0)
        for title, keys in GROUPS:
            form_layout.addWidget(self._group(title, keys))
        form_layout.addWidget(self._tips_group())
        form_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        scroll.setWidget(form_host)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.dataset_label)
        layout.addWidget(self.recipe_note)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)

    def _group(self, title: str, keys: list[str]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        numbers = {key: (label, lo, hi) for key, label, lo, hi in NUMBER_FIELDS}
        for key in keys:
            if key in numbers:
                label, lo, hi = numbers[key]
                widget = self._number_widget(key, lo, hi)
            else:
                label, widget = self._combo_widget(key)
            self.widgets[key] = widget
            form.addRow(label, widget)
        return box

    def _number_widget(self, key: str, lo, hi) -> QWidget:
        if isinstance(lo, float):
            widget = ScientificSpinBox(lo, hi)
        else:
            widget = QSpinBox(minimum=lo, maximum=hi, keyboardTracking=False)
            widget.setGroupSeparatorShown(key == "train.steps")
        if key in LIVE_FIELDS:
            widget.valueChanged.connect(lambda value, k=key: self._on_live_value_changed(k, value))
        return widget

    def _combo_widget(self, key: str) -> tuple[str, QComboBox]:
        labels = {"model.name": "Model", "loss.name": "Loss", "loss.penalty": "Penalty",
                  "train.device": "Device", "train.amp": "Mixed precision", "data.image_size": "Resolution",
                  "data.crop": "Make square by", "train.augment": "Augmentation", "model.info_codes": "InfoGAN codes"}
        combo = QComboBox(enabled=False)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        if key == "train.device":
            combo.currentIndexChanged.connect(self._on_device_changed)
        if key == "model.name":
            combo.currentIndexChanged.connect(self._on_model_changed)
        return labels[key], combo

    def _tips_group(self) -> QGroupBox:
        box = QGroupBox("Training tips")
        layout = QVBoxLayout(box)
        for key, text, _, _ in TIPS:
            check = QCheckBox(text)
            self.widgets[key] = check
            layout.addWidget(check)
        return box

    # --- filling from the registries ---
    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        fill = {"model.name": catalog.models, "loss.name": catalog.losses, "loss.penalty": catalog.penalties}
        for key, choices in fill.items():
            combo = self.widgets[key]
            combo.clear()
            for c in choices:
                combo.addItem(c.name, c.name)
                combo.setItemData(combo.count() - 1, c.summary, Qt.ItemDataRole.ToolTipRole)
        self._fill_devices(catalog)
        amp = self.widgets["train.amp"]
        amp.clear()
        amp.addItems(AMP_MODES)
        codes = self.widgets["model.info_codes"]
        codes.clear()
        for text, value in INFO_CODE_CHOICES:
            codes.addItem(f"{text} ({value})" if value else text, value)
        for key in ("data.crop", "train.augment"):
            self.widgets[key].clear()
            for value in catalog.options.get(key, []):
                self.widgets[key].addItem(value, value)
        for key, why in catalog.comments.items():
            if key in self.widgets:
                self.widgets[key].setToolTip(why)
        self.set_values(catalog.defaults)
        self._update_model_choices()
        self._on_model_changed()
        self.set_running(self.running)  # the combos start disabled (empty) until the registries are here
        self._update_actions()

    def _fill_devices(self, catalog: Catalog) -> None:
        combo = self.widgets["train.device"]
        combo.clear()
        combo.addItem("auto: first accelerator, else CPU", "auto")
        for d in catalog.devices:
            combo.addItem(f"{d.name}: {d.description}", d.name)
            at = combo.count() - 1
            combo.setItemData(at, d.description if d.present else f"Not available: {d.description}",
                              Qt.ItemDataRole.ToolTipRole)
            if not d.present:
                _set_item_enabled(combo, at, False)

    def set_dataset(self, spec: str, kind: str, num_classes: int) -> None:
        self.dataset_spec, self.dataset_kind, self.num_classes = spec, kind, num_classes
        self.dataset_label.setText(f"Dataset: <b>{spec}</b>")
        self.recipe_note.setVisible(False)  # a recipe is for the folder it was made for
        self.recipe_extras = {}
        self._update_model_choices()
        self._update_actions()

    def _update_model_choices(self) -> None:
        """Grey out models that cannot train on the chosen dataset, with the reason as tooltip."""
        if self.catalog is None:
            return
        combo = self.widgets["model.name"]
        for i, choice in enumerate(self.catalog.models):
            why = _model_unfit(choice.meta, self.dataset_kind, self.num_classes)
            _set_item_enabled(combo, i, not why)
            combo.setItemData(i, why or choice.summary, Qt.ItemDataRole.ToolTipRole)
        if not _item_enabled(combo, combo.currentIndex()):
            fit = next((i for i in range(combo.count()) if _item_enabled(combo, i)), -1)
            combo.setCurrentIndex(fit)

    def _on_model_changed(self, _: int = 0) -> None:
        """Offer the sizes the chosen model is built for (its registry ``sizes``), keeping the choice if offered."""
        combo = self.widgets["data.image_size"]
        if self.catalog is None:
            return
        choice = self.catalog.model(self.widgets["model.name"].currentData() or "")
        sizes = (choice.meta.get("sizes") if choice else None) or ANY_MODEL_SIZES
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("the dataset's own size", "0")
        for side in sizes:
            combo.addItem(f"{side} x {side} px", str(side))
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)

    def apply_recipe(self, fields: dict[str, object], why: str) -> None:
        """Fill the fields of a recipe (``gan_backend.data.recipes``) and say why; nothing starts."""
        self.set_values(fields)
        # Fields the panel has no widget for still reach the config, and the note names them.
        self.recipe_extras = {k: v for k, v in fields.items() if k not in self.widgets}
        extras = "".join(f"; also {k}={v}" for k, v in self.recipe_extras.items())
        self.recipe_note.setText(f"<b>Recipe:</b> {why}{extras}. Change anything, then Start.")
        self.recipe_note.setVisible(True)

    # --- values ---
    def values(self) -> dict[str, object]:
        out = {}
        for key, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                out[key] = widget.currentData() if widget.currentData() is not None else widget.currentText()
            elif isinstance(widget, QCheckBox):
                on, off = next((on, off) for k, _, on, off in TIPS if k == key)
                out[key] = on if widget.isChecked() else off
            else:
                out[key] = widget.value()
        return {**self.recipe_extras, **out}

    def set_values(self, values: dict[str, object]) -> None:
        # The model first: it decides which resolutions the size combo offers.
        for key, value in sorted(values.items(), key=lambda kv: kv[0] != "model.name"):
            widget = self.widgets.get(key)
            if widget is None or value is None:
                continue
            if isinstance(widget, QComboBox):
                at = widget.findData(str(value))
                if at >= 0 and _item_enabled(widget, at):
                    widget.setCurrentIndex(at)
            elif isinstance(widget, QCheckBox):
                widget.setChecked(value not in (0, 0.0, False, "false", "0"))
            else:
                widget.setValue(float(value) if isinstance(widget, ScientificSpinBox) else int(value))

    def config(self):
        """A fresh Config with these values and the chosen dataset."""
        from gan_backend.config import Config

        cfg = Config()
        cfg.set("data.dataset", self.dataset_spec)
        for key, value in self.values().items():
            cfg.set(key, value, source=f"training panel {key}")
        return cfg

    # --- running state ---
    def request_start(self) -> None:
        if not self.running and self.catalog is not None and self.dataset_spec:
            self.start_requested.emit(self.config())

    def set_running(self, running: bool, paused: bool = False) -> None:
        self.running = running
        for key, widget in self.widgets.items():
            live = key in LIVE_FIELDS
            widget.setEnabled(not running or live)
            tip = self.catalog.comments.get(key, "") if self.catalog else ""
            extra = (LIVE_TIP if live else LOCKED_TIP) if running else ""
            widget.setToolTip(f"{tip}\n{extra}".strip())
        self.pause_action.setChecked(paused)
        self.pause_action.setText("Resume" if paused else "Pause")
        self.note.setVisible(running)
        self._on_device_changed()
        self._update_actions()

    def _update_actions(self) -> None:
        ready = self.catalog is not None and bool(self.dataset_spec)
        self.start_action.setEnabled(ready and not self.running)
        for action in (self.pause_action, self.stop_action, self.checkpoint_action):
            action.setEnabled(self.running)

    def _on_live_value_changed(self, key: str, value) -> None:
        if self.running:
            self._live_pending[LIVE_FIELDS[key]] = value
            self._live_timer.start()  # typing "0.0001" should be one change, not six

    def _flush_live_changes(self) -> None:
        if self._live_pending and self.running:
            self.live_change_requested.emit(dict(self._live_pending))
        self._live_pending.clear()

    def _on_device_changed(self, _: int = 0) -> None:
        device = self.widgets["train.device"].currentData() or ""
        amp = self.widgets["train.amp"]
        cuda = device.startswith("cuda") or device == "auto" and any(
            d.name.startswith("cuda") and d.present for d in (self.catalog.devices if self.catalog else []))
        amp.setEnabled(cuda and not self.running)
        if not cuda:
            amp.setCurrentIndex(0)
            amp.setToolTip("Mixed precision needs a CUDA device; this run trains on the CPU or MPS.")


def _model_unfit(meta: dict, kind: str, num_classes: int) -> str:
    """Why a model cannot train on this data ("" when it can)."""
    kinds = meta.get("data_kinds")
    if kind and kinds and kind not in kinds:
        return f"needs {' or '.join(kinds)} data; this dataset is {kind}"
    if kind and meta.get("conditional") == "required" and num_classes == 0:
        return "class-conditional: needs a labelled dataset"
    return ""


def _set_item_enabled(combo: QComboBox, row: int, enabled: bool) -> None:
    model = combo.model()
    if isinstance(model, QStandardItemModel) and model.item(row) is not None:
        model.item(row).setEnabled(enabled)


def _item_enabled(combo: QComboBox, row: int) -> bool:
    model = combo.model()
    item = model.item(row) if isinstance(model, QStandardItemModel) else None
    return row >= 0 and (item is None or item.isEnabled())
