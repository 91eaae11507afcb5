"""ADA's p and r_t (metrics aug_p, aug_rt) get their own plot below the 2 x 2 grid, on their first row."""
from __future__ import annotations

from studio.state import TrainingSession
from studio.views.plots import LossPlotPanel


def test_ada_rows_add_an_augmentation_plot_with_p_and_rt(qtbot):
    panel = LossPlotPanel()
    qtbot.addWidget(panel)
    session = TrainingSession()
    panel.set_session(session)
    base = {"loss_d": 1.0, "loss_g": 2.0, "d_real": 0.7, "d_fake": 0.3, "images_per_sec": 50.0}
    session.add_rows([{"step": 10, **base}])
    panel.redraw()
    assert "augment" not in panel.plots  # a run without ADA: no empty plot
    session.add_rows([{"step": s, **base, "aug_p": s / 1000, "aug_rt": 0.8} for s in (20, 30)])
    panel.redraw()
    assert "augment" in panel.plots and panel.curves["aug_p"][0] == panel.curves["aug_rt"][0] == "augment"
    x, y = panel.curves["aug_p"][2].getData()
    assert list(x) == [20, 30] and list(y) == [0.02, 0.03]
