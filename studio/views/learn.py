"""LearnView: the course's lessons, each a page with a live experiment (``gan_backend.lessons``).

The lesson list is on the left, the lesson's page on the right. Experiments step on one thread
(``studio.workers.lessons``); only the lesson on screen runs. A lesson's button opens the same setup in the
Train, Playground, Translate or Explore tab (``open_setup``).
"""
from __future__ import annotations

import time

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QStackedWidget, QWidget

from gan_backend.lessons.catalog import load_lessons
from studio.views.learn_page import LessonPage
from studio.workers.lessons import LessonRunner
from studio.workspaces import WorkspaceHooks


class LearnView(WorkspaceHooks, QWidget):
    """Lesson list and pages. ``pages`` maps lesson id -> its LessonPage, built on first visit."""

    def __init__(self, window=None):
        super().__init__()
        self.window_ref = window
        self.lessons = load_lessons()
        self.runner = LessonRunner(self)
        self.pages: dict[str, LessonPage] = {}
        self.current = ""
        self._tour_started = 0.0
        self.list = QListWidget()
        for lesson in self.lessons:
            item = QListWidgetItem(f"{lesson.order}. {lesson.title}")
            item.setToolTip(lesson.explanation.splitlines()[0] if lesson.explanation else lesson.title)
            self.list.addItem(item)
        self.list.setFixedWidth(190)
        self.stack = QStackedWidget()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.stack, 1)
        self.runner.built.connect(self._on_built)
        self.runner.frame_ready.connect(self._on_frame_ready)
        self.runner.failed.connect(self._on_failed)
        self.runner.running_changed.connect(self._on_running_changed)
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.list.setCurrentRow(0)

    # --- lessons ---
    def show_lesson(self, lesson_id: str) -> LessonPage:
        """Put a lesson on screen (building its page and experiment the first time)."""
        self.list.setCurrentRow([lesson.id for lesson in self.lessons].index(lesson_id))
        return self.pages[lesson_id]

    @Slot(int)
    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        lesson = self.lessons[row]
        self.current = lesson.id
        if lesson.id not in self.pages:
            self.pages[lesson.id] = page = LessonPage(lesson)
            self._connect_page(page)
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.pages[lesson.id])
        self.runner.open(lesson)

    def _connect_page(self, page: LessonPage) -> None:
        lid = page.lesson.id
        page.control_changed.connect(lambda name, value: self.runner.set_control(lid, name, value))
        page.clicked.connect(lambda panel, row, col: self.runner.click(lid, panel, row, col))
        page.run_toggled.connect(self.runner.set_running)
        page.step_requested.connect(lambda: self.runner.step_once(lid))
        page.reset_requested.connect(lambda: self._reset(page))
        page.open_requested.connect(lambda: self.open_setup(page.lesson))
        page.frame_shown.connect(self.runner.frame_shown)

    def _reset(self, page: LessonPage) -> None:
        self.runner.set_running(False)
        page.status.setText("Building the experiment...")
        self.runner.reset(page.lesson)

    # --- from the lessons thread ---
    @Slot(str, object)
    def _on_built(self, lesson_id: str, info) -> None:
        self.pages[lesson_id].set_info(info)

    @Slot(str, object)
    def _on_frame_ready(self, lesson_id: str, frame) -> None:
        self.pages[lesson_id].show_frame(frame)

    @Slot(str, str)
    def _on_failed(self, lesson_id: str, message: str) -> None:
        self.pages[lesson_id].show_failure(message)

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        if self.current in self.pages:
            self.pages[self.current].set_running(running)
        for lid, page in self.pages.items():
            if lid != self.current:
                page.set_running(False)

    # --- the same setup elsewhere ---
    def open_setup(self, lesson) -> None:
        """Switch to the tab the lesson names, set as the lesson's ``settings`` say."""
        w = self.window_ref
        if w is None:
            return
        title = {"train": "Train", "playground": "Playground", "translate": "Translate", "explore": "Explore"}
        settings = dict(lesson.settings)
        if lesson.opens == "train":
            _open_in_train(w, settings)
        elif lesson.opens == "playground":
            _open_in_playground(w.workspaces.view("Playground"), settings)
        elif lesson.opens == "translate":
            w.workspaces.view("Translate").load_model(settings.get("model", "translator"))
        else:
            w.workspaces.view("Explore").use_current_run(force=True)
        tabs = w.workspaces
        tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == title[lesson.opens]))

    # --- WorkspaceView ---
    def shutdown(self) -> None:
        self.runner.shutdown()

    def prepare_for_tour(self) -> None:
        self.show_tour_page(self.tour_pages()[0])

    def tour_ready(self) -> bool:
        page = self.pages.get(self.current)
        if page is None or page.last_frame is None or page.info is None:
            return False
        if not self._tour_started:
            self._tour_started = time.monotonic()  # counted from the first frame: building is not stepping
        ready = (page.last_frame.step >= page.info.tour_steps
                 or time.monotonic() - self._tour_started > page.info.tour_seconds)
        if ready:
            self.runner.set_running(False)
        return ready

    def tour_pages(self) -> list[str]:
        """One page name per lesson, "lesson_01_<id>": the tour shows each (``show_tour_page``), waits for
        ``tour_ready`` and saves a screenshot named after it."""
        return [f"lesson_{lesson.order:02d}_{lesson.id}" for lesson in self.lessons]

    def show_tour_page(self, page: str) -> None:
        lesson_id = page.split("_", 2)[2]
        self.show_lesson(lesson_id)
        self._tour_started = 0.0
        self.runner.on_experiment(lesson_id, lambda e: e.prepare_tour())
        self.runner.set_running(True)


def _open_in_train(window, settings: dict) -> None:
    """Pick the dataset (if the lesson names one), then set the panel's fields once it has opened."""
    dataset = settings.pop("data.dataset", None)
    panel = window.panel
    if dataset and dataset != panel.dataset_spec:
        def apply(_info, values=dict(settings)) -> None:
            window.browser.dataset_opened.disconnect(apply)
            panel.set_values(values)
        window.browser.dataset_opened.connect(apply)
        window.browser.select(dataset)
    else:
        panel.set_values(settings)


def _open_in_playground(view, settings: dict) -> None:
    at = view.dataset.findData(settings.get("dataset", "toy2d:ring8"))
    if at >= 0:
        view.dataset.setCurrentIndex(at)
    if "loss" in settings:
        view.loss.setCurrentText(settings["loss"])
    if "d_steps" in settings:
        view.d_steps.setValue(int(settings["d_steps"]))
