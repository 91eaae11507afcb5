"""The gallery's zoom shows the training picture nearest the picked sample, found off the GUI thread."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gan_backend.data import load_data
from gan_backend.images import grey_to_rgb, make_grid
from studio.views.gallery import SampleGallery
from tests.backend.helpers import tiny_config

WAIT_MS = 60_000  # the first look-up loads the run's training data


def cell_centre(index: int, cols: int = 4, side: int = 28, pad: int = 2) -> tuple[float, float]:
    row, col = divmod(index, cols)
    return pad + col * (side + pad) + side / 2, pad + row * (side + pad) + side / 2


@pytest.fixture
def gallery(qtbot):
    view = SampleGallery()
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()


def test_zooming_on_a_sample_of_a_trained_run_shows_its_nearest_training_picture(window, qtbot, tiny_run):
    with qtbot.waitSignal(window.run_opened, timeout=30_000):
        window.open_run(str(tiny_run))
    gallery = window.gallery
    with qtbot.waitSignal(gallery.nearest.found, timeout=WAIT_MS) as found:
        gallery._on_canvas_clicked(*cell_centre(2))
    hit = found.args[0]
    assert hit.count == 512 and hit.image.shape == (28, 28, 3) and 0 < hit.rms <= 1
    assert not gallery.nearest_preview.pixmap().isNull()
    assert "nearest of the 512 training pictures" in gallery.nearest_info.text()


def test_a_copied_training_picture_is_found_and_called_a_copy(gallery, qtbot, tmp_path):
    cfg = tiny_config(tmp_path / "run")
    pictures = load_data(cfg).x  # uint8 [512, 28, 28, 1]
    gallery.reset(str(tmp_path / "run"), cfg.to_dict())
    gallery.add_sample(0, "", make_grid(pictures[:16], ncols=4))
    with qtbot.waitSignal(gallery.nearest.found, timeout=WAIT_MS) as found:
        gallery._on_canvas_clicked(*cell_centre(5))
    hit = found.args[0]
    assert np.array_equal(hit.image, grey_to_rgb(pictures[5])) and hit.rms == 0 and hit.looks_copied
    assert "looks like a copy" in gallery.nearest_info.text()


def test_training_data_that_moved_is_named_in_the_zoom(gallery, qtbot, tmp_path):
    gone = tmp_path / "moved-away"
    cfg = tiny_config(tmp_path / "run", dataset=f"folder:{gone}")
    gallery.reset(str(tmp_path / "run"), cfg.to_dict())
    gallery.add_sample(0, "", np.zeros((4 * 30 + 2, 4 * 30 + 2, 3), np.uint8))
    with qtbot.waitSignal(gallery.nearest.failed, timeout=WAIT_MS):
        gallery._on_canvas_clicked(*cell_centre(0))
    text = gallery.nearest_info.text()
    assert text.startswith("No nearest training picture:") and "moved-away" in text
    assert gallery.nearest_preview.pixmap().isNull() and not gallery.preview.pixmap().isNull()
