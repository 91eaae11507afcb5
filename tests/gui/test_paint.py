"""The Paint workspace: painting changes the map and, once the renderer reports, the picture beside it.

Maps are 64 px (the shipped model's own size) so each picture renders in tens of milliseconds.
Autosaves go beside the temporary QSettings file that tests/conftest.py sets up.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gan_backend import resources
from studio.views.paint_models import autosave_folder

WATER, TREE = 5, 8
SIDE = 64
WAIT_MS = 60_000  # a cold torch import plus the model on a busy 2-core CPU


def make_view(qtbot):
    from studio.views.paint import PaintView

    view = PaintView(None, side=SIDE)
    qtbot.addWidget(view)  # closing it at the end stops its threads
    view.resize(1100, 700)
    view.show()
    return view


def wait_for_picture(qtbot, view):
    """Until the picture on screen shows the map as it is now."""
    qtbot.waitUntil(lambda: view.model is not None and view.shown_revision == view.doc.revision, timeout=WAIT_MS)


@pytest.fixture
def view(qtbot):
    view = make_view(qtbot)
    wait_for_picture(qtbot, view)
    return view


def drag(canvas, points):
    """A left-button drag through map-pixel ``points`` with real mouse events on the canvas widget."""
    at = [canvas.to_widget(QPointF(x, y)).toPoint() for x, y in points]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for p in at[1:]:
        QTest.mouseMove(canvas, p)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[-1])


def test_a_stroke_changes_the_map_then_the_picture(qtbot, view):
    assert view.doc.labels.max() > 0, "a first launch starts from a random scene"
    before_map, before_picture = view.doc.labels.copy(), view.picture.copy()
    view.tools.set_class(WATER)
    view.tools.size_spin.setValue(8)
    with qtbot.waitSignal(view.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == view.doc.revision):
        drag(view.canvas, [(8, 40), (20, 42), (40, 44), (56, 46)])
    assert (view.doc.labels[38:48, 10:54] == WATER).mean() > 0.5 and not np.array_equal(view.doc.labels, before_map)
    assert len(view.doc.undo_stack) == 1  # the whole drag is one undo step
    repainted = np.abs(view.picture.astype(int) - before_picture).sum(-1) > 30
    newly_water = view.doc.labels != before_map
    assert repainted[newly_water].mean() > 0.5 and repainted[:20].mean() < 0.05  # the stroke's pixels, not the sky


def test_the_picture_follows_while_the_button_is_still_down(qtbot, view):
    canvas, at = view.canvas, lambda x, y: view.canvas.to_widget(QPointF(x, y)).toPoint()
    shown: list[int] = []
    view.draft_shown.connect(shown.append)  # drafts are half size: at 64 px they are full pictures
    view.image_shown.connect(shown.append)
    view.tools.set_class(TREE)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(5, 30))
    QTest.mouseMove(canvas, at(30, 32))
    mid_stroke = view.doc.revision
    qtbot.waitUntil(lambda: mid_stroke in shown, timeout=WAIT_MS)
    assert view.gesture.active  # the button is still down
    with qtbot.waitSignal(view.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == view.doc.revision):
        QTest.mouseMove(canvas, at(50, 34))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(50, 34))
    assert not view.last_frame.draft and "Up to date" in view.hint.text()


def test_drafts_mid_stroke_at_256_px_and_the_full_picture_after(qtbot, monkeypatch):
    from studio.views import paint
    from studio.views.paint import PaintView

    monkeypatch.setattr(paint, "DRAFT_ABOVE_MS", 0.0)  # draft however fast this machine renders
    view = PaintView(None, side=256)
    qtbot.addWidget(view)
    view.show()
    wait_for_picture(qtbot, view)
    drafts: list[int] = []
    view.draft_shown.connect(drafts.append)
    view.gesture.press((10, 100))
    view.gesture.move((200, 120))  # what the canvas does on a drag: the button is still down
    qtbot.waitUntil(lambda: len(drafts) > 0, timeout=WAIT_MS)
    assert view.shown_revision < view.doc.revision  # a draft is not the picture
    assert "draft" in view.hint.text()
    with qtbot.waitSignal(view.image_shown, timeout=WAIT_MS, check_params_cb=lambda r: r == view.doc.revision):
        view._on_canvas_released(200, 120)
    assert view.picture.shape == (256, 256, 3) and not view.last_frame.draft


def test_undo_and_redo_restore_the_exact_map(qtbot, view):
    maps = [view.doc.labels.copy()]
    for i, cls in enumerate((WATER, TREE, 1)):
        view.tools.set_class(cls)
        drag(view.canvas, [(5 + 10 * i, 5), (30, 30 + 5 * i)])
        maps.append(view.doc.labels.copy())
    assert view.undo_action.isEnabled() and not view.redo_action.isEnabled()
    for expected in reversed(maps[:-1]):
        view.undo_action.trigger()
        assert np.array_equal(view.doc.labels, expected)
    for expected in maps[1:]:
        view.redo_action.trigger()
        assert np.array_equal(view.doc.labels, expected)
    wait_for_picture(qtbot, view)


def test_a_burst_of_strokes_renders_the_last(qtbot, view):
    shown: list[int] = []
    view.image_shown.connect(shown.append)
    view.tools.set_class(TREE)
    for i in range(40):  # faster than any CPU renders: most states are skipped
        drag(view.canvas, [(1 + i * 1.5, 10), (1 + i * 1.5, 50)])
    last = view.doc.revision
    wait_for_picture(qtbot, view)
    assert shown[-1] == last and len(shown) < 40
    direct = view.model.painter.paint(np.array(view.doc.labels), seed=view.style_panel.seed(), size=SIDE)
    assert np.abs(direct.astype(int) - view.picture).max() <= 2  # the picture of the final map


def test_painting_while_the_model_loads(qtbot):
    view = make_view(qtbot)
    assert view.model is None and "Loading" in view.hint.text()
    view.tools.set_class(WATER)
    drag(view.canvas, [(2, 60), (60, 60)])  # before the model is in
    painted = view.doc.labels.copy()
    wait_for_picture(qtbot, view)
    assert np.array_equal(view.doc.labels, painted)  # the first model's random scene does not replace it
    assert "Up to date" in view.hint.text()


@pytest.mark.parametrize("colour_coded", [False, True], ids=["index", "colour"])
def test_save_and_load_a_label_map(qtbot, view, tmp_path, colour_coded):
    painted = view.doc.labels.copy()
    path = tmp_path / "map.png"
    assert view.files.save_labels(str(path), colour_coded=colour_coded)
    with Image.open(path) as im:
        assert im.mode == ("RGB" if colour_coded else "P") and im.size == (SIDE, SIDE)
    view.doc.clear(0)
    assert view.files.open_labels(str(path))
    assert np.array_equal(view.doc.labels, painted)
    wait_for_picture(qtbot, view)
    exported = tmp_path / "picture.png"
    assert view.files.export_picture(str(exported))
    assert np.array_equal(np.asarray(Image.open(exported)), view.picture)


def test_bad_label_pngs_are_named_and_other_sizes_resized(qtbot, view, tmp_path, dialogs):
    before = view.doc.labels.copy()
    Image.fromarray(np.full((SIDE, SIDE), 42, np.uint8)).save(tmp_path / "unknown.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    for name in ("unknown.png", "broken.png"):
        assert not view.files.open_labels(str(tmp_path / name))
        kind, _, text = dialogs[-1]
        assert kind == "warning" and name in text
    assert "42" in dialogs[0][2] and np.array_equal(view.doc.labels, before)
    small = np.zeros((16, 32), np.uint8)
    small[:, 16:] = WATER
    Image.fromarray(small).save(tmp_path / "small.png")
    assert view.files.open_labels(str(tmp_path / "small.png"))
    assert view.doc.shape == (SIDE, SIDE) and (view.doc.labels[:, 32:] == WATER).all()
    assert "small.png" in view.last_status and "resized" in view.last_status
    bomb = Image.new("P", (30000, 30000))  # 0.9 MB on disk, 900 M pixels decoded
    bomb.putpalette([0] * 768)
    bomb.save(tmp_path / "bomb.png")
    before = view.doc.labels.copy()
    assert not view.files.open_labels(str(tmp_path / "bomb.png"))
    kind, _, text = dialogs[-1]
    assert kind == "warning" and "bomb.png" in text and "30000 x 30000" in text
    assert np.array_equal(view.doc.labels, before)  # the painting is kept


def test_the_painting_comes_back_after_a_restart(qtbot, view):
    view.tools.set_class(TREE)
    drag(view.canvas, [(30, 5), (30, 60)])
    view.style_panel.set_seed(1234, emit=True)
    painted = view.doc.labels.copy()
    view.close()  # as when the window closes: autosave, threads stopped
    assert (autosave_folder() / "paint_autosave.png").is_file()
    again = make_view(qtbot)
    assert np.array_equal(again.doc.labels, painted) and again.style_panel.seed() == 1234
    wait_for_picture(qtbot, again)
    assert np.array_equal(again.doc.labels, painted)  # not replaced by a random scene


def test_a_corrupted_checkpoint_shows_one_line_and_keeps_the_model(qtbot, view, tmp_path, dialogs):
    run = tmp_path / "broken_run"
    (run / "checkpoints").mkdir(parents=True)
    shutil.copy(resources.path("models", "painter", "config.json"), run / "config.json")
    (run / "checkpoints" / "last.pt").write_bytes(b"this is no checkpoint")
    view.load_model(str(run))
    qtbot.waitUntil(lambda: len(dialogs) > 0, timeout=WAIT_MS)
    kind, _, text = dialogs[-1]
    assert kind == "warning" and "last.pt" in text and len(text.splitlines()) <= 2
    assert view.model.source == "painter" and view.picker.currentData() == "painter"


def test_a_model_with_other_classes_asks_before_starting_over(qtbot, view, monkeypatch, dialogs):
    from studio.state.label_files import Classes
    from studio.workers import paint_jobs

    real = paint_jobs.load_model

    def three_classes(source, *args):
        loaded = real("painter", *args)
        loaded.source, loaded.classes = "three", Classes(["a", "b", "c"], loaded.classes.colours[:3])
        return loaded

    monkeypatch.setattr(paint_jobs, "load_model", three_classes)
    painted = view.doc.labels.copy()
    view.load_model("three")
    qtbot.waitUntil(lambda: view.model.source == "three", timeout=WAIT_MS)
    assert dialogs[-1][0] == "question" and "3 classes" in dialogs[-1][2]
    assert view.tools.class_list.count() == 3 and not view.doc.labels.any()  # Yes: a new painting
    assert not np.array_equal(view.doc.labels, painted)


def test_style_strip_and_reseed(qtbot, view):
    qtbot.waitUntil(lambda: not view.style_panel.thumbs[0].icon().isNull() and view.renderer.is_idle(),
                    timeout=WAIT_MS)
    assert view.style_panel.reference_button.isEnabled()  # the shipped painter has a style encoder
    first = view.picture.copy()
    with qtbot.waitSignal(view.image_shown, timeout=WAIT_MS):
        view.style_panel.thumbs[2].click()
    assert view.style_panel.seed() == view.style_panel.seeds[2] and view.style_panel.thumbs[2].isChecked()
    assert not np.array_equal(first, view.picture)
    assert json.loads(json.dumps(view.style_panel.seeds))  # plain ints, as the autosave stores them


def test_style_from_a_reference_picture(qtbot, view, tmp_path):
    """The shipped SPADE reads a picture's look (sky, light, colours) with its encoder and paints the map in it."""
    from gan_backend.data.builtin.scene_layout import make_layout
    from gan_backend.data.builtin.scene_render import render

    rng = np.random.default_rng(5)
    reference = render(rng, make_layout(rng, 1, SIDE), "day")[0]
    Image.fromarray(reference).save(tmp_path / "holiday.png")
    before = view.picture.copy()
    assert view.files.choose_reference(str(tmp_path / "holiday.png")) and view.style is not None
    qtbot.waitUntil(lambda: not np.array_equal(before, view.picture), timeout=WAIT_MS)
    (tmp_path / "not-a-picture.png").write_text("no")
    assert not view.files.choose_reference(str(tmp_path / "not-a-picture.png"))


def test_a_model_whose_classes_extend_the_paintings_keeps_the_painting(qtbot, view, dialogs):
    """The 10 scenes classes are the first of the 15 scenes:rich ones: a painting made with the one painter
    carries over to the other without a question and without losing a stroke."""
    import dataclasses

    from studio.state.label_files import Classes

    view.tools.set_class(TREE)
    drag(view.canvas, [(30, 5), (30, 60)])
    painted, names = view.doc.labels.copy(), list(view.classes.names) + ["meadow"]
    colours = np.concatenate([view.classes.colours, [[1, 2, 3]]]).astype(np.uint8)
    wider = dataclasses.replace(view.model, classes=Classes(names, colours), source="wider")
    view._on_model_loaded(wider)
    assert not dialogs and np.array_equal(view.doc.labels, painted) and list(view.classes.names) == names
