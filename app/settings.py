"""Every GUI setting, declared once with its type and default, stored in an ini file.

The ini file lives in the data directory (``DataPaths.settings_file``), so tests that point the
data directory at a temp folder never touch the user's real settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from index.chronology import DEFAULT_GAP_DAYS

T = TypeVar("T")

HISTORY_SIZE = 20


class Setting(Generic[T]):
    """A typed descriptor over one QSettings key."""

    def __init__(self, key: str, default: T, kind: type):
        self.key = key
        self.default = default
        self.kind = kind

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj: Settings | None, owner=None):
        if obj is None:
            return self
        return obj._read(self)

    def __set__(self, obj: Settings, value: T) -> None:
        obj._write(self, value)


class Settings:
    """The window's settings. Read and write them as attributes: ``settings.splitter_state``."""

    window_geometry = Setting("window/geometry", QByteArray(), QByteArray)
    window_state = Setting("window/state", QByteArray(), QByteArray)
    splitter_state = Setting("window/splitter", QByteArray(), QByteArray)
    header_state = Setting("list/header", QByteArray(), QByteArray)
    filters_visible = Setting("filters/visible", True, bool)
    query_history = Setting("search/history", [], list)  # newest first, at most HISTORY_SIZE
    hidden_entity_kinds = Setting("detail/hidden_kinds", [], list)
    export_folder = Setting("export/folder", "", str)
    export_format = Setting("export/format", "csv", str)
    result_tab = Setting("window/tab", 0, int)  # 0 list, 1 chronology
    chronology_lanes = Setting("chronology/lanes", "type", str)
    chronology_gap_days = Setting("chronology/gap_days", DEFAULT_GAP_DAYS, int)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    # -- typed access ---------------------------------------------------------------------------
    def _read(self, setting: Setting) -> Any:
        value = self._qs.value(setting.key)
        if value is None:
            return _copy(setting.default)
        try:
            if setting.kind is bool:
                return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
            if setting.kind is list:
                # JSON text: QSettings turns a one-element list into a plain string in ini files.
                data = json.loads(value) if isinstance(value, str) else None
                return data if isinstance(data, list) else _copy(setting.default)
            if setting.kind is QByteArray:
                return value if isinstance(value, QByteArray) else QByteArray(bytes(value))
            return setting.kind(value)
        except (TypeError, ValueError):
            return _copy(setting.default)

    def _write(self, setting: Setting, value: Any) -> None:
        if setting.kind is list:
            value = json.dumps(list(value), ensure_ascii=False)
        self._qs.setValue(setting.key, value)

    def reset(self, setting: Setting) -> None:
        self._qs.remove(setting.key)

    def sync(self) -> None:
        self._qs.sync()

    # -- helpers --------------------------------------------------------------------------------
    def remember_query(self, text: str) -> list[str]:
        """Put ``text`` first in the history (no duplicates, at most HISTORY_SIZE) and return it."""
        text = text.strip()
        history = [q for q in self.query_history if isinstance(q, str) and q != text]
        if text:
            history.insert(0, text)
        history = history[:HISTORY_SIZE]
        self.query_history = history
        return history


def _copy(value):
    return list(value) if isinstance(value, list) else value
