"""The Paint tab's Sketch and Colourise modes, and training a folder as edges: or gray: from the Dataset panel.

Tiny pix2pix runs (3 steps, width 8, 32 px) trained on ``edges:`` and ``gray:`` of a few generated drawings stand
in for the shipped sketch model, so these tests need no shipped weights and each picture takes milliseconds.
Drawings are 64 px. Autosaves go beside the temporary QSettings file that tests/conftest.py sets up.
"""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from tests.backend.test_sketch_data import drawing
from tests.gui.test_paint import drag

SIDE = 64
WAIT_MS = 60_000  # a cold torch import on a busy 2-core CPU


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """runs/edges and runs/gray: tiny pix2pix runs with a checkpoint, as training from the app leaves them."""
    from gan_backend.config import Config
    from gan_backend.engine.loop import Trainer

    tmp = tmp_path_factory.mktemp("sketch")
    for i in range(6):
        drawing(tmp / "pics" / f"{i}.png", size=32 + 8 * i)
    for kind in ("edges", "gray"):
        cfg = Config()
        for key, value in {"data.dataset": f"{kind}:{tmp / 'pics'}", "data.image_size": 32, "data.cache_dir": "off",
                           "model.name": "pix2pix", "model.width": 8, "train.steps": 3, "train.batch_size": 4,
                           "train.augment": "none", "run.run_dir": str(tmp / "runs" / kind),
                           "run.tensorboard": False, "train.num_threads": 1}.items():
            cfg.set(key, value)
        list(Trainer.new(cfg).run())
    return tmp / "runs"


def make_page(qtbot, runs, model: str | None = "edges"):
    """A Sketch page drawing with ``runs/model``, its first picture on screen (runs/ is where runs are looked for)."""
    from studio.views.sketch import SketchPage

    QSettings().setValue("runs/last_parent", str(runs))
    page = SketchPage(None, side=SIDE)
    qtbot.addWidget(page)  # closing it at the end stops its threads
    page.resize(1000, 600)
    page.show()
    if model:
        page.load_model(str(runs / model))
        wait_for_picture(qtbot, page)
    return page


def wait_for_picture(qtbot, page):
    qtbot.waitUntil(lambda: page.model is not None and page.shown_revision == page.doc.revision, timeout=WAIT_MS)


def test_a_stroke_changes_the_picture_and_undo_restores_both(qtbot, runs):
    page = make_page(qtbot, runs)
    assert page.model.source == str(runs / "edges") and (page.doc.labels < 128).any()  # a face to start from
    drawing_before, picture_before = page.doc.labels.copy(), page.picture.copy()
    page.pen.set_width(3)
    with qtbot.waitSignal(page.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == page.doc.revision):
        drag(page.canvas, [(6, 58), (30, 60), (58, 58)])
    inked = (page.doc.labels < 128) & (drawing_before >= 128)
    assert inked[55:63, 8:56].mean() > 0.3 and not inked[:50].any()  # dark ink along the stroke only
    assert len(page.doc.undo_stack) == 1 and page.undo_action.isEnabled()
    assert np.abs(page.picture.astype(int) - picture_before).max() > 0
    with qtbot.waitSignal(page.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == page.doc.revision):
        page.undo_action.trigger()
    assert np.array_equal(page.doc.labels, drawing_before) and page.redo_action.isEnabled()
    assert np.array_equal(page.picture, picture_before)  # the same drawing draws the same picture
    page.pen.set_tool("eraser")
    drag(page.canvas, [(2, 32), (62, 32)])
    assert (page.doc.labels[31:33] == 255).all()  # the eraser paints white paper


def test_pictures_follow_mid_stroke_then_the_final_one(qtbot, runs):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest

    page = make_page(qtbot, runs)
    canvas, at = page.canvas, lambda x, y: page.canvas.to_widget(QPointF(x, y)).toPoint()
    drafts: list[int] = []
    page.draft_shown.connect(drafts.append)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(5, 10))
    QTest.mouseMove(canvas, at(40, 12))
    mid_stroke = page.doc.revision
    qtbot.waitUntil(lambda: mid_stroke in drafts, timeout=WAIT_MS)
    assert page.gesture.active and page.shown_revision < mid_stroke and "Drawing" in page.hint.text()
    with qtbot.waitSignal(page.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == page.doc.revision):
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(50, 12))
    assert not page.last_frame.draft and "Up to date" in page.hint.text()


