"""The SinGAN workspace: a tiny 2-scale pyramid trained from the view, then every mode draws with it.

Pictures are the backend tests' 48x36 stripes-and-disc picture; networks are 8 filters wide, so a scale
trains in a few iterations on a busy 2-core CPU.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from gan_backend import resources
from tests.backend.test_singan import tiny_config, write_picture

WAIT_MS = 60_000  # a cold torch import on a busy 2-core CPU
TINY = {"model.width": 8, "run.log_every": 1, "run.sample_every": 1000, "run.tensorboard": False,
        "train.num_threads": 1}


@pytest.fixture
def view(qtbot, tmp_path):
    from studio.views.singan import SinGANView

    view = SinGANView(None)
    qtbot.addWidget(view)  # closing it at the end stops its threads (and a training, which saves)
    view.resize(1100, 700)
    view.show()
    view.run_root, view.train_overrides = str(tmp_path / "runs"), dict(TINY)
    qtbot.waitUntil(lambda: not view.loading and view.files.is_idle(), timeout=WAIT_MS)
    return view


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A finished 2-scale run trained by the engine, as `gan-studio singan train` would."""
    from gan_backend.engine.loop import Trainer

    tmp = tmp_path_factory.mktemp("singan")
    cfg = tiny_config(tmp, write_picture(tmp / "p.png"), iters=2)
    for _ in Trainer.new(cfg).run():
        pass
    return tmp / "run"


def drop(view, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    view.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))


def drag(canvas, points) -> None:
    """A left-button drag through picture-pixel ``points`` with real mouse events on the canvas."""
    at = [canvas.to_widget(QPointF(x, y)).toPoint() for x, y in points]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for p in at[1:]:
        QTest.mouseMove(canvas, p)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[-1])


def drawn(qtbot, view, mode: str, action):
    """Run ``action`` once earlier drawings are in, and wait for the drawing it asked for to be on screen."""
    qtbot.waitUntil(view.renderer.is_idle, timeout=WAIT_MS)
    with qtbot.waitSignal(view.drawn, timeout=WAIT_MS, check_params_cb=lambda d: d.mode == mode) as blocker:
        action()
    qtbot.waitUntil(view.renderer.is_idle, timeout=WAIT_MS)  # a drawing of an older request may come first
    return view.modes.currentWidget().drawing


def load(qtbot, view, run: Path) -> None:
    with qtbot.waitSignal(view.model_changed, timeout=WAIT_MS):
        view.load_model(str(run))


def tiny_settings(view, iters: int) -> None:
    t = view.train_panel
    t.max_side.setValue(48)
    t.minutes.setValue(0)  # no time budget: each scale trains exactly `iters` iterations
    t.iters.setValue(iters)


def train_into_the_second_scale(qtbot, view, tmp_path) -> None:
    """Learn a small picture at 30 iterations a scale, returning once the second scale (of two) trains."""
    with qtbot.waitSignal(view.picture_read, timeout=WAIT_MS):
        view.set_picture(write_picture(tmp_path / "p.png"))
    tiny_settings(view, iters=30)
    with qtbot.waitSignal(view.runner.report_ready, timeout=WAIT_MS,
                          check_params_cb=lambda r: r.extras.get("scale_progress", 0) > 1.0):
        view.start_training()


@pytest.mark.skipif(resources.path("models", "singan", "singan.pt").is_file(), reason="the example ships")
def test_without_the_shipped_example_the_view_says_what_to_do(view, dialogs):
    assert view.loaded is None and "No shipped example" in view.hint.text() and not dialogs
    assert not any(view.modes.isTabEnabled(i) for i in range(1, view.modes.count()))
    assert view.modes.currentWidget() is view.train_panel and not view.train_panel.train_button.isEnabled()


def test_train_a_tiny_pyramid_in_the_view_then_random_draws_any_size(qtbot, view, tmp_path):
    picture = write_picture(tmp_path / "stripes.png")
    with qtbot.waitSignal(view.picture_read, timeout=WAIT_MS):
        drop(view, picture)
    assert view.train_panel.train_button.isEnabled() and "48 \u00d7 36" in view.train_panel.picture_caption.text()
    tiny_settings(view, iters=2)
    reports = []
    view.runner.report_ready.connect(reports.append)
    with qtbot.waitSignal(view.model_changed, timeout=WAIT_MS):
        QTest.mouseClick(view.train_panel.train_button, Qt.MouseButton.LeftButton)
    assert [r.extras["scales"] for r in reports][-1] == 2 and reports[-1].extras["scale_progress"] == 2.0
    assert view.progress.format() == "Trained: all scales" and view.train_panel.samples_view.image.image is not None
    assert Path(view.loaded.source).parent == tmp_path / "runs" and view.loaded.finished
    assert view.modes.currentWidget() is view.random and all(view.modes.isTabEnabled(i) for i in range(6))
    # Wider than the picture, then from the finer scale (the picture's layout kept).
    d = drawn(qtbot, view, "random", lambda: view.random.set_size(100, 30))
    assert d.picture.shape == (30, 100, 3) and view.random.result_view.image.image.shape == (30, 100, 3)
    d2 = drawn(qtbot, view, "random", lambda: view.random.start_scale.setValue(1))
    assert d2.picture.shape == (30, 100, 3) and "from scale 1" in view.random.result_caption.text()
    assert view.random.save(tmp_path / "out" / "wide") and Image.open(tmp_path / "out" / "wide.png").size == (100, 30)


