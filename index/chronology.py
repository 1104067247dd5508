"""The chronology of a set of meetings: dated markers, referenced past events, lanes and gaps.

Qt-free. The GUI's chronology view, the ``timeline`` command and the table exports all build on
:func:`chronology_of_markers`: the meetings' markers (:func:`meeting_markers` reads them from
the archive field by field; :func:`build_chronology` makes them from ``Meeting`` records) and the
events they reference become frozen :class:`TimelineEvent` values sorted by date.

Lanes group the meetings three ways (:data:`LANE_MODES`):

``type``
    the meeting type, in the order of :data:`index.models.MEETING_TYPES`.
``countries``
    the country pair, written as the two canonical names sorted and joined by an en dash
    ("Japan–Viet Nam"). A readout naming one country gets that country's lane, none gets
    "No country named", and three or more countries get the one lane "Multilateral": a trilateral
    summit is not a bilateral meeting of any two of its members, and picking "the publisher's
    pair" would hide it among that pair's bilateral meetings.
``participant``
    every named participant; a meeting appears in the lane of each of its participants.

Lanes are ordered by size (type lanes by the fixed type order); beyond ``max_lanes`` the smaller
ones are folded into one "Others" lane so that a 10,000-meeting result stays readable.

Referenced events (``ReferencedEvent`` from :mod:`index.entities`) become spans: month precision
covers the whole month, year precision the whole year, never a fake first-of-month day. The same
event mentioned by several meetings is one event that lists every mentioning meeting; a coarse
mention ("in 1973") is folded into a precise one of the same event ("September 21, 1973").
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from .models import FORMAT_LABELS, MEETING_TYPE_LABELS, MEETING_TYPES, Meeting

if TYPE_CHECKING:  # pragma: no cover
    from .archive import Archive
    from .models import ReferencedEvent

LANE_MODES = ("type", "countries", "participant")
MAX_LANES = 12
DEFAULT_GAP_DAYS = 180  # stretches without meetings longer than this are marked as gaps
REFERENCES_READ = 500  # meetings whose referenced events are read at a time
MARKERS_READ = 5000  # meetings whose marker fields are read at a time

MEETING = "meeting"
REFERENCE = "reference"
GAP = "gap"

MULTILATERAL = "Multilateral"
NO_COUNTRY = "No country named"
NO_PARTICIPANT = "No participant named"
NO_TYPE = "Type unknown"
OTHERS = "Others"
REFERENCES_LANE = "Referenced events"
PAIR_SEPARATOR = "–"  # en dash: "Japan–Viet Nam"


# ============================================================================ values
@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing on the timeline: a meeting, or a past event a meeting refers to.

    ``start`` and ``end`` are both inclusive (a one-day meeting has ``start == end``).
    For a reference, ``meeting_id`` is the earliest meeting that mentions it and
    ``mentioned_in`` lists every mentioning meeting in the chronology."""

    kind: str  # MEETING | REFERENCE
    start: dt.date
    end: dt.date
    title: str
    meeting_id: str
    precision: str = "day"  # day | month | year
    meeting_type: str | None = None
    format: str | None = None
    countries: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    text: str = ""  # a reference's phrase in the readout
    mentioned_in: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def country_pair(self) -> str:
        return country_pair(self.countries)

    def lane_keys(self, by: str) -> tuple[str, ...]:
        """The lanes this event belongs to when grouping ``by`` one of :data:`LANE_MODES`."""
        if self.kind == REFERENCE:
            return (REFERENCES_LANE,)
        if by == "type":
            return (self.meeting_type or NO_TYPE,)
        if by == "countries":
            return (self.country_pair,)
        if by == "participant":
            return self.participants or (NO_PARTICIPANT,)
        raise ValueError(f"unknown lane mode {by!r}; one of {', '.join(LANE_MODES)}")

    def date_label(self) -> str:
        if self.precision == "year":
            return str(self.start.year)
        if self.precision == "month":
            return self.start.strftime("%Y-%m")
        if self.end != self.start:
            return f"{self.start.isoformat()} – {self.end.isoformat()}"
        return self.start.isoformat()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "date": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision,
            "title": self.title,
            "meeting_id": self.meeting_id,
        }
        if self.kind == MEETING:
            data.update(
                meeting_type=self.meeting_type,
                format=self.format,
                countries=list(self.countries),
                country_pair=self.country_pair,
                participants=list(self.participants),
            )
        else:
            data.update(text=self.text, mentioned_in=list(self.mentioned_in))
        return data


