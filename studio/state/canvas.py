"""CanvasDocument: the label map being painted, its undo history and the painting operations (Qt-free).

    doc = CanvasDocument(side=128)
    doc.stroke((10, 10), (40, 12), size=8, cls=GRASS)     # one undo step
    doc.begin(); doc.stroke(...); doc.stroke(...); doc.end()  # a whole mouse stroke as one step
    doc.undo(); doc.redo()

Each undo step keeps only the bounding box of the pixels it changed, before and after, zlib-compressed
(a label map compresses 20-50x), so 200 steps of brush strokes cost well under a megabyte.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from studio.state import raster
from studio.state.events import Event
from studio.state.raster import Box

MAX_UNDO = 200  # steps kept; the issue asks for at least 100


@dataclass(frozen=True)
class Edit:
    """One undo step: the pixels of ``box`` before and after (``box`` None: the whole map, maybe resized)."""

    box: Box | None
    before: bytes  # zlib of uint8 [h, w]
    before_shape: tuple[int, int]
    after: bytes
    after_shape: tuple[int, int]

    @staticmethod
    def of(box: Box | None, before: np.ndarray, after: np.ndarray) -> "Edit":
        return Edit(box, zlib.compress(before.tobytes(), 1), before.shape, zlib.compress(after.tobytes(), 1),
                    after.shape)


def _unpack(data: bytes, shape: tuple[int, int]) -> np.ndarray:
    return np.frombuffer(zlib.decompress(data), np.uint8).reshape(shape)


class CanvasDocument:
    """A uint8 [H, W] map of class indices being painted, with undo/redo of ``max_undo`` steps.

    Events: ``changed(box)`` after every change, with the changed :data:`Box`, or None
    when the whole map (or its size) changed. ``revision`` counts changes, undo and redo included.
    Operations between ``begin()`` and ``end()`` make one undo step; ``revert()`` in between drops the
    step's changes so far (a rectangle being dragged is reverted and redrawn at each mouse move).
    """

    def __init__(self, side: int = 128, fill: int = 0, max_undo: int = MAX_UNDO):
        self._labels = np.full((side, side), fill, np.uint8)
        self.max_undo = max_undo
        self.undo_stack: list[Edit] = []
        self.redo_stack: list[Edit] = []
        self.changed = Event()
        self.revision = 0
        self._snapshot: np.ndarray | None = None  # the map at begin(), while a step is open
        self._touched: Box | None = None  # union of the open step's boxes

    @property
    def labels(self) -> np.ndarray:
        """The map, read-only: change it through the operations so undo sees every change."""
        view = self._labels.view()
        view.flags.writeable = False
        return view

    @property
    def shape(self) -> tuple[int, int]:
        return self._labels.shape

    # --- undo steps ---
    def begin(self) -> None:
        """Open an undo step (a no-op if one is open)."""
        if self._snapshot is None:
            self._snapshot, self._touched = self._labels.copy(), None

    def revert(self) -> None:
        """Put back what the open step changed so far; the step stays open."""
        if self._snapshot is not None and self._touched is not None:
            y0, y1, x0, x1 = box = self._touched
            self._labels[y0:y1, x0:x1] = self._snapshot[y0:y1, x0:x1]
            self._touched = None
            self._notify(box)

    def end(self) -> bool:
        """Close the open step; True when it changed a pixel (and became an undo step)."""
        snapshot, touched, self._snapshot, self._touched = self._snapshot, self._touched, None, None
        if snapshot is None or touched is None:
            return False
        y0, y1, x0, x1 = touched
        changed = snapshot[y0:y1, x0:x1] != self._labels[y0:y1, x0:x1]
        if not changed.any():
            return False
        rows, cols = np.flatnonzero(changed.any(1)), np.flatnonzero(changed.any(0))
        y0, y1, x0, x1 = (int(v) for v in (y0 + rows[0], y0 + rows[-1] + 1, x0 + cols[0], x0 + cols[-1] + 1))
        self._push(Edit.of((y0, y1, x0, x1), snapshot[y0:y1, x0:x1], self._labels[y0:y1, x0:x1]))
        return True

    @property
    def in_step(self) -> bool:
        return self._snapshot is not None

    def undo(self) -> bool:
        return self._step(self.undo_stack, self.redo_stack, backwards=True)

    def redo(self) -> bool:
        return self._step(self.redo_stack, self.undo_stack, backwards=False)

    # --- painting ---
    def stroke(self, p0, p1, size: float, cls: int, square: bool = False) -> None:
        """A brush of diameter ``size`` from p0 to p1 (float (x, y) pixels); p0 == p1 is a single dab."""
        self._paint(raster.segment_mask(self.shape, p0, p1, size, square), cls)

    def rectangle(self, p0, p1, cls: int, filled: bool = True, width: float = 1) -> None:
        self._paint(raster.rectangle_mask(self.shape, p0, p1, filled, width), cls)

    def ellipse(self, p0, p1, cls: int, filled: bool = True, width: float = 1) -> None:
        self._paint(raster.ellipse_mask(self.shape, p0, p1, filled, width), cls)

    def fill(self, p, cls: int) -> None:
        """Flood-fill the 4-connected region of the class under ``p``."""
        if (at := self._pixel(p)) is not None and self._labels[at] != cls:
            self._paint(raster.flood_mask(self._labels, at[1], at[0]), cls)

    def pick(self, p) -> int | None:
        """The class under ``p`` (eyedropper), None outside the map."""
        at = self._pixel(p)
        return None if at is None else int(self._labels[at])

    def clear(self, cls: int = 0) -> None:
        self.replace(np.full(self.shape, cls, np.uint8))

    def replace(self, labels: np.ndarray) -> None:
        """A new map (random scene, a loaded file, a new size) as one undo step."""
        labels = np.ascontiguousarray(labels, np.uint8)
        if labels.shape == self.shape and np.array_equal(labels, self._labels):
            return
        self.end()
        self._push(Edit.of(None, self._labels, labels))
        self._labels = labels.copy()
        self._notify(None)

    def reset(self, labels: np.ndarray) -> None:
        """Start over from ``labels`` with no history (a restored autosave, another model's classes)."""
        self._snapshot = self._touched = None
        self.undo_stack.clear()
        self.redo_stack.clear()
        self._labels = np.ascontiguousarray(labels, np.uint8).copy()
        self._notify(None)

    # --- internals ---
    def _paint(self, masked, cls: int) -> None:
        if masked is None:
            return
        mask, (y0, y1, x0, x1) = masked
        opened = not self.in_step
        self.begin()
        self._labels[y0:y1, x0:x1][mask] = cls
        t = self._touched
        self._touched = (y0, y1, x0, x1) if t is None else (min(t[0], y0), max(t[1], y1), min(t[2], x0), max(t[3], x1))
        self._notify((y0, y1, x0, x1))
        if opened:
            self.end()

    def _pixel(self, p) -> tuple[int, int] | None:
        x, y = int(np.floor(p[0])), int(np.floor(p[1]))
        h, w = self.shape
        return (y, x) if 0 <= x < w and 0 <= y < h else None

    def _push(self, edit: Edit) -> None:
        self.undo_stack.append(edit)
        del self.undo_stack[:-self.max_undo]
        self.redo_stack.clear()

    def _step(self, source: list[Edit], target: list[Edit], backwards: bool) -> bool:
        self.end()
        if not source:
            return False
        edit = source.pop()
        data, shape = (edit.before, edit.before_shape) if backwards else (edit.after, edit.after_shape)
        if edit.box is None:
            self._labels = _unpack(data, shape).copy()
        else:
            y0, y1, x0, x1 = edit.box
            self._labels[y0:y1, x0:x1] = _unpack(data, shape)
        target.append(edit)
        self._notify(edit.box)
        return True

    def _notify(self, box: Box | None) -> None:
        self.revision += 1
        self.changed.emit(box)
