"""PyInstaller entry point: the same ``main`` as the ``readout-archive`` console script."""

import sys

from index.cli import main

if __name__ == "__main__":
    sys.exit(main())
