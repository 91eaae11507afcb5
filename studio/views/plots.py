"""LossPlotPanel: live curves of a TrainingSession (losses, D outputs, gradient norms, images/s).

Curves are created once and updated with ``setData`` from the session's buffers by a ~30 fps timer that
does nothing when the session did not change, so report bursts cost one redraw per frame at most.

Drawing shares the CPU (and Python's GIL) with the training thread: a redraw and its repaint take
~30 ms at 900 x 600 on a laptop core, and six of them a second cost training a fifth of its speed.
So the next redraw waits at least ``1 / GUI_SHARE`` times the last one's cost: the curves still move
several times a second, and training in the app keeps pace with the CLI.
"""
from __future__ import annotations

import html
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from studio.state.session import TrainingSession
from studio.widgets.labelled_slider import LabelledSlider
from studio.widgets.theme import plot_colours

REDRAW_MS = 33  # ~30 redraws a second at most
MAX_REDRAW_MS = 1000  # however slow drawing is, the curves move every second
GUI_SHARE = 0.06  # redrawing may take at most this share of one core (redraw + repaint cost / interval)
NO_DATA_HINT = "No curves yet: press Start, or open a run (Ctrl+O)."
HOVER_HINT = "Hover a plot to read its values."

# (plot id, title, which series it shows)
PLOTS = [
    ("losses", "Losses", lambda n: n.startswith("loss_") or n == "penalty"),
    ("d_out", "D outputs", lambda n: n in ("d_real", "d_fake")),
    ("grads", "Gradient norms", lambda n: n.startswith("grad_norm")),
    ("speed", "Images / s", lambda n: n == "images_per_sec"),
    ("quality", "Quality", lambda n: n.startswith("eval_")),  # only once the run has evaluated (run.eval_every)
    ("augment", "D augmentation", lambda n: n.startswith("aug_")),  # ADA's p and r_t (train.augment = ada)
]
GRID = ("losses", "d_out", "grads", "speed")  # the 2 x 2 plots always shown; the others appear with their first curve
# Short legend names: they sit in the plot titles, which must fit a narrow column.
LABELS = {"loss_d": "D", "loss_g": "G", "d_real": "D(x)", "d_fake": "D(G(z))", "grad_norm_d": "D",
          "grad_norm_g": "G", "images_per_sec": "", "eval_fid": "FID (lower is better)",
          "eval_kid": "KID (lower is better)", "eval_modes_covered": "modes covered",
          "eval_classes_covered": "classes covered", "aug_p": "p", "aug_rt": "r_t = E[sign D(x)]"}
READOUT_NAMES = {"d_real": "D(x)", "d_fake": "D(G(z))", "images_per_sec": "images/s"}
COLOUR_INDEX = {"loss_d": 0, "loss_g": 1, "penalty": 4, "d_real": 2, "d_fake": 3, "grad_norm_d": 0,
                "grad_norm_g": 1, "images_per_sec": 5}


class _TimedGraphics(pg.GraphicsLayoutWidget):
    """Remembers how long its last repaint took (``paint_ms``)."""

    paint_ms = 0.0

    def paintEvent(self, event) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_ms = (time.perf_counter() - started) * 1000


