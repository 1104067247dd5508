"""The meeting list: a lazy table model over one search result.

The search result holds every matching id (cheap) and makes its hits as they are asked for;
rows are made a page at a time in ``fetchMore``: their hits, and the records for the extra
columns (countries, participants, location, duration). The bookmark column (★) comes from
``set_bookmarks``, which the window calls on every change. Sorting by date is done by the index
(the window re-queries); sorting by other columns orders the result's ids here, with the
column's values read for every id at once (``load_sort_values``) rather than row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from index.bookmarks import Bookmark
from index.models import FORMAT_LABELS, MEETING_TYPE_LABELS, Hit, HitList, Meeting, SearchResult

PAGE_SIZE = 200


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
    ):
        super().__init__(parent)
        self._load_details = load_details
        # For sorting by a details column without loading every row's details (a large result).
        self._load_sort_values = load_sort_values
        self._page_size = page_size
        self._hits: Sequence[Hit] = ()  # the result's hits, in its order (made as asked for)
        self._order: list[int] | None = None  # list row -> index into _hits, once sorted here
        self._rows: list[_Row] = []  # the rows made so far (the first rowCount() of the list)
        self._bookmarks: Mapping[str, Bookmark] = {}
        self.result: SearchResult | None = None

    @property
    def _loaded(self) -> int:
        return len(self._rows)

    # -- content --------------------------------------------------------------------------------
    def set_result(self, result: SearchResult) -> bool:
        """Show ``result``. When it continues the one shown (the same total, its hits so far the
        first of the new ones, not sorted here since: the rest of a first page), rows are added
        without a reset, so the selection and the scroll position stay: then True."""
        old = self.result
        if (
            old is not None
            and self._rows
            and self._order is None
            and result.total == old.total
            and len(result.hits) > len(self._hits)
            and result.ids[: len(self._hits)] == old.ids
        ):
            self.result = result
            self._hits = result.hits
            return True  # canFetchMore() now pages into the rest
        self.beginResetModel()
        self.result = result
        self._hits = result.hits
        self._order = None
        self._rows = []
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())
        return False

    def clear(self) -> None:
        self.set_result(SearchResult(query="", total=0, hits=()))

    def set_bookmarks(self, bookmarks: Mapping[str, Bookmark]) -> None:
        """The bookmarks by meeting id (the ★ column and its tooltip)."""
        self._bookmarks = dict(bookmarks)
        if self._loaded:
            self.dataChanged.emit(
                self.index(0, BOOKMARK_COLUMN),
                self.index(self._loaded - 1, BOOKMARK_COLUMN),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE],
            )

    def is_bookmarked(self, meeting_id: str) -> bool:
        return meeting_id in self._bookmarks

    @property
    def total(self) -> int:
        """The number of hits of the result (its first page may be all that is here yet)."""
        return self.result.total if self.result is not None else 0

    def ids(self) -> list[str]:
        """Every id of the result (not only the loaded rows), in the list's order."""
        ids = self.result.ids if self.result is not None else ()
        return list(ids) if self._order is None else [ids[i] for i in self._order]

    def meeting_id(self, row: int) -> str | None:
        return self._rows[row].hit.id if 0 <= row < self._loaded else None

    def row_of(self, meeting_id: str) -> int | None:
        for row, made in enumerate(self._rows):
            if made.hit.id == meeting_id:
                return row
        return None

    # -- lazy loading ---------------------------------------------------------------------------
    def canFetchMore(self, parent=_ROOT) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._loaded < len(self._hits)

    def fetchMore(self, parent=_ROOT) -> None:  # noqa: N802 - Qt API
        if parent.isValid():
            return
        start = self._loaded
        end = min(len(self._hits), start + self._page_size)
        if end <= start:
            return
        rows = self._make_rows(start, end)
        self.beginInsertRows(QModelIndex(), start, end - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def _make_rows(self, start: int, end: int, known: Mapping[str, Meeting] | None = None) -> list[_Row]:
        """The rows from ``start`` to ``end`` of the list: their hits and details (``known``:
        details already loaded, by id)."""
        positions = range(start, end) if self._order is None else self._order[start:end]
        if isinstance(self._hits, HitList):
            hits = self._hits.take(positions)
        else:
            hits = [self._hits[i] for i in positions]
        known = known or {}
        missing = [h.id for h in hits if h.id not in known]
        try:
            details = self._load_details(missing) if missing else {}
        except Exception:  # noqa: BLE001 - a row without details still shows the hit columns
            details = {}
        return [_Row(hit, known.get(hit.id) or details.get(hit.id)) for hit in hits]

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else self._loaded

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
            or not 0 <= index.row() < self._loaded
            or not 0 <= index.column() < len(COLUMNS)
        ):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()].key
        if key == "bookmark":
            return self._bookmark_data(row.hit.id, role)
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
        if role == ID_ROLE:
            return row.hit.id
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
        old_ids = [self._rows[i.row()].hit.id if i.row() < self._loaded else None for i in old]
        reverse = order == Qt.SortOrder.DescendingOrder
        present = [(v, i) for i, v in enumerate(values) if v not in ("", None)]
        present.sort(key=lambda vi: vi[0], reverse=reverse)
        empty = [i for i, v in enumerate(values) if v in ("", None)]
        self._order = [i for _, i in present] + empty  # rows without a value always last
        known = {r.hit.id: r.meeting for r in self._rows if r.meeting is not None}
        self._rows = self._make_rows(0, self._loaded, known)
        positions = {r.hit.id: i for i, r in enumerate(self._rows)}
        new = []
        for index, mid in zip(old, old_ids, strict=True):
            row = positions.get(mid) if mid else None
            new.append(self.index(row, index.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _column_values(self, key: str) -> list:
        """The sort value of column ``key`` of every hit of the result, in the result's order."""
        ids = self.result.ids
        if key == "bookmark":
            return [STAR if mid in self._bookmarks else "" for mid in ids]
        from_hits = key in ("date", "title", "type", "format")
        if from_hits and not (isinstance(self._hits, HitList) and self._load_sort_values is not None):
            return [_hit_sort_key(hit, key) for hit in self._hits]
        if self._load_sort_values is not None:
            shown = self._load_sort_values(ids, key)
            return [_folded(shown.get(mid)) for mid in ids]
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
        return meeting.parsed.duration_minutes
    return _display(_Row(Hit(meeting.id, "", None, None, None, 0.0, "", ()), meeting), key).casefold()


def _sort_key(row: _Row, key: str):
    """SORT_ROLE: the value a sorting proxy would sort the loaded row by."""
    if key == "duration":
        return row.meeting.parsed.duration_minutes if row.meeting is not None else None
    return _display(row, key).casefold()
