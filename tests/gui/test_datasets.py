"""The dataset browser: registry and on-disk datasets, bad paths, skipped files, 60k thumbnails."""
from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.views.datasets import DatasetBrowser
from studio.views.thumbnails import ThumbnailGrid, ThumbnailModel


@pytest.fixture
def browser(qtbot, catalog):
    b = DatasetBrowser()
    qtbot.addWidget(b)
    b.resize(420, 500)
    b.show()
    b.set_catalog(catalog)
    return b


@pytest.fixture
def picture_folder(tmp_path):
    """Two class folders of 20x20 pictures, plus a file that is not a picture and an empty one."""
    rng = np.random.default_rng(0)
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(6):
            Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "cat" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (tmp_path / "dog" / "empty.jpg").write_bytes(b"")
    return tmp_path


def test_a_bad_path_shows_the_reason_not_a_crash(browser, qtbot, tmp_path):
    missing = tmp_path / "nowhere"
    with qtbot.waitSignal(browser.dataset_failed, timeout=30_000) as failed:
        browser.select(f"mnist:{missing}")
    assert str(missing) in failed.args[0]
    assert "Could not open" in browser.summary.text() and browser.current is None
    with qtbot.waitSignal(browser.dataset_failed, timeout=30_000) as failed:
        browser.open_path(str(missing))
    assert "no such file or folder" in failed.args[0]
    with qtbot.waitSignal(browser.dataset_opened, timeout=60_000):  # and the browser still works
        browser.select("toy2d:ring8")
    assert browser.pages.currentWidget() is browser.scatter  # points are drawn, not thumbnailed


def test_a_folder_opens_with_its_skipped_files_listed(browser, qtbot, picture_folder):
    assert browser.skipped.isHidden()
    with qtbot.waitSignal(browser.dataset_opened, timeout=60_000) as opened:
        browser.open_path(str(picture_folder))
    info = opened.args[0]
    assert info.spec == f"folder:{picture_folder}" and info.count == 12 and info.num_classes == 2
    assert browser.model.rowCount() == 12 and "2 classes: cat (6), dog (6)" in browser.summary.text()
    assert browser.skipped.isVisible() and browser.skipped.toggle.text() == "Skipped files (2)"
    browser.skipped.set_expanded(True)
    reasons = [browser.skipped_list.item(i).text() for i in range(browser.skipped_list.count())]
    assert any("broken.png" in r for r in reasons) and any("empty.jpg: zero bytes" in r for r in reasons)
    assert browser.combo.currentData() == info.spec  # remembered in the list for next time


def test_dropping_a_folder_on_the_window_opens_it(window, qtbot, picture_folder):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture_folder))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.browser.dataset_opened, timeout=60_000):
        window.dropEvent(event)
    assert window.panel.dataset_spec == f"folder:{picture_folder}"


def test_thumbnail_model_is_a_valid_model(qtmodeltester):
    model = ThumbnailModel()
    model.set_images(np.zeros((30, 8, 8, 1), np.uint8), np.arange(30) % 3, ["a", "b", "c"])
    qtmodeltester.check(model)


def test_sixty_thousand_thumbnails_stay_lazy_and_fast(qtbot):
    x = np.random.default_rng(0).integers(0, 255, (60_000, 28, 28, 1), dtype=np.uint8)
    model = ThumbnailModel()
    grid = ThumbnailGrid(model)
    qtbot.addWidget(grid)
    grid.resize(400, 400)
    grid.show()
    started = time.perf_counter()
    model.set_images(x)
    grid.grab()  # lays out and paints the first screen
    grid.scrollToBottom()
    last_screen = grid.grab()
    elapsed = time.perf_counter() - started
    assert not last_screen.isNull() and grid.indexAt(QPoint(8, 8)).row() > 59_900
    assert len(model._cache) < 300  # only what was on screen was ever turned into a pixmap
    assert elapsed < 2.0, f"showing 60k thumbnails took {elapsed:.2f} s"


def test_a_folder_offers_a_recipe_that_fills_the_training_panel(window, qtbot, tmp_path):
    rng = np.random.default_rng(1)
    for i in range(7):
        Image.fromarray(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(tmp_path / f"{i}.png")
    browser, panel = window.browser, window.panel
    panel.widgets["model.name"].setCurrentIndex(panel.widgets["model.name"].findData("mlp"))
    with qtbot.waitSignal(browser.dataset_opened, timeout=60_000):
        browser.open_path(str(tmp_path))
    assert browser.recipe_button.isVisible() and browser.recipe_button.text() == "Train on these 7 pictures"
    with qtbot.assertNotEmitted(panel.start_requested):
        browser.recipe_button.click()
    values = panel.values()
    assert values["model.name"] == "fastgan" and values["data.image_size"] == "32" and values["data.flip"] is True
    assert values["loss.name"] == "hinge"
    assert values["train.batch_size"] == 7 and values["train.augment"] == "ada" and not window.runner.is_running
    assert panel.recipe_note.isVisible() and "7 pictures" in panel.recipe_note.text()
    cfg = panel.config()  # what Start would train: the recipe, with the folder
    assert (cfg.data.dataset, cfg.data.image_size, cfg.data.flip) == (f"folder:{tmp_path}", 32, True)
    with qtbot.waitSignal(browser.dataset_opened, timeout=60_000):
        browser.select("toy2d:ring8")
    assert browser.recipe_button.isHidden() and panel.recipe_note.isHidden()


def test_the_resolution_picker_offers_the_sizes_of_the_chosen_model(window, catalog):
    from gan_backend.models import MODELS

    panel = window.panel
    sizes = panel.widgets["data.image_size"]
    for name in ("dcgan", "sngan"):
        panel.widgets["model.name"].setCurrentIndex(panel.widgets["model.name"].findData(name))
        offered = [sizes.itemData(i) for i in range(sizes.count())]
        assert offered == ["0"] + [str(s) for s in MODELS.entry(name).meta["sizes"]]