@dataclass(frozen=True)
class Gap:
    """A stretch of ``days`` days (``start``..``end`` inclusive) without any meeting."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return f"no meetings for {duration_label(self.days)}"

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


@dataclass(frozen=True)
class Lane:
    key: str
    label: str
    count: int  # meetings in the lane


@dataclass(frozen=True)
class LaneLayout:
    """Lanes for one mode and, for each meeting of the chronology (same order), its lane indices."""

    by: str
    lanes: tuple[Lane, ...]
    members: tuple[tuple[int, ...], ...]

    def lane_of(self, meeting_index: int) -> tuple[str, ...]:
        return tuple(self.lanes[i].key for i in self.members[meeting_index])


@dataclass(frozen=True)
class Chronology:
    meetings: tuple[TimelineEvent, ...]  # dated meetings, sorted by (start, end, title, id)
    references: tuple[TimelineEvent, ...] = ()  # sorted by (start, end, title)
    undated: tuple[str, ...] = ()  # ids of meetings without a meeting date

    def events(self) -> tuple[TimelineEvent, ...]:
        """Meetings and references together, by date (references first on the same day)."""
        return tuple(sorted(self.meetings + self.references, key=_event_order))

    def span(self) -> tuple[dt.date, dt.date] | None:
        items = self.meetings + self.references
        if not items:
            return None
        return min(e.start for e in items), max(e.end for e in items)

    def index_of(self, meeting_id: str) -> int | None:
        for i, event in enumerate(self.meetings):
            if event.meeting_id == meeting_id:
                return i
        return None

    def lanes(self, by: str = "type", max_lanes: int = MAX_LANES) -> LaneLayout:
        return assign_lanes(self.meetings, by, max_lanes)

    def gaps(self, longer_than_days: int = DEFAULT_GAP_DAYS) -> tuple[Gap, ...]:
        return find_gaps(self.meetings, longer_than_days)

    def to_json(self, by: str = "type", gap_days: int = DEFAULT_GAP_DAYS) -> dict[str, Any]:
        layout = self.lanes(by)
        lane_of = {id(e): layout.lane_of(i) for i, e in enumerate(self.meetings)}
        events = []
        for event in self.events():
            data = event.to_json()
            data["lanes"] = list(lane_of.get(id(event), (REFERENCES_LANE,)))
            events.append(data)
        return {
            "lanes_by": by,
            "lanes": [
                {"key": lane.key, "label": lane.label, "meetings": lane.count} for lane in layout.lanes
            ],
            "meetings": len(self.meetings),
            "references": len(self.references),
            "undated": list(self.undated),
            "events": events,
            "gaps": [g.to_json() for g in self.gaps(gap_days)],
            "gap_days": gap_days,
        }


# ============================================================================ building
def country_pair(countries: Iterable[str]) -> str:
    names = sorted(dict.fromkeys(c for c in countries if c), key=str.casefold)
    if not names:
        return NO_COUNTRY
    if len(names) > 2:
        return MULTILATERAL
    return PAIR_SEPARATOR.join(names)


def meeting_event(meeting: Meeting) -> TimelineEvent | None:
    """The marker of one meeting, or None when it has no meeting date."""
    p = meeting.parsed
    if p.meeting_date is None:
        return None
    return _marker(
        meeting.id,
        p.title,
        p.meeting_date,
        p.meeting_date_end,
        p.meeting_type,
        p.format,
        tuple(dict.fromkeys(p.countries)),
        tuple(dict.fromkeys(x.canonical or x.name for x in p.participants)),
    )


def _marker(
    meeting_id: str,
    title: str,
    start: dt.date,
    end: dt.date | None,
    meeting_type: str | None,
    format_: str | None,
    countries: tuple[str, ...],  # each name once
    participants: tuple[str, ...],
) -> TimelineEvent:
    return TimelineEvent(
        kind=MEETING,
        start=start,
        end=end if end and end >= start else start,
        title=title,
        meeting_id=meeting_id,
        meeting_type=meeting_type,
        format=format_,
        countries=countries,
        participants=participants,
    )


# The record fields a meeting's marker is made of (Archive.record_fields).
MARKER_FIELDS = (
    "title",
    "meeting_date",
    "meeting_date_end",
    "meeting_type",
    "format",
    "countries",
    "participants",
)


def meeting_markers(archive: Archive, meeting_ids: Sequence[str]) -> tuple[list[TimelineEvent], list[str]]:
    """The markers of ``meeting_ids`` and the ids without a meeting date, read from the archive
    field by field: whole records made the chronology of 100,000 meetings take 5.7 s and 370 MB.
    Ids no longer in the archive are left out. Dates, names, types, formats and the tuples of
    countries and of participants are one object each however many meetings share them."""
    dates: dict[str, dt.date] = {}
    shared: dict = {}  # strings and tuples of strings

    def date(text: str | None) -> dt.date | None:
        if not text:
            return None
        value = dates.get(text)
        if value is None:
            value = dates[text] = dt.date.fromisoformat(text)
        return value

    def names(found: Iterable[str]) -> tuple[str, ...]:
        """Each name once, as a shared tuple of shared strings."""
        found = tuple(dict.fromkeys(shared.setdefault(n, n) for n in found))
        return shared.setdefault(found, found)

    def text(value: str | None) -> str | None:
        return value if value is None else shared.setdefault(value, value)

    markers: list[TimelineEvent] = []
    undated: list[str] = []
    for mid, row in _rows_in_order(archive, meeting_ids, MARKER_FIELDS):
        title, start, end, meeting_type, format_, countries, participants = row
        start = date(start)
        if start is None:
            undated.append(mid)
            continue
        markers.append(
            _marker(
                mid,
                title,
                start,
                date(end),
                text(meeting_type),
                text(format_),
                names(json.loads(countries)) if countries else (),
                names(p.get("canonical") or p["name"] for p in json.loads(participants))
                if participants
                else (),
            )
        )
    return markers, undated


def precision_span(date: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The days a date of ``precision`` stands for: the whole month, the whole year or the day."""
    if precision == "year":
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(date.year, date.month)[1]
        return dt.date(date.year, date.month, 1), dt.date(date.year, date.month, last)
    return date, date


