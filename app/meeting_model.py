"""The meeting list: a table model over one search result, every row there from the start.

The search result holds every matching id (cheap) and makes its hits as they are asked for.
The model has a row for each hit, so the scroll bar spans the whole result and a jump to its
end is one page read; a row's hit and its record for the extra columns (countries,
participants, location, duration) are made when the view first asks for the row, a page at a
time, and only the last ``pages_kept`` pages are held. The bookmark column (★) comes from
``set_bookmarks``, which the window calls on every change. Sorting by date is done by the index
(the window re-queries); sorting by other columns orders the result's ids here, with the
column's values read for every id at once (``load_sort_values``) rather than row by row.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from index.bookmarks import Bookmark
from index.models import FORMAT_LABELS, MEETING_TYPE_LABELS, Hit, HitList, Meeting, SearchResult

PAGE_SIZE = 200
PAGES_KEPT = 10  # pages of made rows held (the rest are made again when scrolled back to)


_ROOT = QModelIndex()  # the default parent (module-level: ruff B008)
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # default width in average characters


COLUMNS = (
    Column("date", "Meeting date", 13),
    Column("title", "Title", 48),
    Column("type", "Type", 14),
    Column("format", "Format", 10),
    Column("countries", "Countries", 22),
    Column("participants", "Participants", 28),
    Column("location", "Location", 16),
    Column("duration", "Duration", 8),
    Column("bookmark", "★", 3),
)
DATE_COLUMN = 0
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
BOOKMARK_COLUMN = COLUMN_KEYS.index("bookmark")
STAR = "★"
STAR_COLOUR = QColor("#d49b00")  # readable on light and dark bases

DetailsLoader = Callable[[Sequence[str]], dict[str, Meeting]]
# (ids, column key) -> id: the column's shown value (str; dates ISO, "" for none) or duration in
# minutes (int or None)
SortValuesLoader = Callable[[Sequence[str], str], Mapping[str, object]]


@dataclass
class _Row:
    hit: Hit
    meeting: Meeting | None = None


def type_label(value: str | None) -> str:
    return MEETING_TYPE_LABELS.get(value or "", value or "")


def format_label(value: str | None) -> str:
    return FORMAT_LABELS.get(value or "", value or "")


def duration_label(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


class MeetingTableModel(QAbstractTableModel):
    def __init__(
        self,
        load_details: DetailsLoader,
        parent=None,
        *,
        page_size: int = PAGE_SIZE,
        load_sort_values: SortValuesLoader | None = None,
        pages_kept: int = PAGES_KEPT,
    ):
        super().__init__(parent)
        self._load_details = load_details
        # For sorting by a details column without loading every row's details (a large result).
        self._load_sort_values = load_sort_values
        self._page_size = page_size
        self._pages_kept = pages_kept
        self._hits: Sequence[Hit] = ()  # the result's hits, in its order (made as asked for)
        self._ids: Sequence[str] = ()  # their meeting ids
        self._order: array | None = None  # list row -> index into _hits, once sorted here
        self._pages: OrderedDict[int, list[_Row]] = OrderedDict()  # rows made, a page each
        self._bookmarks: Mapping[str, Bookmark] = {}
        self.result: SearchResult | None = None

    # -- content --------------------------------------------------------------------------------
    def set_result(self, result: SearchResult) -> bool:
        """Show ``result``. When it continues the one shown (the same total, its hits so far the
        first of the new ones, not sorted here since: the rest of a first page), rows are added
        without a reset, so the selection and the scroll position stay: then True."""
        old = self.result
        if (
            old is not None
            and self._hits
            and self._order is None
            and len(result.hits) > len(self._hits)
            and result.starts_with(old)
        ):
            start = len(self._hits)
            self.beginInsertRows(QModelIndex(), start, len(result.hits) - 1)
            self.result = result
            self._hits, self._ids = result.hits, result.ids
            if start % self._page_size:  # the last page made was cut short: made again
                self._pages.pop(start // self._page_size, None)
            self.endInsertRows()
            return True
        self.beginResetModel()
        self.result = result
        self._hits, self._ids = result.hits, result.ids
        self._order = None
        self._pages.clear()
        self.endResetModel()
        return False

    def clear(self) -> None:
        self.set_result(SearchResult(query="", total=0, hits=()))

    def set_bookmarks(self, bookmarks: Mapping[str, Bookmark]) -> None:
        """The bookmarks by meeting id (the ★ column and its tooltip)."""
        self._bookmarks = dict(bookmarks)
        if self._hits:
            self.dataChanged.emit(
                self.index(0, BOOKMARK_COLUMN),
                self.index(len(self._hits) - 1, BOOKMARK_COLUMN),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE],
            )

    def is_bookmarked(self, meeting_id: str) -> bool:
        return meeting_id in self._bookmarks

    @property
    def total(self) -> int:
        """The number of hits of the result (its first page may be all that is here yet)."""
        return self.result.total if self.result is not None else 0

    def ids(self) -> list[str]:
        """Every id of the result, in the list's order."""
        return list(self._ids) if self._order is None else [self._ids[i] for i in self._order]

    def meeting_id(self, row: int) -> str | None:
        if not 0 <= row < len(self._ids):
            return None
        return self._ids[row if self._order is None else self._order[row]]

    def row_of(self, meeting_id: str) -> int | None:
        try:
            position = self._ids.index(meeting_id)
        except ValueError:
            return None
        return position if self._order is None else self._order.index(position)

    @property
    def rows_made(self) -> int:
        """How many rows are held made (their hits and details), at most ``pages_kept`` pages."""
        return sum(len(rows) for rows in self._pages.values())

    # -- rows, made a page at a time as the view asks for them ---------------------------------
    def _row(self, row: int) -> _Row:
        page, offset = divmod(row, self._page_size)
        rows = self._pages.get(page)
        if rows is None:
            start = page * self._page_size
            rows = self._pages[page] = self._make_rows(start, min(len(self._hits), start + self._page_size))
            while len(self._pages) > self._pages_kept:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return rows[offset]

    def _make_rows(self, start: int, end: int) -> list[_Row]:
        """The rows from ``start`` to ``end`` of the list: their hits and details."""
        positions = range(start, end) if self._order is None else self._order[start:end]
        if isinstance(self._hits, HitList):
            hits = self._hits.take(positions)
        else:
            hits = [self._hits[i] for i in positions]
        try:
            details = self._load_details([h.id for h in hits])
        except Exception:  # noqa: BLE001 - a row without details still shows the hit columns
            details = {}
        return [_Row(hit, details.get(hit.id)) for hit in hits]

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole and section == DATE_COLUMN:
                return "Sort by meeting date (newest or oldest first); click again to sort by relevance"
            if role == Qt.ItemDataRole.ToolTipRole and section == BOOKMARK_COLUMN:
                return "Bookmarked (Ctrl+D bookmarks the selected meeting or removes its bookmark)"
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if (
            not index.isValid()
            or not 0 <= index.row() < len(self._hits)
            or not 0 <= index.column() < len(COLUMNS)
        ):
            return None
        key = COLUMNS[index.column()].key
        if key == "bookmark":
            return self._bookmark_data(self.meeting_id(index.row()), role)
        if role == ID_ROLE:
            return self.meeting_id(index.row())
        row = self._row(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in ("title", "countries", "participants"):
                return _display(row, key) or None
            if key == "date" and row.meeting is not None:
                p = row.meeting.parsed
                lines = [f"until {p.meeting_date_end.isoformat()}"] if p.meeting_date_end else []
                if p.publication_date:
                    lines.append(f"published {p.publication_date.isoformat()}")
                return "\n".join(lines) or None
            return None
        if role == SORT_ROLE:
            return _sort_key(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "duration":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _bookmark_data(self, meeting_id: str, role):
        mark = self._bookmarks.get(meeting_id)
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return STAR if mark is not None else ""
        if role == ID_ROLE:
            return meeting_id
        if role == Qt.ItemDataRole.ToolTipRole and mark is not None:
            lines = ["Bookmarked"]
            if mark.tags:
                lines.append("Tags: " + ", ".join(mark.tags))
            if mark.note:
                lines.append(mark.note)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and mark is not None:
            return STAR_COLOUR  # selected rows keep the highlight's text colour
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "bookmarked" if mark is not None else "not bookmarked"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort the whole result by ``column`` here (date sorting is re-queried by the window)."""
        if not 0 <= column < len(COLUMNS) or not self._hits:
            return
        key = COLUMNS[column].key
        values = self._column_values(key)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_positions = [
            (i.row() if self._order is None else self._order[i.row()]) if i.isValid() else None for i in old
        ]
        reverse = order == Qt.SortOrder.DescendingOrder
        # indices sorted by their values (stable both ways: equal values keep the result's order);
        # arrays, not lists of Python ints (100,000 rows)
        present = array("l", (i for i, v in enumerate(values) if v not in ("", None)))
        present = array("l", sorted(present, key=values.__getitem__, reverse=reverse))
        empty = array("l", (i for i, v in enumerate(values) if v in ("", None)))
        self._order = present + empty  # rows without a value always last
        self._pages.clear()
        row_at = array("l", bytes(len(self._order) * array("l").itemsize))
        for row, position in enumerate(self._order):
            row_at[position] = row
        new = [
            self.index(row_at[p], i.column()) if p is not None else QModelIndex()
            for i, p in zip(old, old_positions, strict=True)
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _column_values(self, key: str) -> list:
        """The sort value of column ``key`` of every hit of the result, in the result's order."""
        ids = self.result.ids
        if key == "bookmark":  # a value for every row: ascending puts the bookmarked first
            return [0 if mid in self._bookmarks else 1 for mid in ids]
        from_hits = key in ("date", "title", "type", "format")
        if from_hits and not (isinstance(self._hits, HitList) and self._load_sort_values is not None):
            return [_hit_sort_key(hit, key) for hit in self._hits]
        if self._load_sort_values is not None:
            shown = self._load_sort_values(ids, key)
            return [_folded(shown.get(mid) or None) for mid in ids]  # 0 min: shown blank, so last
        details = self._load_details(ids)  # every row's details: small results only
        return [_details_sort_key(details.get(mid), key) for mid in ids]


def _participants(meeting: Meeting) -> str:
    return "; ".join(p.canonical or p.name for p in meeting.parsed.participants)


def _display(row: _Row, key: str) -> str:
    hit, meeting = row.hit, row.meeting
    if key == "date":
        return hit.meeting_date.isoformat() if hit.meeting_date else ""
    if key == "title":
        return hit.title
    if key == "type":
        return type_label(hit.meeting_type)
    if key == "format":
        return format_label(hit.format)
    if meeting is None:
        return ""
    p = meeting.parsed
    if key == "countries":
        return ", ".join(p.countries)
    if key == "participants":
        return _participants(meeting)
    if key == "location":
        return p.location.label() if p.location else ""
    if key == "duration":
        return duration_label(p.duration_minutes)
    return ""


def _folded(value):
    return value.casefold() if isinstance(value, str) else value


def _hit_sort_key(hit: Hit, key: str) -> str:
    """The sort value of a hit column: as shown, case-folded (dates ISO: they sort as text)."""
    return _display(_Row(hit), key).casefold()


def _details_sort_key(meeting: Meeting | None, key: str):
    if meeting is None:
        return None
    if key == "duration":
        return meeting.parsed.duration_minutes or None
    return _display(_Row(Hit(meeting.id, "", None, None, None, 0.0, "", ()), meeting), key).casefold()


def _sort_key(row: _Row, key: str):
    """SORT_ROLE: the value a sorting proxy would sort the loaded row by."""
    if key == "duration":
        return row.meeting.parsed.duration_minutes if row.meeting is not None else None
    return _display(row, key).casefold()
