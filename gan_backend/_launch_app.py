"""Open the Studio window (or its headless tour). Qt is imported here, at call time only."""
from __future__ import annotations


def run(args) -> int:
    from studio.app import main as studio_main

    return studio_main(tour_dir=getattr(args, "out", None), tour_steps=getattr(args, "steps", 100))
