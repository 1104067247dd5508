"""The façade over one archive: the only code that touches Whoosh and the side store.

Callers (CLI, GUI, tests) get frozen dataclasses back. There is one writer at a time: indexing
takes Whoosh's write lock before it parses anything, so a second process gets ``IndexLocked``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager, suppress
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as windex
from whoosh.index import LockError
from whoosh.util.filelock import FileLock

from . import ingest
from .atomic import write_json_atomic
from .documents import entity_variants, whoosh_document
from .engine import Engine
from .errors import ArchiveError, BadQuery, CorruptIndex, IndexLocked, UnknownMeeting
from .gazetteer import Gazetteer
from .highlight import Wanted, match_spans, query_terms, snippet
from .models import (
    ENTITY_KINDS,
    FORMAT_LABELS,
    MEETING_TYPE_LABELS,
    EntitySummary,
    FacetCount,
    HitList,
    IndexReport,
    Location,
    Meeting,
    ReferencedEvent,
    SearchResult,
    SkippedFile,
    Summary,
)
from .paths import DataPaths
from .query import SORTS, QueryBuilder, SearchFilters
from .schema import SCHEMA_VERSION, build_schema
from .store import MENTIONED_COUNTRY, FileState, Store

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # imported when indexing only
    from .entities import EntityTables

# Bump when extraction changes what is stored: the archive is then re-parsed on open.
EXTRACT_VERSION = 4  # 4: no meeting date months after publication (archives of version 3 may have them)
INDEX_FORMAT = f"{SCHEMA_VERSION}.{EXTRACT_VERSION}"
# Set in the store while an indexing run is under way: found on open, the run was cut short.
PENDING_KEY = "indexing_started"
SEGMENT_FILES_KEY = "segment_files"  # {file name: size} of the index's segments after a run
# Above this many hits, a result's hits are made as they are asked for (a HitList).
BULK_HITS = 1000
# Up to this many matches, facets are counted here from the matches' own rows (~27 us a match);
# above, by SQLite over the store (~13 us a match, holding no Python objects per meeting).
FACETS_DIRECT = 20_000
# The record fields of a hit in a list: title, meeting date, type, format.
SUMMARY_FIELDS = ("title", "meeting_date", "meeting_type", "format")
# Memory for postings before they are sorted into a temporary file, of a writer and of each worker
# (as Whoosh's own MpWriter gives each of its writers its limit): 10,000 readouts on two workers
# fit, where half of it each made both write and read back most of their postings (3 % more time).
WRITER_LIMIT_MB = 128
OPEN_ATTEMPTS = 5  # a damaged-looking index while another process writes: retry this often...
OPEN_RETRY_SECONDS = 0.3  # ...this far apart (Whoosh itself retries a missing segment for 0.5 s)

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


class Archive:
    """One archive in one data directory. Open with ``Archive.open(data_dir)``."""

    def __init__(self, paths: DataPaths, gazetteer: Gazetteer | None = None):
        self.paths = paths
        self.gazetteer = gazetteer or Gazetteer.load(paths.overlay_file)
        self.schema = build_schema()
        # messages the user should see once
        self.notices: list[str] = list(self.gazetteer.warnings)
        self._entity_tables = None  # built on first indexing: searching never needs it
        self.workers: int | None = None  # parser processes for large jobs; None = by file and CPU count
        self._lock = threading.RLock()
        self._searcher = None
        self._engine: Engine | None = None
        # the facet counts of every meeting, with the engine (index generation) they were made
        # with (weakly: an old generation's caches are not kept for them)
        self._all_facets: tuple[weakref.ref, dict] | None = None
        self._queries = QueryBuilder(self.schema, self.gazetteer.canonical_country)
        paths.ensure()
        self._write_lock = _WriteLock(paths.root / "index.lock")
        self._open_or_rebuild()

    @property
    def entity_tables(self) -> EntityTables:
        """The compiled entity lists (bundled + overlay); built once, when first needed."""
        if self._entity_tables is None:
            from .entities import EntityTables  # indexing only: keeps start-up and search light

            self._entity_tables = EntityTables.load(self.gazetteer, self.paths.overlay_file)
            self.notices.extend(self._entity_tables.warnings)
        return self._entity_tables

    @cached_property
    def _entity_variants(self) -> dict[str, tuple[str, ...]]:
        return entity_variants(self.entity_tables)

    @classmethod
    def open(cls, data_dir=None, gazetteer: Gazetteer | None = None) -> Archive:
        return cls(DataPaths.resolve(data_dir), gazetteer)

    # -- opening, versioning, repair ---------------------------------------------------------------
    def _open_or_rebuild(self) -> None:
        """Open the index; rebuild it from the sources when it is damaged, missing or outdated,
        and finish an indexing run that was interrupted (killed, crashed). Each tells the user once.

        A damaged-looking index may only be another process half-way through a commit: it is
        rebuilt only while this process holds the archive's write lock, else opening is retried."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                state = self._open()
                break
            except CorruptIndex as err:
                self.close()
                if self._write_lock.acquire():
                    try:
                        try:
                            state = self._open()  # nobody is writing now: is it really damaged?
                        except CorruptIndex as err_now:
                            self._rebuild(f"{err_now} The index is rebuilt from the source files.")
                            return
                    finally:
                        self._write_lock.release()
                    break
                if attempt == OPEN_ATTEMPTS - 1:
                    raise IndexLocked(
                        f"{err} Another process is updating the archive in {self.paths.root}; "
                        "try again when it has finished."
                    ) from None
                time.sleep(OPEN_RETRY_SECONDS)
        if state == "outdated":
            self._rebuild("The index was made by another version and has been rebuilt.")
        elif state == "new" and self.roots():
            self._rebuild("The index was missing; it has been rebuilt from the source files.")
        elif state == "interrupted":
            self._finish_interrupted_run()

    def _open(self) -> str:
        """Open store and index; "ok", "new", "outdated" or "interrupted", or raise CorruptIndex."""
        whoosh_dir = self.paths.whoosh_dir
        try:
            self._store = Store(self.paths.store_file)
            if self._store.check(self._verified_store()):
                self._remember_store_verified()
            fmt = self._store.get_meta("format")
            stored = self._store.count()
            if not windex.exists_in(str(whoosh_dir)):
                if fmt is not None or stored or self._store.file_states():
                    raise CorruptIndex(f"The full-text index in {whoosh_dir} is missing.")
                whoosh_dir.mkdir(parents=True, exist_ok=True)
                self._ix = windex.create_in(str(whoosh_dir), self.schema)
                self._store.set_meta("format", INDEX_FORMAT)
                return "new"
            self._ix = windex.open_dir(str(whoosh_dir))
            with self._ix.reader() as reader:  # opens every segment: a missing or cut one fails here
                indexed = reader.doc_count()
            self._check_segment_files()
            interrupted = self._store.get_meta(PENDING_KEY) is not None
        except ArchiveError:
            raise
        except Exception as err:  # whoosh and sqlite raise many kinds of errors on damaged files
            raise CorruptIndex(
                f"The index in {self.paths.index_dir} is damaged ({type(err).__name__}: {err})."
            ) from err
        if fmt is None:
            if indexed:
                raise CorruptIndex(f"The meeting store {self.paths.store_file} is missing.")
            self._store.set_meta("format", INDEX_FORMAT)
            return "new"
        if fmt != INDEX_FORMAT:
            return "outdated"
        if interrupted:
            return "interrupted"
        if indexed != stored:
            raise CorruptIndex(
                f"The index in {self.paths.index_dir} is inconsistent "
                f"({indexed} meetings indexed, {stored} stored)."
            )
        return "ok"

    def _verified_store(self) -> dict | None:
        try:
            return json.loads(self.paths.store_verified_file.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def _remember_store_verified(self) -> None:
        try:
            write_json_atomic(self.paths.store_verified_file, self._store.fingerprint())
        except OSError:  # read-only data dir: the store is simply checked again next time
            pass

    def _segment_files(self) -> dict[str, int]:
        """Size of each file of the index's current segments."""
        prefixes = tuple(f"{seg.segment_id()}." for seg in self._ix._segments())  # "MAIN_<id>."
        return {
            path.name: path.stat().st_size
            for path in self.paths.whoosh_dir.iterdir()
            if path.name.startswith(prefixes)
        }

    def _check_segment_files(self) -> None:
        """A segment is several files and Whoosh reads most of them only when searching: compare
        them with the sizes recorded after the last indexing run, so a missing or cut file is
        found on open, not by a failing search."""
        recorded = self._store.get_meta(SEGMENT_FILES_KEY)
        if not recorded:
            return
        current = self._segment_files()
        live = tuple(f"{seg.segment_id()}." for seg in self._ix._segments())
        for name, size in json.loads(recorded).items():
            if not name.startswith(live):
                continue  # a segment merged away since (by this or another process)
            if current.get(name) != size:
                state = "missing" if name not in current else f"{current[name]} bytes, not {size}"
                raise CorruptIndex(f"The index file {name} in {self.paths.whoosh_dir} is damaged ({state}).")

    def _rebuild(self, notice: str) -> None:
        """Throw the index away and index every known folder again (under the write lock)."""
        if not self._write_lock.acquire():
            raise IndexLocked(self._locked_message())
        try:
            self._reset_index()
            self._open()
            self.notices.append(notice)
            self.refresh()
        finally:
            self._write_lock.release()

    def _finish_interrupted_run(self) -> None:
        """An indexing run stopped half-way: bring the index up to date with the sources and drop
        any document the full-text index has but the store lacks. Left to the other process if
        one is indexing right now."""
        if not self._write_lock.acquire():
            return
        try:
            if self._store.get_meta(PENDING_KEY) is None:  # another process finished it meanwhile
                return
            report = self.refresh()
            self._drop_orphans()
            self.notices.append(
                "The last indexing run was interrupted; it has been completed "
                f"({report.added} added, {report.updated} updated, {report.removed} removed)."
            )
        finally:
            self._write_lock.release()

    def _drop_orphans(self) -> None:
        """Delete full-text documents that have no record in the store (a commit cut short)."""
        with self._ix.reader() as reader:
            indexed = {fields["id"] for fields in reader.all_stored_fields()}
        orphans = indexed - set(self._store.records(indexed))
        if orphans:
            writer = self._writer()
            for mid in orphans:
                writer.delete_by_term("id", mid)
            writer.commit()
            with self._lock:
                self._searcher = None

    def _locked_message(self) -> str:
        return (
            f"the archive in {self.paths.root} is in use: another process is updating it; "
            "try again when it has finished"
        )

    def _reset_index(self) -> None:
        self.close()
        shutil.rmtree(self.paths.index_dir, ignore_errors=True)
        self.paths.ensure()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            store = getattr(self, "_store", None)
            if store is not None:
                store.close()
            ix = getattr(self, "_ix", None)
            if ix is not None:
                ix.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- roots ------------------------------------------------------------------------------------
    @property
    def _roots_file(self) -> Path:
        return self.paths.root / "archive.json"

    def roots(self) -> list[str]:
        try:
            data = json.loads(self._roots_file.read_text("utf-8"))
            return [str(r) for r in data.get("roots", [])]
        except (OSError, ValueError, AttributeError):
            return []

    def _remember_roots(self, paths: Iterable[Path]) -> None:
        roots = self.roots()
        for path in paths:
            text = str(path)
            if text not in roots:
                roots.append(text)
        write_json_atomic(self._roots_file, {"version": 1, "roots": roots})

    def forget_root(self, root: str) -> IndexReport:
        """Stop watching ``root`` and remove its meetings from the index."""
        roots = [r for r in self.roots() if r != root]
        write_json_atomic(self._roots_file, {"version": 1, "roots": roots})
        prefix = root.rstrip("/") + "/"
        with self._writing():
            gone = [p for p in self._store.file_states() if p == root or p.startswith(prefix)]
            writer = self._writer()
            for path in gone:
                writer.delete_by_term("source", path)
            with self._lock:
                writer.commit()
                self._store.write_batch((), (), gone)
                self._searcher = None
        return IndexReport(removed=len(gone))

    # -- indexing (the one writer) ----------------------------------------------------------------
    def refresh(self, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> IndexReport:
        """Re-scan every folder and file the archive was built from."""
        return self.index_paths(self.roots(), progress=progress, cancel=cancel, remember=False)

    def index_paths(
        self,
        paths: Sequence[str | Path],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        remember: bool = True,
    ) -> IndexReport:
        """Add or update the readouts under ``paths``; remove those deleted from scanned folders.

        Unchanged files (same size and mtime, or same content hash) are not parsed again. A file
        that cannot be read is reported in ``skipped`` and the rest is indexed."""
        with self._writing():
            return self._index_paths(paths, progress, cancel, remember)

    def _index_paths(
        self,
        paths: Sequence[str | Path],
        progress: ProgressFn | None,
        cancel: CancelFn | None,
        remember: bool,
    ) -> IndexReport:
        # Imported here: parsing and extraction are needed only when indexing, and importing
        # them (compiling their patterns) is a tenth of a second on every start and search.
        from .pipeline import batch_size, prepare_all, worker_count

        targets = [Path(p).expanduser().absolute() for p in paths]
        found, problems = ingest.discover(targets)
        skipped = [SkippedFile(path, reason) for path, reason in problems]
        if remember:
            self._remember_roots(t for t in targets if t.exists())
        states = self._store.file_states(str(t) for t in targets)
        found_paths = {str(f.path) for f in found}
        # Known files under a scanned folder (or named themselves) that are gone. Each target is
        # looked at once: a stat per known file and target made adding one file to a large
        # archive slow.
        folders = [t for t in targets if not t.is_file()]
        named = {str(t) for t in targets} - {str(t) for t in folders}
        removed = [
            path
            for path in states
            if path not in found_paths and (path in named or any(_is_under(path, t) for t in folders))
        ]
        todo = [f for f in found if not _unchanged(states.get(str(f.path)), f)]
        unchanged = len(found) - len(todo)

        warnings: list[SkippedFile] = []
        added = updated = 0
        cancel = cancel or (lambda: False)
        workers = worker_count(len(todo)) if self.workers is None else self.workers
        if len(todo) < workers:
            workers = 0
        writer = self._writer()
        done = 0
        # Records go into the store's open transaction as they come (memory stays flat for any
        # number of files); readers see them only when it commits, right after Whoosh.
        with self._store.batch() as batch:

            def record(outcome, in_writer: bool) -> str:
                """Store one outcome (its document: by ``writer`` when ``in_writer``, else already
                in a worker's segment); what it was: "added", "updated", "unchanged", "skipped"."""
                nonlocal done
                path = str(outcome.found.path)
                if progress is not None:
                    progress(done, len(todo), path)
                done += 1
                if outcome.error is not None:
                    skipped.append(SkippedFile(path, outcome.error))
                    return "skipped"
                if outcome.warning:
                    warnings.append(SkippedFile(path, outcome.warning))
                if outcome.meeting is None:
                    batch.touch(outcome.state)
                    return "unchanged"
                if in_writer:
                    writer.update_document(**self._document(outcome.meeting))
                else:  # the new document is in a worker's segment: drop the old one
                    writer.delete_by_term("id", outcome.meeting.id)
                batch.add(outcome.meeting, outcome.state)
                return "updated" if path in states else "added"

            def forget(paths: set[str], reported: int) -> None:
                """Take back the reports of ``reported`` outcomes for ``paths`` (indexed again)."""
                nonlocal done
                done -= reported
                skipped[:] = [s for s in skipped if s.path not in paths]
                warnings[:] = [s for s in warnings if s.path not in paths]

            segments: list = []
            try:
                redo: list[ingest.FoundFile] = []
                kinds: Counter = Counter()
                if workers:
                    kinds, segments, redo = self._index_in_workers(
                        todo, states, workers, cancel, record, forget, batch
                    )
                    todo_here = redo
                else:
                    todo_here = todo
                outcomes = prepare_all(
                    todo_here, states, self.gazetteer, lambda: self.entity_tables, cancelled=cancel
                )
                # parsed a batch at a time, then indexed, as in the workers (see batch_size)
                size = batch_size(len(todo_here))
                while batch_outcomes := list(islice(outcomes, size)):
                    for outcome in batch_outcomes:
                        kinds[record(outcome, in_writer=True)] += 1
                added, updated = kinds["added"], kinds["updated"]
                unchanged += kinds["unchanged"]
                cancelled = sum(kinds.values()) < len(todo)  # stopped early only when cancelled
                for path in removed:
                    writer.delete_by_term("source", path)
                    batch.remove(path)
            except BaseException:
                writer.cancel()
                raise
            # Whoosh first, then the store: a crash in between leaves files the next run re-parses
            # (the pending mark makes the next open do it). Searches in this process wait for
            # both, so they see the old or the new archive, never a document without its record.
            with self._lock:
                if added or updated or removed or segments:
                    _commit(writer, segments)
                else:
                    writer.cancel()
                batch.commit()
                self._searcher = None  # the next search sees the new documents
        if progress is not None:
            progress(len(todo), len(todo), "")
        self._store.set_meta("last_indexed", dt.datetime.now().isoformat(timespec="seconds"))
        return IndexReport(
            added=added,
            updated=updated,
            removed=len(removed),
            unchanged=unchanged,
            skipped=tuple(skipped),
            warnings=tuple(warnings),
            cancelled=cancelled,
        )

    def _index_in_workers(self, todo, states, workers, cancel, record, forget, batch):
        """Index ``todo`` in worker processes, each into a segment of its own; ``record`` stores
        each outcome, ``forget`` takes back what it reported of a failed worker's files. (kinds
        counted, finished segments, files to index here again)."""
        from .pipeline import Lost, SegmentWorkers

        overlay = self.paths.overlay_file if self.paths.overlay_file.exists() else None
        try:
            pool = SegmentWorkers(
                self.paths.whoosh_dir,
                todo,
                states,
                self.gazetteer,
                overlay,
                workers,
                WRITER_LIMIT_MB,
                tables=self._entity_tables,  # if loaded already (forked workers use them)
            )
        except (OSError, RuntimeError) as err:  # no processes to be had (limits, no forkserver)
            log.warning("could not start indexing workers (%s); the files are indexed here", err)
            return Counter(), [], list(todo)
        kinds: list[Counter] = [Counter() for _ in pool.shares]
        stored: list[list[str]] = [[] for _ in pool.shares]  # paths with a record, per worker
        redo: list[ingest.FoundFile] = []
        try:
            for item in pool.outcomes(cancel):
                if isinstance(item, Lost):
                    # Its segment is gone: take back its records (the old documents of changed
                    # files are deleted already, so index and store agree) and redo its share here.
                    log.warning(
                        "indexing worker %d failed (%s); its files are indexed here", item.worker, item.reason
                    )
                    for path in stored[item.worker]:
                        batch.remove(path)
                    forget({str(found.path) for found in item.files}, sum(kinds[item.worker].values()))
                    kinds[item.worker].clear()
                    redo.extend(item.files)
                    continue
                number, outcome = item
                kind = record(outcome, in_writer=False)
                kinds[number][kind] += 1
                if kind in ("added", "updated"):
                    stored[number].append(str(outcome.found.path))
        finally:
            pool.close()
        # in share order: the documents are numbered as an in-process run would number them
        order = {str(found.path): i for i, found in enumerate(todo)}
        return sum(kinds, Counter()), pool.finished_segments(), sorted(redo, key=lambda f: order[str(f.path)])

    @contextmanager
    def _writing(self):
        """Hold the archive's write lock and mark the store "indexing" until the run has ended."""
        if not self._write_lock.acquire():
            raise IndexLocked(self._locked_message())
        try:
            self._store.set_meta(PENDING_KEY, dt.datetime.now().isoformat(timespec="seconds"))
            try:
                yield
            except IndexLocked:  # Whoosh's own lock: nothing was written
                self._store.delete_meta(PENDING_KEY)
                raise
            self._store.set_meta(SEGMENT_FILES_KEY, json.dumps(self._segment_files()))
            self._store.delete_meta(PENDING_KEY)
            self._remember_store_verified()  # written by this run: known good
        finally:
            self._write_lock.release()

    def _writer(self):
        try:
            # Separate segment files: Whoosh copies a compound segment file whole into memory
            # when it opens it (the whole index in RAM: ~90 MB at 10,000 readouts).
            from .writer import SegmentWriter  # imported when indexing only

            writer = SegmentWriter(self._ix, limitmb=WRITER_LIMIT_MB, compound=False)
        except LockError:
            raise IndexLocked(self._locked_message()) from None
        _HELD_LOCKS.add(writer.writelock)
        return writer

    def _document(self, meeting: Meeting) -> dict:
        return whoosh_document(meeting, self.gazetteer, self._entity_variants)

    # -- reading ----------------------------------------------------------------------------------
    def count(self) -> int:
        return self._store.count()

    def last_indexed(self) -> str | None:
        return self._store.get_meta("last_indexed")

    def get(self, meeting_id: str) -> Meeting:
        meeting = self._store.get(meeting_id)
        if meeting is None:
            raise UnknownMeeting(meeting_id)
        return meeting

    def records(self, ids: Iterable[str]) -> dict[str, Meeting]:
        """Meetings (without text) for ``ids``, in bulk; unknown ids are left out."""
        return {mid: Meeting.from_json(record, text="") for mid, record in self._store.records(ids).items()}

    def record_fields(self, ids: Iterable[str], fields: Sequence[str]) -> dict[str, tuple]:
        """id -> the values of top-level record ``fields`` of the meetings ``ids`` (lists and
        objects as JSON text), without making whole meetings; unknown ids are left out."""
        return self._store.record_fields(ids, fields)

    def referenced_events(self, ids: Iterable[str]) -> dict[str, tuple[ReferencedEvent, ...]]:
        """id -> the past events each of the meetings ``ids`` refers to (as stored)."""
        return {
            mid: tuple(ReferencedEvent.from_json(e) for e in events)
            for mid, events in self._store.referenced_events(ids)
        }

    def sort_values(self, ids: Iterable[str], column: str) -> dict[str, object]:
        """id -> the list column ``column`` ("date", "title", "type", "format", "countries",
        "participants", "location" or "duration") as shown, for sorting a large result without
        loading every record. Dates are ISO text, durations minutes (or None)."""
        field = {
            "duration": "duration_minutes",
            "date": "meeting_date",
            "type": "meeting_type",
        }.get(column, column)
        labels = {"type": MEETING_TYPE_LABELS, "format": FORMAT_LABELS}.get(column)
        values: dict[str, object] = {}
        for mid, (raw,) in self._store.record_fields(ids, (field,)).items():
            if column == "duration":
                values[mid] = raw
            elif raw is None:
                values[mid] = ""
            elif column in ("title", "date"):
                values[mid] = raw
            elif labels is not None:
                values[mid] = labels.get(raw, raw)
            elif column == "countries":
                values[mid] = ", ".join(json.loads(raw))
            elif column == "participants":
                values[mid] = "; ".join(p.get("canonical") or p["name"] for p in json.loads(raw))
            elif column == "location":
                location = Location.from_json(json.loads(raw))
                values[mid] = location.label() if location else ""
            else:
                raise ValueError(f"no sort values for column {column!r}")
        return values

    def filter_choices(self) -> tuple[list[str], tuple[dt.date, dt.date] | None]:
        """The countries to offer in the country filter (taking part or host, sorted) and the
        span of meeting dates, read without loading the meetings."""
        span = self._store.date_span()
        dates = (dt.date.fromisoformat(span[0]), dt.date.fromisoformat(span[1])) if span else None
        return sorted(set(self._store.countries()), key=str.casefold), dates

    def meetings(self) -> list[Meeting]:
        """All meetings (records without text), by meeting date."""
        return list(self._store.iter_meetings())

    def parse_query(self, text: str):
        return self._queries.parse(text)

    def search(
        self,
        text: str,
        filters: SearchFilters | None = None,
        *,
        limit: int | None = 50,
        sort: str = "relevance",
        snippets: int = 20,
        facets: bool = False,
    ) -> SearchResult:
        """Meetings matching ``text`` and ``filters``; the first ``snippets`` hits get snippets.

        ``limit=None`` returns every hit (the GUI list pages through them lazily). With ``facets``,
        the result carries value counts (type, format, country, participant and each entity kind)
        over all matches, not only the returned page."""
        if sort not in SORTS:
            raise BadQuery(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        query = self._queries.parse(text)
        filter_query = self._queries.filters(filters or SearchFilters())
        # All under the lock: an indexing run in this process commits Whoosh and the store
        # together under it, so a search sees the old archive or the new one, never a mix.
        with self._lock:
            searcher = self._current_searcher()
            engine = self._engine_for(searcher)
            matched = engine.evaluate(query)
            if filter_query is not None:
                allowed = engine.evaluate(filter_query)
                matched = {d: s for d, s in matched.items() if d in allowed}
            total = len(matched)
            if sort == "relevance" and query.__class__.__name__ == "Every":
                sort = "date"
            order = engine.top(matched, limit, sort)
            ids = engine.meeting_ids(order)
            scores = [matched[d] for d in order]
            if facets:
                all_ids = engine.meeting_ids(matched)
            # A small result's hits are made now; a large one's as they are asked for (100,000
            # ready hits would hold ~80 MB).
            summaries = self._summaries(ids) if len(ids) <= BULK_HITS else None
            stored = summaries if summaries is not None else self._stored_ids(engine)
            if stored is not _EVERYTHING and any(mid not in stored for mid in ids):
                # a meeting indexed but not yet in the store (another process's commit in
                # flight) is left out, in small and large results alike
                kept = [i for i, mid in enumerate(ids) if mid in stored]
                ids, scores = [ids[i] for i in kept], [scores[i] for i in kept]
            wanted = query_terms(query, engine.expand) if snippets else Wanted()
            snips = {}
            for rank, mid in enumerate(ids[:snippets]):
                body = self._store.text(mid) or ""
                snip, spans = snippet(body, match_spans(body, wanted))
                snips[rank] = (snip, tuple(spans))
            if summaries is None:
                hits = HitList(ids, scores, self._summaries, snips)
            else:
                hits = tuple(HitList(ids, scores, lambda _ids: summaries, snips))
            facet_counts = self._facet_counts(engine, all_ids) if facets else ()
        return SearchResult(query=text, total=total, hits=hits, facets=facet_counts)

    def _facet_counts(
        self, engine: Engine, ids: Sequence[str]
    ) -> tuple[tuple[str, tuple[FacetCount, ...]], ...]:
        """Facet counts of the meetings ``ids``, by SQLite (ids not in the store count nothing)."""
        # Every indexed meeting, with every one in the store: counted without a list of ids.
        every = len(ids) == engine.reader.doc_count() and self._store_complete(engine)
        if len(ids) <= FACETS_DIRECT and not every:
            counts = Counter(
                (name, value)
                for _mid, facets in self._store.facets(ids)
                for name, values in facets.items()
                for value in values
            )
        elif not every:
            counts = self._store.facet_counts(ids)
        elif self._all_facets is not None and self._all_facets[0]() is engine:
            counts = self._all_facets[1]  # an empty search again: the same archive, the same counts
        else:
            counts = self._store.facet_counts(None)
            self._all_facets = (weakref.ref(engine), counts)
        counters: dict[str, list[FacetCount]] = {}
        for (name, value), count in sorted(counts.items(), key=lambda kc: (-kc[1], kc[0][1])):
            counters.setdefault(name, []).append(FacetCount(value, count))
        return tuple((name, tuple(found)) for name, found in sorted(counters.items()))

    def _stored_ids(self, engine: Engine) -> _Everything | set[str]:
        """The ids of the meetings in the store, or ``_EVERYTHING`` when the store holds as many
        as the index (then every indexed meeting has its record, unless another process's run
        that both removed and added files is between its index and store commits)."""
        return _EVERYTHING if self._store_complete(engine) else self._store.ids()

    def _store_complete(self, engine: Engine) -> bool:
        """The store holds as many meetings as the index (so every indexed one, see above)."""
        return self._store.count() == engine.reader.doc_count()

    def _summaries(self, ids: Sequence[str]) -> dict[str, Summary]:
        """id -> (title, meeting date, type, format) of the meetings ``ids`` (for hit lists)."""
        return self._store.record_fields(ids, SUMMARY_FIELDS)

    def entities(self, kind: str | None = None) -> list[EntitySummary]:
        """Every canonical entity in the archive (of one ``kind``), most mentioned first."""
        found: dict[tuple[str, str], list[str]] = {}
        for mid, values in self._store.facets():
            for key, items in values.items():
                # facet "country" = countries taking part; the entity listing counts mentions
                name = {MENTIONED_COUNTRY: "country", "country": None}.get(key, key)
                if name in ENTITY_KINDS and (kind is None or name == kind):
                    for item in items:
                        found.setdefault((name, item), []).append(mid)
        summaries = [EntitySummary(k, c, len(ids), tuple(sorted(ids))) for (k, c), ids in found.items()]
        return sorted(summaries, key=lambda e: (-e.count, e.kind, e.canonical.casefold()))

    def hit_spans(self, meeting_id: str, text: str) -> list[tuple[int, int]]:
        """Where the search ``text`` matches in the body of one meeting (for the detail pane)."""
        query = self._queries.parse(text)
        body = self._store.text(meeting_id)
        if body is None:
            raise UnknownMeeting(meeting_id)
        with self._lock:
            wanted = query_terms(query, self._engine_for(self._current_searcher()).expand)
        return match_spans(body, wanted)

    def _engine_for(self, searcher) -> Engine:
        """The query engine of ``searcher``'s index generation (its caches live as long)."""
        if self._engine is None or self._engine.searcher is not searcher:
            self._engine = Engine(searcher)
        return self._engine

    def _current_searcher(self):
        if self._searcher is not None:
            try:
                self._searcher = self._searcher.refresh()
                return self._searcher
            except Exception:  # Whoosh cannot refresh a searcher opened on an empty index
                self._searcher.close()
        try:
            self._searcher = self._ix.searcher()
        except OSError:  # another process removed a merged segment just now: the new TOC has it
            self._ix = windex.open_dir(str(self.paths.whoosh_dir))
            self._searcher = self._ix.searcher()
        return self._searcher


class _Everything:
    """Contains everything (every indexed meeting is in the store)."""

    def __contains__(self, _item) -> bool:
        return True


_EVERYTHING = _Everything()


class _WriteLock:
    """The archive's write lock between processes, re-entrant within this one.

    An operating-system file lock (``flock``/``LockFileEx`` through Whoosh's ``FileLock``): it
    ends with the process that holds it, so the lock file a killed process leaves behind never
    blocks anybody and needs no clean-up."""

    def __init__(self, path: Path):
        self._path = path
        self._lock = None
        self._depth = 0
        self._guard = threading.Lock()

    def acquire(self) -> bool:
        with self._guard:
            if self._depth == 0:
                lock = FileLock(str(self._path))
                if not lock.acquire(blocking=False):
                    return False
                self._lock = lock
                _HELD_LOCKS.add(lock)
            self._depth += 1
            return True

    def release(self) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth == 0 and self._lock is not None:
                self._lock.release()
                self._lock = None


# The file locks this process holds or held: the archive's (``_WriteLock``) and Whoosh's writer's.
# Both are ``flock`` locks, which belong to the open file, not to the process: a child forked
# while one is held (an indexing worker, see ``pipeline._start_method``) shares it, and would keep
# it held after this process has ended, until the child ends too; a child that unlocked it would
# unlock it for this process. So a forked child closes its copies of their descriptors at once:
# closing a copy leaves the lock to the other descriptors of the open file (this process's).
_HELD_LOCKS: weakref.WeakSet[FileLock] = weakref.WeakSet()


def _close_inherited_locks() -> None:
    """In a child just forked: close its descriptors of the locks this process holds, without
    unlocking them (and forget them: no ``FileLock`` of the child can release them)."""
    for lock in list(_HELD_LOCKS):
        fd, lock.fd = lock.fd, None
        if fd is not None:  # None: released since
            with suppress(OSError):
                os.close(fd)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_close_inherited_locks)


def _commit(writer, segments: list) -> None:
    """Commit ``writer`` with ``segments`` (finished by worker processes) added after its own, as
    Whoosh's ``MpWriter`` commits with ``multisegment=True``: old segments merged by the usual
    policy, deletions applied, one new table of contents."""
    if not segments:
        writer.commit()
        return
    final = writer._merge_segments(None, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


def _is_under(path: str, target: Path) -> bool:
    root = str(target)
    return path == root or path.startswith(root.rstrip("/") + "/")


def _unchanged(state: FileState | None, found: ingest.FoundFile) -> bool:
    return state is not None and state.size == found.size and state.mtime_ns == found.mtime_ns


__all__ = ["Archive", "SearchFilters"]
