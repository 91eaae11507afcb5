"""The Explore workspace on a tiny trained DCGAN: sliders, the newest-wins renderer, paths, GIF export, latent files."""
from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtWidgets import QStatusBar

from gan_backend.images import grey_to_rgb
from studio.state.gallery import SampleSelection

LOAD_MS = 60_000


@pytest.fixture(scope="module")
def generator(tiny_run):
    from gan_backend.generator import load_generator

    return load_generator(tiny_run)


def draw(generator, z: np.ndarray) -> np.ndarray:
    """What the explorer should show for latent z [d]: uint8 [H, W, 3]."""
    import torch

    image = generator.images(torch.from_numpy(np.asarray(z, np.float32))[None])[0]
    return grey_to_rgb(image)


def open_explorer(qtbot, run, size=(1000, 700)):
    """A shown LatentExplorer with ``run`` loaded and its first picture drawn."""
    from studio.views.explore import LatentExplorer

    view = LatentExplorer(None)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    with qtbot.waitSignal(view.image_shown, timeout=LOAD_MS):
        view.load(run)
    return view


@pytest.fixture
def explorer(qtbot, tiny_run):
    view = open_explorer(qtbot, tiny_run)
    qtbot.waitUntil(lambda: len(view.sliders.direction_rows) > 0, timeout=LOAD_MS)
    yield view
    view.shutdown()


def shown(view) -> np.ndarray:
    return view.canvas.image.image.copy()


def settled(view, channel: str) -> bool:
    return not view.renderer.pending(channel)


def test_moving_a_slider_changes_the_displayed_image(explorer, qtbot, generator):
    before = shown(explorer)
    assert np.array_equal(before, draw(generator, explorer.state.current()))
    with qtbot.waitSignal(explorer.image_shown, timeout=10_000):
        explorer.sliders.direction_rows[0].slider.set_value(3.0)
    qtbot.waitUntil(lambda: settled(explorer, "image"))
    after = shown(explorer)
    assert not np.array_equal(after, before)
    assert np.array_equal(after, draw(generator, explorer.state.current()))
    assert explorer.state.amounts[0] == pytest.approx(3.0)
    with qtbot.waitSignal(explorer.image_shown, timeout=10_000):
        explorer.sliders.direction_rows[0].reset_requested.emit()  # the per-slider reset
    qtbot.waitUntil(lambda: settled(explorer, "image"))
    assert explorer.sliders.direction_rows[0].slider.value() == 0 and np.array_equal(shown(explorer), before)


def test_a_burst_of_50_slider_moves_renders_only_the_last_few(explorer, qtbot, generator):
    shown_stamps: list[int] = []
    explorer.image_shown.connect(shown_stamps.append)
    ran_before = explorer.renderer.executed("image")
    slider = explorer.sliders.raw_rows[0].slider.slider  # the QSlider a user drags
    for i in range(50):
        slider.setValue(slider.minimum() + 7 * i)
    last = explorer.renderer.latest("image")
    qtbot.waitUntil(lambda: bool(shown_stamps) and shown_stamps[-1] == last, timeout=10_000)
    ran = explorer.renderer.executed("image") - ran_before
    assert 1 <= ran < 10, f"{ran} of 50 requests were rendered"
    assert np.array_equal(shown(explorer), draw(generator, explorer.state.current()))
    assert explorer.state.raw_value(0) == pytest.approx(explorer.sliders.raw_rows[0].slider.value())


def test_the_strip_runs_from_a_seed_to_the_gallery_pick(window, qtbot, tiny_run, tmp_path, generator):
    from PIL import Image

    from studio.state.latent import latent_from_seed

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    with qtbot.waitSignal(window.run_opened, timeout=LOAD_MS):
        window.open_run(str(run))
    window.gallery._on_canvas_clicked(2 + 3, 2 + 3)  # the first sample of the grid
    selection = window.gallery.state.selection
    view = window.workspaces.view("Explore")
    with qtbot.waitSignal(view.model_opened, timeout=LOAD_MS):  # shown: it follows the run opened in the window
        window.workspaces.setCurrentWidget(view.parentWidget())
    view.tabs.setCurrentWidget(view.interpolation)
    panel = view.interpolation
    panel.start.spin.setValue(5)
    panel.end._pick_gallery()
    panel.count.setValue(6)
    qtbot.waitUntil(lambda: panel.frames is not None and len(panel.frames) == 6 and settled(view, "strip"),
                    timeout=10_000)
    assert np.abs(panel.frames[0].astype(int) - draw(generator, latent_from_seed(5, 100))).max() <= 1
    assert np.abs(panel.frames[-1].astype(int) - draw(generator, selection.latent())).max() <= 1
    assert panel.end.spin.text() == f"gallery #{selection.index}"

    panel.export_gif(str(tmp_path / "path.gif"))
    with Image.open(tmp_path / "path.gif") as gif:
        assert gif.is_animated and gif.n_frames == 6
    panel.export_png(str(tmp_path / "strip.png"))
    with Image.open(tmp_path / "strip.png") as png:
        assert png.width > 6 * png.height * 0.9  # six frames side by side


