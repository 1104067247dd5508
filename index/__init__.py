"""Readout Archive core: ingest, extraction, index, search, chronology, bookmarks, export.

This package never imports Qt; the GUI in ``app/`` and the CLI in ``index.cli`` both sit on it.
"""

__version__ = "0.1.0"
