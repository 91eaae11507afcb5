"""LessonPage: one lesson on screen: its explanation and formula, the live experiment with its controls,
"What to look for", the questions (answers on request) and a button that opens the same setup elsewhere.

The page draws frames the lessons thread sends (at most once per event-loop turn, the newest) and turns its
controls into commands; it never touches torch. Its controls are built from the experiment's ``Control`` list.
"""
from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from gan_backend.lessons.catalog import formula_html
from studio.views.learn_canvas import LessonCanvas
from studio.widgets.labelled_slider import LabelledSlider

READOUT_EVERY_S = 0.2  # the numbers re-lay out the page; five times a second is plenty to read
OPENS_TEXT = {"train": "Train", "playground": "Playground", "translate": "Translate", "explore": "Explore"}


class LessonPage(QWidget):
    """Signals:
        control_changed(str, object): a control's name and new value
        clicked(str, int, int): a clickable picture's key and pixel (row, col)
        run_toggled(bool), step_requested(), reset_requested(), open_requested(): the generic buttons
        frame_shown(): a frame was painted (the lessons thread may step on)
    """

    control_changed = Signal(str, object)
    clicked = Signal(str, int, int)
    run_toggled = Signal(bool)
    step_requested = Signal()
    reset_requested = Signal()
    open_requested = Signal()
    frame_shown = Signal()

    def __init__(self, lesson, parent=None):
        super().__init__(parent)
        self.lesson = lesson
        self.info = None  # ExperimentInfo once the experiment is built
        self.last_frame = None
        self.widgets: dict[str, QWidget] = {}
        self._pending = None
        self._readout_at = 0.0
        self._draw_timer = QTimer(self, singleShot=True, interval=0, timeout=self._draw_pending)
        self.canvas = LessonCanvas()
        self.canvas.setMinimumHeight(300)
        self.canvas.clicked.connect(self.clicked)
        self.canvas.painted.connect(self.frame_shown)
        self.status = _label("Building the experiment...", rich=True)
        self.readout = _label("", rich=False)
        self.readout.setStyleSheet("font-family: monospace;")
        self.controls = QHBoxLayout()
        self._build()

    # --- layout ---
    def _build(self) -> None:
        lesson = self.lesson
        title = _label(f"<span style='font-size:15pt; font-weight:600'>{lesson.order}. "
                       f"{html.escape(lesson.title)}</span>", rich=True)
        explanation = _label(lesson.explanation, markdown=True)
        formulas = _label("<br>".join(formula_html(f) for f in lesson.formulas), rich=True)
        formulas.setAlignment(Qt.AlignmentFlag.AlignCenter)
        formulas.setStyleSheet("font-family: serif; font-size: 13pt; font-style: italic; padding: 2px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        for widget in (title, explanation, formulas):
            layout.addWidget(widget)
        layout.addLayout(self._generic_controls())
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self._footer())

    def _generic_controls(self) -> QHBoxLayout:
        self.run_button = QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self.run_toggled)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One step of the experiment (while paused)")
        self.step_button.clicked.connect(self.step_requested)
        reset = QPushButton("Reset")
        reset.setToolTip("Start the experiment again from new networks")
        reset.clicked.connect(self.reset_requested)
        row = QHBoxLayout()
        for button in (self.run_button, self.step_button, reset):
            row.addWidget(button)
        row.addSpacing(12)
        row.addLayout(self.controls)
        row.addStretch(1)
        row.addWidget(self.status)
        return row

    def _footer(self) -> QFrame:
        lesson = self.lesson
        look = _label("**What to look for**\n\n" + lesson.look_for, markdown=True)
        questions = "\n".join(f"{i}. {q}" for i, q in enumerate(lesson.questions, 1))
        self.questions = _label("**Questions**\n\n" + questions, markdown=True)
        answers = "\n".join(f"{i}. {a}" for i, a in enumerate(lesson.answers, 1))
        self.answers = _label("**Answers**\n\n" + answers, markdown=True)
        self.answers.setVisible(False)
        self.answers_button = QPushButton("Show answers")
        self.answers_button.setCheckable(True)
        self.answers_button.setEnabled(bool(lesson.answers))
        self.answers_button.toggled.connect(self._on_answers_toggled)
        self.open_button = QPushButton(f"Open in {OPENS_TEXT[lesson.opens]}")
        self.open_button.setToolTip(_opens_tip(lesson))
        self.open_button.clicked.connect(self.open_requested)
        right = QVBoxLayout()
        right.addWidget(self.questions)
        right.addWidget(self.answers)
        buttons = QHBoxLayout()
        buttons.addWidget(self.answers_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        right.addStretch(1)
        footer = QFrame()
        footer.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(footer)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(look, 1, Qt.AlignmentFlag.AlignTop)
        row.addLayout(right, 1)
        return footer

    # --- from the lessons thread ---
    def set_info(self, info) -> None:
        """The experiment exists: build its controls (once)."""
        self.info = info
        self.status.setText("")
        if self.widgets:
            return
        for control in info.controls:
            widget = self._control_widget(control)
            self.widgets[control.name] = widget
            if control.kind not in ("button", "toggle", "slider"):
                self.controls.addWidget(QLabel(control.label))
            self.controls.addWidget(widget)

    def show_failure(self, message: str) -> None:
        self.run_button.setChecked(False)
        self.status.setText(f"<b>Stopped:</b> {html.escape(message)}")

    @Slot(object)
    def show_frame(self, frame) -> None:
        self._pending = frame
        if not self._draw_timer.isActive():
            self._draw_timer.start()

    def _draw_pending(self) -> None:
        frame, self._pending = self._pending, None
        if frame is None:
            return
        self.canvas.draw(frame)
        now = time.monotonic()
        if now - self._readout_at >= READOUT_EVERY_S or not self.run_button.isChecked():
            self._readout_at = now
            self.readout.setText(frame.readout)
            self._sync_controls(frame.values)
        self.last_frame = frame

    def set_running(self, running: bool) -> None:
        self.run_button.blockSignals(True)
        self.run_button.setChecked(running)
        self.run_button.blockSignals(False)
        self.run_button.setText("Pause" if running else "Run")
        self.step_button.setEnabled(not running)

    # --- controls ---
    def _control_widget(self, control) -> QWidget:
        emit = lambda value, name=control.name: self.control_changed.emit(name, value)
        if control.kind == "choice":
            widget = QComboBox()
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            for value, text in control.options:
                widget.addItem(text, value)
            widget.setCurrentIndex(max(0, widget.findData(control.default)))
            widget.currentIndexChanged.connect(lambda _i, w=widget: emit(w.currentData()))
        elif control.kind == "slider":
            steps = max(1, round((control.high - control.low) / control.step))
            widget = LabelledSlider(control.label, control.low, control.high, steps)
            widget.set_value(float(control.default), notify=False)
            widget.setMinimumWidth(220)
            widget.value_changed.connect(emit)
        elif control.kind == "int":
            widget = QSpinBox(minimum=int(control.low), maximum=int(control.high), singleStep=int(control.step or 1))
            widget.setValue(int(control.default))
            widget.valueChanged.connect(emit)
        elif control.kind == "toggle":
            widget = QCheckBox(control.label)
            widget.setChecked(bool(control.default))
            widget.toggled.connect(emit)
        else:
            widget = QPushButton(control.label)
            widget.clicked.connect(lambda _=False: emit(None))
        widget.setToolTip(control.tip)
        return widget

    def _sync_controls(self, values: dict) -> None:
        """Show the experiment's values (a sweep moves θ) without sending them back."""
        for name, value in values.items():
            widget = self.widgets.get(name)
            if widget is None:
                continue
            widget.blockSignals(True)
            try:
                _show_value(widget, value)
            finally:
                widget.blockSignals(False)

    def _on_answers_toggled(self, shown: bool) -> None:
        self.answers.setVisible(shown)
        self.answers_button.setText("Hide answers" if shown else "Show answers")


def _show_value(widget: QWidget, value) -> None:
    if isinstance(widget, QComboBox):
        at = widget.findData(value)
        if at >= 0 and at != widget.currentIndex():
            widget.setCurrentIndex(at)
    elif isinstance(widget, LabelledSlider):
        if not widget.slider.isSliderDown():
            widget.slider.blockSignals(True)
            widget.set_value(float(value), notify=False)
            widget.slider.blockSignals(False)
    elif isinstance(widget, QSpinBox):
        if not widget.hasFocus() and widget.value() != int(value):
            widget.setValue(int(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))


def _label(text: str, rich: bool = False, markdown: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.MarkdownText if markdown else
                        Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _opens_tip(lesson) -> str:
    settings = ", ".join(f"{k} = {v}" for k, v in lesson.settings.items())
    return f"The same setup in the {OPENS_TEXT[lesson.opens]} tab" + (f": {settings}" if settings else "")
