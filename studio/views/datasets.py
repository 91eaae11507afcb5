"""DatasetBrowser: pick a registered dataset or open a folder/file, see its summary and thumbnails."""
from __future__ import annotations

import html
import os
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QMenu,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from gan_backend.errors import first_line
from studio.state.catalog import Catalog
from studio.views.thumbnails import ThumbnailGrid, ThumbnailModel
from studio.widgets.collapsible import CollapsibleSection
from studio.workers import BackgroundCall

MAX_CLASSES_LISTED = 12
# "Train as" for a folder of pictures: (choice, combo text, tooltip). edges and gray open the folder as the
# derived paired kind (gan_backend.data.disk.derived) and fill in pix2pix (gan_backend.sketch.train_recipe).
TRAIN_AS = (
    ("pictures", "pictures", "A GAN that makes new pictures like these"),
    ("edges", "sketch \u2192 picture (edges:)", "pix2pix from each picture's line drawing to the picture; "
                                                "draw with it in the Paint tab's Sketch mode"),
    ("gray", "BW \u2192 colour (gray:)", "pix2pix from each picture's grey version to its colours; colour BW "
                                         "photos with it in the Paint tab's Colourise mode"),
)
DERIVED_KINDS = tuple(choice for choice, _, _ in TRAIN_AS[1:])


@dataclass(frozen=True)
class DatasetInfo:
    """The opened dataset, as the training panel needs it."""

    spec: str  # what goes into data.dataset: "glyphs" or "mnist:/data/mnist"
    kind: str  # "image", "points", "paired", "unpaired"
    num_classes: int
    count: int