def test_paint_harmonise_edit_and_animate(qtbot, view, tiny_run, tmp_path):
    load(qtbot, view, tiny_run)
    picture = view.loaded.picture
    # Paint to picture: a stroke is redrawn once the button is let go.
    view.modes.setCurrentWidget(view.paint)
    qtbot.waitUntil(lambda: view.paint.drawing is not None, timeout=WAIT_MS)
    view.paint._set_colour((0, 0, 255))
    d = drawn(qtbot, view, "paint", lambda: drag(view.paint.canvas, [(5, 5), (20, 10), (30, 20)]))
    assert d.picture.shape == (36, 48, 3) and (view.paint.doc.rgb[10, 20] == (0, 0, 255)).all()
    assert view.paint.undo_action.isEnabled()
    # A painting of another size is resized to the picture's, and said so.
    Image.fromarray(np.full((90, 120, 3), 200, np.uint8)).save(tmp_path / "big painting.png")
    drawn(qtbot, view, "paint", lambda: view.paint.open_painting(tmp_path / "big painting.png"))
    assert (view.paint.doc.rgb == 200).all() and "resized to 48\u00d736" in view.hint.text()
    # Harmonise: a transparent paste, placed by dragging; far from it the picture is untouched.
    view.modes.setCurrentWidget(view.harmonise)
    blob = np.zeros((20, 30, 4), np.uint8)
    blob[..., :3], blob[4:16, 6:24, 3] = (250, 40, 200), 255
    d = drawn(qtbot, view, "harmonise", lambda: view.harmonise.paste_picture(blob))
    rect = view.harmonise.placement.patch_rect()
    assert d.picture.shape == (36, 48, 3) and rect.height == round(0.4 * 36)
    centre = ((rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2)
    drawn(qtbot, view, "harmonise", lambda: drag(view.harmonise.canvas, [centre, (centre[0] - 10, centre[1] - 6)]))
    assert view.harmonise.placement.x == rect.x0 - 10
    # Edit: select a region, move it; its old place and its new one change, the far corner does not.
    view.modes.setCurrentWidget(view.edit)
    drag(view.edit.canvas, [(2, 2), (14, 12)])
    assert view.edit.placement.patch_rect().width == 12 and view.edit.placement.hole is not None
    d = drawn(qtbot, view, "edit", lambda: drag(view.edit.canvas, [(8, 7), (36, 25)]))
    assert np.array_equal(d.picture[:4, 40:], picture[:4, 40:])
    assert view.edit.save(tmp_path / "edited.png")
    # Animate: frames play in the view and export as a GIF.
    view.animate.frames_box.setValue(3)
    d = drawn(qtbot, view, "animate", lambda: view.modes.setCurrentWidget(view.animate))
    assert len(d.frames) == 3 and d.picture.shape == (36, 48, 3)
    qtbot.waitUntil(lambda: view.animate.frame_index > 0, timeout=5_000)
    assert view.animate.save(tmp_path / "walk.gif")
    with Image.open(tmp_path / "walk.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (48, 36)


def test_bad_pictures_are_refused_or_converted_with_a_message(qtbot, view, tmp_path):
    tiny = write_picture(tmp_path / "tiny.png", 20, 16)
    drop(view, tiny)
    qtbot.waitUntil(lambda: bool(view.error), timeout=WAIT_MS)
    assert "20x16 pixels" in view.hint.text() and not view.train_panel.train_button.isEnabled()
    notes = tmp_path / "notes.png"
    notes.write_text("not a picture")
    view.error = ""
    drop(view, notes)
    qtbot.waitUntil(lambda: bool(view.error), timeout=WAIT_MS)
    assert "notes.png" in view.hint.text() and view.picture_info is None
    # A large grey picture with alpha: converted to RGB and downscaled, with a note.
    big = write_picture(tmp_path / "big.png", 400, 300, mode="LA")
    with qtbot.waitSignal(view.picture_read, timeout=WAIT_MS) as blocker:
        drop(view, big)
    info = blocker.args[0]
    assert info.picture.shape == (120, 160, 3) and "downscaled to 160x120" in view.train_panel.picture_caption.text()
    assert view.train_panel.train_button.isEnabled() and not view.error


def test_stop_saves_mid_pyramid_and_resume_finishes_it(qtbot, view, tmp_path):
    from gan_backend.engine.loop import Trainer

    train_into_the_second_scale(qtbot, view, tmp_path)
    assert view.progress.format().startswith("Scale 2 of 2")
    with qtbot.waitSignal(view.training_ended, timeout=WAIT_MS) as ended:
        QTest.mouseClick(view.train_panel.stop_button, Qt.MouseButton.LeftButton)
    assert ended.args[0].reason == "stopped" and "Resume continues there" in view.hint.text()
    qtbot.waitUntil(view.train_panel.resume_button.isEnabled, timeout=WAIT_MS)  # once the thread is joined
    resumed = Trainer.resume(view.run_dir)
    assert resumed.task.scale == 1 and 0 < resumed.task.iters < 30  # mid-pyramid, as saved
    del resumed
    with qtbot.waitSignal(view.model_changed, timeout=WAIT_MS):
        QTest.mouseClick(view.train_panel.resume_button, Qt.MouseButton.LeftButton)
    assert view.loaded.finished and Path(view.loaded.source) == Path(view.run_dir)


def test_closing_mid_pyramid_saves_the_scales_so_far(qtbot, view, tmp_path):
    from gan_backend.engine.loop import Trainer

    train_into_the_second_scale(qtbot, view, tmp_path)
    view.close()  # as the window closing does: stop, save, wait
    assert not view.runner.is_running
    assert Trainer.resume(view.run_dir).task.scale == 1
