"""Decorator registries, one per kind (models, losses, datasets, tasks).

Names are lowercase snake_case (datasets may carry a ``kind:`` prefix). A miss raises
``KeyError`` naming every valid choice, so a typo on the CLI or in a config says what to type.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered object with its name, one-line summary and free-form metadata."""

    name: str
    obj: T
    summary: str
    meta: dict[str, Any] = field(default_factory=dict)


class UnknownNameError(KeyError):
    """A name that is not in a registry; ``str()`` is the one-line message for the user."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0])


class Registry(Generic[T]):
    """A named collection of factories or functions of one kind."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, summary: str | None = None, **meta: Any) -> Callable[[T], T]:
        """Decorator: ``@MODELS.register("dcgan")``. The summary defaults to the docstring's first line."""

        def add(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            doc = summary or (getattr(obj, "__doc__", None) or "").strip().splitlines()[:1]
            text = doc if isinstance(doc, str) else (doc[0] if doc else "")
            self._entries[name] = Entry(name, obj, text, dict(meta))
            return obj

        return add

    def entry(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except KeyError:
            choices = ", ".join(self.names())
            raise UnknownNameError(f"unknown {self.kind} {name!r}; choose one of: {choices}") from None

    def get(self, name: str) -> T:
        return self.entry(name).obj

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(self._entries[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._entries)