def test_opening_a_colour_drawing_converts_it_with_a_notice(qtbot, runs, tmp_path, dialogs):
    page = make_page(qtbot, runs)
    colour = np.full((40, 80, 4), 255, np.uint8)
    colour[18:22, 10:70] = (220, 30, 30, 255)  # a red line, wider than tall
    colour[:5, :, 3] = 0  # and a transparent strip
    Image.fromarray(colour).save(tmp_path / "red.png")
    with qtbot.waitSignal(page.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == page.doc.revision):
        assert page.files.open_drawing(str(tmp_path / "red.png"))
    assert "red.png" in page.last_status and "colour" in page.last_status and "centred" in page.last_status
    lines = page.doc.labels
    assert lines.shape == (SIDE, SIDE) and lines[31, 32] < 160 and lines[5, 32] == 255  # the line, grey, centred
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    assert not page.files.open_drawing(str(tmp_path / "broken.png"))
    assert dialogs[-1][0] == "warning" and "broken.png" in dialogs[-1][2]
    assert page.files.save_drawing(str(tmp_path / "saved.png"))
    assert np.array_equal(np.asarray(Image.open(tmp_path / "saved.png")), lines)
    assert page.files.export_picture(str(tmp_path / "picture.png"))
    assert np.array_equal(np.asarray(Image.open(tmp_path / "picture.png")), page.picture)


def test_the_model_picker_lists_sketch_runs(qtbot, runs):
    page = make_page(qtbot, runs, model=None)
    with qtbot.waitSignal(page.runs_found, timeout=WAIT_MS):
        page.scan_runs()
    assert page.picker.findData(str(runs / "edges")) >= 0
    assert page.picker.findData(str(runs / "gray")) < 0  # a colouriser is listed in Colourise mode


def test_without_the_shipped_model_the_page_says_so_and_still_draws(qtbot, runs, monkeypatch, dialogs):
    from gan_backend.loader import CheckpointError
    from studio.workers import paint_jobs

    def missing(source, *args):
        raise CheckpointError(f"sketch.pt: the shipped {source} is missing from this install")

    monkeypatch.setattr(paint_jobs, "load_sketch_model", missing)
    page = make_page(qtbot, runs, model=None)
    qtbot.waitUntil(lambda: "No sketch model" in page.hint.text(), timeout=WAIT_MS)
    assert "not in this install" in page.hint.text() and "Train as" in page.hint.text() and not dialogs  # no box
    assert "sketch.pt" in page.hint.toolTip()
    drag(page.canvas, [(10, 10), (50, 10)])
    assert (page.doc.labels[10, 12:48] < 128).all() and page.tour_ready()  # a 1 px pen at 64 px


def test_the_drawing_comes_back_after_a_restart(qtbot, runs):
    page = make_page(qtbot, runs)
    drag(page.canvas, [(32, 2), (32, 62)])
    drawn = page.doc.labels.copy()
    page.close()  # as when the window closes: autosave, threads stopped
    again = make_page(qtbot, runs, model=None)
    assert np.array_equal(again.doc.labels, drawn)
    qtbot.waitUntil(lambda: again.model is not None, timeout=WAIT_MS)
    assert again.model.source == str(runs / "edges")  # the model it was drawn with


def test_colourise_mode_colours_a_bw_photo_at_its_size(qtbot, runs, tmp_path):
    from studio.views.paint import PaintView

    QSettings().setValue("runs/last_parent", str(runs))
    view = PaintView(None, side=SIDE)
    qtbot.addWidget(view)
    view.show()
    page = view.modes.set_mode("colourise")
    qtbot.waitUntil(lambda: page.model is not None, timeout=WAIT_MS)  # the first colouriser found
    assert page.model.source == str(runs / "gray") and not view.page.isVisible()
    rng = np.random.default_rng(0)
    grey = np.clip(rng.normal(128, 40, (40, 60)), 0, 255).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "bw.png")
    with qtbot.waitSignal(page.coloured, timeout=WAIT_MS):
        assert page.open_photo(str(tmp_path / "bw.png"))
    assert page.picture.shape == (40, 60, 3)
    luma = np.asarray(Image.fromarray(page.picture).convert("L")).astype(int)
    assert np.abs(luma - grey).max() <= 3  # the photo's own detail; only the colour is the model's
    assert page.files.export_picture(str(tmp_path / "colour.png"))
    assert QSettings().value("paint/mode") == "colourise"


def test_train_a_folder_as_sketch_or_colourise(window, qtbot, runs):
    browser, panel = window.browser, window.panel
    folder = runs.parent / "pics"
    with qtbot.waitSignal(browser.dataset_opened, timeout=WAIT_MS):
        browser.open_path(str(folder))
    assert browser.recipe_button.isVisible() and browser.train_as.isEnabled()
    for choice in ("edges", "gray"):
        with qtbot.waitSignal(browser.dataset_opened, timeout=WAIT_MS):
            browser.train_as.activated.emit(browser.train_as.findData(choice))
        values = panel.values()
        assert values["model.name"] == "pix2pix" and values["data.image_size"] == "64"
        assert panel.config().data.dataset == f"{choice}:{folder}" and "pix2pix at 64 px" in panel.recipe_note.text()
        assert browser.train_as.currentData() == choice and browser.recipe_button.text() == "Train on these 6 pictures"
        assert f"{choice}: " in browser.summary.text()  # what was derived, e.g. "edges: ... 4.2% ink"
    with qtbot.waitSignal(browser.dataset_opened, timeout=WAIT_MS):
        browser.train_as.activated.emit(browser.train_as.findData("pictures"))
    assert panel.values()["model.name"] == "fastgan" and panel.config().data.dataset == f"folder:{folder}"
