"""The Learn tab: every lesson page builds, steps and draws its plots; controls and clicks reach the experiment;
a lesson opens its setup in another tab; the Diagnose tab teaches on a healthy run."""
from __future__ import annotations

import numpy as np
import pytest

from gan_backend.lessons.catalog import Lesson

WAIT_MS = 90_000  # a cold torch import, glyphs and the shipped translator on a busy 2-core CPU
SMALL = {"vae_vs_gan": {"n": 512}, "conditional_gans": {"n": 512}, "self_attention": {"n": 512},
         "paired_vs_unpaired": {"n": 16}}


@pytest.fixture
def small_lessons(monkeypatch):
    """The training lessons build on tiny data, so each page is up in seconds."""
    build = Lesson.build
    monkeypatch.setattr(Lesson, "build", lambda self, **kw: build(self, **{**SMALL.get(self.id, {}), **kw}))


def make_view(qtbot, window=None):
    from studio.views.learn import LearnView

    view = LearnView(window)
    qtbot.addWidget(view)  # closing it stops the lessons thread
    view.resize(1100, 800)
    view.show()
    return view


def wait_for_steps(qtbot, page, steps: int) -> None:
    qtbot.waitUntil(lambda: page.last_frame is not None and page.last_frame.step >= steps, timeout=WAIT_MS)


def panel_holds_data(panel) -> bool:
    from studio.views.learn_canvas import _PicturePanel

    if isinstance(panel, _PicturePanel):
        image = panel.image.image
        return image is not None and image.ndim == 3 and np.ptp(image) > 0
    lengths = [len(item.getData()[0] if hasattr(item, "getData") and item.getData()[0] is not None else [])
               for item in panel.series.values()]
    return max(lengths, default=0) > 0


def test_every_lesson_page_builds_steps_and_draws(qtbot, small_lessons):
    view = make_view(qtbot)
    assert view.list.count() == len(view.lessons) >= 8
    for lesson in view.lessons:
        page = view.show_lesson(lesson.id)
        qtbot.waitUntil(lambda: page.info is not None and page.last_frame is not None, timeout=WAIT_MS)
        assert view.stack.currentWidget() is page and page.lesson.id == lesson.id
        page.step_button.click()
        wait_for_steps(qtbot, page, 1)
        page.step_button.click()
        wait_for_steps(qtbot, page, 2)
        assert page.canvas.panels and all(panel_holds_data(p) for p in page.canvas.panels.values()), lesson.id
        assert page.readout.text()
    view.shutdown()


def test_run_pause_controls_and_a_sweep_reach_the_experiment(qtbot):
    view = make_view(qtbot)
    page = view.show_lesson("js_vs_wasserstein")
    qtbot.waitUntil(lambda: page.info is not None and page.last_frame is not None, timeout=WAIT_MS)
    sweep, theta = page.widgets["sweep"], page.widgets["theta"]
    sweep.setChecked(False)
    theta.set_value(0.5)
    page.run_button.click()
    assert page.run_button.text() == "Pause" and not page.step_button.isEnabled()
    wait_for_steps(qtbot, page, 3)
    page.run_button.click()
    assert page.run_button.text() == "Run"
    qtbot.waitUntil(lambda: page.last_frame.values["theta"] == pytest.approx(0.5), timeout=WAIT_MS)
    assert "θ = +0.50" in page.last_frame.readout
    view.shutdown()


def test_a_click_on_the_picture_picks_the_attention_query(qtbot, small_lessons):
    view = make_view(qtbot)
    page = view.show_lesson("self_attention")
    qtbot.waitUntil(lambda: page.last_frame is not None and bool(page.canvas.panels), timeout=WAIT_MS)
    assert page.canvas.panels["picture"].clickable
    page.canvas.clicked.emit("picture", 8 * 20 + 3, 8 * 4 + 1)  # pixel (20, 4) of the 8x enlarged glyph
    qtbot.waitUntil(lambda: "query (20, 4)" in page.last_frame.readout, timeout=WAIT_MS)
    assert "the map sums to 1.000" in page.last_frame.readout
    view.shutdown()


def test_a_lesson_opens_its_setup_in_the_playground(qtbot, window):
    view = window.workspaces.view("Learn")
    lesson = next(lesson for lesson in view.lessons if lesson.id == "mode_collapse")
    view.open_setup(lesson)
    playground = window.workspaces.view("Playground")
    assert window.workspaces.tabText(window.workspaces.currentIndex()) == "Playground"
    assert playground.loss.currentText() == "minimax" and playground.d_steps.value() == 5
    window.workspaces.setCurrentIndex(0)


def test_the_tour_shoots_every_lesson_with_lesson_in_its_name(qtbot):
    view = make_view(qtbot)
    pages = view.tour_pages()
    assert len(pages) == len(view.lessons) and all(p.startswith("lesson_") for p in pages)
    view.shutdown()


def test_diagnose_teaches_every_rule_on_a_healthy_run(qtbot, window):
    view = window.workspaces.view("Diagnose")
    rows = [{"step": 10 * i, "d_output": "probability", "d_real": 0.6 + 0.01 * np.sin(i), "d_fake": 0.4,
             "grad_norm_g": 2.0, "grad_norm_d": 3.0, "loss_d": 1.2 + 0.01 * np.cos(i), "loss_g": 1.0}
            for i in range(1, 41)]
    view.show_rows(rows)
    assert view.findings == [] and "No problems found" in view.summary.text()
    assert set(view.rules) == {"d_winning", "mode_collapse", "divergence", "oscillation"}
    for name, card in view.rules.items():
        expected = "no data" if name == "mode_collapse" else "healthy"  # no eval rows: coverage is not measured
        assert card.state == expected and expected in card.header.text(), name
    d_winning = view.rules["d_winning"].rows
    assert set(d_winning) == {"d_real", "d_fake", "grad_norm_g"}
    label, current, state, spark = d_winning["d_real"]
    assert label.text() == "D(x)" and "healthy" in state.text() and len(spark.values) == 40
    view.show_rows(rows + [{**rows[-1], "step": 410 + 10 * i, "d_real": 0.85, "d_fake": 0.15} for i in range(3)])
    assert view.rules["d_winning"].state == "watch"  # near D's line, not yet an episode
