"""Diagnosis rules: each fires on a constructed metrics stream, where the problem started, and stays silent
on a healthy one."""
import math

import numpy as np
import pytest

from gan_backend.diagnosis import RULES, diagnose


def report(step, loss_d=1.2, loss_g=1.0, d_real=0.6, d_fake=0.4, g=2.0, d=3.0, output="probability"):
    return {"step": step, "epoch": step / 100, "images_seen": step * 64, "wall_time": step / 10.0,
            "images_per_sec": 640.0, "d_real": d_real, "d_fake": d_fake, "d_output": output, "grad_norm_d": d,
            "grad_norm_g": g, "lr_d": 2e-4, "lr_g": 2e-4, "loss_d": loss_d, "loss_g": loss_g, "penalty": 0.0}


def healthy(n=100, seed=0):
    """Noisy but converging reports every 10 steps, and eval rows whose coverage only grows."""
    rng = np.random.default_rng(seed)
    rows = [{"step": 0, "event": "sample", "path": "samples/step_0000000.png"}]
    for i in range(1, n + 1):
        rows.append(report(10 * i, loss_d=1.3 - 0.002 * i + rng.normal(0, 0.05), loss_g=0.9 + 0.003 * i + rng.normal(0, 0.1),
                           d_real=0.6 + rng.normal(0, 0.03), d_fake=0.4 + rng.normal(0, 0.03), g=2.0 + rng.normal(0, 0.3)))
        if i % 10 == 0:
            covered = min(8, 3 + i // 20)
            rows.append({"step": 10 * i, "event": "eval", "fid": 50.0 / i, "modes_covered": covered, "modes_total": 8,
                         "recall": 0.1 + 0.008 * i})
    return rows


def test_healthy_stream_is_silent():
    assert diagnose(healthy()) == []
    assert diagnose(healthy(seed=1)) == []


def test_d_winning_fires_where_it_started():
    rows = healthy(30) + [report(310 + 10 * i, d_real=0.98, d_fake=0.01, g=0.01, loss_d=0.05, loss_g=0.01)
                          for i in range(20)]
    (f,) = diagnose(rows)
    assert (f.rule, f.step) == ("d_winning", 310)
    assert any("non-saturating" in fix for fix in f.fixes) and any("label smoothing" in fix for fix in f.fixes)
    assert "D(x) 0.980" in f.evidence and "down from" in f.evidence


def test_d_winning_needs_a_sustained_streak_probabilities_and_a_collapsed_gradient():
    short = healthy(30) + [report(310 + 10 * i, d_real=0.98, d_fake=0.01, g=0.01) for i in range(3)]
    assert diagnose(short, ["d_winning"]) == []
    critic = [report(10 * i, d_real=5.0, d_fake=-5.0, g=0.01 if i > 10 else 2.0, output="critic") for i in range(1, 40)]
    assert diagnose(critic, ["d_winning"]) == []
    strong_g = healthy(30) + [report(310 + 10 * i, d_real=0.98, d_fake=0.01, g=3.0) for i in range(20)]
    assert diagnose(strong_g, ["d_winning"]) == []


def test_mode_collapse_on_modes_covered_classes_and_entropy():
    evals = [{"step": s, "event": "eval", "modes_covered": c, "modes_total": 8} for s, c in
             ((100, 6), (200, 8), (300, 8), (400, 3), (500, 2))]
    (f,) = diagnose(evals)
    assert (f.rule, f.step) == ("mode_collapse", 400)
    assert "modes_covered fell from 8 (step 200) to 3 of 8" in f.evidence and any("WGAN" in x for x in f.fixes)
    classes = [{"step": s, "event": "eval", "classes_covered": c, "classes_total": 10, "class_entropy": e}
               for s, c, e in ((500, 10, 0.97), (1000, 10, 0.75), (1500, 10, 0.98))]
    (f,) = diagnose(classes)
    assert f.step == 1000 and "class_entropy" in f.evidence


def test_divergence_on_nan_and_on_sustained_explosion():
    rows = healthy(20) + [report(210, loss_d=None), report(220, loss_d=None)]
    (f,) = diagnose(rows)
    assert (f.rule, f.step) == ("divergence", 210) and "loss_d became non-finite" in f.evidence
    blow = healthy(20) + [report(210 + 10 * i, d=3e4) for i in range(3)]
    (f,) = diagnose(blow)
    assert (f.rule, f.step) == ("divergence", 210) and "grad_norm_d" in f.evidence
    spike = healthy(20) + [report(210, d=3e4)] + [report(220 + 10 * i) for i in range(5)]
    assert diagnose(spike, ["divergence"]) == []


def test_oscillation_fires_on_a_lasting_swing_not_on_a_damped_one():
    swinging = healthy(20) + [report(210 + 10 * i, loss_g=2.0 + 1.5 * math.sin(i * 2 * math.pi / 8)) for i in range(60)]
    found = diagnose(swinging)
    assert [f.rule for f in found] == ["oscillation"]
    assert abs(found[0].step - 210) <= 50 and "loss_g swings" in found[0].evidence  # within 5 reports of the start
    assert any("TTUR" in fix for fix in found[0].fixes)
    damped = healthy(20) + [report(210 + 10 * i, loss_g=2.0 + 1.5 * math.exp(-i / 4) * math.sin(i * 2 * math.pi / 8))
                            for i in range(60)]
    assert diagnose(damped, ["oscillation"]) == []


def test_rules_are_listed_and_unknown_names_are_refused():
    assert set(RULES) == {"d_winning", "mode_collapse", "divergence", "oscillation"}
    with pytest.raises(KeyError, match="d_winning"):
        diagnose(healthy(5), ["d_wins"])
