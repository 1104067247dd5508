"""SQLite side store: the file manifest (for incremental indexing), meeting records and texts.

Whoosh holds only postings; records and bodies live here so that listing and showing meetings
never touches the full-text index and large stored text stays out of the postings path.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .models import Meeting

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha1 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meetings (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    meeting_date TEXT,
    record TEXT NOT NULL,
    body TEXT NOT NULL,
    extras TEXT NOT NULL DEFAULT '{}',
    facets TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS meetings_date ON meetings(meeting_date);
"""


MENTIONED_COUNTRY = "mentioned_country"


def facet_values(meeting: Meeting) -> dict[str, list[str]]:
    """The values a meeting counts under in facet counts: its metadata and every entity kind."""
    p = meeting.parsed
    facets: dict[str, list[str]] = {
        "type": [p.meeting_type] if p.meeting_type else [],
        "format": [p.format] if p.format else [],
        "country": list(dict.fromkeys(p.countries)),
        "participant": list(dict.fromkeys(x.canonical for x in p.participants)),
    }
    for mention in meeting.entities:
        if mention.kind not in ("money", "event"):
            # "country" counts the countries taking part; countries merely named are apart.
            key = MENTIONED_COUNTRY if mention.kind == "country" else mention.kind
            values = facets.setdefault(key, [])
            if mention.canonical not in values:
                values.append(mention.canonical)
    return facets


@dataclass(frozen=True)
class StoredMeeting:
    """A meeting's row in the store, its parts already serialised. Worker processes send this
    instead of the meeting: a few strings are quicker to send and to receive than the meeting's
    objects, and the indexing process, which all workers wait on, has less to do."""

    id: str
    path: str
    meeting_date: str | None
    record: str  # JSON: the meeting without its text
    body: str
    extras: str  # JSON: entities and referenced events
    facets: str  # JSON: facet_values

    @classmethod
    def of(cls, meeting: Meeting) -> StoredMeeting:
        record = meeting.to_json(with_text=False)
        extras = {
            "entities": [e.to_json() for e in meeting.entities],
            "referenced_events": [e.to_json() for e in meeting.events],
        }
        return cls(
            meeting.id,
            meeting.source,
            record["meeting_date"],
            json.dumps(record),
            meeting.parsed.text,
            json.dumps(extras),
            json.dumps(facet_values(meeting)),
        )


@dataclass(frozen=True)
class FileState:
    path: str
    id: str
    size: int
    mtime_ns: int
    sha1: str


