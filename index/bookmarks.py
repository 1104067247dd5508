"""Bookmarks (note and tags per meeting) and saved searches: user data kept beside the index.

Both live in small versioned JSON files in the data directory (``bookmarks.json``,
``saved-searches.json``), never in the index, so a rebuild or re-indexing cannot touch them.
Bookmarks are keyed by the stable meeting id (derived from the source path); a bookmark whose
meeting is no longer in the archive is kept and reported as missing, never dropped.

Every change is written atomically with one ``.bak`` backup. A file that cannot be read is moved
aside as ``<name>.corrupt-<timestamp>`` and the backup is restored; what happened is put in
``.notices`` for the CLI to print and the GUI to show once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Protocol

from .atomic import backup_path, write_atomic, write_json_atomic
from .errors import BadQuery, UnknownBookmark, UnknownSavedSearch, UserDataError
from .models import Meeting, SearchResult
from .paths import DataPaths
from .query import SORTS, SearchFilters

VERSION = 1


class _Invalid(ValueError):
    """The file's content does not match the format (the message says where)."""


class _RecordsSource(Protocol):
    def records(self, ids: Iterable[str]) -> dict[str, Meeting]: ...


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def normalise_tag(tag: str) -> str:
    """Collapse whitespace; tags compare case-insensitively but keep the spelling first given."""
    text = " ".join(str(tag).split())
    if not text:
        raise UserDataError("a tag cannot be empty")
    return text


