"""The façade over one archive: the only code that touches Whoosh and the side store.

Callers (CLI, GUI, tests) get frozen dataclasses back. There is one writer at a time: indexing
takes Whoosh's write lock before it parses anything, so a second process gets ``IndexLocked``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path

from whoosh import index as windex
from whoosh.index import LockError
from whoosh.sorting import FieldFacet

from . import ingest
from .atomic import write_json_atomic
from .entities import EntityTables, extract_entities
from .errors import ArchiveError, BadQuery, CorruptIndex, IndexLocked, UnknownMeeting, UnreadableFile
from .gazetteer import Gazetteer
from .highlight import match_spans, query_terms, snippet
from .models import (
    ENTITY_KINDS,
    EntitySummary,
    FacetCount,
    Hit,
    IndexReport,
    Meeting,
    SearchResult,
    SkippedFile,
)
from .paths import DataPaths
from .query import SORTS, QueryBuilder, SearchFilters
from .readout import parse_readout
from .schema import ENTITY_FIELDS, SCHEMA_VERSION, build_schema, facet_term
from .store import MENTIONED_COUNTRY, FileState, Store, facet_values

# Bump when extraction changes what is stored: the archive is then re-parsed on open.
EXTRACT_VERSION = 3
INDEX_FORMAT = f"{SCHEMA_VERSION}.{EXTRACT_VERSION}"
BATCH = 256

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
        self._entity_tables: EntityTables | None = None  # built on first indexing: searching never needs it
        self._lock = threading.RLock()
        self._searcher = None
        self._queries = QueryBuilder(self.schema, self.gazetteer.canonical_country)
        paths.ensure()
        self._open_or_rebuild()

    @property
    def entity_tables(self) -> EntityTables:
        """The compiled entity lists (bundled + overlay); built once, when first needed."""
        if self._entity_tables is None:
            self._entity_tables = EntityTables.load(self.gazetteer, self.paths.overlay_file)
            self.notices.extend(self._entity_tables.warnings)
        return self._entity_tables

    @cached_property
    def _entity_variants(self) -> dict[str, tuple[str, ...]]:
        variants: dict[str, tuple[str, ...]] = {}
        for entry in self.entity_tables.entries:
            known = variants.get(entry.canonical, ())
            variants[entry.canonical] = tuple(dict.fromkeys((*known, *entry.variants)))
        return variants

    @classmethod
    def open(cls, data_dir=None, gazetteer: Gazetteer | None = None) -> Archive:
        return cls(DataPaths.resolve(data_dir), gazetteer)

    # -- opening, versioning, repair ---------------------------------------------------------------
    def _open_or_rebuild(self) -> None:
        try:
            self._open()
        except CorruptIndex as err:
            self.notices.append(f"{err} The index is rebuilt from the source files.")
            self._reset_index()
            self._open()
            self.refresh()
            return
        if self._store.get_meta("format") != INDEX_FORMAT:
            had = self._store.get_meta("format") is not None
            self._reset_index()
            self._open()
            if had:
                self.notices.append("The index was made by another version and has been rebuilt.")
                self.refresh()

    def _open(self) -> None:
        whoosh_dir = self.paths.whoosh_dir
        try:
            self._store = Store(self.paths.store_file)
            if windex.exists_in(str(whoosh_dir)):
                self._ix = windex.open_dir(str(whoosh_dir))
                self._ix.doc_count()
            else:
                whoosh_dir.mkdir(parents=True, exist_ok=True)
                self._ix = windex.create_in(str(whoosh_dir), self.schema)
                self._store.set_meta("format", INDEX_FORMAT)
        except ArchiveError:
            raise
        except Exception as err:  # whoosh and sqlite raise many kinds of errors on damaged files
            raise CorruptIndex(
                f"The index in {self.paths.index_dir} is damaged ({type(err).__name__}: {err})."
            ) from err

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
        gone = [p for p in self._store.file_states() if p == root or p.startswith(prefix)]
        writer = self._writer()
        for path in gone:
            writer.delete_by_term("source", path)
        writer.commit()
        self._store.write_batch((), (), gone)
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
        targets = [Path(p).expanduser().absolute() for p in paths]
        found, problems = ingest.discover(targets)
        skipped = [SkippedFile(path, reason) for path, reason in problems]
        if remember:
            self._remember_roots(t for t in targets if t.exists())
        states = self._store.file_states()
        found_paths = {str(f.path) for f in found}
        removed = [
            path
            for path in states
            if path not in found_paths
            and any(_is_under(path, t) for t in targets if not t.is_file() or str(t) == path)
        ]
        todo = [f for f in found if not _unchanged(states.get(str(f.path)), f)]
        unchanged = len(found) - len(todo)

        meetings: list[tuple[Meeting, FileState]] = []
        touched: list[FileState] = []
        warnings: list[SkippedFile] = []
        added = updated = 0
        cancelled = False
        writer = self._writer()
        try:
            for done, found_file in enumerate(todo):
                if cancel is not None and cancel():
                    cancelled = True
                    break
                if progress is not None:
                    progress(done, len(todo), str(found_file.path))
                old = states.get(str(found_file.path))
                try:
                    meeting, state, warning = _prepare(found_file, old, self.gazetteer, self.entity_tables)
                except UnreadableFile as err:
                    skipped.append(SkippedFile(err.path, err.reason))
                    continue
                if warning:
                    warnings.append(SkippedFile(str(found_file.path), warning))
                if meeting is None:
                    touched.append(state)
                    unchanged += 1
                    continue
                if old is None:
                    added += 1
                else:
                    updated += 1
                writer.update_document(**self._document(meeting))
                meetings.append((meeting, state))
            for path in removed:
                writer.delete_by_term("source", path)
            if meetings or removed:
                writer.commit()
            else:
                writer.cancel()
        except BaseException:
            writer.cancel()
            raise
        # Whoosh first, then the store: a crash in between leaves files the next run re-parses.
        self._store.write_batch(meetings, touched, removed)
        if meetings or removed:
            with self._lock:
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

    def _writer(self):
        try:
            return self._ix.writer(limitmb=128)
        except LockError:
            raise IndexLocked(
                f"the archive in {self.paths.root} is being updated by another process; try again when it has finished"
            ) from None

    def _document(self, meeting: Meeting) -> dict:
        p = meeting.parsed
        gaz = self.gazetteer
        countries = list(p.countries)
        if p.location and p.location.country:
            countries.append(p.location.country)
        doc = {
            "id": meeting.id,
            "source": meeting.source,
            "title": p.title,
            "body": p.text,
            "aliases": "\n".join(_alias_text(gaz, p.countries, p.text)),
            "country": "\n".join(
                v for c in dict.fromkeys(p.countries) for v in (c, *gaz.country_variants(c))
            ),
            "participant": "\n".join(
                dict.fromkeys(x for person in p.participants for x in (person.name, person.canonical))
            ),
            "location": "\n".join(
                v
                for v in (
                    (p.location.city or ""),
                    *(gaz.country_variants(p.location.country) if p.location and p.location.country else ()),
                )
                if v
            )
            if p.location
            else "",
        }
        by_kind: dict[str, dict[str, None]] = {}
        for mention in meeting.entities:
            by_kind.setdefault(mention.kind, {})[mention.canonical] = None
        spellings = {
            kind: [v for canonical in names for v in (canonical, *self._entity_variants.get(canonical, ()))]
            for kind, names in by_kind.items()
        }
        doc["entity"] = "\n".join(
            v for kind in spellings for v in spellings[kind] if kind not in ("money", "event")
        )
        for field, kind in ENTITY_FIELDS.items():
            doc[field] = "\n".join(spellings.get(kind, ()))
        # "FOIP" finds a text that only says "Free and Open Indo-Pacific", and the other way round.
        doc["aliases"] += "\n" + "\n".join(
            v
            for kind in ("organization", "initiative", "agreement", "place")
            for v in spellings.get(kind, ())
        )
        doc["facet"] = ",".join(
            facet_term(name, value) for name, values in facet_values(meeting).items() for value in values
        )
        if p.meeting_date:
            doc["date"] = dt.datetime.combine(p.meeting_date, dt.time(12))
        if p.publication_date:
            doc["published"] = dt.datetime.combine(p.publication_date, dt.time(12))
        if p.meeting_type:
            doc["type"] = p.meeting_type
        if p.format:
            doc["format"] = p.format
        return doc

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
        with self._lock:
            searcher = self._current_searcher()
            # optimize=False: the collector counts every match, so the total is exact (and, for
            # fuzzy terms, much faster than Whoosh's estimate, which expands every term again).
            kwargs = {"limit": limit, "filter": filter_query, "optimize": False}
            if sort == "relevance" and query.__class__.__name__ == "Every":
                sort = "date"
            if sort != "relevance":
                kwargs["sortedby"] = FieldFacet("date", reverse=(sort == "date"))
            results = searcher.search(query, **kwargs)
            total = len(results)
            ids = [(hit["id"], hit.score or 0.0) for hit in results]
            if facets:
                every = (
                    searcher.search(query, limit=None, filter=filter_query, optimize=False)
                    if limit
                    else results
                )
                all_ids = [hit["id"] for hit in every]
            words, phrases = query_terms(query, searcher.reader()) if snippets else (set(), [])
        records = self._store.records(i for i, _ in ids)
        hits = []
        for rank, (mid, score) in enumerate(ids):
            record = records.get(mid)
            if record is None:  # indexed but not yet in the store: a commit in flight
                continue
            snip, spans = ("", [])
            if rank < snippets:
                body = self._store.text(mid) or ""
                snip, spans = snippet(body, match_spans(body, words, phrases))
            date = record.get("meeting_date")
            hits.append(
                Hit(
                    id=mid,
                    title=record["title"],
                    meeting_date=dt.date.fromisoformat(date) if date else None,
                    meeting_type=record.get("meeting_type"),
                    format=record.get("format"),
                    score=float(score),
                    snippet=snip,
                    snippet_highlights=tuple(spans),
                )
            )
        facet_counts = self._facet_counts(all_ids) if facets else ()
        return SearchResult(query=text, total=total, hits=tuple(hits), facets=facet_counts)

    def _facet_counts(self, ids: Iterable[str]) -> tuple[tuple[str, tuple[FacetCount, ...]], ...]:
        counters: dict[str, Counter] = {}
        for _mid, values in self._store.facets(ids):
            for name, items in values.items():
                counters.setdefault(name, Counter()).update(items)
        return tuple(
            (
                name,
                tuple(
                    FacetCount(value, count)
                    for value, count in sorted(c.items(), key=lambda x: (-x[1], x[0]))
                ),
            )
            for name, c in sorted(counters.items())
        )

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
            words, phrases = query_terms(query, self._current_searcher().reader())
        return match_spans(body, words, phrases)

    def _current_searcher(self):
        if self._searcher is not None:
            try:
                self._searcher = self._searcher.refresh()
                return self._searcher
            except Exception:  # Whoosh cannot refresh a searcher opened on an empty index
                self._searcher.close()
        self._searcher = self._ix.searcher()
        return self._searcher


def _is_under(path: str, target: Path) -> bool:
    root = str(target)
    return path == root or path.startswith(root.rstrip("/") + "/")


def _unchanged(state: FileState | None, found: ingest.FoundFile) -> bool:
    return state is not None and state.size == found.size and state.mtime_ns == found.mtime_ns


def _prepare(found: ingest.FoundFile, old: FileState | None, gazetteer: Gazetteer, tables: EntityTables):
    """(meeting or None when the content is unchanged, new file state, decoding warning)."""
    text, data, decoded = ingest.read_source(found.path)
    sha1 = ingest.content_hash(data)
    meeting_id = ingest.meeting_id_for(found.path)
    state = FileState(str(found.path), meeting_id, found.size, found.mtime_ns, sha1)
    if old is not None and old.sha1 == sha1:
        return None, state, None
    try:
        parsed = parse_readout(text, gazetteer=gazetteer)
    except Exception as err:  # extraction must never lose a file: report it instead
        raise UnreadableFile(str(found.path), f"could not be parsed ({type(err).__name__}: {err})") from err
    mentions, events = extract_entities(parsed.text, parsed, tables=tables)
    meeting = Meeting(
        id=meeting_id,
        source=str(found.path),
        parsed=parsed,
        encoding=decoded.encoding,
        entities=mentions,
        events=events,
    )
    return meeting, state, decoded.warning


def _alias_text(gazetteer: Gazetteer, countries: Iterable[str], text: str) -> list[str]:
    """Every spelling of every country the readout names, for searches by any variant."""
    names = dict.fromkeys(countries)
    for _start, _end, name in gazetteer.find_countries(text):
        names[name] = None
    return [variant for name in names for variant in (name, *gazetteer.country_variants(name))]


__all__ = ["Archive", "SearchFilters"]
