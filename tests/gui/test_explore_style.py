"""The explorer on a tiny stylegan (the Style tab: mixing, truncation, W directions, W+ paths; projection into W+)
and on a tiny dcgan with an InfoGAN code (code combo boxes, projection into z)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.gui.test_explore import open_explorer as open_test_explorer

LOAD_MS = 60_000
WAIT_MS = 20_000


def _train(run_dir, dataset: str, model: str, **sets):
    from gan_backend.engine.loop import Trainer
    from tests.backend.helpers import tiny_config

    cfg = tiny_config(run_dir, dataset, model, steps=2, **sets)
    list(Trainer.new(cfg).run())
    return run_dir


@pytest.fixture(scope="module")
def style_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("style") / "run", "shapes", "stylegan", **{"data.image_size": 16})


@pytest.fixture(scope="module")
def code_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("codes") / "run", "glyphs", "dcgan", **{"model.info_codes": "cat4"})


def open_explorer(qtbot, run):
    return open_test_explorer(qtbot, run, (1100, 800))


@pytest.fixture
def style_view(qtbot, style_run):
    view = open_explorer(qtbot, style_run)
    view.tabs.setCurrentWidget(view.style)
    qtbot.waitUntil(lambda: view.style.mixing_picture is not None and settled(view, "mixing"), timeout=WAIT_MS)
    yield view
    view.shutdown()


@pytest.fixture
def code_view(qtbot, code_run):
    view = open_explorer(qtbot, code_run)
    yield view
    view.shutdown()


def settled(view, channel: str) -> bool:
    return not view.renderer.pending(channel)


def redrawn(qtbot, view, channel: str, before: np.ndarray | None = None, get=None) -> np.ndarray:
    """Wait until ``channel`` has no pending request (and, given ``before``, shows something else); its picture."""
    get = get or (lambda: view.style.mixing_picture)
    qtbot.waitUntil(lambda: settled(view, channel) and (before is None or not np.array_equal(get(), before)),
                    timeout=WAIT_MS)
    return get()


def cells(grid: np.ndarray, side: int, pad: int = 2) -> np.ndarray:
    """A make_grid picture back into cells [rows, cols, side, side, 3]."""
    rows, cols = (grid.shape[0] - pad) // (side + pad), (grid.shape[1] - pad) // (side + pad)
    return np.stack([np.stack([grid[pad + r * (side + pad):][:side, pad + c * (side + pad):][:, :side]
                               for c in range(cols)]) for r in range(rows)])


def a_picture(path) -> str:
    from PIL import Image

    yy, xx = np.mgrid[0:40, 0:40]
    rgb = np.stack([xx * 6, yy * 6, (xx + yy) * 3], -1).clip(0, 255).astype(np.uint8)
    Image.fromarray(rgb).save(path)
    return str(path)


def test_the_style_tab_shows_a_mixing_grid_whose_layer_range_matters(style_view, qtbot):
    view, panel = style_view, style_view.style
    assert view.tabs.isTabVisible(view.tabs.indexOf(panel)) and view.state.info.num_ws == 6
    grid = panel.mixing_picture
    assert grid.shape == (4 * 18 + 2, 5 * 18 + 2, 3)  # 3 sources + the top row, 4 destinations + the left column
    c = cells(grid, 16)
    assert not c[0, 0].any() and c[1:, 0].any() and c[0, 1:].any()  # a blank corner; sources and destinations
    coarse = grid
    panel.layers.setCurrentIndex(2)  # fine
    fine = redrawn(qtbot, view, "mixing", coarse)
    assert (panel.start.value(), panel.stop.value()) == view.state.info.group("fine")
    panel.layers.setCurrentIndex(3)  # custom: every row from the source, so each cell is its row's source
    panel.start.setValue(0)
    panel.stop.setValue(6)
    c = cells(redrawn(qtbot, view, "mixing", fine), 16)
    assert all(np.array_equal(c[i, j], c[i, 0]) for i in range(1, 4) for j in range(1, 5))
    panel.src_count.setValue(2)
    assert redrawn(qtbot, view, "mixing", grid).shape == (3 * 18 + 2, 5 * 18 + 2, 3)


def test_the_other_tabs_work_for_a_style_model_through_z(style_view, qtbot):
    view = style_view
    qtbot.waitUntil(lambda: len(view.sliders.direction_rows) > 0, timeout=WAIT_MS)  # PCA of w, regressed onto z
    before = view.canvas.image.image.copy()
    with qtbot.waitSignal(view.image_shown, timeout=WAIT_MS):
        view.sliders.direction_rows[0].slider.set_value(3.0)
    qtbot.waitUntil(lambda: settled(view, "image"), timeout=WAIT_MS)
    assert not np.array_equal(view.canvas.image.image, before)
    view.state.reset_all()  # G's fixed noise: the same latent draws the same picture
    qtbot.waitUntil(lambda: settled(view, "image") and np.array_equal(view.canvas.image.image, before),
                    timeout=WAIT_MS)
    view.tabs.setCurrentWidget(view.interpolation)
    qtbot.waitUntil(lambda: view.interpolation.frames is not None and settled(view, "strip"), timeout=WAIT_MS)
    assert view.interpolation.frames.shape == (8, 16, 16, 3)


def test_truncation_in_w_reaches_the_grid_and_the_main_picture(style_view, qtbot):
    view, panel = style_view, style_view.style
    main_before, grid_before = view.canvas.image.image.copy(), panel.mixing_picture
    panel.psi.set_value(0.0)  # every latent becomes w_avg: one picture everywhere
    assert view.state.style.psi == 0.0
    c = cells(redrawn(qtbot, view, "mixing", grid_before), 16)
    assert all(np.array_equal(c[i, j], c[0, 1]) for i in range(4) for j in range(5) if i or j)
    qtbot.waitUntil(lambda: settled(view, "image"), timeout=WAIT_MS)
    assert not np.array_equal(view.canvas.image.image, main_before)
    assert np.array_equal(view.canvas.image.image, c[0, 1])

    panel.psi.set_value(1.0)
    grid = redrawn(qtbot, view, "mixing", c)
    panel.new_noise()  # resampled noise under a seed: drawing it again gives the same picture
    assert view.state.style.noise == "random" and view.state.style.noise_seed == 1
    again = redrawn(qtbot, view, "mixing")
    panel.refresh()
    assert np.array_equal(redrawn(qtbot, view, "mixing"), again) and again.shape == grid.shape


def test_a_projected_picture_joins_the_mixing_grid_and_moves_along_w(style_view, qtbot, tmp_path):
    view, project, style = style_view, style_view.project, style_view.style
    assert [project.space.itemText(i) for i in range(project.space.count())] == ["W+", "W"]
    assert project.open_picture(a_picture(tmp_path / "mine.png"))
    with qtbot.waitSignal(project.latent_ready, timeout=LOAD_MS) as ready:
        project.start(steps=5)
    latent = ready.args[0]
    assert latent.space == "w+" and latent.steps == 5 and latent.ws.shape == (6, 16)
    assert "PSNR" in project.progress.text() and project.fit_view.pixmap() is not None
    assert [lat.text for lat in style.latents] == ["projected mine"]
    assert style.chosen.currentText() == "projected mine" and style.path_to.currentText() == "projected mine"

    grid = style.mixing_picture
    style.chosen_row.setChecked(True)
    assert redrawn(qtbot, view, "mixing", grid).shape == (5 * 18 + 2, 5 * 18 + 2, 3)  # one more source row
    qtbot.waitUntil(lambda: style.path_frames is not None and settled(view, "style_path"), timeout=WAIT_MS)
    assert len(style.path_frames) == 6 and not np.array_equal(style.path_frames[0], style.path_frames[-1])
    edits: list = []
    view.renderer.rendered.connect(lambda channel, _, result: channel == "style_edit" and edits.append(result))
    assert all(s.value() == 0 for s in style.w_sliders)
    style.refresh()
    qtbot.waitUntil(lambda: bool(edits) and settled(view, "style_edit"), timeout=WAIT_MS)
    unmoved = edits[-1].picture
    style.w_sliders[0].set_value(3.0)
    qtbot.waitUntil(lambda: settled(view, "style_edit") and not np.array_equal(edits[-1].picture, unmoved),
                    timeout=WAIT_MS)
    style.reset_sliders()
    qtbot.waitUntil(lambda: settled(view, "style_edit") and np.array_equal(edits[-1].picture, unmoved),
                    timeout=WAIT_MS)

    project.save_latent(str(tmp_path / "mine.json"))
    assert project.load_latent(str(tmp_path / "mine.json"))
    assert len(style.latents) == 2 and np.allclose(style.latents[1].ws, latent.ws.numpy(), atol=1e-6)


def test_stop_ends_a_projection_and_keeps_its_latent(style_view, qtbot, tmp_path):
    project = style_view.project
    project.open_picture(a_picture(tmp_path / "long.png"))
    with qtbot.waitSignal(project.runner.reported, timeout=LOAD_MS):
        project.start(steps=5000)
    assert project.stop_button.isEnabled() and not project.start_button.isEnabled()
    with qtbot.waitSignal(project.latent_ready, timeout=WAIT_MS) as ready:
        project.stop()
    assert 0 < ready.args[0].steps < 5000
    qtbot.waitUntil(lambda: not project.runner.running, timeout=WAIT_MS)
    assert project.start_button.isEnabled()


def test_bad_pictures_and_latent_files_say_so_in_one_line(style_view, tmp_path):
    project = style_view.project
    assert not project.open_picture(str(tmp_path / "missing.png"))
    assert "missing.png" in project.message.text() and "\n" not in project.message.text()
    (tmp_path / "junk.png").write_text("not a picture")
    assert not project.open_picture(str(tmp_path / "junk.png"))
    assert "junk.png" in project.message.text() and project.picture is None
    (tmp_path / "short.json").write_text('{"space": "w+", "num_ws": 6, "vector": [1, 2, 3]}')
    assert not project.load_latent(str(tmp_path / "short.json"))
    assert "short.json" in project.message.text() and "6 of 16" in project.message.text()
    (tmp_path / "text.json").write_text("hello")
    assert not project.load_latent(str(tmp_path / "text.json"))
    assert "text.json" in project.message.text() and "\n" not in project.message.text()


def test_infogan_codes_get_combo_boxes_that_change_the_picture(code_view, qtbot, tmp_path):
    view = code_view
    assert not view.tabs.isTabVisible(view.tabs.indexOf(view.style))
    combos = view.sliders.code_combos
    assert len(combos) == 1 and combos[0].count() == 4
    z = view.state.current()
    start = view.state.info.code_start
    assert start == 16 and z[16:].sum() == 1.0 and combos[0].currentIndex() == int(np.argmax(z[16:]))
    before = view.canvas.image.image.copy()
    choice = (combos[0].currentIndex() + 1) % 4
    with qtbot.waitSignal(view.image_shown, timeout=WAIT_MS):
        combos[0].setCurrentIndex(choice)
    qtbot.waitUntil(lambda: settled(view, "image"), timeout=WAIT_MS)
    assert np.array_equal(view.state.current()[16:], np.eye(4, dtype=np.float32)[choice])
    assert not np.array_equal(view.canvas.image.image, before)


def test_a_z_model_projection_becomes_the_explored_sample(code_view, qtbot, tmp_path):
    project = code_view.project
    assert [project.space.itemText(i) for i in range(project.space.count())] == ["z"]
    project.open_picture(a_picture(tmp_path / "glyph.png"))
    with qtbot.waitSignal(project.latent_ready, timeout=LOAD_MS) as ready:
        project.start(steps=5)
    assert ready.args[0].space == "z"
    state = code_view.state
    assert state.base.text == "projected glyph" and np.allclose(state.base.vector, ready.args[0].vector.numpy())
    assert code_view.sample.spin.text() == "projected glyph"
