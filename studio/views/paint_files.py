"""PaintFiles: the paint view's files (open / save a label map, export the picture, a style reference, autosave).

:class:`PictureFiles` is what the Sketch and Colourise modes share with it: exporting the picture, the dialogs.

Each takes a path (tests, drops) or asks for one with a dialog; every failure becomes a message box that
names the file, never an exception out of a slot.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gan_backend.errors import first_line
from studio.state.label_files import Autosave, load_label_map, read_autosave, save_label_map, write_autosave
from studio.views.paint_models import autosave_folder
from studio.workers.paint_jobs import SHIPPED

if TYPE_CHECKING:
    from studio.state.canvas import CanvasDocument
    from studio.state.label_files import Classes
    from studio.views.paint_style import StylePanel
    from studio.widgets.run_picker import RunPicker
    from studio.workers.paint_jobs import LoadedModel

INDEX_FILTER = "Index PNG: a class number per pixel, palette embedded (*.png)"
COLOUR_FILTER = "Colour PNG: the palette's colours (*.png)"
PICTURES = "Pictures (*.png *.jpg *.jpeg *.bmp *.webp)"


class FilesView(Protocol):
    """The paint view as its files see it (a QWidget, the dialogs' parent); this module need not import it."""

    doc: CanvasDocument
    classes: Classes
    picture: np.ndarray | None  # uint8 [S, S, 3] on screen
    model: LoadedModel | None
    style: object  # a reference picture's latent, or None
    picker: RunPicker
    style_panel: StylePanel

    def status(self, text: str) -> None: ...
    def request_render(self) -> None: ...


class PictureFiles:
    """What the paint view's modes share: exporting the picture on screen and the dialogs (last folder kept)."""

    def __init__(self, view):
        self.view = view  # a QWidget (the dialogs' parent) with .picture and .status(text)

    def export_picture(self, path: str | None = None) -> bool:
        """Save the synthesised picture (as rendered, at the map's size)."""
        picture = self.view.picture
        if picture is None:
            QMessageBox.information(self.view, "Export picture", "There is no picture yet: the model is still "
                                    "loading or rendering.")
            return False
        if path is None:
            path, _ = self._ask_save("Export picture", "picture.png", "PNG (*.png)")
            if not path:
                return False
        target = path if path.lower().endswith(".png") else path + ".png"
        return self._write(path, lambda: Image.fromarray(picture).save(target, format="PNG"),
                           (OSError, ValueError), "Cannot export picture", f"Exported the picture to {path}")

    def _ask_open(self, title: str, filters: str) -> str:
        path, _ = QFileDialog.getOpenFileName(self.view, title, self._folder(), filters)
        if path:
            self._remember(path)
        return path

    def _ask_save(self, title: str, name: str, filters: str) -> tuple[str, str]:
        """(path, chosen filter) from a save dialog in the last folder; ("", "") when cancelled."""
        return QFileDialog.getSaveFileName(self.view, title, str(Path(self._folder()) / name), filters)

    def _write(self, path: str, write, errors, failure: str, done: str) -> bool:
        """``write()``; a message box titled ``failure`` on ``errors``, else remember the folder and say ``done``."""
        try:
            write()
        except errors as exc:
            QMessageBox.warning(self.view, failure, _first_line(exc, path))
            return False
        self._remember(path)
        self.view.status(done)
        return True

    def _folder(self) -> str:
        return str(QSettings().value("paint/last_folder", str(Path.home())))

    def _remember(self, path: str) -> None:
        QSettings().setValue("paint/last_folder", str(Path(path).parent))


class PaintFiles(PictureFiles):
    """Opens and saves for one :class:`~studio.views.paint.PaintView`; remembers the last folder in QSettings."""

    view: FilesView

    def open_labels(self, path: str | None = None) -> bool:
        """Replace the map with a label PNG (undoable); resized by nearest neighbour when its size differs."""
        path = path or self._ask_open("Open a label map", "Label maps (*.png *.bmp *.gif *.tif *.tiff)")
        if not path:
            return False
        view = self.view
        try:
            labels, note = load_label_map(Path(path), view.classes.colours, view.doc.shape[0])
        except (ValueError, OSError) as exc:  # LabelMapError names the file and the bad values or colours
            QMessageBox.warning(view, "Cannot open label map", _first_line(exc, path))
            return False
        view.doc.replace(labels)
        view.status(note or f"Opened {Path(path).name}")
        return True

    def save_labels(self, path: str | None = None, colour_coded: bool | None = None) -> bool:
        """Save the map as an index PNG (default) or in the palette's colours."""
        if path is None:
            path, chosen = self._ask_save("Save label map", "painting.png", f"{INDEX_FILTER};;{COLOUR_FILTER}")
            if not path:
                return False
            colour_coded = chosen == COLOUR_FILTER
        path = path if path.lower().endswith(".png") else path + ".png"
        labels, colours = np.array(self.view.doc.labels), self.view.classes.colours
        return self._write(path, lambda: save_label_map(labels, Path(path), colours, bool(colour_coded)),
                           OSError, "Cannot save label map", f"Saved the map to {path}")

    def choose_reference(self, path: str | None = None) -> bool:
        """Take the style of a picture (only offered when the model has a style encoder)."""
        view = self.view
        if view.model is None or not view.model.has_encoder:
            return False
        path = path or self._ask_open("Style from a picture", PICTURES)
        if not path:
            return False
        try:
            with Image.open(path) as im:
                picture = np.asarray(im.convert("RGB"))
            from studio.workers.paint_jobs import encode_style

            view.style = encode_style(view.model.painter, picture)  # one small forward pass
        except (OSError, ValueError, RuntimeError) as exc:
            QMessageBox.warning(view, "Cannot take the style", _first_line(exc, path))
            return False
        view.request_render()
        return True

    def autosave(self) -> None:
        """Write the painting, its classes, model and seed where the next start looks (:func:`autosave_folder`)."""
        view = self.view
        source = view.model.source if view.model else view.picker.current
        try:
            write_autosave(autosave_folder(), Autosave(np.array(view.doc.labels), view.classes, source,
                                                       view.style_panel.seed()))
        except OSError as exc:
            view.status(f"Could not autosave the painting: {exc}")

    def restore(self) -> str:
        """Put the autosaved painting back (map, classes, seed); returns the model to load for it."""
        saved = read_autosave(autosave_folder())
        if saved is None:
            return SHIPPED
        self.view.classes = saved.classes
        self.view.style_panel.set_seed(saved.seed)
        self.view.doc.reset(saved.labels)
        return saved.model


def _first_line(exc: Exception, path: str) -> str:
    """The exception's first line, with the file named if it does not name it already."""
    line = first_line(exc)
    return line if str(path) in line or Path(path).name in line else f"{path}: {line}"
