"""Turning an exception into the one line a user reads (a status bar, a dialog, a notice in metrics.jsonl)."""
from __future__ import annotations


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first non-empty line of ``str(exc)``, at most ``limit`` characters; the type's name when it says nothing.

    Library errors often carry pages of detail (torch's size mismatches list every tensor); the first
    line says what went wrong, and an exception raised without a message still gets a name.
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:limit]
