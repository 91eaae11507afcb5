"""Application entry: ``main()`` opens the Studio window (or runs the headless tour and exits)."""
from __future__ import annotations

import os
import sys
import tempfile

ORGANIZATION = "GAN Studio"
APPLICATION = "GAN Studio"


def create_app():
    """The QApplication with the names QSettings uses, Fusion style and pyqtgraph defaults."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not hasattr(app, "gui_thread_collector"):
        from studio.gui_gc import GuiThreadCollector

        app.gui_thread_collector = GuiThreadCollector(app)  # see studio/gui_gc.py: no freezes on worker threads
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setStyle("Fusion")  # follows light/dark palettes consistently on every platform

    import pyqtgraph as pg

    pg.setConfigOptions(antialias=False)
    return app


def main(tour_dir: str | None = None, tour_steps: int = 100) -> int:
    """Open the window and run the event loop; with ``tour_dir``, run the headless tour instead."""
    if tour_dir:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_app()
    from PySide6.QtCore import QSettings, QTimer

    if tour_dir:  # the tour must neither read nor change the user's remembered settings
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="gan-tour-"))
    from studio.main_window import MainWindow

    from studio.quit_signals import QuitOnSignals

    window = MainWindow()
    window.show()
    QTimer.singleShot(0, window.load_catalog)  # torch is imported after the window is on screen
    if not tour_dir:
        signals = QuitOnSignals(window)
        signals.received.connect(lambda _: window.close_without_asking())
        code = app.exec()
        return signals.exit_code or code
    from studio.tour import Tour

    tour = Tour(window, tour_dir, tour_steps)
    tour.start()
    app.exec()
    return tour.exit_code