def _rows_in_order(archive: Archive, ids: Sequence[str], fields: Sequence[str]):
    """(id, record fields) of ``ids`` in their order, read a few thousand at a time (the raw
    fields of 100,000 meetings at once would hold ~30 MB more)."""
    for start in range(0, len(ids), MARKERS_READ):
        chunk = ids[start : start + MARKERS_READ]
        rows = archive.record_fields(chunk, fields)
        yield from ((mid, rows[mid]) for mid in chunk if mid in rows)


def build_chronology(
    meetings: Iterable[Meeting],
    references: Mapping[str, Sequence[ReferencedEvent]] | None = None,
) -> Chronology:
    """The chronology of ``meetings`` (records without text are enough) and, when given, the past
    events each meeting refers to (``references[meeting_id]``)."""
    markers: list[TimelineEvent] = []
    undated: list[str] = []
    for meeting in meetings:
        event = meeting_event(meeting)
        if event is None:
            undated.append(meeting.id)
        else:
            markers.append(event)
    return chronology_of_markers(markers, undated, references)


def chronology_of_markers(
    markers: Iterable[TimelineEvent],
    undated: Iterable[str] = (),
    references: Mapping[str, Sequence[ReferencedEvent]] | None = None,
) -> Chronology:
    """The chronology of meeting ``markers`` (``meeting_markers``), the ids of meetings
    without a date, and the past events each meeting refers to."""
    markers = _sorted_markers(markers)
    refs = _merge_references(references or {}, {m.meeting_id: m.start for m in markers})
    return Chronology(tuple(markers), refs, tuple(sorted(undated)))


