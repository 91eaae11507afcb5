"""What a lesson's experiment shows and which controls it takes: plain dataclasses the Learn tab draws.

An :class:`Experiment` lists its controls once and returns a :class:`LessonFrame` from ``frame()``: panels by
key, in reading order, each a :class:`Plot` (lines, points, bars, segments, an optional heatmap) or a
:class:`Picture` (a uint8 image that can take clicks). The view makes one pyqtgraph item per panel and per
series on the first frame and only calls ``setData`` afterwards, so a series keeps its key from frame to frame.
Every array is a copy the receiver owns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Colours the lessons share, so "real" and "generated" look the same on every page (and as in the Playground).
REAL = "#787878"
FAKE = "#ff8c1a"
D_CURVE = "#1f5fbf"
OPTIMAL = "#d62828"
SECOND = "#2a9d4b"
MUTED = "#9a9a9a"


@dataclass(frozen=True)
class Control:
    """One control of an experiment; ``Experiment.set(name, value)`` receives its changes."""

    name: str
    label: str
    kind: str  # "choice", "slider" (float), "int", "toggle" or "button" (value None)
    default: Any = None
    options: tuple[tuple[Any, str], ...] = ()  # choice: (value, text) pairs
    low: float = 0.0  # slider / int range
    high: float = 1.0
    step: float = 0.01
    tip: str = ""


SPEED = Control("speed", "Speed", "choice", 60.0, ((10.0, "slow motion"), (60.0, "watchable"), (0.0, "fastest")),
                tip="Steps a second while running: slow enough to watch, or as fast as the CPU goes")


@dataclass
class Series:
    """One drawn series of a plot; ``x`` and ``y`` are float arrays of one length."""

    x: np.ndarray
    y: np.ndarray
    style: str = "line"  # "line", "dashed", "points", "segments" (start/end pairs), "bars" (y at x centres)
    colour: str = D_CURVE
    width: float = 2.0  # line width, or point size for "points"
    label: str = ""  # legend text ("" = not in the legend)


@dataclass
class Heatmap:
    """A float image under a plot's series: row 0 at the bottom, spanning ``rect`` = (x, y, width, height)."""

    values: np.ndarray  # float32 [rows, cols]
    rect: tuple[float, float, float, float]
    levels: tuple[float, float]  # values mapped to the two ends of the colour map


@dataclass
class Plot:
    title: str
    series: dict[str, Series]
    x_label: str = ""
    y_label: str = ""
    x_range: tuple[float, float] | None = None  # None: fit the data
    y_range: tuple[float, float] | None = None
    log_y: bool = False
    square: bool = False  # one unit is as long on both axes (the 2-D plane)
    heatmap: Heatmap | None = None


@dataclass
class Picture:
    title: str
    image: np.ndarray  # uint8 [H, W, 3], C-contiguous
    clickable: bool = False  # clicks reach Experiment.click(key, row, col) in this image's pixels
    marker: tuple[int, int] | None = None  # (row, col) ringed on the picture


@dataclass
class LessonFrame:
    """One picture of the experiment. ``values``: the experiment's current control values (a sweep moves them)."""

    step: int  # the experiment's steps so far (what "step" means is the lesson's: a round, a training step)
    panels: dict[str, Plot | Picture]
    readout: str = ""  # one or two lines of numbers under the plots
    columns: int | tuple[int, ...] = 2  # panels per row, or the count of each row: (3, 2); short rows span the width
    values: dict[str, Any] = field(default_factory=dict)


class Experiment:
    """Base of a lesson's experiment. Every method runs on the Learn tab's worker thread, one at a time.

    Subclasses set ``controls`` and implement ``step`` and ``frame``; ``set`` receives control changes,
    ``click`` clicks on a clickable picture. ``measures`` returns the lesson's figures (benchmarks, tests).
    """

    controls: tuple[Control, ...] = ()
    columns = 2
    frame_interval = 1 / 30  # least seconds between frames while running (heavy frames ask for more)
    max_steps_per_s = 0.0  # slow motion: at most this many steps a second while running (0 = as fast as it goes)
    tour_steps = 100  # steps the tour runs before its screenshot...
    tour_seconds = 10.0  # ... or the seconds, after the first frame, if those come first (a loaded CPU)

    def __init__(self):
        self.steps = 0

    def set(self, name: str, value: Any) -> None:
        if name == "speed":  # the shared SPEED control
            self.max_steps_per_s = float(value)
            return
        raise KeyError(f"{type(self).__name__} has no control {name!r}; controls: "
                       f"{', '.join(c.name for c in self.controls)}")

    def click(self, panel: str, row: int, col: int) -> None:
        """A click on pixel (row, col) of the clickable picture ``panel``."""

    def step(self) -> None:
        raise NotImplementedError

    def frame(self) -> LessonFrame:
        raise NotImplementedError

    def prepare_tour(self) -> None:
        """Set up what the tour's screenshot should show: by default full speed, four frames a second."""
        self.max_steps_per_s = 0.0
        self.frame_interval = max(self.frame_interval, 0.25)

    def measures(self) -> dict[str, float]:
        return {}

    def close(self) -> None:
        """Free what the experiment holds on disk (run directories)."""

    def values(self) -> dict[str, Any]:
        """Current control values, sent with each frame (defaults unless a subclass tracks them)."""
        return {c.name: c.default for c in self.controls if c.kind != "button"}


def line(x, y, **style) -> Series:
    return Series(np.asarray(x, np.float64).copy(), np.asarray(y, np.float64).copy(), **style)


def vertical(x: float, low: float, high: float, **style) -> Series:
    """A vertical line at ``x`` as a two-point segment."""
    return Series(np.array([x, x], np.float64), np.array([low, high], np.float64), style="segments", **style)
