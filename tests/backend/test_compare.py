"""Run comparison: curves on one step axis, a final-metrics table, and its CSV export."""
import csv
import math

import numpy as np
import pytest

from gan_backend.compare import compare, to_csv
from gan_backend.config import Config
from gan_backend.engine.run_dir import RunDir, RunDirError


def make_run(path, loss, steps, eval_steps=(), fid=lambda s: 100.0 / s):
    """A run directory with report rows at ``steps`` and eval rows at ``eval_steps``; no training needed."""
    cfg = Config()
    cfg.data.dataset, cfg.model.name, cfg.loss.name = "toy2d:ring8", "mlp", loss
    run = RunDir.create(path, cfg)
    for s in steps:
        run.append_metrics({"step": s, "d_output": "probability", "loss_d": 1.0 + s / 1000, "loss_g": 2.0,
                            "d_real": 0.6, "d_fake": 0.4, "wall_time": s / 10})
        if s in eval_steps:
            run.append_metrics({"step": s, "event": "eval", "fid": fid(s), "modes_covered": 8, "modes_total": 8,
                                "class_histogram": [0.5, 0.5]})
    run.append_metrics({"step": steps[-1], "event": "end", "reason": "done"})
    return run.path


def test_curves_align_on_the_union_of_steps(tmp_path):
    a = make_run(tmp_path / "a", "minimax", [10, 20, 30], eval_steps=(20,))
    b = make_run(tmp_path / "b", "hinge", [10, 30, 50], eval_steps=(30, 50))
    cmp = compare([a, b])
    steps, by_run = cmp.curves["loss_d"]
    assert steps.tolist() == [10, 20, 30, 50]
    assert by_run["a"][:3] == pytest.approx([1.01, 1.02, 1.03]) and math.isnan(by_run["a"][3])
    assert math.isnan(by_run["b"][1]) and by_run["b"][3] == pytest.approx(1.05)
    steps, by_run = cmp.curves["fid"]
    assert steps.tolist() == [20, 30, 50] and np.isnan(by_run["a"]).tolist() == [False, True, True]
    assert "class_histogram" not in cmp.curves and "d_output" not in cmp.curves


def test_final_table_and_csv(tmp_path):
    a = make_run(tmp_path / "a", "minimax", [10, 20, 30], eval_steps=(20,))
    b = make_run(tmp_path / "b", "hinge", [10, 30, 50])
    table = compare([a, b]).table
    assert [r["loss"] for r in table] == ["minimax", "hinge"] and [r["steps"] for r in table] == [30, 50]
    assert table[0]["fid"] == pytest.approx(5.0) and table[0]["eval_step"] == 20 and "fid" not in table[1]
    assert table[1]["loss_d"] == pytest.approx(1.05)
    to_csv(table, tmp_path / "final.csv")
    with open(tmp_path / "final.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["run"] for r in rows] == ["a", "b"] and rows[0]["fid"] == "5.0" and rows[1]["fid"] == ""
    assert rows[0]["dataset"] == "toy2d:ring8"


def test_same_named_runs_get_distinct_labels_and_a_missing_run_is_named(tmp_path):
    a = make_run(tmp_path / "x" / "run", "minimax", [10])
    b = make_run(tmp_path / "y" / "run", "hinge", [10])
    assert [r.label for r in compare([a, b]).runs] == ["x/run", "y/run"]
    with pytest.raises(RunDirError, match="nope"):
        compare([a, tmp_path / "nope"])
