"""SketchFiles: the Sketch mode's files (open / save a drawing, export the picture, the autosave).

Each takes a path (tests, drops) or asks for one with a dialog; every failure becomes a message box that
names the file. What was converted on opening (colour, transparency, size, white lines on black) is said in
the status line.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QMessageBox

from studio.state.sketch_files import SketchAutosave, fit_drawing, read_autosave, save_drawing, write_autosave
from studio.views.paint_files import PICTURES, PictureFiles, _first_line
from studio.views.paint_models import autosave_folder
from studio.workers.paint_jobs import SKETCH_SHIPPED

DARK_PAPER = 128  # a drawing whose median pixel is darker than this is white lines on black: inverted


class SketchFiles(PictureFiles):
    """Opens and saves for one :class:`~studio.views.sketch.SketchPage` (the last folder is the label painter's)."""

    def open_drawing(self, path: str | None = None) -> bool:
        """Replace the drawing with a picture file (undoable), converted to dark lines on white at the canvas size."""
        from gan_backend.sketch import read_sketch

        path = path or self._ask_open("Open a drawing", PICTURES)
        if not path:
            return False
        view = self.view
        try:
            lines, notes = read_sketch(Path(path))  # SketchError names the file
        except (ValueError, OSError) as exc:
            QMessageBox.warning(view, "Cannot open drawing", _first_line(exc, path))
            return False
        if np.median(lines) < DARK_PAPER:
            lines = 255 - lines
            notes.append("it was light lines on dark; inverted to dark lines on white")
        lines, fitted = fit_drawing(lines, view.doc.shape[0])
        view.doc.replace(lines)
        said = "; ".join(notes + ([fitted] if fitted else []))
        view.status(f"Opened {Path(path).name}" + (f": {said}" if said else ""))
        return True

    def save_drawing(self, path: str | None = None) -> bool:
        """Save the drawing as a grey PNG."""
        if path is None:
            path, _ = self._ask_save("Save drawing", "drawing.png", "PNG (*.png)")
            if not path:
                return False
        path = path if path.lower().endswith(".png") else path + ".png"
        lines = np.array(self.view.doc.labels)
        return self._write(path, lambda: save_drawing(lines, Path(path)), (OSError, ValueError),
                           "Cannot save drawing", f"Saved the drawing to {path}")

    def autosave(self) -> None:
        """Write the drawing and its model where the next start looks (:func:`autosave_folder`)."""
        view = self.view
        source = view.model.source if view.model else view.picker.current
        try:
            write_autosave(autosave_folder(), SketchAutosave(np.array(view.doc.labels), source))
        except OSError as exc:
            view.status(f"Could not autosave the drawing: {exc}")

    def restore(self) -> tuple[np.ndarray | None, str]:
        """The autosaved drawing, at its own size (None when there is none), and the model to load for it."""
        saved = read_autosave(autosave_folder())
        if saved is None:
            return None, SKETCH_SHIPPED
        return saved.lines, saved.model or SKETCH_SHIPPED
