"""The SinGAN view's modes, each a tab over the loaded pyramid: the shared base, Random and Animate.

A mode panel edits its inputs and says ``requested`` when they change; the view then asks the renderer for
``job()`` (newest wins) and hands the answer back to ``show_drawing``. Paint, Harmonise and Edit live in
:mod:`studio.views.singan_paint` and :mod:`studio.views.singan_region`.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter, QVBoxLayout, QWidget

from studio.views.singan_canvas import PictureCanvas
from studio.widgets.image_canvas import ImageCanvas
from studio.workers import singan_jobs as jobs

PICTURE_FILTER = "Pictures (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
MAX_SIDE = 2048  # widest / tallest random sample offered (the backend draws the pyramid in one piece)
SEED_RANGE = (0, 2**31 - 1)


def spin(low: int, high: int, value: int, tip: str, suffix: str = "") -> QSpinBox:
    box = QSpinBox(toolTip=tip, suffix=suffix, keyboardTracking=False, accelerated=True)
    box.setRange(low, high)
    box.setValue(value)
    box.setMinimumWidth(56)  # a one-digit scale box is otherwise too narrow to read
    return box


def set_scales(box: QSpinBox, label: QLabel, low: int, scales: int, default: int) -> None:
    """Offer scales low..scales-1 (an injection needs a coarser scale below it: low 1), without a request."""
    top = max(low, scales - 1)
    box.blockSignals(True)
    box.setRange(low, top)
    box.setValue(min(top, max(low, default)))
    box.blockSignals(False)
    label.setText(f"of {low}\u2013{top}")


def new_seed() -> int:
    return int(np.random.default_rng().integers(*SEED_RANGE))


def ask_picture(parent: QWidget, title: str) -> Path | None:
    """A picture chosen in a file dialog that starts (and remembers) the SinGAN view's last folder."""
    start = str(QSettings().value("singan/last_dir", Path.home()))
    path, _ = QFileDialog.getOpenFileName(parent, title, start, PICTURE_FILTER)
    if not path:
        return None
    QSettings().setValue("singan/last_dir", str(Path(path).parent))
    return Path(path)


def widget_row(*items, trailing: QWidget | None = None) -> QHBoxLayout:
    """A row of ``items`` (widgets; a layout is nested, an int is spacing), a stretch, then ``trailing``."""
    row = QHBoxLayout()
    for item in items:
        if isinstance(item, int):
            row.addSpacing(item)
        elif isinstance(item, QWidget):
            row.addWidget(item)
        else:
            row.addLayout(item)
    row.addStretch(1)
    if trailing is not None:
        row.addWidget(trailing)
    return row


def stack(parent: QWidget, *items, stretch: int = -1, margins: int | None = None) -> QVBoxLayout:
    """``parent``'s layout: ``items`` (widgets or layouts) top to bottom, ``items[stretch]`` taking the spare height."""
    layout = QVBoxLayout(parent)
    if margins is not None:
        layout.setContentsMargins(margins, margins, margins, margins)
    stretched = items[stretch]
    for item in items:
        factor = 1 if item is stretched else 0
        if isinstance(item, QWidget):
            layout.addWidget(item, factor)
        else:
            layout.addLayout(item, factor)
    return layout


def titled_column(title: str, body: QWidget, footer: QWidget) -> QWidget:
    """A bold title over ``body`` (taking the height) over ``footer``, without margins."""
    column = QWidget()
    box = QVBoxLayout(column)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(QLabel(f"<b>{title}</b>"))
    box.addWidget(body, 1)
    box.addWidget(footer)
    return column


