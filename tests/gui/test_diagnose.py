"""The Diagnose workspace: a constructed metrics stream shows its finding, and "Show on plot" marks the step."""
from __future__ import annotations

import pyqtgraph as pg


def report(step, d_real=0.6, d_fake=0.4, g=2.0):
    return {"step": step, "d_output": "probability", "d_real": d_real, "d_fake": d_fake, "grad_norm_g": g,
            "grad_norm_d": 3.0, "loss_d": 1.2, "loss_g": 1.0}


def d_winning_rows():
    """30 healthy reports, then D wins from step 310: D(x) -> 1, D(G(z)) -> 0, G's gradient collapses."""
    return [report(10 * i) for i in range(1, 31)] + [report(310 + 10 * i, 0.98, 0.01, 0.01) for i in range(20)]


def test_finding_shows_with_evidence_and_fixes(qtbot, window):
    view = window.workspaces.view("Diagnose")
    view.show_rows(d_winning_rows())
    assert [(f.rule, f.step) for f in view.findings] == [("d_winning", 310)]
    card = view.cards.itemAt(0).widget()
    text = card.findChild(type(view.summary)).text()
    assert "D is winning" in text and "step 310" in text and "D(x) 0.980" in text and "non-saturating" in text
    button = next(b for b in card.findChildren(type(view.refresh_button)) if b.text() == "Show on plot")
    window.workspaces.setCurrentIndex(window.workspaces.indexOf(view.parentWidget()))
    button.click()
    assert window.workspaces.currentIndex() == 0
    marks = [i for i in window.plots.plots["losses"].items if isinstance(i, pg.InfiniteLine) and i.value() == 310]
    assert len(marks) == 1
    view.show_rows([report(10 * i) for i in range(1, 40)])
    assert view.findings == [] and "No problems found" in view.summary.text()


def test_an_open_tab_follows_the_live_session(qtbot, window):
    view = window.workspaces.view("Diagnose")
    view.live.setInterval(50)
    window.workspaces.setCurrentIndex(window.workspaces.indexOf(view.parentWidget()))
    assert view.live.isActive()
    window.session.add_rows([report(10 * i) for i in range(1, 31)])  # a run with no directory: session rows
    qtbot.waitUntil(lambda: "No problems found in 30" in view.summary.text(), timeout=5000)
    window.session.add_rows([report(310 + 10 * i, 0.98, 0.01, 0.01) for i in range(20)])  # then D starts winning
    qtbot.waitUntil(lambda: [f.rule for f in view.findings] == ["d_winning"], timeout=5000)
    window.workspaces.setCurrentIndex(0)
    assert not view.live.isActive()  # a hidden tab costs nothing
