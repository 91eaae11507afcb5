"""The Compare workspace overlays two runs' curves with a legend, tables their final metrics and exports both."""
from __future__ import annotations

import csv

import numpy as np


def make_run(path, loss, level):
    from gan_backend.config import Config
    from gan_backend.engine.run_dir import RunDir

    cfg = Config()
    cfg.data.dataset, cfg.loss.name = "toy2d:ring8", loss
    run = RunDir.create(path, cfg)
    for step in range(10, 110, 10):
        run.append_metrics({"step": step, "d_output": "probability", "loss_d": level + step / 1000,
                            "loss_g": 1.0, "d_real": 0.6, "d_fake": 0.4})
    run.append_metrics({"step": 100, "event": "eval", "modes_covered": 8 if loss == "wgan_gp" else 3})
    return str(run.path)


def test_overlays_two_runs_with_table_and_exports(qtbot, tmp_path):
    from studio.views.compare import CompareView

    a, b = make_run(tmp_path / "minimax", "minimax", 1.0), make_run(tmp_path / "wgan_gp", "wgan_gp", 0.2)
    view = CompareView(None)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    with qtbot.waitSignal(view.loader.finished, timeout=30_000):
        view.set_runs([a, b])
    assert view.metric_box.currentText() == "loss_d"
    assert sorted(view.curves) == ["minimax", "wgan_gp"]
    x, y = view.curves["wgan_gp"].getData()
    assert np.allclose(x, range(10, 110, 10)) and np.isclose(y[-1], 0.3)
    assert [label.text for _, label in view.legend.items] == ["minimax", "wgan_gp"]
    assert view.table.rowCount() == 2
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    modes = headers.index("modes_covered")
    assert [view.table.item(r, modes).text() for r in range(2)] == ["3", "8"]
    view.metric_box.setCurrentText("modes_covered")
    assert sorted(view.curves) == ["minimax", "wgan_gp"]
    view.export_figure(str(tmp_path / "fig.png"))
    view.export_table(str(tmp_path / "final.csv"))
    assert (tmp_path / "fig.png").stat().st_size > 1000
    with open(tmp_path / "final.csv", newline="") as fh:
        assert [row["loss"] for row in csv.DictReader(fh)] == ["minimax", "wgan_gp"]
    view.shutdown()
