"""Frozen result types shared by the core, the CLI and the GUI."""

from __future__ import annotations

import datetime as dt
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields

ENTITY_KINDS = ("person", "country", "place", "organization", "initiative", "agreement", "money", "event")
MEETING_TYPE_LABELS = {
    "summit": "Summit",
    "foreign_ministers": "Foreign ministers",
    "defense_ministers": "Defence ministers",
    "ministerial": "Ministerial",
    "senior_officials": "Senior officials",
    "other": "Other",
}
FORMAT_LABELS = {"in_person": "In person", "video": "Video", "telephone": "Telephone"}
MEETING_TYPES = (
    "summit",
    "foreign_ministers",
    "defense_ministers",
    "ministerial",
    "senior_officials",
    "other",
)
FORMATS = ("in_person", "video", "telephone")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Participant:
    name: str  # as written, without honorifics
    canonical: str  # consistent order and case: "Kamikawa Yoko"
    role: str | None = None  # as written: "Minister for Foreign Affairs"
    country: str | None = None  # canonical country the person represents

    def to_json(self) -> dict:
        return {"name": self.name, "canonical": self.canonical, "role": self.role, "country": self.country}

    @classmethod
    def from_json(cls, data: dict) -> Participant:
        return cls(data["name"], data["canonical"], data.get("role"), data.get("country"))


@dataclass(frozen=True)
class Location:
    city: str | None
    country: str | None

    def to_json(self) -> dict:
        return {"city": self.city, "country": self.country}

    @classmethod
    def from_json(cls, data: dict | None) -> Location | None:
        return cls(data.get("city"), data.get("country")) if data else None

    def label(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)


@dataclass(frozen=True)
class EntityMention:
    kind: str
    text: str
    canonical: str
    start: int
    end: int
    amount: float | None = None
    currency: str | None = None

    def to_json(self) -> dict:
        data: dict = {
            "kind": self.kind,
            "text": self.text,
            "canonical": self.canonical,
            "start": self.start,
            "end": self.end,
        }
        if self.kind == "money":
            data["amount"] = self.amount
            data["currency"] = self.currency
        return data

    @classmethod
    def from_json(cls, data: dict) -> EntityMention:
        return cls(
            data["kind"],
            data["text"],
            data["canonical"],
            data["start"],
            data["end"],
            data.get("amount"),
            data.get("currency"),
        )


@dataclass(frozen=True)
class ReferencedEvent:
    date: dt.date
    date_precision: str  # day | month | year
    text: str  # text[start:end]: from the event phrase to the date
    canonical: str
    start: int
    end: int

    def to_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "date_precision": self.date_precision,
            "text": self.text,
            "canonical": self.canonical,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_json(cls, data: dict) -> ReferencedEvent:
        return cls(
            dt.date.fromisoformat(data["date"]),
            data["date_precision"],
            data["text"],
            data["canonical"],
            data.get("start", 0),
            data.get("end", 0),
        )


