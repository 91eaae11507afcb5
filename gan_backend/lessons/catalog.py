"""Lesson texts: small Markdown files with a few front-matter fields, read into :class:`Lesson` records.

    ---
    id: learning_to_sample            # unique, snake_case
    title: Learning to sample
    order: 1                          # place in the list
    experiment: one_d:learning_to_sample      # module (in gan_backend.lessons, or dotted) : function
    opens: playground                 # train, playground, translate or explore
    settings: dataset=toy2d:ring8, loss=nonsaturating     # what that tab is set to
    ---
    Two to four sentences of explanation (Markdown).

    $$ D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x)) $$      formulas, one per line, LaTeX-lite

    ## What to look for
    ## Questions                      a numbered or bulleted list, 1-3 items
    ## Answers                        optional, in the questions' order

Parsing needs no torch; :meth:`Lesson.build` imports the experiment's module only when it is asked for.
"""
from __future__ import annotations

import html
import importlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

REQUIRED = ("id", "title", "order", "experiment", "opens")
OPENS = ("train", "playground", "translate", "explore")
SECTIONS = {"what to look for": "look_for", "questions": "questions", "answers": "answers"}


class LessonTextError(ValueError):
    """A lesson file that cannot be read; the message names the file and the field."""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    experiment: str  # "module:function"; the function returns an Experiment
    opens: str  # the tab that has the same setup: train, playground, translate or explore
    settings: dict[str, str] = field(default_factory=dict)  # for that tab: config keys, or its own names
    explanation: str = ""  # Markdown
    formulas: tuple[str, ...] = ()  # LaTeX-lite, see formula_html
    look_for: str = ""  # Markdown
    questions: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    source: str = ""  # the file it was read from

    def build(self, **options):
        """A new experiment for this lesson (imports its module; torch is loaded here)."""
        module, _, name = self.experiment.partition(":")
        path = module if "." in module else f"gan_backend.lessons.{module}"
        return getattr(importlib.import_module(path), name)(**options)


def texts_folder() -> Path:
    return Path(str(resources.files("gan_backend.lessons").joinpath("texts")))


def load_lessons(folder: Path | None = None) -> list[Lesson]:
    """Every ``*.md`` lesson of ``folder`` (default: the shipped texts), in their ``order``."""
    lessons = [parse_lesson(p.read_text(encoding="utf-8"), str(p)) for p in sorted(Path(folder or texts_folder())
                                                                                   .glob("*.md"))]
    ids = [lesson.id for lesson in lessons]
    if len(set(ids)) != len(ids):
        raise LessonTextError(f"lesson ids must be unique; got {sorted(ids)}")
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))


def parse_lesson(text: str, source: str = "lesson") -> Lesson:
    head, body = _split_front_matter(text, source)
    missing = [k for k in REQUIRED if k not in head]
    if missing:
        raise LessonTextError(f"{source}: front matter lacks {', '.join(missing)}")
    if head["opens"] not in OPENS:
        raise LessonTextError(f"{source}: opens {head['opens']!r}; choose one of {', '.join(OPENS)}")
    if ":" not in head["experiment"]:
        raise LessonTextError(f"{source}: experiment {head['experiment']!r} must read module:function")
    try:
        order = int(head["order"])
    except ValueError:
        raise LessonTextError(f"{source}: order {head['order']!r} is not a whole number") from None
    parts = _sections(body)
    lines = parts["explanation"].splitlines()
    prose = [ln for ln in lines if not ln.strip().startswith("$$")]
    formulas = [ln.strip().strip("$").strip() for ln in lines if ln.strip().startswith("$$")]
    return Lesson(head["id"], head["title"], order, head["experiment"], head["opens"],
                  _settings(head.get("settings", "")), "\n".join(prose).strip(), tuple(formulas),
                  parts["look_for"].strip(), _items(parts["questions"]), _items(parts["answers"]), source)


def _split_front_matter(text: str, source: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in [ln.strip() for ln in lines[1:]]:
        raise LessonTextError(f"{source}: a lesson starts with front matter between two '---' lines")
    end = 1 + [ln.strip() for ln in lines[1:]].index("---")
    head = {}
    for ln in lines[1:end]:
        key, sep, value = ln.partition(":")
        if sep and key.strip():
            head[key.strip()] = value.split(" #")[0].strip()
    return head, "\n".join(lines[end + 1:])


def _sections(body: str) -> dict[str, str]:
    out = {"explanation": "", "look_for": "", "questions": "", "answers": ""}
    current = "explanation"
    for ln in body.splitlines():
        if ln.startswith("## "):
            current = SECTIONS.get(ln[3:].strip().lower(), current)
            continue
        out[current] += ln + "\n"
    return out


def _settings(text: str) -> dict[str, str]:
    pairs = [p.partition("=") for p in text.split(",") if p.strip()]
    return {k.strip(): v.strip() for k, _, v in pairs}


def _items(text: str) -> tuple[str, ...]:
    """The items of a Markdown list (``1.`` or ``-``), continuation lines joined."""
    items: list[str] = []
    for ln in text.splitlines():
        m = re.match(r"\s*(?:\d+[.)]|[-*])\s+(.*)", ln)
        if m:
            items.append(m.group(1).strip())
        elif ln.strip() and items:
            items[-1] += " " + ln.strip()
    return tuple(items)


def formula_html(formula: str) -> str:
    """LaTeX-lite to HTML: ``x_{data}`` / ``x_g`` subscripts, ``x^{2}`` / ``D^*`` superscripts, a few symbols."""
    text = html.escape(formula, quote=False)
    for name, symbol in SYMBOLS.items():
        text = text.replace(name, symbol)
    text = re.sub(r"_\{([^}]*)\}", r"<sub>\1</sub>", text)
    text = re.sub(r"\^\{([^}]*)\}", r"<sup>\1</sup>", text)
    text = re.sub(r"_([A-Za-z0-9θ]+)", r"<sub>\1</sub>", text)
    return re.sub(r"\^([A-Za-z0-9*θ]+)", r"<sup>\1</sup>", text)


# Replaced in this order (``\mathrm{softmax}`` before ``\max``); then _ and ^ become sub- and superscripts.
SYMBOLS = {r"\mathrm{softmax}": "softmax", r"\hat x": "x̂", r"\neq": "≠", r"\,": "&thinsp;", r"\;": "&nbsp;",
           r"\gamma": "γ", r"\theta": "θ", r"\sigma": "σ", r"\mu": "μ", r"\lambda": "λ", r"\nabla": "∇", r"\sum": "∑",
           r"\approx": "≈", r"\infty": "∞", r"\leq": "≤", r"\geq": "≥", r"\cdot": "·", r"\to": "→",
           r"\mathbb{E}": "E", r"\|": "‖", r"\log": "log", r"\min": "min", r"\max": "max", r"\sup": "sup",
           r"\quad": "&nbsp;&nbsp;&nbsp;"}
