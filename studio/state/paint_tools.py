"""The painting tools as plain Python: what a press, drags and a release on the canvas do to the map.

The canvas widget reports pointer positions in map pixels; :class:`Gesture` turns them into
:class:`~studio.state.canvas.CanvasDocument` operations according to :class:`ToolSettings`, so the
tools can be tested (and benchmarked) without a window.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from studio.state.canvas import CanvasDocument

# (name, label, shortcut key, tooltip)
TOOLS = (
    ("brush", "Brush", "B", "Paint the chosen class; [ and ] change the size"),
    ("eraser", "Eraser", "E", "Paint the eraser's class (sky unless you choose another)"),
    ("line", "Line", "L", "Drag a straight line as thick as the brush"),
    ("rectangle", "Rectangle", "R", "Drag a rectangle from corner to corner"),
    ("ellipse", "Ellipse", "O", "Drag the ellipse inside a rectangle from corner to corner"),
    ("fill", "Fill", "F", "Flood-fill the connected area of one class"),
    ("eyedropper", "Pick", "I", "Pick the class under the pointer from the map"),
    ("pan", "Pan", "H", "Drag to move the view (the middle button pans with any tool)"),
)
SHAPES = ("line", "rectangle", "ellipse")
MAX_BRUSH = 100


@dataclass
class ToolSettings:
    """What the next gesture does; the tool panel edits it."""

    tool: str = "brush"
    cls: int = 0  # class the brush, shapes and fill paint
    erase_cls: int = 0  # class the eraser paints
    size: int = 12  # brush diameter in map pixels, 1..MAX_BRUSH; also the outline width of shapes
    square: bool = False  # square brush tip instead of round
    filled: bool = True  # rectangles and ellipses filled, else outlined brush-size thick


class Gesture:
    """Press / move / release on the map -> one undo step on ``doc`` (the eyedropper calls ``on_pick``).

    Brush strokes paint a segment from the previous position to the new one at each move, so fast
    drags leave no gaps; shapes are reverted and redrawn at each move, so they show (and render) live.
    """

    def __init__(self, doc: CanvasDocument, settings: ToolSettings, on_pick: Callable[[int], None]):
        self.doc, self.settings, self.on_pick = doc, settings, on_pick
        self._start = self._last = None
        self.active = False

    def press(self, p) -> None:
        tool, s = self.settings.tool, self.settings
        if tool == "pan":
            return
        if tool == "fill":
            self.doc.fill(p, s.cls)
        elif tool == "eyedropper":
            if (cls := self.doc.pick(p)) is not None:
                self.on_pick(cls)
        else:
            self.active, self._start, self._last = True, p, p
            self.doc.begin()
            self._draw(p)

    def move(self, p) -> None:
        if not self.active:
            if self.settings.tool == "eyedropper" and (cls := self.doc.pick(p)) is not None:
                self.on_pick(cls)
            return
        self._draw(p)
        self._last = p

    def release(self, p) -> None:
        if self.active:
            self.move(p)
            self.active = False
            self.doc.end()

    def cancel(self) -> None:
        """Drop the gesture in progress (Escape)."""
        if self.active:
            self.doc.revert()
            self.doc.end()
            self.active = False

    def _draw(self, p) -> None:
        s, tool = self.settings, self.settings.tool
        if tool in ("brush", "eraser"):
            self.doc.stroke(self._last, p, s.size, s.erase_cls if tool == "eraser" else s.cls, s.square)
            return
        self.doc.revert()
        if tool == "line":
            self.doc.stroke(self._start, p, s.size, s.cls, s.square)
        elif tool == "rectangle":
            self.doc.rectangle(self._start, p, s.cls, s.filled, s.size)
        elif tool == "ellipse":
            self.doc.ellipse(self._start, p, s.cls, s.filled, s.size)