class ModePanel(QWidget):
    """Base of the mode tabs: a row of controls, a result canvas with its caption, and "Save PNG...".

    Signals:
        requested(): the inputs changed; the view asks for a new drawing
        message(str, bool): a line for the view's status (text, whether it is an error)
    """

    requested = Signal()
    message = Signal(str, bool)
    channel = ""  # the renderer channel, also the drawing's mode
    result_placeholder = "The result appears here"
    save_suffix, save_title, save_filter = ".png", "Save the picture", "PNG picture (*.png)"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loaded: jobs.LoadedSinGAN | None = None
        self.drawing: jobs.Drawing | None = None
        self.stale = True  # the result on screen does not show the inputs as they are (drawn when shown)
        self.result_view = ImageCanvas()
        self.result_view.set_placeholder(self.result_placeholder)
        self.result_caption = QLabel(wordWrap=True)
        self.save_button = QPushButton("Save PNG...", enabled=False, toolTip="Save the result as a PNG picture")
        self.save_button.clicked.connect(self.choose_save)
        self.seed = spin(*SEED_RANGE, 0, "The noise drawn: each seed gives another picture")
        self.seed.valueChanged.connect(lambda _: self.requested.emit())
        self.new_seed_button = QPushButton("New seed", toolTip="Draw again with a random seed")
        self.new_seed_button.clicked.connect(lambda: self.seed.setValue(new_seed()))
        self.scale_range = QLabel()  # "of 1-5" beside the panel's scale box
        self.splitter: QSplitter | None = None  # input | result, for the panels that have an input
        self._shown_once = False

    def result_column(self, title: str = "Result") -> QWidget:
        return titled_column(title, self.result_view, self.result_caption)

    def seed_widgets(self) -> list[QWidget]:
        return [QLabel("Seed"), self.seed, self.new_seed_button]

    def controls_row(self, *items) -> QHBoxLayout:
        """The panel's row of ``items``, "Save" at its right end."""
        return widget_row(*items, trailing=self.save_button)

    # --- the panels that inject an input (Paint, Harmonise, Edit) ---
    def pointer_canvas(self, placeholder: str) -> PictureCanvas:
        """The input canvas, its pointer wired to the panel's ``_on_pressed``, ``_on_moved`` and ``_on_released``."""
        canvas = PictureCanvas(placeholder)
        for signal, slot in ((canvas.pressed, self._on_pressed), (canvas.moved, self._on_moved),
                             (canvas.released, self._on_released)):
            signal.connect(slot)
        return canvas

    def inject_scale(self, tip: str) -> QSpinBox:
        """The scale box the input is injected at (a request on each change)."""
        self.scale = spin(1, 1, 1, tip)
        self.scale.valueChanged.connect(lambda _: self.requested.emit())
        return self.scale

    def inject_row(self) -> QHBoxLayout:
        return self.controls_row(QLabel("Inject at scale"), self.scale, self.scale_range, QLabel("  "),
                                 *self.seed_widgets())

    def input_and_result(self, title: str, canvas: QWidget, help_text: str, result_title: str) -> QSplitter:
        """The input canvas (titled, a help line below) beside the result, as large as each other when shown."""
        help_line = QLabel(help_text, enabled=False, wordWrap=True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False)
        self.splitter.addWidget(titled_column(title, canvas, help_line))
        self.splitter.addWidget(self.result_column(result_title))
        return self.splitter

    # --- the model and its drawings ---
    def set_model(self, loaded: jobs.LoadedSinGAN) -> None:
        """A new pyramid: ranges follow it and the old result goes."""
        self.loaded, self.drawing, self.stale = loaded, None, True
        self.result_view.set_image(None)
        self.result_caption.setText("")
        self.save_button.setEnabled(False)

    def job(self):
        """The renderer's request for the inputs as they are now (a callable), or None when there is none."""
        return None

    def show_drawing(self, drawing: jobs.Drawing) -> None:
        self.drawing = drawing
        self.result_view.set_image(drawing.picture)
        h, w = drawing.picture.shape[:2]
        self.result_caption.setText(f"{w} \u00d7 {h} px: {drawing.caption} ({drawing.ms:.0f} ms)")
        self.save_button.setEnabled(True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.splitter is not None and not self._shown_once:  # input and result as large as each other
            self._shown_once = True
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])

    # --- saving ---
    def default_name(self) -> str:
        stem = Path(self.loaded.source).name if self.loaded else "singan"
        return f"{stem}-{self.channel}-seed{self.seed.value()}{self.save_suffix}"

    def choose_input(self, title: str, open_input) -> None:
        """Open a picture chosen in a file dialog with ``open_input`` (once a pyramid is loaded)."""
        if self.loaded is None:
            return
        path = ask_picture(self, title)
        if path:
            open_input(path)

    def choose_save(self) -> None:
        if self.drawing is None:
            return
        start = Path(str(QSettings().value("singan/save_dir", Path.home()))) / self.default_name()
        path, _ = QFileDialog.getSaveFileName(self, self.save_title, str(start), self.save_filter)
        if path:
            self.save(Path(path))

    def save(self, path: Path) -> bool:
        """Write the result on screen (``save_suffix`` added if missing); says where (or why not) on the status
        line."""
        if path.suffix.lower() != self.save_suffix:
            path = path.with_name(path.name + self.save_suffix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            saved = self.write(path)
        except OSError as exc:
            self.message.emit(f"Cannot save {path}: {exc.strerror or exc}", True)
            return False
        QSettings().setValue("singan/save_dir", str(path.parent))
        self.message.emit(saved, False)
        return True

    def write(self, path: Path) -> str:
        """Write the result to ``path`` as PNG (OSError when it cannot); the status line's words."""
        from PIL import Image

        Image.fromarray(self.drawing.picture).save(path)
        return f"Saved {path}"


class RandomPanel(ModePanel):
    """New pictures at any size: a seed, width x height (wider or taller than the picture) and a start scale."""

    channel = "random"
    result_placeholder = "A new picture in the style of the training picture appears here"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.width_box = spin(8, MAX_SIDE, 160, "Width of the new picture; any width, e.g. a panorama", " px")
        self.height_box = spin(8, MAX_SIDE, 120, "Height of the new picture", " px")
        self.start_scale = spin(0, 0, 0, "Scale the noise starts at. 0, the coarsest: the most varied layouts; "
                                "higher: the picture's own layout up to that scale, new detail above it")
        self.original_button = QPushButton("Original size", toolTip="The training picture's width and height")
        self.original_button.clicked.connect(self.original_size)
        for box in (self.width_box, self.height_box, self.start_scale):
            box.valueChanged.connect(lambda _: self.requested.emit())
        stack(self, self.controls_row(*self.seed_widgets(), QLabel("   Size"), self.width_box, QLabel("\u00d7"),
                                      self.height_box, self.original_button, QLabel("   Start scale"),
                                      self.start_scale, self.scale_range),
              self.result_column("New picture"))

    def set_model(self, loaded: jobs.LoadedSinGAN) -> None:
        super().set_model(loaded)
        set_scales(self.start_scale, self.scale_range, 0, loaded.scales, self.start_scale.value())
        self.scale_range.setText(f"{self.scale_range.text()} (0: the most varied)")
        self.original_size()

    def original_size(self) -> None:
        if self.loaded is not None:
            self.set_size(*self.loaded.size)

    def set_size(self, width: int, height: int) -> None:
        """Ask for a width x height picture (one request)."""
        for box, value in ((self.width_box, width), (self.height_box, height)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self.requested.emit()

    def job(self):
        if self.loaded is None:
            return None
        return partial(jobs.sample, self.loaded.model, self.width_box.value(), self.height_box.value(),
                       self.seed.value(), self.start_scale.value())


class AnimatePanel(ModePanel):
    """A random walk in the coarsest noise, played in the view and exported as a looping GIF."""

    channel = "animate"
    result_placeholder = "The animation plays here"
    save_suffix, save_title, save_filter = ".gif", "Export the animation", "GIF animation (*.gif)"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame_index = 0
        self.frames_box = spin(2, 400, 30, "Frames of the walk: more is a longer loop", " frames")
        self.fps = spin(1, 50, 12, "Playback speed, also the GIF's", " fps")
        self.play_button = QPushButton("Pause", checkable=True, toolTip="Play or pause the animation")
        self.play_button.toggled.connect(self._on_play_toggled)
        self.save_button.setText("Export GIF...")
        self.save_button.setToolTip("Save the frames as a looping GIF at this speed")
        self.timer = QTimer(self, interval=1000 // 12, timeout=self.next_frame)
        self.frames_box.valueChanged.connect(lambda _: self.requested.emit())
        self.fps.valueChanged.connect(lambda v: self.timer.setInterval(max(20, 1000 // v)))
        stack(self, self.controls_row(QLabel("Length"), self.frames_box, *self.seed_widgets(), QLabel("   Speed"),
                                      self.fps, self.play_button),
              self.result_column("Animation"))

    def set_model(self, loaded: jobs.LoadedSinGAN) -> None:
        self.timer.stop()
        super().set_model(loaded)

    def job(self):
        if self.loaded is None:
            return None
        return partial(jobs.animate, self.loaded.model, self.frames_box.value(), self.seed.value())

    def show_drawing(self, drawing: jobs.Drawing) -> None:
        super().show_drawing(drawing)
        self.frame_index = 0
        self.play_button.setChecked(False)  # "Pause" unchecked = playing
        if self.isVisible():
            self.timer.start()
        self._show_frame()

    def next_frame(self) -> None:
        if self.drawing is not None:
            self.frame_index = (self.frame_index + 1) % len(self.drawing.frames)
            self._show_frame()

    def _show_frame(self) -> None:
        frames = self.drawing.frames
        self.result_view.set_image(frames[self.frame_index])
        h, w = frames[0].shape[:2]
        self.result_caption.setText(f"Frame {self.frame_index + 1} of {len(frames)}, {w} \u00d7 {h} px: "
                                    f"{self.drawing.caption} ({self.drawing.ms:.0f} ms for all)")

    def _on_play_toggled(self, paused: bool) -> None:
        self.play_button.setText("Play" if paused else "Pause")
        if paused:
            self.timer.stop()
        elif self.drawing is not None:
            self.timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.drawing is not None and not self.play_button.isChecked():
            self.timer.start()

    def hideEvent(self, event) -> None:
        self.timer.stop()  # no redraws for a tab nobody sees
        super().hideEvent(event)

    def write(self, path: Path) -> str:
        """Write the frames as a looping GIF at the current speed."""
        from gan_backend.singan import save_gif  # Pillow only; torch is in by now (a model is loaded)

        save_gif(self.drawing.frames, path, fps=self.fps.value())
        return f"Saved {len(self.drawing.frames)} frames to {path}"
