"""PaintToolPanel: the paint view's left column (tools, brush, the model's classes as a palette)."""
from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QListWidget,
                               QListWidgetItem, QSizePolicy, QToolButton, QVBoxLayout)

from studio.state.label_files import Classes
from studio.state.paint_tools import MAX_BRUSH, SHAPES, TOOLS, ToolSettings
from studio.widgets.page_helpers import ShortcutPanel

SWATCH = 18  # px, the colour square beside each class name


def swatch(colour, size: int = SWATCH) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(*[int(c) for c in colour]))
    return QIcon(pixmap)


class PaintToolPanel(ShortcutPanel):
    """Edits a :class:`ToolSettings` in place.

    Signals:
        settings_changed(): tool, class, size, tip or fill changed (the canvas updates its outline)
    """

    settings_changed = Signal()

    def __init__(self, settings: ToolSettings, parent=None):
        super().__init__(settings, parent)  # its actions: tool and brush-size shortcuts, for the view to add
        self.tool_buttons: dict[str, QToolButton] = {}
        self._build()

    def _build(self) -> None:
        tools = QGroupBox("Tools")
        grid = QGridLayout(tools)
        grid.setSpacing(3)
        self.tool_group = QButtonGroup(self, exclusive=True)
        for i, (name, label, key, tip) in enumerate(TOOLS):
            button = QToolButton(text=label, checkable=True, toolTip=f"{tip} ({key})", autoRaise=False)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, n=name: self.set_tool(n))
            self.tool_group.addButton(button)
            self.tool_buttons[name] = button
            grid.addWidget(button, i // 2, i % 2)
            self._shortcut(key, lambda n=name: self.set_tool(n))
        self._shortcut("[", lambda: self.size_spin.setValue(max(1, round(self.settings.size / 1.25))))
        self._shortcut("]", lambda: self.size_spin.setValue(min(MAX_BRUSH, round(self.settings.size * 1.25) + 1)))

        brush = QGroupBox("Brush")
        form = QFormLayout(brush)
        self.size_slider, self.size_spin = self._size_row(form, "Size", MAX_BRUSH, "Brush diameter in map pixels",
                                                          self._on_size_changed)
        self.tip_combo = QComboBox(toolTip="Round or square brush tip")
        self.tip_combo.addItems(["Round", "Square"])
        self.tip_combo.currentIndexChanged.connect(self._on_tip_changed)
        form.addRow("Tip", self.tip_combo)
        self.filled_check = QCheckBox("Filled", checked=True, toolTip="Rectangles and ellipses filled; "
                                                                       "unchecked: outlined as thick as the brush")
        self.filled_check.toggled.connect(self._on_filled_toggled)
        form.addRow("Shapes", self.filled_check)
        self.eraser_combo = QComboBox(toolTip="The class the eraser paints")
        self.eraser_combo.currentIndexChanged.connect(self._on_eraser_changed)
        form.addRow("Eraser", self.eraser_combo)

        self.classes_box = QGroupBox("Classes")
        self.class_list = QListWidget(toolTip="The class to paint; the eyedropper (I) picks one from the map")
        self.class_list.setIconSize(QSize(SWATCH, SWATCH))
        self.class_list.currentRowChanged.connect(self._on_class_row_changed)
        QVBoxLayout(self.classes_box).addWidget(self.class_list)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (tools, brush):
            layout.addWidget(box)
        layout.addWidget(self.classes_box, 1)
        self.size_spin.setValue(self.settings.size)
        self.set_tool(self.settings.tool)

    # --- API ---
    def set_classes(self, classes: Classes, current: int | None = None, eraser: int = 0) -> None:
        """Fill the palette and the eraser's choices with a model's classes."""
        for widget in (self.class_list, self.eraser_combo):
            widget.blockSignals(True)
            widget.clear()
        for i, (name, colour) in enumerate(zip(classes.names, classes.colours)):
            item = QListWidgetItem(swatch(colour), f"{i}  {name}")
            item.setToolTip(f"class {i}: {name}, colour rgb{tuple(int(c) for c in colour)}")
            self.class_list.addItem(item)
            self.eraser_combo.addItem(swatch(colour), name)
        for widget in (self.class_list, self.eraser_combo):
            widget.blockSignals(False)
        k = len(classes)
        self.set_class(min(current if current is not None else self.settings.cls, k - 1))
        self.eraser_combo.setCurrentIndex(min(eraser, k - 1))
        self.settings.erase_cls = self.eraser_combo.currentIndex()

    def set_class(self, cls: int) -> None:
        self.settings.cls = cls
        self.class_list.setCurrentRow(cls)
        self.settings_changed.emit()

    def set_tool(self, name: str) -> None:
        self.settings.tool = name
        self.tool_buttons[name].setChecked(True)
        self.filled_check.setEnabled(name in SHAPES[1:])
        self.settings_changed.emit()

    # --- slots ---
    def _on_size_changed(self, value: int) -> None:
        self._set_size(self.size_slider, value)

    def _on_tip_changed(self, index: int) -> None:
        self.settings.square = index == 1
        self.settings_changed.emit()

    def _on_filled_toggled(self, filled: bool) -> None:
        self.settings.filled = filled
        self.settings_changed.emit()

    def _on_eraser_changed(self, index: int) -> None:
        self.settings.erase_cls = max(0, index)

    def _on_class_row_changed(self, row: int) -> None:
        if row >= 0 and row != self.settings.cls:
            self.settings.cls = row
            self.settings_changed.emit()
