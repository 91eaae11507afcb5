"""Evaluation: `gan-studio eval`, the trainer's eval_every with best.pt, and the metrics on known distributions."""
import json

import numpy as np
import pytest
import torch

from gan_backend.engine.loop import Trainer
from gan_backend.engine.reports import EvalReport, TrainReport
from gan_backend.engine.run_dir import RunDir
from gan_backend.metrics import fid
from gan_backend.metrics import evaluate as ev
from gan_backend.metrics.features import EvalError, image_space
from tests.backend.helpers import TINY_ARGS, gs, tiny_config


@pytest.fixture(scope="module")
def evaluated_run(tmp_path_factory):
    """A tiny glyphs run trained with an evaluation every 5 steps (the CLI's train, as a user would)."""
    run = tmp_path_factory.mktemp("eval") / "run"
    assert gs("train", "--dataset", "glyphs", "--steps", 10, "--run-dir", run, *TINY_ARGS,
              "--set", "run.eval_every=5", "--set", "run.eval_n=100") == 0
    return run


def test_shifted_gaussian_gives_the_analytic_fid():
    """N(0, I) vs N(mu, I): FID = |mu|^2 (the covariance terms cancel)."""
    rng = np.random.default_rng(0)
    mu = np.array([2.0, -1.0, 0.5, 1.5])
    a, b = rng.normal(size=(100_000, 4)), rng.normal(size=(100_000, 4)) + mu
    assert fid(a, b) == pytest.approx(mu @ mu, rel=0.01)


def test_eval_prints_metrics_and_writes_json(evaluated_run, tmp_path, capsys):
    assert gs("eval", evaluated_run, "--n", 150, "--json", tmp_path / "m.json") == 0
    out = capsys.readouterr()
    assert "FID" in out.out and "classes covered" in out.out and "glyphs classifier" in out.out
    assert "generating: 150/150" in out.err  # plain progress lines when not a terminal
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["step"] == 10 and m["n"] == 150 and m["classes_total"] == 10 and len(m["class_histogram"]) == 10
    assert np.isfinite([m["fid"], m["kid"], m["precision"], m["recall"]]).all() and m["fid"] > 0


def test_eval_every_logs_rows_and_keeps_best_checkpoint(evaluated_run, capsys):
    run = RunDir.open(evaluated_run)
    rows = [r for r in run.read_metrics() if r.get("event") == "eval"]
    assert [r["step"] for r in rows] == [5, 10] and all(np.isfinite(r["fid"]) for r in rows)
    best = min(rows, key=lambda r: r["fid"])
    assert run.best_checkpoint.is_file() and torch.load(run.best_checkpoint, weights_only=True)["step"] == best["step"]
    assert gs("eval", run.best_checkpoint, "--n", 50) == 0
    assert f"at step {best['step']}" in capsys.readouterr().out


@pytest.mark.parametrize("args,expected", [
    (["eval", "{tmp}/missing"], "no such run directory or checkpoint file"),
    (["eval", "{tmp}/empty"], "has no checkpoint yet"),
    (["eval", "{run}", "--inception", "{tmp}/nope.pth"], "nope.pth"),
    (["eval", "{run}", "--inception", "{tmp}/bad.pth"], "bad.pth"),
])
def test_user_errors_exit_2_with_one_line(evaluated_run, tmp_path, capsys, args, expected):
    (tmp_path / "bad.pth").write_text("not weights")
    RunDir.create(tmp_path / "empty", tiny_config(tmp_path / "empty"))
    argv = [a.format(tmp=tmp_path, run=evaluated_run) for a in args]
    assert gs(*argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and expected in err[0]


def test_inception_weights_of_another_model_are_refused(tmp_path):
    torch.save({"conv.weight": torch.zeros(3, 3)}, tmp_path / "other.pth")
    with pytest.raises(EvalError, match="other.pth: not an inception_v3 state_dict"):
        image_space("glyphs", (1, 28, 28), inception=tmp_path / "other.pth")


def test_unsupported_dataset_or_metric_lists_the_choices(tmp_path, capsys):
    with pytest.raises(EvalError, match="supported: .*glyphs, shapes, mnist:PATH"):
        image_space("cifar10:/data", (3, 32, 32))
    assert gs("train", "--dataset", "glyphs", "--steps", 2, "--run-dir", tmp_path / "r", *TINY_ARGS,
              "--set", "run.eval_every=1", "--set", "run.eval_metric=modes_covered") == 2
    err = capsys.readouterr().err
    assert "not measured on glyphs" in err and "classes_covered" in err


def test_class_coverage_counts_classes_with_a_quarter_share():
    even = np.eye(4)[np.arange(400) % 4]
    skewed = np.eye(4)[[0] * 300 + [1] * 94 + [2] * 6]  # class 2 holds 1.5% < 1/16, class 3 none
    assert ev.class_coverage(even)["classes_covered"] == 4 and ev.class_coverage(even)["class_entropy"] == pytest.approx(1)
    c = ev.class_coverage(skewed, labels=np.zeros(400, int))
    assert c["classes_covered"] == 2 and 0 < c["class_entropy"] < 0.6 and c["label_match"] == 0.75


def test_toy2d_eval_counts_modes_and_does_not_touch_the_training_rng(tmp_path):
    """Same seed with and without eval_every: identical training (evaluation must not consume the RNG)."""
    def train(name, **sets):
        cfg = tiny_config(tmp_path / name, dataset="toy2d:ring8", model="mlp", steps=20, **sets)
        items = list(Trainer.new(cfg).run())
        return items, {r.step: r.losses for r in items if isinstance(r, TrainReport)}

    items, with_eval = train("a", run__eval_every=5, run__eval_n=200, run__eval_metric="modes_covered")
    _, without = train("b")
    assert with_eval == without
    evals = [i for i in items if isinstance(i, EvalReport)]
    assert [e.step for e in evals] == [5, 10, 15, 20] and evals[0].is_best and evals[0].metric == "modes_covered"
    assert all(0 <= e.metrics["modes_covered"] <= 8 and e.metrics["modes_total"] == 8 for e in evals)
    result = ev.evaluate(tmp_path / "a", n=300)
    assert result["modes_total"] == 8 and 0 <= result["high_quality"] <= 1 and result["features"] == "2-D coordinates"