class LossPlotPanel(QWidget):
    """Four plots over steps with an EMA smoothing slider, hover read-out and change markers."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: TrainingSession | None = None
        self.graphics = _TimedGraphics()
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, tuple[str, pg.PlotDataItem, pg.PlotDataItem]] = {}  # name -> (plot, raw, smooth)
        self.markers: list[pg.InfiniteLine] = []
        self._colour_of: dict[str, int] = {}
        self._title_fg = ""
        self.crosshairs: dict[str, pg.InfiniteLine] = {}
        self._drawn: tuple[int, float] | None = None
        self.redraws = 0  # counts real redraws; the throttle test reads it
        self.redraw_ms = 0.0  # the last redraw's setData time (its repaint: graphics.paint_ms)
        # Armed by a change, fired once per frame: bursts of reports coalesce, and an idle or slowly
        # training window never wakes up (each wake-up takes the GIL from the training thread).
        self._timer = QTimer(self, interval=REDRAW_MS, singleShot=True, timeout=self.redraw)
        self._build()
        self.smoothing.value_changed.connect(self.schedule_redraw)

    def _build(self) -> None:
        for i, pid in enumerate(GRID):
            self._add_plot(pid, row=i // 2, col=i % 2)
        self.equilibrium = pg.InfiniteLine(pos=0.5, angle=0, movable=False, label="0.5",
                                           labelOpts={"position": 0.04})
        self.plots["d_out"].addItem(self.equilibrium, ignoreBounds=True)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.smoothing = LabelledSlider("Smoothing", 0.0, 0.99, steps=99)
        self.smoothing.setToolTip("Exponential moving average of each curve (0 = raw); raw values stay faint")
        self.readout = QLabel(NO_DATA_HINT)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long read-out must never widen the plots past their splitter pane.
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.smoothing.slider.setMinimumWidth(120)
        bottom = QHBoxLayout()
        bottom.addWidget(self.readout, 1)
        bottom.addWidget(self.smoothing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(bottom)
        self._apply_theme()

    def _add_plot(self, pid: str, row: int, col: int, colspan: int = 1) -> pg.PlotItem:
        title = next(t for p, t, _ in PLOTS if p == pid)
        plot = self.graphics.addPlot(row=row, col=col, colspan=colspan, title=f"<b>{title}</b>")
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        for side in ("left", "bottom"):
            # Grid lines at major ticks only: minor-tick grid lines made each repaint ~4x slower.
            plot.getAxis(side).setStyle(maxTickLevel=0)
        plot.setLabel("bottom", "step")
        plot.setMenuEnabled(False)
        _let_title_shrink(plot.titleLabel)
        self.plots[pid] = plot
        line = pg.InfiniteLine(angle=90, movable=False)
        line.setVisible(False)
        plot.addItem(line, ignoreBounds=True)
        self.crosshairs[pid] = line
        return plot

    def _extra_plot(self, pid: str) -> pg.PlotItem:
        """A plot beyond the 2 x 2 grid (quality), added below it, full width, on its first curve."""
        if pid not in self.plots:
            self._remove_markers()  # redrawn on every plot, the new one included
            self._add_plot(pid, row=2 + len(self.plots) - len(GRID), col=0, colspan=2)
            self._apply_theme()
        return self.plots[pid]

    def _remove_markers(self) -> None:
        for line in self.markers:
            for plot in self.plots.values():
                if line in plot.items:
                    plot.removeItem(line)
        self.markers.clear()

    def _drop_extra_plots(self) -> None:
        for pid in [p for p in self.plots if p not in GRID]:
            self.graphics.removeItem(self.plots.pop(pid))
            self.crosshairs.pop(pid)

    # --- data ---
    def schedule_redraw(self, *_) -> None:
        if not self._timer.isActive():
            cost = self.redraw_ms + self.graphics.paint_ms
            self._timer.start(int(min(MAX_REDRAW_MS, max(REDRAW_MS, cost / GUI_SHARE))))

    def set_session(self, session: TrainingSession) -> None:
        """Show another run: curves and markers are dropped and rebuilt from its buffers."""
        if self.session is not None:
            self.session.changed.disconnect(self.schedule_redraw)
        self.session = session
        session.changed.connect(self.schedule_redraw)
        for pid, raw, smooth in self.curves.values():
            self.plots[pid].removeItem(raw)
            self.plots[pid].removeItem(smooth)
        self._remove_markers()
        self.curves.clear()
        self._drop_extra_plots()
        for plot in self.plots.values():
            plot.enableAutoRange()
        self._drawn = None
        self.redraw()

    def redraw(self) -> None:
        """Push the session's buffers into the curves if anything changed since the last frame."""
        s, weight = self.session, self.smoothing.value()
        if s is None or self._drawn == (s.version, weight):
            return
        self.redraws += 1
        started = time.perf_counter()
        if self.readout.text() in (NO_DATA_HINT, HOVER_HINT):
            self.readout.setText(HOVER_HINT if s.series else NO_DATA_HINT)
        for name in s.plotted_names():
            if name not in self.curves:
                self._maybe_add_curve(name)
        for name, (pid, raw, smooth) in self.curves.items():
            series = s.series[name]
            steps = series.steps.view()
            w = 0.0 if pid == "quality" else weight  # a few evaluations: smoothing would only blur them
            raw.setVisible(w > 0)
            if w > 0:
                raw.setData(steps, series.values.view())
            smooth.setData(steps, series.smoothed(w))
        self._draw_markers(s)
        self.equilibrium.setVisible(s.d_output == "probability")
        self._update_titles()
        self._drawn = (s.version, weight)
        self.redraw_ms = (time.perf_counter() - started) * 1000

    def _maybe_add_curve(self, name: str) -> None:
        pid = next((p for p, _, wants in PLOTS if wants(name)), None)
        series = self.session.series[name]
        if pid is None or name == "penalty" and not np.any(np.nan_to_num(series.values.view())):
            return  # "penalty" is logged as 0 when no penalty is used: not worth a curve
        colours = plot_colours(self.palette())
        self._colour_of[name] = COLOUR_INDEX.get(name, len(self.curves))
        colour = colours.curves[self._colour_of[name] % len(colours.curves)]
        plot = self.plots[pid] if pid in GRID else self._extra_plot(pid)
        sparse = pid == "quality"  # one point per evaluation: dots on the line
        raw = plot.plot(pen=pg.mkPen(colour, width=1), connect="finite")
        raw.setOpacity(0.3)
        smooth = plot.plot(pen=pg.mkPen(colour, width=2), connect="finite", symbol="o" if sparse else None,
                           symbolSize=6, symbolBrush=colour, symbolPen=None)
        self.curves[name] = (pid, raw, smooth)

    def _draw_markers(self, s: TrainingSession) -> None:
        colours = plot_colours(self.palette())
        span = max(s.total_steps, s.step, 1)
        for marker in s.changes[len(self.markers) // len(self.plots):]:
            # The label goes on the side of the line with more room, so late changes are not cut off.
            anchor = (1, 1) if marker.step > 0.6 * span else (0, 1)
            for pid, plot in self.plots.items():
                label = marker.label if pid == "losses" else None
                line = pg.InfiniteLine(pos=marker.step, angle=90, movable=False, label=label,
                                       pen=pg.mkPen(colours.guide, style=Qt.PenStyle.DashLine),
                                       labelOpts={"position": 0.06, "color": colours.foreground,
                                                  "anchors": [anchor, anchor]})
                line.setToolTip(f"step {marker.step}: {marker.label}")
                plot.addItem(line, ignoreBounds=True)
                self.markers.append(line)

    # --- hover ---
    def _on_mouse_moved(self, pos) -> None:
        for pid, plot in self.plots.items():
            inside = plot.sceneBoundingRect().contains(pos)
            self.crosshairs[pid].setVisible(inside)
            if inside:
                step = plot.vb.mapSceneToView(pos).x()
                self.crosshairs[pid].setPos(step)
                self.readout.setText(self.values_at(pid, step))

    def values_at(self, pid: str, step: float) -> str:
        """"step 120: loss_d 0.693, loss_g 0.701" for the curves of one plot, nearest logged step."""
        parts, at = [], None
        for name, (plot_id, _, _) in self.curves.items():
            if plot_id != pid:
                continue
            series = self.session.series[name]
            steps = series.steps.view()
            if not len(steps):
                continue
            i = int(np.clip(np.searchsorted(steps, step), 1, len(steps) - 1)) if len(steps) > 1 else 0
            i = i - 1 if i and abs(steps[i - 1] - step) <= abs(steps[i] - step) else i
            at = int(steps[i])
            parts.append(f"{READOUT_NAMES.get(name, name)} {series.values.view()[i]:.4g}")
        title = next(t for p, t, _ in PLOTS if p == pid)
        return f"{title} at step {at}: " + ", ".join(parts) if parts else "no data here yet"

    # --- palette ---
    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_theme()
        super().changeEvent(event)

    def _apply_theme(self) -> None:
        colours = plot_colours(self.palette())
        self.graphics.setBackground(colours.background)
        fg = colours.foreground
        for pid, plot in self.plots.items():
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(fg))
                axis.setTextPen(pg.mkPen(fg))
            plot.showGrid(x=True, y=True, alpha=colours.grid_alpha)
            self.crosshairs[pid].setPen(pg.mkPen(colours.guide))
        self.equilibrium.setPen(pg.mkPen(colours.guide, style=Qt.PenStyle.DashLine))
        self.equilibrium.label.setColor(fg)
        for line in self.markers:
            line.setPen(pg.mkPen(colours.guide, style=Qt.PenStyle.DashLine))
            if getattr(line, "label", None) is not None:
                line.label.setColor(fg)
        for name, (_, raw, smooth) in self.curves.items():
            colour = colours.curves[self._colour_of[name] % len(colours.curves)]
            raw.setPen(pg.mkPen(colour, width=1))
            smooth.setPen(pg.mkPen(colour, width=2))
        self._title_fg = ""
        self._update_titles()
        self._drawn = None
        self.schedule_redraw()

    def _update_titles(self) -> None:
        """Each title doubles as the legend: a coloured line per curve, so no legend box hides data."""
        colours = plot_colours(self.palette())
        unit = "probability" if self.session is None or self.session.d_output == "probability" else "critic value"
        for pid, title, _ in PLOTS:
            if pid not in self.plots:
                continue
            keys = [(n, self._colour_of[n]) for n, (p, _, _) in self.curves.items() if p == pid and LABELS.get(n, n)]
            swatches = "&nbsp;&nbsp;".join(
                f"<span style='color:{colours.curves[i % len(colours.curves)]}'>&#9644;</span>"
                f"&nbsp;{html.escape(LABELS.get(n, n))}" for n, i in keys)
            text = f"<b>{title}</b>" + (f"&nbsp;&nbsp;&nbsp;{swatches}" if swatches else "")
            plot = self.plots[pid]
            if plot.titleLabel.text != text or self._title_fg != colours.foreground.name():
                plot.setTitle(text, color=colours.foreground, size="9pt")
        d_out = self.plots["d_out"]
        if d_out.getAxis("left").labelText != unit:
            d_out.setLabel("left", unit)
        self._title_fg = colours.foreground.name()


def _let_title_shrink(label: pg.LabelItem) -> None:
    """A title wider than its column is clipped instead of widening the whole layout.

    pyqtgraph's LabelItem makes its text width a minimum size on every text change and resize, so a long
    title pushes the other plots out of view in a narrow pane.
    """
    fit_text = label.updateMin

    def update_min() -> None:
        fit_text()
        label.setMinimumWidth(0)
        height = label._sizeHint[Qt.SizeHint.MinimumSize][1]
        label._sizeHint[Qt.SizeHint.MinimumSize] = (0, height)
        label.updateGeometry()

    label.updateMin = update_min
    label.updateMin()
