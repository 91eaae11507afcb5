"""GUI test helpers: the registries loaded once, non-blocking message boxes, the window's run settings."""
from __future__ import annotations

import pytest

# Qt messages that are not defects, each with the reason it is ignored.
QT_LOG_IGNORED = [
    r"This plugin does not support propagateSizeHints\(\)",  # offscreen platform: no window manager hints
    r"This plugin does not support raise\(\)",  # offscreen platform: no window stacking
]

# What the window tests change in tests.backend.helpers.tiny_config: a point every 2 steps for the
# plots, and no step checkpoints unless a test asks for one.
GUI_RUN = {"data.n": 2000, "run.log_every": 2, "run.checkpoint_every": 1000}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*QT_LOG_IGNORED))


@pytest.fixture(scope="session")
def catalog():
    from studio.state.catalog import load_catalog

    return load_catalog()


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    """Message boxes return at once (Yes / Ok) and are recorded as (kind, title, text)."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def fake(kind, answer):
        def show(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return answer
        return show

    for kind in ("critical", "warning", "information", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(fake(kind, QMessageBox.StandardButton.Ok)))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake("question", QMessageBox.StandardButton.Yes)))
    return shown


@pytest.fixture
def window(qtbot, catalog):
    """The main window with the registries loaded; glyphs is the panel's dataset but is not loaded."""
    from studio.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.set_catalog(catalog, restore=False)
    w.panel.set_dataset("glyphs", "image", 10)
    return w


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A 3-step glyphs run from the CLI with one 16-sample grid: something to explore and look up."""
    from gan_backend.cli import main

    run = tmp_path_factory.mktemp("tiny") / "run"
    assert main(["train", "--dataset", "glyphs", "--set", "data.n=512", "--set", "model.width=8", "--steps", "3",
                 "--batch-size", "16", "--set", "run.sample_every=3", "--set", "run.grid_size=16",
                 "--run-dir", str(run)]) == 0
    return run