def _sorted_markers(markers: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """``markers`` in ``_meeting_order``. Markers read in date order (a date-ordered search) are
    sorted a day at a time: the sort keys of 100,000 meetings at once were 17 MB."""
    markers = list(markers)
    if all(a.start <= b.start for a, b in pairwise(markers)):
        return [
            e for _, day in groupby(markers, key=attrgetter("start")) for e in sorted(day, key=_meeting_order)
        ]
    return sorted(markers, key=_meeting_order)


def _meeting_order(e: TimelineEvent):
    return (e.start, e.end, e.title.casefold(), e.meeting_id)


def _event_order(e: TimelineEvent):
    return (e.start, 0 if e.kind == REFERENCE else 1, e.end, e.title.casefold(), e.meeting_id)


def _merge_references(
    references: Mapping[str, Sequence[ReferencedEvent]], dates: Mapping[str, dt.date]
) -> tuple[TimelineEvent, ...]:
    far = dt.date.max

    def mention_order(mid: str):
        return (dates.get(mid, far), mid)

    # (canonical, start, end) -> [precision, text, mentioning ids]
    grouped: dict[tuple[str, dt.date, dt.date], list] = {}
    names: dict[str, str] = {}
    for mid, events in references.items():
        for ref in events:
            start, end = precision_span(ref.date, ref.date_precision)
            key = ref.canonical.casefold()
            names.setdefault(key, ref.canonical)
            entry = grouped.setdefault((key, start, end), [ref.date_precision, ref.text, set()])
            entry[2].add(mid)
    # fold "in 1973" into "September 21, 1973" of the same event
    keys = sorted(grouped, key=lambda k: (k[2] - k[1]).days)
    for coarse in reversed(keys):
        if (coarse[2] - coarse[1]).days == 0:
            continue
        finer = next(
            (
                k
                for k in keys
                if k != coarse
                and k[0] == coarse[0]
                and (k[2] - k[1]) < (coarse[2] - coarse[1])
                and coarse[1] <= k[1]
                and k[2] <= coarse[2]
            ),
            None,
        )
        if finer is not None:
            grouped[finer][2] |= grouped.pop(coarse)[2]
            keys.remove(coarse)
    out = []
    for (key, start, end), (precision, text, mentions) in grouped.items():
        ids = tuple(sorted(mentions, key=mention_order))
        out.append(
            TimelineEvent(
                kind=REFERENCE,
                start=start,
                end=end,
                title=names[key],
                meeting_id=ids[0],
                precision=precision,
                text=text,
                mentioned_in=ids,
            )
        )
    out.sort(key=lambda e: (e.start, e.end, e.title.casefold()))
    return tuple(out)


# ============================================================================ lanes and gaps
def lane_label(by: str, key: str) -> str:
    if by == "type":
        return MEETING_TYPE_LABELS.get(key, key)
    return key


def assign_lanes(meetings: Sequence[TimelineEvent], by: str, max_lanes: int = MAX_LANES) -> LaneLayout:
    """Lanes for ``meetings`` grouped ``by`` a mode of :data:`LANE_MODES` (see the module doc)."""
    if by not in LANE_MODES:
        raise ValueError(f"unknown lane mode {by!r}; one of {', '.join(LANE_MODES)}")
    # each meeting's keys are asked for twice rather than kept (100,000 tuples: 6 MB)
    counts = Counter(k for e in meetings for k in e.lane_keys(by))
    if by == "type":
        order = {t: i for i, t in enumerate(MEETING_TYPES)}
        ranked = sorted(counts, key=lambda k: (order.get(k, len(order)), k))
    else:
        last = {NO_COUNTRY, NO_PARTICIPANT, MULTILATERAL}
        ranked = sorted(counts, key=lambda k: (k in last, -counts[k], k.casefold()))
    kept = ranked
    if len(ranked) > max_lanes:
        kept = ranked[: max(1, max_lanes - 1)]
    position = {k: i for i, k in enumerate(kept)}
    others = len(kept)
    members: list[tuple[int, ...]] = []
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per combination of lanes
    other_count = 0
    for e in meetings:
        lanes = tuple(dict.fromkeys(position[k] for k in e.lane_keys(by) if k in position))
        if not lanes:
            lanes = (others,)
            other_count += 1
        members.append(shared.setdefault(lanes, lanes))
    lanes_out = [Lane(k, lane_label(by, k), counts[k]) for k in kept]
    if other_count:
        lanes_out.append(Lane(OTHERS, OTHERS, other_count))
    return LaneLayout(by, tuple(lanes_out), tuple(members))


def find_gaps(meetings: Sequence[TimelineEvent], longer_than_days: int = DEFAULT_GAP_DAYS) -> tuple[Gap, ...]:
    """Stretches longer than ``longer_than_days`` days between meetings (multi-day meetings
    cover every one of their days). ``meetings`` must be sorted by start."""
    gaps: list[Gap] = []
    covered: dt.date | None = None
    for event in meetings:
        if covered is not None and event.start > covered:
            start, end = covered + dt.timedelta(days=1), event.start - dt.timedelta(days=1)
            if (end - start).days + 1 > longer_than_days:
                gaps.append(Gap(start, end))
        covered = event.end if covered is None else max(covered, event.end)
    return tuple(gaps)


def duration_label(days: int) -> str:
    """'3 weeks', '14 months', '2.5 years' — a round figure for a stretch of days."""
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 60:
        return f"{round(days / 7)} weeks"
    if days < 730:
        return f"{round(days / 30.44)} months"
    years = days / 365.25
    return f"{years:.1f} years".replace(".0 ", " ")


# ============================================================================ tables
TABLE_COLUMNS = (
    "date",
    "end",
    "precision",
    "kind",
    "lane",
    "type",
    "format",
    "title",
    "countries",
    "participants",
    "meeting_id",
    "mentioned_in",
)


def table_rows(chronology: Chronology, by: str = "type", gap_days: int | None = None) -> list[dict[str, str]]:
    """One row per meeting and reference (and per gap when ``gap_days`` is given), by date."""
    layout = chronology.lanes(by)
    lane_of = {id(e): layout.lane_of(i) for i, e in enumerate(chronology.meetings)}
    items: list[tuple[tuple, dict[str, str]]] = []
    for event in chronology.events():
        row = {
            "date": event.start.isoformat(),
            "end": event.end.isoformat(),
            "precision": event.precision,
            "kind": event.kind,
            "lane": "; ".join(lane_label(by, k) for k in lane_of.get(id(event), (REFERENCES_LANE,))),
            "type": MEETING_TYPE_LABELS.get(event.meeting_type or "", event.meeting_type or ""),
            "format": FORMAT_LABELS.get(event.format or "", event.format or ""),
            "title": event.title,
            "countries": ", ".join(event.countries),
            "participants": "; ".join(event.participants),
            "meeting_id": event.meeting_id,
            "mentioned_in": " ".join(event.mentioned_in),
        }
        items.append((_event_order(event), row))
    if gap_days is not None:
        for gap in chronology.gaps(gap_days):
            row = dict.fromkeys(TABLE_COLUMNS, "")
            row.update(
                date=gap.start.isoformat(),
                end=gap.end.isoformat(),
                precision="day",
                kind=GAP,
                title=gap.label().capitalize(),
            )
            items.append(((gap.start, 2, gap.end, "", ""), row))
    items.sort(key=lambda item: item[0])
    return [row for _key, row in items]


def to_csv(chronology: Chronology, by: str = "type", gap_days: int | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table_rows(chronology, by, gap_days))
    return out.getvalue()


_MD_COLUMNS = (("Date", "when"), ("Kind", "kind"), ("Lane", "lane"), ("Type", "type"))
_MD_COLUMNS += (("Format", "format"), ("Title", "title"), ("Meeting", "meeting_id"))


def to_markdown(chronology: Chronology, by: str = "type", gap_days: int | None = None) -> str:
    def cell(text: str) -> str:
        return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())

    lines = [
        "| " + " | ".join(title for title, _key in _MD_COLUMNS) + " |",
        "|" + "|".join("---" for _ in _MD_COLUMNS) + "|",
    ]
    for row in table_rows(chronology, by, gap_days):
        row = dict(row, when=_when(row))
        lines.append("| " + " | ".join(cell(row[key]) for _title, key in _MD_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def _when(row: Mapping[str, str]) -> str:
    if row["precision"] == "year":
        return row["date"][:4]
    if row["precision"] == "month":
        return row["date"][:7]
    return row["date"] if row["end"] == row["date"] else f"{row['date']} – {row['end']}"


def write_table(path, chronology: Chronology, by: str = "type", gap_days: int | None = None) -> None:
    """Write the chronology as CSV (``.csv``) or Markdown (any other suffix), atomically."""
    from pathlib import Path

    from .atomic import write_atomic

    path = Path(path)
    text = (
        to_csv(chronology, by, gap_days)
        if path.suffix.lower() == ".csv"
        else to_markdown(chronology, by, gap_days)
    )
    write_atomic(path, text)


# ============================================================================ from an archive
def referenced_events(
    archive: Archive,
    meeting_ids: Iterable[str],
    *,
    cache: dict[str, tuple[ReferencedEvent, ...]] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[str, tuple[ReferencedEvent, ...]]:
    """The past events each meeting refers to — the ONE place the chronology gets them from:
    the events stored with each meeting, read 500 meetings at a time (``cancel`` is asked
    between). The GUI calls this off the GUI thread with a ``cache``."""
    ids = list(meeting_ids)
    out: dict[str, tuple[ReferencedEvent, ...]] = {}
    todo = [mid for mid in ids if cache is None or mid not in cache]
    for start in range(0, len(todo), REFERENCES_READ):
        if cancel is not None and cancel():
            return out
        out.update(archive.referenced_events(todo[start : start + REFERENCES_READ]))
    if cache is not None:
        cache.update(out)
        out.update((mid, cache[mid]) for mid in ids if mid in cache and mid not in out)
    return out


def chronology_for(
    archive: Archive,
    text: str = "",
    filters=None,
    *,
    with_references: bool = True,
) -> Chronology:
    """The chronology of the meetings a search finds (all meetings for an empty search)."""
    result = archive.search(text, filters, limit=None, sort="date-asc", snippets=0)
    ids = list(result.ids)
    markers, undated = meeting_markers(archive, ids)
    refs = referenced_events(archive, ids) if with_references else None
    return chronology_of_markers(markers, undated, refs)


__all__ = [
    "DEFAULT_GAP_DAYS",
    "LANE_MODES",
    "Chronology",
    "Gap",
    "Lane",
    "LaneLayout",
    "TimelineEvent",
    "assign_lanes",
    "build_chronology",
    "chronology_for",
    "chronology_of_markers",
    "country_pair",
    "find_gaps",
    "meeting_markers",
    "referenced_events",
    "to_csv",
    "to_markdown",
    "write_table",
]
