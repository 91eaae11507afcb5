"""The 2-D playground: it draws the plane, single steps advance exactly one update, Pause stops training."""
from __future__ import annotations

import numpy as np

WAIT_MS = 60_000  # a cold torch import and the networks on a busy 2-core CPU


def make_view(qtbot):
    from studio.views.playground import PlaygroundView

    view = PlaygroundView(None)
    qtbot.addWidget(view)  # closing it at the end stops its thread
    view.resize(1000, 650)
    view.show()
    qtbot.waitUntil(lambda: view.last_frame is not None, timeout=WAIT_MS)
    return view


def counts(view):
    return view.last_frame.step_d, view.last_frame.step_g


def test_draws_points_heatmap_and_modes(qtbot):
    view = make_view(qtbot)
    frame = view.last_frame
    real_x, _ = view.plot.real.getData()
    fake_x, _ = view.plot.fake.getData()
    assert len(real_x) == len(frame.real) > 100 and len(fake_x) == len(frame.fake) > 100
    image = view.plot.field.image
    assert image is not None and image.shape == frame.field.shape and np.ptp(image) > 0
    arrow_x, _ = view.plot.arrows.getData()
    assert len(arrow_x) > 0 and len(arrow_x) % 2 == 0  # start/end pairs
    assert "Modes covered" in view.readout.text() and "/8" in view.readout.text()
    view.shutdown()


def test_step_d_advances_exactly_one_d_step(qtbot):
    view = make_view(qtbot)
    assert counts(view) == (0, 0)
    view.step_d_button.click()
    qtbot.waitUntil(lambda: counts(view) != (0, 0), timeout=WAIT_MS)
    assert counts(view) == (1, 0)
    view.step_g_button.click()
    qtbot.waitUntil(lambda: counts(view) != (1, 0), timeout=WAIT_MS)
    assert counts(view) == (1, 1)
    view.shutdown()


def test_ratio_applies_live_and_pause_stops_training(qtbot):
    view = make_view(qtbot)
    view.d_steps.setValue(3)
    view.set_running(True)
    assert view.run_button.text() == "Pause"
    qtbot.waitUntil(lambda: view.last_frame.step_g >= 3, timeout=WAIT_MS)
    d, g = counts(view)
    assert d == 3 * g  # 3 D steps per G step from the first round
    view.set_running(False)
    qtbot.wait(400)  # a frame already in flight may still land
    paused = counts(view)
    qtbot.wait(600)
    assert counts(view) == paused
    assert view.step_d_button.isEnabled() and view.run_button.text() == "Run"
    view.shutdown()