@dataclass(frozen=True)
class ParsedReadout:
    """What extraction derives from the text of one readout (no file information)."""

    title: str
    text: str  # the cleaned body: navigation lines, captions and repeated blocks removed
    publication_date: dt.date | None = None
    meeting_date: dt.date | None = None
    meeting_date_end: dt.date | None = None
    meeting_type: str | None = None
    format: str | None = None
    duration_minutes: int | None = None
    location: Location | None = None
    participants: tuple[Participant, ...] = ()
    countries: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    duplicates_removed: int = 0  # number of repeated paragraphs dropped from the body
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """One indexed readout: the parsed record plus where it came from."""

    id: str
    source: str  # absolute path of the source file
    parsed: ParsedReadout
    encoding: str = "utf-8"
    entities: tuple[EntityMention, ...] = ()  # offsets into parsed.text
    events: tuple[ReferencedEvent, ...] = ()  # past (or planned) events the text refers to

    def __getattr__(self, name: str):
        # Convenience: meeting.title, meeting.meeting_date, ... read through to the parsed record.
        if name in _PARSED_FIELDS:
            return getattr(self.parsed, name)
        raise AttributeError(name)

    def to_json(self, *, with_text: bool = True) -> dict:
        p = self.parsed
        record = {
            "id": self.id,
            "source": self.source,
            "title": p.title,
            "publication_date": _iso(p.publication_date),
            "meeting_date": _iso(p.meeting_date),
            "meeting_date_end": _iso(p.meeting_date_end),
            "meeting_type": p.meeting_type,
            "format": p.format,
            "duration_minutes": p.duration_minutes,
            "location": p.location.to_json() if p.location else None,
            "participants": [x.to_json() for x in p.participants],
            "countries": list(p.countries),
            "captions": list(p.captions),
            "duplicates_removed": p.duplicates_removed,
            "warnings": list(p.warnings),
            "encoding": self.encoding,
        }
        if with_text:
            record["text"] = p.text
            record["entities"] = [e.to_json() for e in self.entities]
            record["referenced_events"] = [e.to_json() for e in self.events]
        return record

    @classmethod
    def from_json(cls, data: dict, text: str | None = None) -> Meeting:
        def date(key: str) -> dt.date | None:
            value = data.get(key)
            return dt.date.fromisoformat(value) if value else None

        parsed = ParsedReadout(
            title=data["title"],
            text=text if text is not None else data.get("text", ""),
            publication_date=date("publication_date"),
            meeting_date=date("meeting_date"),
            meeting_date_end=date("meeting_date_end"),
            meeting_type=data.get("meeting_type"),
            format=data.get("format"),
            duration_minutes=data.get("duration_minutes"),
            location=Location.from_json(data.get("location")),
            participants=tuple(Participant.from_json(x) for x in data.get("participants", ())),
            countries=tuple(data.get("countries", ())),
            captions=tuple(data.get("captions", ())),
            duplicates_removed=data.get("duplicates_removed", 0),
            warnings=tuple(data.get("warnings", ())),
        )
        return cls(
            id=data["id"],
            source=data["source"],
            parsed=parsed,
            encoding=data.get("encoding", "utf-8"),
            entities=tuple(EntityMention.from_json(e) for e in data.get("entities", ())),
            events=tuple(ReferencedEvent.from_json(e) for e in data.get("referenced_events", ())),
        )


_PARSED_FIELDS = frozenset(f.name for f in fields(ParsedReadout))


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str
    title: str
    meeting_date: dt.date | None
    meeting_type: str | None
    format: str | None
    score: float
    snippet: str
    snippet_highlights: tuple[tuple[int, int], ...]  # [start, end) offsets into snippet

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "meeting_date": _iso(self.meeting_date),
            "meeting_type": self.meeting_type,
            "format": self.format,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "snippet_highlights": [list(x) for x in self.snippet_highlights],
        }


# (title, meeting date as ISO text or None, meeting type, format) of one meeting
Summary = tuple[str, str | None, str | None, str | None]
SummaryLoader = Callable[[Sequence[str]], Mapping[str, Summary]]