class DatasetBrowser(QWidget):
    """Registry datasets plus "Open folder/file..."; summary, thumbnail grid, skipped-files report.

    A folder of pictures also offers "Train on these N pictures": a recipe for its size
    (``gan_backend.data.recipes``) that fills the training panel; it does not start training. "Train as"
    beside it trains the folder as pictures, or as sketch -> picture (``edges:FOLDER``) or BW -> colour
    (``gray:FOLDER``): choosing one of those opens that dataset and fills in pix2pix at 64 px.

    Signals:
        dataset_opened(object): a :class:`DatasetInfo` once a dataset loaded
        dataset_failed(str): the one-line reason a dataset could not be opened
        recipe_chosen(object): the ``Recipe`` of the opened folder, when its button is clicked
    """

    dataset_opened = Signal(object)
    dataset_failed = Signal(str)
    recipe_chosen = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.catalog: Catalog | None = None
        self.current: DatasetInfo | None = None
        self.recipe = None  # the opened folder's Recipe, or None
        self._folder = ""  # the folder "Train as" offers, "" when none
        self._pictures_spec = ""  # the spec it was opened with as pictures, e.g. "folder:/photos"
        self._fill_on_open = ""  # a spec chosen with "Train as": its recipe fills the panel once it is open
        self._loader = BackgroundCall("dataset-loader", self)
        self._loader.finished.connect(self._on_loader_finished)
        self._loader.failed.connect(self._on_loader_failed)
        self._build()

    # --- layout ---
    def _build(self) -> None:
        self.combo = QComboBox(enabled=False, toolTip="Datasets from the registry and ones you opened")
        self.combo.addItem("loading datasets...")
        self.combo.activated.connect(self._on_combo_activated)
        self.open_button = QPushButton("Open...", toolTip="Open a dataset folder or file (or drop it on the window)")
        menu = QMenu(self.open_button)
        menu.addAction("Open folder...", self.choose_folder)
        menu.addAction("Open file...", self.choose_file)
        self.open_button.setMenu(menu)
        top = QHBoxLayout()
        top.addWidget(self.combo, 1)
        top.addWidget(self.open_button)

        self.path_edit = QLineEdit(placeholderText="folder or file for this kind of dataset")
        self.path_edit.returnPressed.connect(self._on_path_entered)
        browse = QPushButton("Browse...", clicked=self.choose_folder)
        self.path_row = QWidget()
        row = QHBoxLayout(self.path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.path_row.setVisible(False)

        self.summary = QLabel("Choose a dataset, or drop a folder on the window.", wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recipe_button = QPushButton(visible=False, clicked=self._on_recipe_clicked)
        self.train_as = QComboBox(toolTip="What to train on this folder; the Paint tab's Sketch and Colourise "
                                          "modes list such runs once they have a checkpoint")
        for choice, text, tip in TRAIN_AS:
            self.train_as.addItem(text, choice)
            self.train_as.setItemData(self.train_as.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.train_as.activated.connect(self._on_train_as_activated)
        self.train_row = QWidget(visible=False)
        row = QHBoxLayout(self.train_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Train as"))
        row.addWidget(self.train_as)
        row.addWidget(self.recipe_button, 1)
        self.model = ThumbnailModel(parent=self)
        self.grid = ThumbnailGrid(self.model)
        self.scatter = pg.PlotWidget()
        self.scatter.setAspectLocked(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.grid)
        self.pages.addWidget(self.scatter)
        self.skipped_list = QListWidget()
        self.skipped_list.setMaximumHeight(140)
        self.skipped = CollapsibleSection("Skipped files (0)", self.skipped_list)
        self.skipped.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.path_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.train_row)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.skipped)

    # --- choosing ---
    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.combo.clear()
        for choice in catalog.datasets:
            text = f"{choice.kind}: choose a folder or file..." if choice.needs_path else choice.name
            self.combo.addItem(text, choice.name)
            self.combo.setItemData(self.combo.count() - 1, choice.summary, Qt.ItemDataRole.ToolTipRole)
        self.combo.setEnabled(True)

    def select(self, spec: str) -> None:
        """Show and load ``spec`` (a registry name or "kind:PATH" with a real path)."""
        at = self.combo.findData(spec)
        if at < 0:
            self.combo.addItem(spec, spec)
            at = self.combo.count() - 1
        self.combo.setCurrentIndex(at)
        self.path_row.setVisible(False)
        self.load(spec)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder")
        if path:
            self._open_path_for_current_kind(path)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset file")
        if path:
            self._open_path_for_current_kind(path)

    def open_path(self, path: str) -> None:
        """Open a file or folder by trying each on-disk kind, specific kinds first and "folder" last."""
        if self.catalog is None:
            self._show_error(f"{path}: the dataset registry is still loading; try again in a moment")
            return
        # edges: and gray: read any folder of pictures: they are chosen with "Train as", never guessed
        kinds = [c.kind for c in self.catalog.path_kinds() if c.kind not in DERIVED_KINDS]
        self._start_load(f"{path}", lambda: _open_any(path, kinds))

    def load(self, spec: str) -> None:
        self._start_load(spec, lambda: (spec, _open(spec)))

    @Slot(int)
    def _on_combo_activated(self, index: int) -> None:
        spec = self.combo.itemData(index)
        if spec and spec.endswith(":PATH"):
            self.path_row.setVisible(True)
            self.path_edit.setFocus()
        elif spec:
            self.path_row.setVisible(False)
            self.load(spec)

    def _on_path_entered(self) -> None:
        path = self.path_edit.text().strip()
        if path:
            self._open_path_for_current_kind(os.path.expanduser(path))

    def _open_path_for_current_kind(self, path: str) -> None:
        spec = self.combo.currentData() or ""
        if spec.endswith(":PATH"):
            self.select(f"{spec[:-len(':PATH')]}:{path}")
        else:
            self.open_path(path)

    # --- loading on the worker thread ---
    def _start_load(self, what: str, fn) -> None:
        self.summary.setText(f"Opening <b>{html.escape(what)}</b>...")
        self._loader.submit(fn)

    @Slot(object)
    def _on_loader_finished(self, result) -> None:
        spec, data = result
        if self.combo.currentData() != spec:
            at = self.combo.findData(spec)
            if at < 0:
                self.combo.addItem(spec, spec)
                at = self.combo.count() - 1
            self.combo.setCurrentIndex(at)
        self._show_dataset(spec, data)

    @Slot(object)
    def _on_loader_failed(self, exc: Exception) -> None:
        self._show_error(first_line(exc))

    def _show_dataset(self, spec: str, data) -> None:
        report = data.report
        self.current = DatasetInfo(spec, data.kind, data.num_classes, len(data))
        self.summary.setText(summary_html(spec, report))
        if data.kind == "points":
            self.model.set_images(None)
            self.scatter.clear()
            step = max(1, len(data.x) // 5000)
            self.scatter.plot(data.x[::step, 0], data.x[::step, 1], pen=None, symbol="o", symbolSize=3,
                              symbolPen=None, symbolBrush=pg.mkBrush(80, 140, 220, 160))
            self.pages.setCurrentWidget(self.scatter)
        else:
            self.model.set_images(data.x, data.labels, data.class_names)
            self.pages.setCurrentWidget(self.grid)
        self._show_skipped(report.skipped)
        self._offer_recipe(spec, report)
        self.dataset_opened.emit(self.current)
        if self._fill_on_open == spec:  # after dataset_opened: the panel forgets recipes for the old dataset
            self._fill_on_open = ""
            self._on_recipe_clicked()

    def _offer_recipe(self, spec: str, report) -> None:
        """Show "Train on these N pictures" for a folder of single pictures opened from disk (or as edges:/gray:)."""
        from gan_backend.data.recipes import recipe_for
        from gan_backend.sketch import TRAIN_KINDS, train_recipe

        kind, _, path = spec.partition(":")
        if kind in TRAIN_KINDS:
            self.recipe, self._folder, choice = train_recipe(kind, report.count), path, kind
            self._pictures_spec = self._pictures_spec if self._pictures_spec.endswith(f":{path}") else ""
        else:
            on_disk = self.catalog is not None and any(spec.startswith(f"{c.kind}:") for c in self.catalog.path_kinds())
            self.recipe, choice = recipe_for(report) if on_disk else None, "pictures"
            self._folder = path if self.recipe is not None and os.path.isdir(path) else ""
            self._pictures_spec = spec if self._folder else ""
        if self.recipe is not None:
            n = report.count
            self.recipe_button.setText(f"Train on these {n:,} picture{'s' if n != 1 else ''}")
            self.recipe_button.setToolTip(f"Fill the training panel with a recipe for this folder: {self.recipe.why}")
        self.train_as.setCurrentIndex(self.train_as.findData(choice))
        self.train_as.setEnabled(bool(self._folder))  # a single picture file trains as pictures only
        self.recipe_button.setVisible(self.recipe is not None)
        self.train_row.setVisible(self.recipe is not None)

    @Slot()
    def _on_recipe_clicked(self) -> None:
        if self.recipe is not None:
            self.recipe_chosen.emit(self.recipe)

    @Slot(int)
    def _on_train_as_activated(self, index: int) -> None:
        """Open the folder as the chosen kind; its recipe fills the training panel once it is open."""
        choice = self.train_as.itemData(index)
        spec = (self._pictures_spec or f"folder:{self._folder}") if choice == "pictures" else f"{choice}:{self._folder}"
        self._fill_on_open = spec
        self.select(spec)

    def _show_skipped(self, skipped) -> None:
        self.skipped_list.clear()
        self.skipped_list.addItems([f"{s.path}: {s.reason}" for s in skipped])
        self.skipped.set_title(f"Skipped files ({len(skipped)})")
        self.skipped.setVisible(bool(skipped))

    def _show_error(self, message: str) -> None:
        self.recipe = None
        self.recipe_button.setVisible(False)
        # A folder that cannot be read as the kind "Train as" chose (gray: of grey pictures) keeps the choice open.
        self.train_row.setVisible(bool(self._fill_on_open and self._folder))
        self._fill_on_open = ""
        self.summary.setText(f"<span style='color:#d03030'><b>Could not open the dataset.</b></span><br>"
                             f"{html.escape(message)}")
        self.dataset_failed.emit(message)

    def shutdown(self) -> None:
        self._loader.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


def summary_html(spec: str, report) -> str:
    shape = "x".join(str(s) for s in report.shape)
    lines = [f"<b>{html.escape(spec)}</b>: {report.count:,} items, {report.kind}, item shape {shape}"]
    if report.class_names:
        pairs = [f"{html.escape(str(n))} ({c:,})" for n, c in zip(report.class_names, report.class_counts)]
        more = len(pairs) - MAX_CLASSES_LISTED
        listed = ", ".join(pairs[:MAX_CLASSES_LISTED]) + (f", ... {more} more" if more > 0 else "")
        lines.append(f"{len(pairs)} classes: {listed}")
    for key, (w, h) in report.sizes_seen.items():
        lines.append(f"size on disk, {html.escape(key)}: {w}x{h}")
    # what edges: and gray: derived (the ink share; pictures already grey, left out)
    lines += [html.escape(note) for note in report.notes if note.startswith(tuple(f"{k}:" for k in DERIVED_KINDS))]
    if report.skipped:
        lines.append(f"<span style='color:#c07000'>{len(report.skipped)} file(s) skipped, see below</span>")
    return "<br>".join(lines)


def _open(spec: str):
    from gan_backend.data import open_dataset

    return open_dataset(spec)


def _open_any(path: str, kinds: list[str]):
    """(spec, dataset) of the first kind that reads ``path``; the error names every kind's reason."""
    from gan_backend.data import DatasetError

    if not os.path.exists(path):
        raise DatasetError(f"{path}: no such file or folder")
    reasons = []
    for kind in kinds:
        try:
            return f"{kind}:{path}", _open(f"{kind}:{path}")
        except (DatasetError, ValueError, OSError) as exc:
            reasons.append(f"{kind}: {first_line(exc)}")
    raise DatasetError(f"{path} is not a dataset any reader understands ({'; '.join(reasons) or 'no on-disk kinds'})")

