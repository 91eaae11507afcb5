"""Live plots (throttled redraw, hover values, equilibrium line) and the gallery view (zoom, pick, export)."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

from studio.state import TrainingSession
from studio.views.gallery import SampleGallery
from studio.views.plots import REDRAW_MS, LossPlotPanel


def rows(start: int, stop: int, d_output: str = "probability") -> list[dict]:
    return [{"step": s, "loss_d": 1.0 + s % 7, "loss_g": 2.0, "d_real": 0.7, "d_fake": 0.3, "d_output": d_output,
             "grad_norm_d": 1.0, "grad_norm_g": 2.0, "images_per_sec": 100.0, "wall_time": s / 10, "penalty": 0.0}
            for s in range(start, stop)]


@pytest.fixture
def plots(qtbot):
    panel = LossPlotPanel()
    qtbot.addWidget(panel)
    panel.resize(800, 600)
    panel.show()
    return panel


def test_a_burst_of_reports_costs_one_redraw_per_frame(plots, qtbot):
    session = TrainingSession()
    plots.set_session(session)
    before = plots.redraws
    for i in range(500):  # far faster than any frame rate
        session.add_rows(rows(i, i + 1))
    qtbot.waitUntil(lambda: plots.redraws > before)
    with qtbot.assertNotEmitted(plots._timer.timeout, wait=300):  # nothing new: no more frames, no polling
        pass
    assert plots.redraws - before == 1
    x, y = plots.curves["loss_d"][2].getData()
    assert len(x) == 500 and x[-1] == 499
    assert "penalty" not in plots.curves  # always 0 without a penalty: no curve


def test_a_steady_stream_of_reports_is_drawn_at_most_once_a_frame(plots, qtbot):
    """A report every few milliseconds for half a second: the curves follow, at most once per REDRAW_MS."""
    session = TrainingSession()
    plots.set_session(session)
    before, started, step = plots.redraws, time.perf_counter(), 0
    while time.perf_counter() - started < 0.5:
        session.add_rows(rows(step, step + 1))
        step += 1
        qtbot.wait(3)
    elapsed_ms = (time.perf_counter() - started) * 1000
    qtbot.waitUntil(lambda: plots.curves["loss_d"][2].getData()[0][-1] == step - 1)  # the last report is drawn
    drawn = plots.redraws - before
    assert 1 <= drawn <= elapsed_ms / REDRAW_MS + 2 and drawn < step, (drawn, step, elapsed_ms)


def test_hover_reads_the_nearest_logged_values(plots):
    session = TrainingSession()
    session.add_rows(rows(0, 100, d_output="probability")[::10])
    plots.set_session(session)
    text = plots.values_at("losses", 41.0)
    assert text.startswith("Losses at step 40:") and "loss_d 6" in text and "loss_g 2" in text
    plots.smoothing.set_value(0.0)
    plots.redraw()
    assert plots.equilibrium.isVisible()


def test_critic_outputs_drop_the_half_line(plots):
    session = TrainingSession()
    session.add_rows(rows(0, 10, d_output="critic"))
    plots.set_session(session)
    assert not plots.equilibrium.isVisible()
    assert plots.plots["d_out"].getAxis("left").labelText == "critic value"


def test_smoothing_changes_the_drawn_curve_not_the_data(plots):
    session = TrainingSession()
    session.add_rows(rows(0, 50))
    plots.set_session(session)
    plots.smoothing.set_value(0.0)
    plots.redraw()
    raw = plots.curves["loss_d"][2].getData()[1].copy()
    plots.smoothing.set_value(0.9)
    plots.redraw()
    smooth = plots.curves["loss_d"][2].getData()[1]
    assert smooth.std() < raw.std() / 2 and plots.curves["loss_d"][1].isVisible()
    assert np.array_equal(plots.curves["loss_d"][1].getData()[1], raw)  # the raw curve stays, faint


def grid_picture(value: int) -> np.ndarray:
    g = np.zeros((4 * 10 + 2, 4 * 10 + 2, 3), np.uint8)  # 16 samples of 8x8 with 2 px padding
    g[2:-2, 2:-2] = value
    return g


def test_gallery_scrubs_picks_and_exports(qtbot, tmp_path, monkeypatch):
    gallery = SampleGallery()
    qtbot.addWidget(gallery)
    gallery.show()
    gallery.reset(str(tmp_path), {"run": {"grid_size": 16}, "train": {"seed": 0}})
    for step, value in ((0, 40), (10, 120), (20, 200)):
        gallery.add_sample(step, "", grid_picture(value))
    assert gallery.slider.maximum() == 2 and gallery.state.current_step() == 20
    with qtbot.waitSignal(gallery.sample_selected) as picked:
        gallery.canvas.clicked.emit(2 + 10 + 3, 2 + 3)  # row 0, column 1
    assert picked.args[0].index == 1 and not gallery.preview.pixmap().isNull()
    gallery.slider.setValue(0)
    assert int(gallery.canvas.image.image.max()) == 40 and gallery.step_label.text() == "step 0 (1/3)"
    gallery.canvas.zoom(2.0)  # zoom is kept while scrubbing
    zoomed = gallery.canvas.view.viewRange()
    gallery.slider.setValue(1)
    assert gallery.canvas.view.viewRange() == zoomed

    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "t.gif"), "")))
    gallery.export_gif_dialog()
    with Image.open(tmp_path / "t.gif") as im:
        assert im.n_frames == 3
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "g.png"), "")))
    gallery.export_png_dialog()
    assert int(np.asarray(Image.open(tmp_path / "g.png")).max()) == 120  # the shown snapshot (step 10)
