"""The course's lessons: the lectures' figures as live experiments, Qt-free (the Learn tab draws them).

    from gan_backend.lessons import load_lessons
    lesson = load_lessons()[0]              # Lesson: title, explanation, formulas, questions, ...
    exp = lesson.build()                    # its Experiment (torch loads here)
    exp.set("mode", "d"); exp.step(); frame = exp.frame()    # LessonFrame: plots and pictures as NumPy

A lesson is data, not code. To add one, write two things:

1. a text file ``gan_backend/lessons/texts/NN_name.md``: front matter (``id``, ``title``, ``order``,
   ``experiment: module:function``, ``opens: train|playground|translate|explore``, ``settings: key=value, ...``),
   two to four sentences with ``$$ formula $$`` lines, then ``## What to look for``, ``## Questions`` and
   optionally ``## Answers`` (see :mod:`gan_backend.lessons.catalog` for the format);
2. the function it names, returning an :class:`~gan_backend.lessons.frames.Experiment`: a class with
   ``controls`` (the few :class:`~gan_backend.lessons.frames.Control` s it takes), ``set(name, value)``,
   ``step()`` (one small unit of work) and ``frame()`` (a :class:`~gan_backend.lessons.frames.LessonFrame`
   of :class:`Plot` s and :class:`Picture` s). The Learn tab builds its controls and plots from those, runs
   ``step`` on a worker thread and draws the newest frame; no GUI code is needed.

The shipped lessons: ``one_d`` (1, learning to sample), ``saturation`` (2), ``divergences`` (3, JS vs
Wasserstein), ``collapse`` (4, mode collapse), ``vae_vs_gan`` (5), ``conditional`` (6), ``attention`` (7),
``translation`` (8, paired vs unpaired). The Learn tab screenshots every lesson in the tour.
"""
from __future__ import annotations

from gan_backend.lessons.catalog import Lesson, LessonTextError, formula_html, load_lessons, parse_lesson
from gan_backend.lessons.frames import Control, Experiment, Heatmap, LessonFrame, Picture, Plot, Series

__all__ = ["Lesson", "LessonTextError", "load_lessons", "parse_lesson", "formula_html", "Control", "Experiment",
           "Heatmap", "LessonFrame", "Picture", "Plot", "Series"]
