"""GAN Studio: `python main.py` opens the window; `python main.py train ...` etc. run the CLI."""
import sys

from studio.cli import main

if __name__ == "__main__":
    sys.exit(main())