def _merge_tags(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for group in groups:
        for tag in group:
            text = normalise_tag(tag)
            seen.setdefault(text.casefold(), text)
    return tuple(seen.values())


# -- the versioned file with recovery ----------------------------------------------------------


class _UserDataFile:
    """Load/save of one versioned JSON document ``{"format", "version", <key>: [...]}``."""

    def __init__(self, path: Path, kind: str, key: str, label: str):
        self.path = Path(path)
        self.kind = kind  # the "format" marker written into the file
        self.key = key  # the list inside the document
        self.label = label  # "bookmarks", "saved searches": for messages
        self.notices: list[str] = []
        self.read_only = False
        self._stamp: tuple[int, int, int] | None = None

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def changed_on_disk(self) -> bool:
        return self._stat() != self._stamp

    def load(self, parse) -> list:
        """The parsed entries; recovers from a damaged file as described in the module doc."""
        self.read_only = False
        if not self.path.exists():
            self._stamp = None
            return []
        try:
            entries = self._parse_file(self.path, parse)
        except _Invalid as err:
            return self._recover(str(err), parse)
        self._stamp = self._stat()
        return entries

    def _parse_file(self, path: Path, parse) -> list:
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except OSError as err:
            raise UserDataError(f"cannot read the {self.label} file {path}: {err.strerror or err}") from None
        except (UnicodeDecodeError, ValueError) as err:
            raise _Invalid(f"not valid JSON ({err})") from None
        if not isinstance(data, dict):
            raise _Invalid("the top level is not a JSON object")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise _Invalid('no "version" number')
        if data.get("format", self.kind) != self.kind:
            raise _Invalid(f"it is a {data.get('format')!r} file, not {self.kind!r}")
        items = data.get(self.key, [])
        if not isinstance(items, list):
            raise _Invalid(f'"{self.key}" is not a list')
        if version > VERSION:
            # Written by a newer program: read what we understand but never overwrite it.
            self.read_only = True
            self.notices.append(
                f"{path.name} was written by a newer version of Readout Archive (format {version}); "
                f"the {self.label} are shown but cannot be changed with this version."
            )
        out = []
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise _Invalid(f"entry {n} is not a JSON object")
            try:
                out.append(parse(item))
            except (KeyError, TypeError, ValueError) as err:
                raise _Invalid(f"entry {n} is malformed ({type(err).__name__}: {err})") from None
        return out

    def _recover(self, reason: str, parse) -> list:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.path, aside)
        except OSError as err:
            self.read_only = True
            self.notices.append(
                f"The {self.label} file {self.path} cannot be read ({reason}) and could not be moved "
                f"aside ({err.strerror or err}); the {self.label} cannot be changed until it is fixed."
            )
            self._stamp = self._stat()
            return []
        message = f"The {self.label} file {self.path.name} could not be read ({reason}); it was moved to {aside.name}"
        bak = backup_path(self.path)
        entries: list = []
        if bak.exists():
            try:
                entries = self._parse_file(bak, parse)
                write_atomic(self.path, bak.read_bytes())
            except (_Invalid, UserDataError, OSError) as err:
                message += f" and the backup {bak.name} is not usable either ({err}): starting empty."
                entries = []
            else:
                when = dt.datetime.fromtimestamp(bak.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
                message += f" and the backup from {when} was restored ({len(entries)} {self.label})."
        else:
            message += f" and there is no backup: starting with no {self.label}."
        self.notices.append(message)
        self._stamp = self._stat()
        return entries

    def save(self, entries: Sequence[dict]) -> None:
        if self.read_only:
            raise UserDataError(
                f"the {self.label} file {self.path} cannot be changed by this version (see the earlier message)"
            )
        document = {"format": self.kind, "version": VERSION, self.key: list(entries)}
        try:
            write_json_atomic(self.path, document, backup=True)
        except OSError as err:
            raise UserDataError(
                f"cannot save the {self.label} to {self.path}: {err.strerror or err}"
            ) from None
        self._stamp = self._stat()


# -- bookmarks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bookmark:
    meeting_id: str
    note: str = ""
    tags: tuple[str, ...] = ()
    # A snapshot of the meeting when it was bookmarked, so a missing meeting can still be named.
    title: str = ""
    meeting_date: dt.date | None = None
    source: str = ""
    created: str = ""
    modified: str = ""

    def has_tag(self, tag: str) -> bool:
        wanted = normalise_tag(tag).casefold()
        return any(t.casefold() == wanted for t in self.tags)

    def to_json(self) -> dict:
        return {
            "id": self.meeting_id,
            "note": self.note,
            "tags": list(self.tags),
            "title": self.title,
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
            "source": self.source,
            "created": self.created,
            "modified": self.modified,
        }

    @classmethod
    def from_json(cls, data: dict) -> Bookmark:
        mid = data["id"]
        if not isinstance(mid, str) or not mid:
            raise ValueError('"id" must be a non-empty string')
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValueError('"tags" must be a list of strings')
        date = data.get("meeting_date")
        return cls(
            meeting_id=mid,
            note=_str(data, "note"),
            tags=_merge_tags(t for t in tags if t.strip()),
            title=_str(data, "title"),
            meeting_date=dt.date.fromisoformat(date) if date else None,
            source=_str(data, "source"),
            created=_str(data, "created"),
            modified=_str(data, "modified"),
        )


def _str(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string')
    return value


@dataclass(frozen=True)
class BookmarkStatus:
    """A bookmark with its meeting looked up in the archive (``meeting`` is None if missing)."""

    bookmark: Bookmark
    meeting: Meeting | None

    @property
    def missing(self) -> bool:
        return self.meeting is None

    @property
    def title(self) -> str:
        return self.meeting.parsed.title if self.meeting is not None else self.bookmark.title

    def to_json(self) -> dict:
        return {**self.bookmark.to_json(), "title": self.title, "missing": self.missing}


class _Collection:
    """Entries of one user-data file kept in memory, keyed, in file order. Every read checks
    whether another process (the CLI, a second window) changed the file and re-reads it; every
    change writes it atomically. Methods are safe to call from several threads."""

    _FORMAT: str  # the "format" marker of the file
    _LIST_KEY: str  # the list inside the document
    _LABEL: str  # "bookmarks", "saved searches": for messages
    _PATHS_ATTR: str  # the DataPaths attribute naming the file
    _ENTRY: Any  # the entry class (with from_json / to_json)

    def __init__(self, path: Path):
        self._file = _UserDataFile(path, self._FORMAT, self._LIST_KEY, self._LABEL)
        self._lock = threading.RLock()
        self._items: dict[str, Any] = {}
        self.reload()

    @classmethod
    def open(cls, data_dir=None):
        return cls(getattr(DataPaths.resolve(data_dir), cls._PATHS_ATTR))

    @staticmethod
    def _key(entry) -> str:
        raise NotImplementedError

    @property
    def path(self) -> Path:
        return self._file.path

    @property
    def notices(self) -> list[str]:
        """Messages the user should see once (recovery from a damaged file, read-only mode)."""
        return self._file.notices

    @property
    def read_only(self) -> bool:
        return self._file.read_only

    def reload(self) -> None:
        with self._lock:
            self._items = {self._key(e): e for e in self._file.load(self._ENTRY.from_json)}

    def _fresh(self) -> None:
        if self._file.changed_on_disk():
            self.reload()

    def _save(self) -> None:
        self._file.save([e.to_json() for e in self._items.values()])

    def __len__(self) -> int:
        self._fresh()
        return len(self._items)

    def __iter__(self):
        return iter(self.list())


class Bookmarks(_Collection):
    """The bookmarks of one data directory, keyed by meeting id. Open with
    ``Bookmarks.open(data_dir)``."""

    _FORMAT, _LIST_KEY, _LABEL = "readout-archive/bookmarks", "bookmarks", "bookmarks"
    _PATHS_ATTR = "bookmarks_file"
    _ENTRY = Bookmark

    @staticmethod
    def _key(entry: Bookmark) -> str:
        return entry.meeting_id

    # -- reading --
    def __contains__(self, meeting_id: object) -> bool:
        self._fresh()
        return meeting_id in self._items

    def get(self, meeting_id: str) -> Bookmark | None:
        self._fresh()
        return self._items.get(meeting_id)

    def list(self, tag: str | None = None) -> list[Bookmark]:
        """Bookmarks in the order they were made, optionally only those with ``tag``."""
        with self._lock:
            self._fresh()
            items = list(self._items.values())
        return [b for b in items if b.has_tag(tag)] if tag else items

    def ids(self, tag: str | None = None) -> list[str]:
        return [b.meeting_id for b in self.list(tag)]

    def tags(self) -> dict[str, int]:
        """Every tag with how many bookmarks carry it, by name (case-insensitive)."""
        counts: dict[str, int] = {}
        spelling: dict[str, str] = {}
        for b in self.list():
            for tag in b.tags:
                key = tag.casefold()
                spelling.setdefault(key, tag)
                counts[key] = counts.get(key, 0) + 1
        return {spelling[k]: counts[k] for k in sorted(counts)}

    def resolve(self, archive: _RecordsSource, tag: str | None = None) -> list[BookmarkStatus]:
        """Bookmarks with their meetings (no text) from ``archive``; missing ones are kept."""
        items = self.list(tag)
        found = archive.records(b.meeting_id for b in items)
        return [BookmarkStatus(b, found.get(b.meeting_id)) for b in items]

    # -- changing --
    def add(self, meeting: Meeting | str, *, note: str | None = None, tags: Iterable[str] = ()) -> Bookmark:
        """Bookmark a meeting, or update its bookmark: ``note`` replaces the note if given,
        ``tags`` are added to the existing ones. Pass the ``Meeting`` so its title is remembered."""
        mid = meeting if isinstance(meeting, str) else meeting.id
        if not mid:
            raise UserDataError("a bookmark needs a meeting id")
        with self._lock:
            self._fresh()
            now = _now()
            old = self._items.get(mid) or Bookmark(mid, created=now)
            new = replace(
                old,
                note=old.note if note is None else note.strip(),
                tags=_merge_tags(old.tags, tags),
                modified=now,
            )
            if isinstance(meeting, Meeting):
                p = meeting.parsed
                new = replace(new, title=p.title, meeting_date=p.meeting_date, source=meeting.source)
            self._items[mid] = new
            self._save()
            return new

    def edit(
        self,
        meeting_id: str,
        *,
        note: str | None = None,
        tags: Iterable[str] | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> Bookmark:
        """Change an existing bookmark: ``note`` ("" clears it), ``tags`` replaces all tags,
        then ``add_tags`` / ``remove_tags``."""
        with self._lock:
            self._fresh()
            old = self._items.get(meeting_id)
            if old is None:
                raise UnknownBookmark(meeting_id)
            current = old.tags if tags is None else ()
            dropped = {normalise_tag(t).casefold() for t in remove_tags}
            kept = [t for t in _merge_tags(current, tags or (), add_tags) if t.casefold() not in dropped]
            new = replace(
                old,
                note=old.note if note is None else note.strip(),
                tags=tuple(kept),
                modified=_now(),
            )
            self._items[meeting_id] = new
            self._save()
            return new

    def remove(self, meeting_id: str) -> Bookmark:
        with self._lock:
            self._fresh()
            old = self._items.pop(meeting_id, None)
            if old is None:
                raise UnknownBookmark(meeting_id)
            try:
                self._save()
            except BaseException:
                self._items[meeting_id] = old
                raise
            return old


# -- saved searches ----------------------------------------------------------------------------

# Stored filter fields: "ids" (the GUI's "show bookmarked" restriction) is a view of the moment.
_FILTER_FIELDS = tuple(f.name for f in fields(SearchFilters) if f.name != "ids")
_DATE_FILTERS = ("date_from", "date_to")


def filters_to_json(filters: SearchFilters) -> dict:
    out: dict[str, Any] = {}
    for name in _FILTER_FIELDS:
        value = getattr(filters, name)
        if name == "mentions":
            if value:
                out[name] = [[facet, facet_value] for facet, facet_value in value]
        elif value:
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def filters_from_json(data: dict) -> SearchFilters:
    if not isinstance(data, dict):
        raise ValueError('"filters" must be an object')
    values: dict[str, Any] = {}
    for name in _FILTER_FIELDS:  # unknown keys (from a newer version) are ignored
        value = data.get(name)
        if value in (None, "", []):
            continue
        if name == "mentions":
            if not isinstance(value, list) or not all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
                for pair in value
            ):
                raise ValueError('filter "mentions" must be a list of [facet, value] pairs')
            values[name] = tuple((facet, facet_value) for facet, facet_value in value)
            continue
        if not isinstance(value, str):
            raise ValueError(f'filter "{name}" must be a string')
        values[name] = dt.date.fromisoformat(value) if name in _DATE_FILTERS else value
    return SearchFilters(**values)


class _Searchable(Protocol):
    def search(self, text: str, filters: SearchFilters | None = None, **kwargs) -> SearchResult: ...


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    created: str = ""

    def run(self, archive: _Searchable, *, limit: int | None = 50, snippets: int = 20) -> SearchResult:
        return archive.search(self.query, self.filters, limit=limit, sort=self.sort, snippets=snippets)

    def describe(self) -> str:
        """One line: the query and the filters, as the user would have typed them."""
        parts = [self.query or "*"]
        parts += [f"{k}={v}" for k, v in filters_to_json(self.filters).items()]
        if self.sort != "relevance":
            parts.append(f"sort={self.sort}")
        return "  ".join(parts)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "query": self.query,
            "filters": filters_to_json(self.filters),
            "sort": self.sort,
            "created": self.created,
        }

    @classmethod
    def from_json(cls, data: dict) -> SavedSearch:
        name, query = data["name"], data.get("query", "")
        if not isinstance(name, str) or not name.strip() or not isinstance(query, str):
            raise ValueError('"name" and "query" must be strings')
        sort = data.get("sort") or "relevance"
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        return cls(
            name=name,
            query=query,
            filters=filters_from_json(data.get("filters") or {}),
            sort=sort,
            created=_str(data, "created"),
        )


class SavedSearches(_Collection):
    """Named queries with their filters. Names are unique regardless of case."""

    _FORMAT, _LIST_KEY, _LABEL = "readout-archive/saved-searches", "saved_searches", "saved searches"
    _PATHS_ATTR = "saved_searches_file"
    _ENTRY = SavedSearch

    @staticmethod
    def _key(entry: SavedSearch) -> str:
        return entry.name.casefold()

    def list(self) -> list[SavedSearch]:
        with self._lock:
            self._fresh()
            return list(self._items.values())

    def get(self, name: str) -> SavedSearch:
        self._fresh()
        found = self._items.get(name.strip().casefold())
        if found is None:
            raise UnknownSavedSearch(name)
        return found

    def add(
        self,
        name: str,
        query: str,
        filters: SearchFilters | None = None,
        *,
        sort: str = "relevance",
        replace_existing: bool = False,
    ) -> SavedSearch:
        """Save a search. Check it first with ``archive.search(..., limit=1)`` for a clear error
        on bad syntax; here only the name and the sort are checked."""
        name = " ".join(name.split())
        if not name:
            raise UserDataError("a saved search needs a name")
        if sort not in SORTS:
            raise BadQuery(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        with self._lock:
            self._fresh()
            key = name.casefold()
            if key in self._items and not replace_existing:
                raise UserDataError(f"there is already a saved search named {self._items[key].name!r}")
            saved = SavedSearch(name, query.strip(), filters or SearchFilters(), sort, created=_now())
            self._items[key] = saved
            self._save()
            return saved

    def remove(self, name: str) -> SavedSearch:
        with self._lock:
            old = self.get(name)
            del self._items[old.name.casefold()]
            self._save()
            return old

    def rename(self, old_name: str, new_name: str) -> SavedSearch:
        with self._lock:
            old = self.get(old_name)
            new_name = " ".join(new_name.split())
            if not new_name:
                raise UserDataError("a saved search needs a name")
            clash = self._items.get(new_name.casefold())
            if clash is not None and clash is not old:
                raise UserDataError(f"there is already a saved search named {clash.name!r}")
            new = replace(old, name=new_name)
            items = {}
            for key, value in self._items.items():  # keep the order
                if value is old:
                    items[new_name.casefold()] = new
                else:
                    items[key] = value
            self._items = items
            self._save()
            return new