class Store:
    """One SQLite database; each thread gets its own connection (WAL: readers never block the
    writer), so a search thread, the GUI thread and an indexing job never share a transaction."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._db.executescript(_SCHEMA)

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._guard:
                self._connections.append(db)
        return db

    def close(self) -> None:
        with self._guard:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    # -- meta ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        self._db.execute("DELETE FROM meta WHERE key=?", (key,))

    def check(self, verified: dict | None = None) -> bool:
        """Raise ``sqlite3.DatabaseError`` when the file is damaged (a quick check of every page:
        about a millisecond per MB, seconds for a large archive). Skipped when the file is as
        ``verified`` (a ``fingerprint()`` taken when it was last known good); True if checked."""
        if verified is not None and verified == self.fingerprint():
            return False
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems))
        return True

    def fingerprint(self) -> dict:
        """Size and modification time of the database file, with its write-ahead log folded in
        first where possible (so a later close does not touch the file again). PASSIVE: never
        waits for a writer (an indexing run keeps its transaction open); if the log could not be
        folded in, the file changes later and the next open simply checks it."""
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        stat = self.path.stat()
        return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}

    # -- files --------------------------------------------------------------------------------
    def file_states(self, under: Iterable[str] | None = None) -> dict[str, FileState]:
        """The known files (only those equal to or below the paths ``under`` when given)."""
        query = "SELECT path, id, size, mtime_ns, sha1 FROM files"
        if under is None:
            return {row[0]: FileState(*row) for row in self._db.execute(query)}
        out: dict[str, FileState] = {}
        for root in dict.fromkeys(under):
            # Below root: from "root/" up to (not including) "root0" ("0" follows "/"), compared
            # byte by byte like _is_under does (LIKE would ignore case).
            base = root.rstrip("/")
            rows = self._db.execute(
                f"{query} WHERE path = ? OR (path >= ? AND path < ?)", (base or "/", base + "/", base + "0")
            )
            out.update((row[0], FileState(*row)) for row in rows)
        return out

    # -- writes (one transaction per batch) ------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[StoreBatch]:
        """One transaction, written row by row as indexing goes (nothing is held in memory) and
        visible to readers only at ``commit()``; rolled back if the block raises. Committed on
        leaving the block if not yet done."""
        batch = StoreBatch(self._db)
        try:
            yield batch
        except BaseException:
            batch.rollback()
            raise
        batch.commit()

    def write_batch(
        self,
        meetings: Iterable[tuple[Meeting, FileState]],
        touched: Iterable[FileState] = (),
        removed_paths: Iterable[str] = (),
    ) -> None:
        with self.batch() as batch:
            for path in removed_paths:
                batch.remove(path)
            for state in touched:
                batch.touch(state)
            for meeting, state in meetings:
                batch.add(meeting, state)

    def clear(self) -> None:
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM meetings")
        self._db.execute("DELETE FROM files")
        self._db.execute("COMMIT")

    # -- reads --------------------------------------------------------------------------------
    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]

    def ids(self) -> set[str]:
        """The id of every meeting."""
        return {mid for (mid,) in self._db.execute("SELECT id FROM meetings")}

    def get(self, meeting_id: str) -> Meeting | None:
        """The whole meeting: record, text, entities and referenced events."""
        row = self._db.execute(
            "SELECT record, body, extras FROM meetings WHERE id=?", (meeting_id,)
        ).fetchone()
        if row is None:
            return None
        return Meeting.from_json({**json.loads(row[0]), **json.loads(row[2])}, text=row[1])

    def text(self, meeting_id: str) -> str | None:
        row = self._db.execute("SELECT body FROM meetings WHERE id=?", (meeting_id,)).fetchone()
        return row[0] if row else None

    def _rows(self, columns: str, ids: Iterable[str] | None) -> Iterator[tuple]:
        """(id, *columns) of the meetings ``ids`` (every meeting when None), one query per 500."""
        if ids is None:
            yield from self._db.execute(f"SELECT id, {columns} FROM meetings")
            return
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"SELECT id, {columns} FROM meetings WHERE id IN ({marks})", chunk)

    def records(self, ids: Iterable[str]) -> dict[str, dict]:
        """Record dicts (no text) for the given ids."""
        return {mid: json.loads(record) for mid, record in self._rows("record", ids)}

    def record_fields(self, ids: Iterable[str] | None, fields: Sequence[str]) -> dict[str, tuple]:
        """id -> the values of top-level record ``fields`` (JSON text for lists and objects) of
        the meetings ``ids`` (every meeting when None), read by SQLite itself without decoding
        whole records in Python."""
        columns = ", ".join(f"json_extract(record, '$.{field}')" for field in fields)
        return {row[0]: row[1:] for row in self._rows(columns, ids)}

    def facets(self, ids: Iterable[str] | None = None) -> Iterator[tuple[str, dict[str, list[str]]]]:
        """(id, {facet: [values]}) for ``ids`` (all meetings when None)."""
        for mid, facets in self._rows("facets", ids):
            yield mid, json.loads(facets)

    def facet_counts(self, ids: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
        """(facet, value) -> how many of the meetings ``ids`` (all meetings when None) count under
        it; counted by SQLite, so a count over 100,000 meetings holds no Python objects per
        meeting (and leaves the GIL to the window)."""
        count = (
            "SELECT f.key, v.value, count(*) FROM {rows}, json_each(m.facets) f, json_each(f.value) v "
            "GROUP BY f.key, v.value"
        )
        db = self._db
        if ids is None:
            rows = db.execute(count.format(rows="meetings m"))
        else:  # the ids in a temporary table of this connection (this thread's own)
            db.execute("CREATE TEMP TABLE IF NOT EXISTS counted (id TEXT PRIMARY KEY)")
            db.execute("DELETE FROM temp.counted")
            db.executemany("INSERT OR IGNORE INTO temp.counted(id) VALUES (?)", ((mid,) for mid in ids))
            rows = db.execute(count.format(rows="temp.counted c JOIN meetings m ON m.id = c.id"))
        counts = {(name, value): n for name, value, n in rows}
        if ids is not None:
            db.execute("DELETE FROM temp.counted")
        return counts

    def referenced_events(self, ids: Iterable[str]) -> Iterator[tuple[str, list[dict]]]:
        """(id, [referenced event as JSON]) of the meetings ``ids``."""
        for mid, events in self._rows("json_extract(extras, '$.referenced_events')", ids):
            yield mid, json.loads(events) if events else []

    def countries(self) -> list[str]:
        """Every country taking part in a meeting or where one took place (read by SQLite)."""
        rows = self._db.execute(
            "SELECT value FROM meetings, json_each(meetings.record, '$.countries') "
            "UNION SELECT json_extract(record, '$.location.country') FROM meetings"
        )
        return [name for (name,) in rows if isinstance(name, str) and name]

    def date_span(self) -> tuple[str, str] | None:
        """The first and last meeting dates (ISO), or None when no meeting has a date."""
        first, last = self._db.execute(
            "SELECT min(meeting_date), max(meeting_date) FROM meetings WHERE meeting_date IS NOT NULL"
        ).fetchone()
        return (first, last) if first else None

    def iter_meetings(self, *, with_text: bool = False) -> Iterator[Meeting]:
        column = "body" if with_text else "''"
        rows = self._db.execute(f"SELECT record, {column} FROM meetings ORDER BY meeting_date, id")
        for record, body in rows:
            yield Meeting.from_json(json.loads(record), text=body)


class StoreBatch:
    """The writes of one indexing run, in one open transaction (see ``Store.batch``)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        db.execute("BEGIN")
        self._open = True

    def add(self, meeting: Meeting | StoredMeeting, state: FileState) -> None:
        row = meeting if isinstance(meeting, StoredMeeting) else StoredMeeting.of(meeting)
        self._db.execute(
            "INSERT OR REPLACE INTO meetings(id, path, meeting_date, record, body, extras, facets)"
            " VALUES (?,?,?,?,?,?,?)",
            (row.id, row.path, row.meeting_date, row.record, row.body, row.extras, row.facets),
        )
        self.touch(state)

    def touch(self, state: FileState) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO files(path, id, size, mtime_ns, sha1) VALUES (?,?,?,?,?)",
            (state.path, state.id, state.size, state.mtime_ns, state.sha1),
        )

    def remove(self, path: str) -> None:
        self._db.execute("DELETE FROM meetings WHERE path=?", (path,))
        self._db.execute("DELETE FROM files WHERE path=?", (path,))

    def commit(self) -> None:
        if self._open:
            self._open = False
            self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._open:
            self._open = False
            self._db.execute("ROLLBACK")
