"""The Translate workspace: a dropped or pasted picture is translated off the GUI thread; folders in batch.

Uses the shipped day/night translator (64 px), as a first launch does.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication

import gan_backend.translator as translator_module
from studio.widgets.qimage import to_qimage
from studio.workers.translate_jobs import example_scene

WAIT_MS = 60_000  # a cold torch import plus the model on a busy 2-core CPU


@pytest.fixture
def view(qtbot):
    from studio.views.translate import TranslateView

    view = TranslateView(None)
    qtbot.addWidget(view)  # closing it at the end stops its threads
    view.resize(1000, 600)
    view.show()
    qtbot.waitUntil(lambda: view.result is not None, timeout=WAIT_MS)  # the first launch's example scene
    return view


def drop(view, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)


def translated_name(qtbot, view, name: str):
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS, check_params_cb=lambda r: r.name == name) as blocker:
        pass
    return blocker.args[0]


def test_first_launch_shows_an_example_and_its_night(view):
    assert view.model.source == "translator" and view.direction.count() == 2
    day, night = view.result.picture, view.result.output
    assert day.shape[:2] == (256, 256) and night.shape == (128, 128, 3)  # model resolution: shorter side 128
    assert night.mean() < day.mean() - 20  # night is darker


def test_dropping_a_file_shows_its_translation(qtbot, view, tmp_path):
    path = tmp_path / "holiday photo.png"
    Image.fromarray(example_scene(9, 96)).convert("RGBA").save(path)  # RGBA, not square to the model
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS,
                          check_params_cb=lambda r: r.name == "holiday photo.png"):
        drop(view, [path])
    assert view.result.picture.shape == (96, 96, 3) and view.result.output.shape == (128, 128, 3)  # scaled up to the model
    assert view.output_view.image.image is not None and "holiday photo.png" in view.input_caption.text()
    # Other direction, at full resolution: tiles at the picture's own size.
    view.full_res.setChecked(True)
    view.direction.setCurrentIndex(view.direction.findData("BtoA"))
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS, check_params_cb=lambda r: r.direction == "BtoA"):
        view.request()
    assert view.result.output.shape == (96, 96, 3) and view.result.full_res
    out = tmp_path / "saved" / "night.png"
    assert view.save_output(out) and np.array_equal(np.asarray(Image.open(out)), view.result.output)


def test_a_file_that_is_not_a_picture_gives_a_message_naming_it(qtbot, view, tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    drop(view, [bad])
    qtbot.waitUntil(lambda: bool(view.error), timeout=WAIT_MS)
    assert "notes.png" in view.error and "notes.png" in view.hint.text()
    assert view.result is None and not view.save_action.isEnabled()


def test_paste_translates_the_clipboard_picture(qtbot, view):
    QGuiApplication.clipboard().setImage(to_qimage(example_scene(3, 80)))
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS, check_params_cb=lambda r: r.name == "pasted picture"):
        view.paste()
    assert view.result.picture.shape == (80, 80, 3)


def test_a_picture_model_that_cannot_translate_is_refused(qtbot, view, dialogs, tmp_path):
    from tests.backend.helpers import tiny_config
    from gan_backend.engine.loop import Trainer

    cfg = tiny_config(tmp_path / "dcgan", steps=1)
    for _ in Trainer.new(cfg).run():
        pass
    view.load_model(str(tmp_path / "dcgan"))
    qtbot.waitUntil(lambda: not view.loading, timeout=WAIT_MS)
    assert dialogs and "cannot translate" in dialogs[-1][2] and view.model.source == "translator"


def test_view_stays_responsive_while_translating(qtbot, view):
    big = example_scene(5, 512)
    view.full_res.setChecked(True)
    ticks: list[float] = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(time.perf_counter()))
    timer.start()
    with qtbot.waitSignal(view.translated, timeout=WAIT_MS, check_params_cb=lambda r: r.name == "big"):
        view.set_source(big, "big")
    timer.stop()
    assert len(ticks) >= 3 and max(np.diff(ticks)) < 0.5  # the event loop ran throughout


def test_folder_batch_with_progress_and_cancel(qtbot, view, tmp_path, monkeypatch):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(example_scene(i, 64)).save(folder / f"p{i}.jpg")
    (folder / "broken.png").write_bytes(b"nope")
    with qtbot.waitSignal(view.batch_finished, timeout=WAIT_MS) as done:
        drop(view, [folder])  # a dropped folder is translated in batch
        assert view.progress.isVisible() and view.cancel_button.isVisible()
    ok, failed, cancelled = done.args
    out = tmp_path / "photos-night"
    assert (ok, failed, cancelled) == (3, 1, False) and sorted(p.name for p in out.iterdir()) == \
        ["p0.png", "p1.png", "p2.png"]
    assert "broken.png" in view.hint.toolTip() and not view.progress.isVisible()

    many = tmp_path / "many"
    many.mkdir()
    for i in range(5):
        Image.fromarray(example_scene(i % 3, 64)).save(many / f"m{i}.png")
    pressed = threading.Event()  # the batch waits after its first picture until Cancel is pressed: no race
    translate_files = translator_module.translate_files

    def gated(*args, **kwargs):
        results = translate_files(*args, **kwargs)
        yield next(results)
        pressed.wait(WAIT_MS / 1000)
        yield from results

    monkeypatch.setattr(translator_module, "translate_files", gated)
    with qtbot.waitSignal(view.batch_finished, timeout=WAIT_MS) as done:
        assert view.translate_folder(many)
        qtbot.waitUntil(lambda: view.progress.value() >= 1, timeout=WAIT_MS)
        view.cancel_batch()
        pressed.set()
    ok, failed, cancelled = done.args
    assert (ok, failed, cancelled) == (2, 0, True) and len(list((tmp_path / "many-night").iterdir())) == 2
