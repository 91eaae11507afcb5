"""Help > About: version, torch, accelerators and folders, copied to the clipboard for a bug report."""
import torch
from PySide6.QtGui import QGuiApplication

from gan_backend.about import version
from studio.views.about import AboutDialog


def test_about_lists_versions_and_folders_and_copies_them(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    for fact in (f"GAN Studio:", version(), torch.__version__, "CUDA:", "MPS:", "settings file:", "paint autosave:",
                 "dataset cache:", "runs folder:", "Qt:"):
        assert fact in dialog.text, fact
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.text
    assert dialog.copy_button.text() == "Copied"
