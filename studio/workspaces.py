"""Workspaces: the tabs of the centre area beyond "Train". Each is built on first show, so its imports
(torch, models) never slow the window's start.

To add a view: write ``studio/views/<name>.py`` with a ``QWidget`` subclass taking ``(window)`` (the
MainWindow, for its session, gallery selection and status bar) that keeps :class:`WorkspaceView`
(inherit :class:`WorkspaceHooks` for the hooks it does not need), then add one line to ``WORKSPACES``.
The tour grabs every workspace.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget


@runtime_checkable
class WorkspaceView(Protocol):
    """What the window and the tour ask of a workspace's view, besides being a QWidget."""

    def shutdown(self) -> None:
        """Stop the view's worker threads and wait for them (the window is closing)."""

    def prepare_for_tour(self) -> None:
        """Start something worth a screenshot (load a model, run a few steps)."""

    def tour_ready(self) -> bool:
        """True once the view shows what ``prepare_for_tour`` started; the tour waits at most 60 s."""


class WorkspaceHooks:
    """The defaults of :class:`WorkspaceView`: no threads to stop, nothing to prepare, ready at once."""

    def shutdown(self) -> None:
        pass

    def prepare_for_tour(self) -> None:
        pass

    def tour_ready(self) -> bool:
        return True

    def closeEvent(self, event) -> None:
        """A view closed on its own (not by the window) stops its threads too; list this class before QWidget."""
        self.shutdown()
        super().closeEvent(event)


class UnavailableView(WorkspaceHooks, QLabel):
    """Stands in for a view that failed to build, saying why: a broken view must not take the window down."""

    def __init__(self, title: str, exc: Exception):
        super().__init__(f"The {title} view could not be opened:\n{type(exc).__name__}: {exc}")
        self.setWordWrap(True)


@dataclass(frozen=True)
class Workspace:
    title: str  # tab text
    target: str  # "module:Class"; the class takes the MainWindow and keeps WorkspaceView
    tip: str  # tab tooltip


WORKSPACES: list[Workspace] = [
    Workspace("Explore", "studio.views.explore:LatentExplorer",
              "A run's latent space: sliders, principal directions, interpolation, truncation, arithmetic"),
    Workspace("Paint", "studio.views.paint:PaintView",
              "Paint a map of classes (sky, water, trees...); a SPADE model turns it into a picture as you paint"),
    Workspace("Translate", "studio.views.translate:TranslateView",
              "Drop, open or paste a picture and translate it (day to night, or with a CycleGAN / pix2pix you trained)"),
    Workspace("SinGAN", "studio.views.singan:SinGANView",
              "Learn one picture, then new variations at any size, paint-to-picture, harmonise, edit and animate"),
    Workspace("Playground", "studio.views.playground:PlaygroundView",
              "A small GAN on 2-D points: watch D's field, G's gradients and mode collapse step by step"),
    Workspace("Diagnose", "studio.views.diagnose:DiagnoseView",
              "What is going wrong in this run (D winning, mode collapse, divergence, oscillation) and what to try"),
    Workspace("Compare", "studio.views.compare:CompareView",
              "Several runs side by side: one metric's curves overlaid, final metrics, PNG/SVG and CSV export"),
    Workspace("Learn", "studio.views.learn:LearnView",
              "The course's lessons, live: 1-D GAN, saturation, JS vs Wasserstein, mode collapse, VAE vs GAN, ..."),
]


class WorkspaceTabs(QTabWidget):
    """Tab 0 is the training view; the others are placeholders until first shown."""

    def __init__(self, window, train_view: QWidget):
        super().__init__()
        self.window_ref, self.built = window, {}  # tab index -> its view, once shown
        self.setDocumentMode(True)
        self.addTab(train_view, "Train")
        self.setTabToolTip(0, "Pick data and a GAN, press Start and watch it learn")
        for ws in WORKSPACES:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            index = self.addTab(holder, ws.title)
            self.setTabToolTip(index, ws.tip)
        self.currentChanged.connect(self._on_current_changed)

    def view(self, title: str) -> WorkspaceView:
        """The workspace's view, built now if it was not yet."""
        for i, ws in enumerate(WORKSPACES, start=1):
            if ws.title == title:
                return self._ensure(i)
        raise KeyError(f"no workspace {title!r}; have {[w.title for w in WORKSPACES]}")

    @Slot(int)
    def _on_current_changed(self, index: int) -> None:
        if index > 0:
            self._ensure(index)

    def shutdown(self) -> None:
        """Stop the worker threads of the views built so far."""
        for view in self.built.values():
            view.shutdown()

    def _ensure(self, index: int) -> WorkspaceView:
        if index in self.built:
            return self.built[index]
        ws, holder = WORKSPACES[index - 1], self.widget(index)
        module, _, cls = ws.target.partition(":")
        try:
            view = getattr(importlib.import_module(module), cls)(self.window_ref)
        except Exception as exc:  # a broken view must not take the window down
            view = UnavailableView(ws.title, exc)
        holder.layout().addWidget(view)
        self.built[index] = view
        return view
