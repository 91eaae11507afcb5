"""Help > About: the version, torch, CUDA/MPS and every folder the app uses, with "Copy diagnostics" for bug reports."""
from __future__ import annotations

from PySide6.QtCore import QSettings, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from gan_backend.about import diagnostics, format_diagnostics
from studio.views.paint_models import autosave_folder


def window_diagnostics() -> str:
    """The backend's facts plus the window's own: Qt, the settings file and the paint autosave folder."""
    import PySide6

    folders = {"Qt": f"{qVersion()} (PySide6 {PySide6.__version__}, platform {QGuiApplication.platformName()})",
               "settings file": QSettings().fileName(), "paint autosave": str(autosave_folder())}
    return format_diagnostics(diagnostics(folders))


class AboutDialog(QDialog):
    """Read-only diagnostics and a button that copies them to the clipboard (no signals of its own)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About GAN Studio")
        self.text = window_diagnostics()
        intro = QLabel("<b>GAN Studio</b>: train, watch and play with GANs. Runs are folders: the CLI and this "
                       "window read and write the same ones.<br>Paste the diagnostics below into a bug report.")
        intro.setWordWrap(True)
        view = QPlainTextEdit(self.text)
        view.setReadOnly(True)
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        view.setMinimumSize(640, 260)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy diagnostics")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (intro, view, buttons):
            layout.addWidget(w)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self.copy_button.setText("Copied")
