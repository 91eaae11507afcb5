"""LatentFiles: save and load the explored latent as JSON, and copy the `gan-studio sample` line that draws it."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QPushButton, QWidget


class LatentFiles(QWidget):
    """Three buttons under the explored picture; ``ctx`` is the :class:`LatentExplorer`."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx, self.state = ctx, ctx.state
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, tip, slot in (("Save latent...", "The explored latent as JSON (run, seed, class, vector)",
                                 self.save_dialog),
                                ("Load latent...", "A latent JSON saved here before", self.load_dialog),
                                ("Copy command", "Copy the `gan-studio sample` line that draws this picture: by its "
                                                 "seed, or from a latent file (an edited latent is saved first)",
                                 self.copy_command)):
            button = QPushButton(text, toolTip=tip)
            button.clicked.connect(slot)
            layout.addWidget(button)

    def save_latent(self, path: str) -> None:
        self.state.save(path)
        self.ctx.show_message(f"Saved the latent to {path}")

    def load_latent(self, path: str) -> None:
        """Make a saved latent the explored one; a file that does not fit says why (a dialog, no crash)."""
        try:
            self.state.load(path)
        except ValueError as exc:
            QMessageBox.warning(self, "Cannot load latent", str(exc))
            return
        self.ctx.sample.set_pick(self.state.base, notify=False)

    def copy_command(self) -> str:
        """Put the CLI line on the clipboard; an edited latent is first saved under RUN/latents/."""
        state = self.state
        if (state.edited or state.base.seed is None) and not state.saved_file:
            folder = run_folder(self.state.info.run) / "latents"
            folder.mkdir(parents=True, exist_ok=True)
            state.save(folder / f"latent-{time.strftime('%Y%m%d-%H%M%S')}.json")
        command = state.command()
        QGuiApplication.clipboard().setText(command)
        self.ctx.show_message(f"Copied: {command}")
        return command

    def save_dialog(self) -> None:
        base = self.state.base
        name = f"latent_seed{base.seed}.json" if base.seed is not None and not self.state.edited else "latent.json"
        path = ask_latent_path(self, run_folder(self.state.info.run), name)
        if path:
            self.save_latent(path)

    def load_dialog(self) -> None:
        path = ask_latent_path(self, run_folder(self.state.info.run))
        if path:
            self.load_latent(path)


def run_folder(run: str) -> Path:
    """The run directory, or the folder of a checkpoint opened on its own."""
    path = Path(run)
    return path if path.is_dir() else path.parent


def ask_latent_path(parent, folder: Path, save_as: str = "") -> str:
    """A latent JSON file to write (``save_as``: the suggested name) or, without ``save_as``, to read; "" if cancelled."""
    if save_as:
        return QFileDialog.getSaveFileName(parent, "Save latent", str(folder / save_as), "Latent (*.json)")[0]
    return QFileDialog.getOpenFileName(parent, "Load latent", str(folder), "Latent (*.json)")[0]
