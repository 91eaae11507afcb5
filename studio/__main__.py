"""`python -m studio`: the same as `gan-studio` (the window, or any subcommand)."""
import sys

from studio.cli import main

sys.exit(main())