def test_a_run_without_checkpoint_or_with_a_broken_one_says_so(explorer, qtbot, tiny_run, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(tiny_run, bare, ignore=shutil.ignore_patterns("*.pt"))
    with qtbot.waitSignal(explorer.load_failed, timeout=LOAD_MS) as failed:
        explorer.load(bare)
    assert "has no checkpoint yet" in failed.args[0] and "Save checkpoint" in explorer.banner.text()
    assert explorer.banner.isVisible()

    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with qtbot.waitSignal(explorer.load_failed, timeout=LOAD_MS) as failed:
        explorer.load(broken)
    assert "unreadable checkpoint" in failed.args[0] and "\n" not in explorer.banner.text()
    with qtbot.waitSignal(explorer.image_shown, timeout=10_000):  # the model shown before still works
        explorer.sliders.direction_rows[1].slider.set_value(-2.0)


def test_save_and_load_latent_round_trip(explorer, qtbot, tmp_path, dialogs):
    from PySide6.QtGui import QGuiApplication

    explorer.sliders.direction_rows[0].slider.set_value(2.0)
    explorer.sliders.raw_rows[3].slider.set_value(-1.5)
    qtbot.waitUntil(lambda: settled(explorer, "image"))
    edited, picture = explorer.state.current(), shown(explorer)
    explorer.files.save_latent(str(tmp_path / "z.json"))
    explorer.state.reset_all()
    explorer.sample.spin.setValue(42)
    qtbot.waitUntil(lambda: settled(explorer, "image"))
    assert not np.array_equal(shown(explorer), picture)

    with qtbot.waitSignal(explorer.image_shown, timeout=10_000):
        explorer.files.load_latent(str(tmp_path / "z.json"))
    qtbot.waitUntil(lambda: settled(explorer, "image"))
    assert np.allclose(explorer.state.current(), edited, atol=1e-6)
    assert np.array_equal(shown(explorer), picture)
    assert explorer.sample.spin.text() == "z.json"
    command = explorer.files.copy_command()
    assert QGuiApplication.clipboard().text() == command
    assert command.startswith("gan-studio sample ") and f"--latent {tmp_path / 'z.json'}" in command

    (tmp_path / "short.json").write_text('{"run": "x", "vector": [1, 2, 3]}')
    explorer.files.load_latent(str(tmp_path / "short.json"))
    assert dialogs[-1][0] == "warning" and "latent size is 100" in dialogs[-1][2]


def test_a_conditional_model_gets_a_class_selector_and_class_mixes(qtbot, tmp_path_factory):
    import torch

    from gan_backend.cli import main
    from gan_backend.generator import load_generator
    from studio.views.explore import LatentExplorer

    run = tmp_path_factory.mktemp("explore-cond") / "run"
    assert main(["train", "--dataset", "glyphs", "--model", "cdcgan", "--set", "data.n=512", "--set", "model.width=8",
                 "--steps", "2", "--batch-size", "16", "--set", "run.sample_every=2", "--run-dir", str(run)]) == 0
    gen = load_generator(run)
    view = LatentExplorer(None)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.image_shown, timeout=LOAD_MS):
        view.load(run)
    assert view.label_combo.isVisible() and view.label_combo.count() == 10
    assert view.tabs.isTabEnabled(view.tabs.indexOf(view.classes))
    z = view.state.current()

    def drawn(label: int) -> np.ndarray:
        image = gen.images(torch.from_numpy(z)[None], torch.tensor([label]))[0]
        return grey_to_rgb(image)

    view.label_combo.setCurrentIndex(7)
    qtbot.waitUntil(lambda: settled(view, "image") and view.state.label == 7)
    assert np.array_equal(shown(view), drawn(7))
    view.tabs.setCurrentWidget(view.classes)
    view.classes.start.setCurrentIndex(2)
    view.classes.end.setCurrentIndex(5)
    strips: list = []
    view.renderer.rendered.connect(lambda channel, _, result: channel == "class_strip" and strips.append(result))
    qtbot.waitUntil(lambda: bool(strips) and settled(view, "class_strip"), timeout=10_000)
    frames = strips[-1].frames
    assert np.abs(frames[0].astype(int) - drawn(2)).max() <= 1 and np.abs(frames[-1].astype(int) - drawn(5)).max() <= 1
    assert not np.array_equal(frames[len(frames) // 2], frames[0])

    # What gallery_pick reads: the Train tab's gallery selection (sample 13 of a 64-sample grid of this run).
    selection = SampleSelection(step=2, index=13, row=1, col=5, run_dir=str(run), grid_count=64, latent_dim=100)
    view.window_ref = SimpleNamespace(gallery=SimpleNamespace(state=SimpleNamespace(selection=selection)),
                                      statusBar=QStatusBar)
    pick = view.gallery_pick()
    assert pick is not None and view.state.label == 13 % 10  # fixed labels cycle through the classes
    view.shutdown()


def test_latent_state_composes_edits_and_names_the_cli_line(tmp_path):
    from studio.state.latent import LatentState, ModelInfo

    info = ModelInfo("/runs/my run", "/runs/my run/checkpoints/last.pt", 5, "dcgan", 4, "normal", (1, 28, 28))
    state, seen = LatentState(), []
    state.changed.connect(seen.append)
    state.set_model(info, seed=3)
    assert state.command() == "gan-studio sample '/runs/my run' --seed 3 --n 1 --out sample.png"
    state.set_directions(np.eye(2, 4, dtype=np.float32), np.array([2.0, 1.0], np.float32), np.array([0.6, 0.3]))
    base = state.base.vector.copy()
    state.set_raw(3, 1.5)
    state.set_amount(0, 1.0)  # one sigma (2.0) along axis 0
    expected = base + np.array([2.0, 0, 0, 0], np.float32)
    expected[3] = 1.5
    assert np.allclose(state.current(), expected) and state.edited
    state.save(tmp_path / "z.json")
    assert state.command().endswith(f"--latent {tmp_path / 'z.json'} --n 1 --out sample.png")
    state.reset_all()
    assert np.allclose(state.current(), base) and not state.edited
    assert seen[:2] == ["model", "directions"] and seen.count("latent") == 3