class HitList(Sequence[Hit]):
    """The hits of a large result, in result order, made a page at a time when asked for.

    Holds the meeting ids and scores only; titles and dates are read through ``load`` (the
    archive's store) for the hits asked for. A list of 100,000 ready-made hits with their titles
    took about 80 MB; this takes about 2 MB (the ids are shared with the index's id table).
    A meeting gone from the store by the time its hit is asked for (removed by an indexing run
    since the search) is listed with an empty title and no date."""

    PAGE = 200
    PAGES_KEPT = 16

    def __init__(
        self,
        ids: Sequence[str],
        scores: Sequence[float],
        load: SummaryLoader,
        snippets: Mapping[int, tuple[str, tuple[tuple[int, int], ...]]] | None = None,
    ):
        if len(ids) != len(scores):
            raise ValueError("one score per id")
        self.ids: tuple[str, ...] = tuple(ids)
        self._scores = array("d", scores)
        self._load = load
        self._snippets = dict(snippets or {})  # rank -> (snippet, highlights): the first hits
        self._pages: OrderedDict[int, tuple[Hit, ...]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.take(range(len(self.ids))[index])
        if index < 0:
            index += len(self.ids)
        if not 0 <= index < len(self.ids):
            raise IndexError("hit index out of range")
        page, offset = divmod(index, self.PAGE)
        return self._page(page)[offset]

    def __iter__(self) -> Iterator[Hit]:
        for page in range(0, (len(self.ids) + self.PAGE - 1) // self.PAGE):
            yield from self._page(page, keep=False)

    def __eq__(self, other) -> bool:
        """Equal to a sequence of the same hits (their titles are read only when the ids and
        scores agree)."""
        if self is other:
            return True
        if isinstance(other, HitList):
            if self.ids != other.ids or self._scores != other._scores:
                return False
        elif not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        elif len(other) != len(self) or any(h.id != mid for h, mid in zip(other, self.ids, strict=True)):
            return False
        return tuple(self) == tuple(other)

    __hash__ = None  # equal to a tuple of its hits, which hashes otherwise: unhashable, as a list

    def __repr__(self) -> str:
        return f"<HitList of {len(self.ids)} hits>"

    def take(self, indices: Sequence[int]) -> list[Hit]:
        """The hits at ``indices`` (in that order), read in one go: the rows of a sorted list
        come from anywhere in the result."""
        indices = list(indices)
        kept = {}
        for i in indices:
            page = self._pages.get(i // self.PAGE)
            if page is not None:
                kept[i] = page[i % self.PAGE]
        wanted = [i for i in indices if i not in kept]
        summaries = self._load([self.ids[i] for i in wanted]) if wanted else {}
        kept.update((i, self._hit(i, summaries.get(self.ids[i]))) for i in wanted)
        return [kept[i] for i in indices]

    def _page(self, page: int, keep: bool = True) -> tuple[Hit, ...]:
        hits = self._pages.get(page)
        if hits is not None:
            self._pages.move_to_end(page)
            return hits
        span = range(page * self.PAGE, min(len(self.ids), (page + 1) * self.PAGE))
        summaries = self._load([self.ids[i] for i in span])
        hits = tuple(self._hit(i, summaries.get(self.ids[i])) for i in span)
        if keep:
            self._pages[page] = hits
            if len(self._pages) > self.PAGES_KEPT:
                self._pages.popitem(last=False)
        return hits

    def _hit(self, index: int, summary: Summary | None) -> Hit:
        title, date, meeting_type, format_ = summary or ("", None, None, None)
        snip, spans = self._snippets.get(index, ("", ()))
        return Hit(
            id=self.ids[index],
            title=title,
            meeting_date=dt.date.fromisoformat(date) if date else None,
            meeting_type=meeting_type,
            format=format_,
            score=self._scores[index],
            snippet=snip,
            snippet_highlights=tuple(spans),
        )


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: Sequence[Hit]  # a tuple, or a HitList (made as asked for) for a large result
    # facet ("type", "country", "participant", "organization", ...) -> counts over all matches,
    # most frequent first; empty unless asked for
    facets: tuple[tuple[str, tuple[FacetCount, ...]], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The meeting ids of the hits, in order (without reading any hit's title)."""
        if isinstance(self.hits, HitList):
            return self.hits.ids
        return tuple(hit.id for hit in self.hits)

    def starts_with(self, other: SearchResult) -> bool:
        """True when ``other`` is this result's top: the same total and its hits this result's
        first ones (a first page and the whole result of one search)."""
        return (
            self.total == other.total
            and len(self.hits) >= len(other.hits)
            and self.ids[: len(other.hits)] == other.ids
        )

    def facet(self, name: str) -> tuple[FacetCount, ...]:
        return dict(self.facets).get(name, ())

    def to_json(self) -> dict:
        data = {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits]}
        if self.facets:
            data["facets"] = {
                name: [{"canonical": c.value, "count": c.count} for c in counts]
                for name, counts in self.facets
            }
        return data


@dataclass(frozen=True)
class EntitySummary:
    """One canonical entity across the archive."""

    kind: str
    canonical: str
    count: int  # meetings mentioning it
    meetings: tuple[str, ...]  # their ids

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "canonical": self.canonical,
            "count": self.count,
            "meetings": list(self.meetings),
        }


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str

    def to_json(self) -> dict:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: tuple[SkippedFile, ...] = ()
    warnings: tuple[SkippedFile, ...] = field(default=())  # indexed, but with a caveat (e.g. cp1252 fallback)
    cancelled: bool = False

    def to_json(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": [s.to_json() for s in self.skipped],
            "warnings": [w.to_json() for w in self.warnings],
            "cancelled": self.cancelled,
        }
