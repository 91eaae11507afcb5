"""Test setup shared by every suite.

* Qt runs offscreen unless ``--headed`` is given (set before any QApplication exists).
* Tests that use Qt get QSettings in a temporary folder, so they neither read nor change the user's.
* A test that leaves a ``QThread`` running fails (napari's ``_dangling_qthreads``): a thread still
  running when its owner is destroyed aborts the process with "QThread: Destroyed while thread is still
  running", and a leaked training thread keeps writing into a deleted temp folder.

Backend tests never import Qt here: the fixtures do nothing unless the test uses Qt.
"""
from __future__ import annotations

import os
import traceback
import weakref

import pytest


def pytest_addoption(parser):
    parser.addoption("--headed", action="store_true", default=False,
                     help="show GUI test windows on the real display instead of the offscreen platform")


def pytest_configure(config):
    if not config.getoption("--headed"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _uses_qt(request) -> bool:
    gui_folder = os.path.join("tests", "gui") + os.sep
    return gui_folder in str(request.node.path) or bool({"qtbot", "qapp"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _qsettings_in_tmp(request, tmp_path_factory):
    if not _uses_qt(request):
        yield
        return
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QCoreApplication.setOrganizationName("GAN Studio Tests")
    QCoreApplication.setApplicationName("GAN Studio Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(scope="session")
def _gui_thread_collector(qapp):
    """As the app does (studio/gui_gc.py): cyclic garbage, Qt objects included, is collected on the GUI thread."""
    from studio.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_on_gui_thread(request):
    """Widgets a test leaves in reference cycles are freed here, on the GUI thread, before the next test."""
    if not _uses_qt(request):
        yield
        return
    request.getfixturevalue("_gui_thread_collector")
    yield
    import gc

    gc.collect()


@pytest.fixture(autouse=True)
def _dangling_qthreads(request, monkeypatch):
    if not _uses_qt(request):
        yield
        return
    from PySide6.QtCore import QThread

    started: list[tuple[weakref.ref, str]] = []
    original_start = QThread.start

    def start_and_remember(self, *args, **kwargs):
        frames = [f for f in traceback.extract_stack()[:-1] if "site-packages" not in f.filename]
        where = "".join(traceback.format_list(frames[-4:]))
        started.append((weakref.ref(self), where))
        return original_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", start_and_remember)
    yield
    dangling = []
    for ref, where in started:
        thread = ref()
        try:
            running = thread is not None and thread.isRunning()
        except RuntimeError:  # the C++ object is gone, so the thread is too
            continue
        if running:
            dangling.append(f"QThread {thread.objectName()!r} started at:\n{where}")
            thread.quit()
            thread.wait(30_000)  # do not let it poison the next test
    if dangling:
        pytest.fail("test left QThread(s) running:\n" + "\n".join(dangling))
