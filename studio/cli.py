"""`gan-studio`: no subcommand opens the window, `tour` tours it; every other subcommand is the headless CLI's.

The headless subcommands (:mod:`gan_backend.cli`) are parsed here too, so ``gan-studio --help`` lists them
all, and run by :func:`gan_backend.cli.run`.
"""
from __future__ import annotations

import argparse
import sys

from gan_backend import cli as backend_cli
from studio import app  # cheap: it imports Qt only when the window opens
from studio import prerequisites


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gan-studio", description="Train, watch and play with GANs; "
                                                               "with no subcommand, open the window.")
    backend_cli.add_version(p)
    sub = p.add_subparsers(dest="command")
    backend_cli.add_commands(sub)
    tour = sub.add_parser("tour", help="open the window offscreen, train briefly and save a PNG of every view")
    tour.add_argument("--out", required=True)
    tour.add_argument("--steps", type=int, default=100)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        if (missing := prerequisites.check()) is not None:  # before Qt can abort the process
            print(missing, file=sys.stderr)
            return prerequisites.EXIT_MISSING
        return app.main()
    if args.command == "tour":
        return app.main(tour_dir=args.out, tour_steps=args.steps)
    return backend_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
