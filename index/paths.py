"""Every path the program uses, declared once.

The data directory comes from, in order: an explicit override (``--data-dir``), the environment
variable ``READOUT_ARCHIVE_DATA_DIR``, and platformdirs' user data dir. Resources (sample archive,
gazetteer files, icons) are found next to the source tree or inside a PyInstaller bundle.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "readout-archive"
DATA_DIR_ENV = "READOUT_ARCHIVE_DATA_DIR"


def resources_dir() -> Path:
    """The read-only ``resources/`` folder, from source or from a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def sample_archive_dir() -> Path:
    return resources_dir() / "sample"


def default_data_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataPaths:
    """The layout of one data directory."""

    root: Path

    @classmethod
    def resolve(cls, override: str | os.PathLike[str] | None = None) -> DataPaths:
        root = Path(override).expanduser() if override else default_data_dir()
        return cls(root.resolve())

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def store_file(self) -> Path:
        """SQLite side store: file manifest, meeting records and cleaned texts."""
        return self.index_dir / "meetings.sqlite3"

    @property
    def store_verified_file(self) -> Path:
        """Size and time of the store file when it was last known good (its full check is
        skipped on open while they match)."""
        return self.index_dir / "store-verified.json"

    @property
    def whoosh_dir(self) -> Path:
        return self.index_dir / "whoosh"

    @property
    def overlay_file(self) -> Path:
        """User gazetteer overlay (aliases, extra names), merged over the bundled lists."""
        return self.root / "overlay.json"

    @property
    def bookmarks_file(self) -> Path:
        return self.root / "bookmarks.json"

    @property
    def saved_searches_file(self) -> Path:
        return self.root / "saved-searches.json"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.ini"

    def ensure(self) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
