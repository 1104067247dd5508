"""The chronology view: the meetings of the current result on a zoomable, pannable timeline.

``ChronologyView`` is the tab: a toolbar (lanes, gaps, zoom, export) over a ``TimelineCanvas``.
The canvas is a custom-painted widget that draws only the visible date range: meetings are kept
per lane in date order, the visible ones are found by binary search, and the stacking of markers
inside a lane is computed once per zoom level (panning reuses it). Markers are pre-rendered
sprites on screen and vector paths when exporting to SVG or PDF.

The chronology itself (ordering, lanes, gaps, referenced events, tables) comes from the Qt-free
:mod:`index.chronology`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import math
import re
from array import array
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPalette,
    QPdfWriter,
    QPen,
    QPixmap,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from index.archive import Archive
from index.chronology import (
    DEFAULT_GAP_DAYS,
    MEETING,
    REFERENCES_LANE,
    Chronology,
    Gap,
    LaneLayout,
    TimelineEvent,
    chronology_of_markers,
    duration_label,
    meeting_markers,
    referenced_events,
    write_table,
)
from index.models import FORMAT_LABELS, MEETING_TYPE_LABELS, MEETING_TYPES

from .tasks import Task, TaskRunner

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
TYPE_COLOURS = {
    "summit": "#D55E00",
    "foreign_ministers": "#0072B2",
    "defense_ministers": "#009E73",
    "ministerial": "#CC79A7",
    "senior_officials": "#E69F00",
    "other": "#56B4E9",
}
UNKNOWN_COLOUR = "#8C8C8C"
FORMAT_SHAPES = {"in_person": "circle", "video": "square", "telephone": "triangle"}
LANE_CHOICES = (("type", "Meeting type"), ("countries", "Country pair"), ("participant", "Participant"))
GAP_CHOICES = ((0, "No gaps"), (31, "Gaps over 1 month"), (91, "Gaps over 3 months"))
GAP_CHOICES += ((DEFAULT_GAP_DAYS, "Gaps over 6 months"), (365, "Gaps over 1 year"))
EXPORT_FILTERS = {
    "png": "PNG image (*.png)",
    "svg": "SVG image (*.svg)",
    "pdf": "PDF document (*.pdf)",
    "csv": "CSV table (*.csv)",
    "md": "Markdown table (*.md)",
}

YEAR, MONTH, DAY = "year", "month", "day"
MIN_PX_PER_DAY = 1e-3
MAX_PX_PER_DAY = 400.0
ZOOM_STEP = 1.25
RADIUS = 5.5  # marker radius in px
LABEL_MIN = 110  # px a label needs before a marker's title is drawn beside it
_READOUT_PREFIX = re.compile(r"^(?:joint\s+)?readout\s+(?:of|from)\s+(?:the\s+)?|^readout:\s*", re.IGNORECASE)
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def type_colour(meeting_type: str | None) -> QColor:
    return QColor(TYPE_COLOURS.get(meeting_type or "", UNKNOWN_COLOUR))


def _ordinal(date: dt.date) -> int:
    return date.toordinal()


def _date(ordinal: float) -> dt.date:
    return dt.date.fromordinal(max(1, min(int(math.floor(ordinal)), dt.date.max.toordinal())))


def shape_path(fmt: str | None, r: float = RADIUS) -> QPainterPath:
    """The marker outline for a meeting format, centred on (0, 0)."""
    path = QPainterPath()
    shape = FORMAT_SHAPES.get(fmt or "", "circle")
    if shape == "square":
        s = r * 0.9
        path.addRoundedRect(QRectF(-s, -s, 2 * s, 2 * s), 1.5, 1.5)
    elif shape == "triangle":
        h = r * 1.15
        path.addPolygon(
            QPolygonF([QPointF(0, -h), QPointF(h, h * 0.8), QPointF(-h, h * 0.8), QPointF(0, -h)])
        )
        path.closeSubpath()
    else:
        path.addEllipse(QPointF(0, 0), r, r)
    return path


def diamond_path(r: float = RADIUS) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(0, -r), QPointF(r, 0), QPointF(0, r), QPointF(-r, 0), QPointF(0, -r)]))
    path.closeSubpath()
    return path


# ============================================================================ the canvas
class _IdIndex:
    """meeting id -> its index in ``meetings``, for a few look-ups (the selection, a tooltip):
    the indices in id order, searched by bisection (a dict of 100,000 ids held 6.5 MB)."""

    def __init__(self, meetings: Sequence[TimelineEvent]):
        self._meetings = meetings
        self._by_id = array("l", sorted(range(len(meetings)), key=lambda i: meetings[i].meeting_id))

    def get(self, meeting_id: str | None, default: int | None = None) -> int | None:
        if not isinstance(meeting_id, str):
            return default
        by_id, meetings = self._by_id, self._meetings
        k = bisect.bisect_left(by_id, meeting_id, key=lambda i: meetings[i].meeting_id)
        if k < len(by_id) and meetings[by_id[k]].meeting_id == meeting_id:
            return by_id[k]
        return default

    def __contains__(self, meeting_id: object) -> bool:
        return self.get(meeting_id) is not None

    def __getitem__(self, meeting_id: str) -> int:
        i = self.get(meeting_id)
        if i is None:
            raise KeyError(meeting_id)
        return i


class TimelineCanvas(QWidget):
    """Paints one :class:`Chronology`; zoom with the wheel or +/−, pan by dragging."""

    meeting_clicked = Signal(str)  # a marker (or a reference's mentioning meeting) was clicked
    view_changed = Signal()  # zoom, pan or content changed (scroll bars and labels follow)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Chronology")
        self.setAccessibleDescription(
            "Meetings over time. Mouse wheel or plus and minus zoom, drag to pan, left and right arrows "
            "move between meetings, 0 fits all."
        )
        self.setMinimumSize(320, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.chronology = Chronology(())
        self.lanes_by = "type"
        self.gap_days = DEFAULT_GAP_DAYS
        self.layout_: LaneLayout = self.chronology.lanes(self.lanes_by)
        self.gaps: tuple[Gap, ...] = ()
        self.x0 = float(_ordinal(dt.date.today()) - 365)  # the day at the plot's left edge
        self.ppd = 1.0  # pixels per day
        self.y_offset = 0.0  # vertical scroll of the lanes, in px
        self._wanted_id: str | None = None  # selected elsewhere; shown once it is in the chronology
        self._hover: tuple[str, int] | None = None  # ("m"|"r", index)
        self._press: QPointF | None = None
        self._press_x0 = 0.0
        self._dragging = False
        self._sprites: dict[tuple, QPixmap] = {}
        self._rows_key: tuple | None = None
        self._fitted = False
        self._index_of = _IdIndex(())
        self._refs_of: dict[str, list[int]] = {}
        # per lane: its meetings (indices), their start days, rows and room for a label; arrays,
        # not lists of Python numbers (a tenth of the memory for 100,000 meetings)
        self._lane_items: list[array] = []
        self._lane_starts: list[array] = []
        self._lane_rows: list[array] = []
        self._lane_room: list[array] = []
        self._ref_starts: list[float] = []
        self._ref_rows: list[int] = []
        self._ref_room: list[float] = []
        self._short_titles: dict[int, str] = {}  # marker -> label, made when first drawn
        self._max_days = 1
        self._rebuild()

    # -- content --------------------------------------------------------------------------------
    def set_chronology(self, chronology: Chronology, *, keep_view: bool = False) -> None:
        old_span = self.chronology.span()
        self.chronology = chronology
        self._rebuild()
        if not keep_view or old_span is None or not self._fitted:
            self.fit_all()
        self.update()
        self.view_changed.emit()

    def set_lanes(self, by: str) -> None:
        if by != self.lanes_by:
            self.lanes_by = by
            self._rebuild()
            self.update()
            self.view_changed.emit()

    def set_gap_days(self, days: int) -> None:
        self.gap_days = days
        self.gaps = self.chronology.gaps(days) if days > 0 else ()
        self.update()
        self.view_changed.emit()

    def _rebuild(self) -> None:
        c = self.chronology
        self.layout_ = c.lanes(self.lanes_by)
        self.gaps = c.gaps(self.gap_days) if self.gap_days > 0 else ()
        self._index_of = _IdIndex(c.meetings)
        self._refs_of = {}
        for k, ref in enumerate(c.references):
            for mid in ref.mentioned_in:
                self._refs_of.setdefault(mid, []).append(k)
        n = len(self.layout_.lanes)
        self._lane_items = [array("l") for _ in range(n)]
        for i, lanes in enumerate(self.layout_.members):
            for lane in lanes:
                self._lane_items[lane].append(i)
        self._lane_starts = [
            array("d", (_ordinal(c.meetings[i].start) for i in items)) for items in self._lane_items
        ]
        self._ref_starts = [float(_ordinal(r.start)) for r in c.references]
        self._short_titles = {}
        self._max_days = max([e.days for e in c.meetings] + [r.days for r in c.references] + [1])
        self._rows_key = None
        self._hover = None

    # -- geometry -------------------------------------------------------------------------------
    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.font())

    def lane_labels(self) -> list[str]:
        labels = [f"{lane.label}" for lane in self.layout_.lanes]
        return ([REFERENCES_LANE] if self.chronology.references else []) + labels

    def _label_width(self, w: float) -> float:
        fm = self._metrics()
        count = fm.horizontalAdvance(f" {max([lane.count for lane in self.layout_.lanes] + [0]):,}")
        widest = max([fm.horizontalAdvance(t) for t in self.lane_labels()] + [60.0])
        return min(max(widest + count + 38, 100.0), max(100.0, w * 0.24), 230.0)

    def _axis_height(self) -> float:
        return 2 * self._metrics().height() + 10

    def _legend_height(self) -> float:
        return self._metrics().height() + 10

    def _pitch(self) -> float:
        return max(2 * RADIUS + 5, self._metrics().height() + 3)

    def plot_rect(self, w: float | None = None, h: float | None = None) -> QRectF:
        w = float(self.width() if w is None else w)
        h = float(self.height() if h is None else h)
        left = self._label_width(w)
        top = self._axis_height()
        return QRectF(left, top, max(10.0, w - left - 10), max(10.0, h - top - self._legend_height()))

    def ref_rows(self, plot_h: float | None = None) -> int:
        """Rows of the references lane (0 without references; fewer when space is short)."""
        n = len(self.chronology.references)
        wanted = 0 if n == 0 else 1 if n == 1 else 2 if n < 6 else 3
        if plot_h is None:
            plot_h = self.plot_rect().height()
        pitch = self._pitch()
        lanes = max(1, len(self.layout_.lanes))
        while wanted > 1 and wanted * pitch + 8 + lanes * (pitch + 4) > plot_h:
            wanted -= 1
        return wanted

    def _heights(self, plot_h: float) -> tuple[float, float]:
        """(references lane height, meeting lane height) for a plot ``plot_h`` px high."""
        pitch = self._pitch()
        refs = self.ref_rows(plot_h)
        ref_h = refs * pitch + 8 if refs else 0.0
        n = max(1, len(self.layout_.lanes))
        lane_h = max(pitch + 4, min((plot_h - ref_h) / n, 3 * pitch + 10))
        return (max(ref_h, lane_h) if refs else 0.0), lane_h

    def lane_height(self, h: float | None = None) -> float:
        return self._heights(self.plot_rect(None, h).height())[1]

    def ref_lane_height(self, plot: QRectF) -> float:
        return self._heights(plot.height())[0]

    def lanes_extent(self, h: float | None = None) -> float:
        ref_h, lane_h = self._heights(self.plot_rect(None, h).height())
        return ref_h + lane_h * len(self.layout_.lanes)

    def _bands(self, plot: QRectF) -> list[tuple[float, float]]:
        """(top, height) of every lane in ``lane_labels()`` order."""
        ref_h, lane_h = self._heights(plot.height())
        top = plot.top() - self.y_offset
        bands = [(top, ref_h)] if ref_h else []
        bands += [(top + ref_h + n * lane_h, lane_h) for n in range(len(self.layout_.lanes))]
        return bands

    def rows_per_lane(self, h: float | None = None) -> int:
        return max(1, min(5, int((self.lane_height(h) - 4) // self._pitch())))

    def x_of(self, ordinal: float, plot: QRectF | None = None) -> float:
        plot = plot or self.plot_rect()
        return plot.left() + (ordinal - self.x0) * self.ppd

    def ordinal_at(self, x: float, plot: QRectF | None = None) -> float:
        plot = plot or self.plot_rect()
        return self.x0 + (x - plot.left()) / self.ppd

    def visible_range(self) -> tuple[float, float]:
        plot = self.plot_rect()
        return self.x0, self.x0 + plot.width() / self.ppd

    @property
    def scale_unit(self) -> str:
        return self._tick_spec(self.ppd)[0]

    # -- zoom and pan ---------------------------------------------------------------------------
    def fit_all(self, *, include_references: bool = False) -> None:
        """Show every meeting (and every referenced event with ``include_references``)."""
        c = self.chronology
        items = c.meetings + (c.references if include_references or not c.meetings else ())
        plot = self.plot_rect()
        if not items:
            today = _ordinal(dt.date.today())
            first, last = today - 365, today + 30
        else:
            first = min(_ordinal(e.start) for e in items)
            last = max(_ordinal(e.end) for e in items) + 1
        span = max(float(last - first), 60.0)
        middle = (first + last) / 2
        pad = span * 0.04 + 8 / max(self.ppd, MIN_PX_PER_DAY)
        self.ppd = self._clamp_ppd(plot.width() / (span + 2 * pad))
        self.x0 = middle - plot.width() / self.ppd / 2
        self._fitted = True
        self._clamp_pan()
        self._changed()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        plot = self.plot_rect()
        if anchor_x is None:
            anchor_x = plot.center().x()
        day = self.ordinal_at(anchor_x, plot)
        self.ppd = self._clamp_ppd(self.ppd * factor)
        self.x0 = day - (anchor_x - plot.left()) / self.ppd
        self._clamp_pan()
        self._changed()

    def zoom_in(self) -> None:
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom(1 / ZOOM_STEP)

    def set_px_per_day(self, ppd: float) -> None:
        self.zoom(ppd / self.ppd)

    def pan_pixels(self, dx: float) -> None:
        self.x0 -= dx / self.ppd
        self._clamp_pan()
        self._changed()

    def scroll_to_day(self, ordinal: float) -> None:
        self.x0 = ordinal
        self._clamp_pan()
        self._changed()

    def center_on(self, ordinal: float) -> None:
        self.x0 = ordinal - self.plot_rect().width() / self.ppd / 2
        self._clamp_pan()
        self._changed()

    def data_range(self) -> tuple[float, float]:
        """The days panning may reach: everything in the chronology, with some room."""
        span = self.chronology.span()
        if span is None:
            today = _ordinal(dt.date.today())
            return today - 400.0, today + 60.0
        return float(_ordinal(span[0])) - 30, float(_ordinal(span[1])) + 31

    def _clamp_ppd(self, ppd: float) -> float:
        return max(MIN_PX_PER_DAY, min(MAX_PX_PER_DAY, ppd))

    def _clamp_pan(self) -> None:
        first, last = self.data_range()
        visible = self.plot_rect().width() / self.ppd
        low = first - visible * 0.5
        high = last - visible * 0.5
        self.x0 = min(max(self.x0, low), max(low, high))
        max_y = max(0.0, self.lanes_extent() - self.plot_rect().height())
        self.y_offset = min(max(self.y_offset, 0.0), max_y)

    def set_y_offset(self, y: float) -> None:
        self.y_offset = y
        self._clamp_pan()
        self.update()

    def _changed(self) -> None:
        self.update()
        self.view_changed.emit()

    # -- selection ------------------------------------------------------------------------------
    @property
    def selected_id(self) -> str | None:
        return self._wanted_id if self._wanted_id in self._index_of else None

    def select(self, meeting_id: str | None, *, reveal: bool = True) -> None:
        """Highlight ``meeting_id`` (no signal); scroll it into view with ``reveal``. An id not in the
        chronology yet (still loading) is highlighted when it arrives."""
        self._wanted_id = meeting_id
        if meeting_id in self._index_of and reveal:
            event = self.chronology.meetings[self._index_of[meeting_id]]
            lo, hi = self.visible_range()
            middle = _ordinal(event.start) + 0.5
            if not lo <= middle <= hi:
                self.center_on(middle)
        self.update()

    def step(self, delta: int) -> str | None:
        """Select the next (``delta`` > 0) or previous meeting by date; returns its id."""
        meetings = self.chronology.meetings
        if not meetings:
            return None
        if self.selected_id is None:
            lo, hi = self.visible_range()
            starts = [float(_ordinal(e.start)) for e in meetings]
            i = bisect.bisect_left(starts, lo) if delta > 0 else bisect.bisect_right(starts, hi) - 1
        else:
            i = self._index_of[self.selected_id] + delta
        i = max(0, min(len(meetings) - 1, i))
        self.select(meetings[i].meeting_id)
        return self.selected_id

    # -- stacking (once per zoom level) ---------------------------------------------------------
    def _ensure_rows(self, h: float) -> None:
        key = (self.ppd, h, self.lanes_by, id(self.chronology), self.font().key())
        if key == self._rows_key:
            return
        self._rows_key = key
        rows = self.rows_per_lane(h)
        r_days = (RADIUS + 3) / self.ppd
        label_days = LABEL_MIN / self.ppd
        meetings = self.chronology.meetings
        self._lane_rows, self._lane_room = [], []
        for items in self._lane_items:
            ends = [-math.inf] * rows
            row_of = array("l")
            room = array("d")
            last_in_row: list[int] = [-1] * rows
            for k, i in enumerate(items):
                e = meetings[i]
                centre = _ordinal(e.start) + 0.5
                left = centre - r_days
                right = max(centre + r_days, _ordinal(e.end) + 1.0) + label_days
                row = next((r for r in range(rows) if ends[r] <= left), None)
                if row is None:
                    row = min(range(rows), key=ends.__getitem__)
                if last_in_row[row] >= 0:
                    room[last_in_row[row]] = left
                ends[row] = max(ends[row], right)
                last_in_row[row] = k
                row_of.append(row)
                room.append(math.inf)
            self._lane_rows.append(row_of)
            self._lane_room.append(room)
        # references: spans and diamonds, each wanting room for its title
        fm = self._metrics()
        ref_rows = max(1, self.ref_rows(self.plot_rect(None, h).height()))
        ends = [-math.inf] * ref_rows
        last_in_row = [-1] * ref_rows
        self._ref_rows, self._ref_room = [], []
        for k, ref in enumerate(self.chronology.references):
            left = _ordinal(ref.start) - r_days
            want = min(fm.horizontalAdvance(ref.title) + 10, 220) / self.ppd
            right = max(_ordinal(ref.end) + 1.0, _ordinal(ref.start) + 0.5 + r_days) + want
            row = next((r for r in range(ref_rows) if ends[r] <= left), None)
            if row is None:
                row = min(range(ref_rows), key=ends.__getitem__)
            if last_in_row[row] >= 0:
                self._ref_room[last_in_row[row]] = left
            ends[row] = max(ends[row], right)
            last_in_row[row] = k
            self._ref_rows.append(row)
            self._ref_room.append(math.inf)

    def _row_y(self, lane_top: float, lane_h: float, row: int, rows: int) -> float:
        pitch = self._pitch()
        used = min(rows, max(1, int((lane_h - 4) // pitch)))
        top = lane_top + (lane_h - used * pitch) / 2
        return top + (row % used + 0.5) * pitch

    def _lane_top(self, lane: int, plot: QRectF, lane_h: float) -> float:
        """Top of meeting lane ``lane`` (the references lane, when shown, is lane -1)."""
        top = plot.top() - self.y_offset
        return top if lane < 0 else top + self.ref_lane_height(plot) + lane * lane_h

    # -- hit testing ----------------------------------------------------------------------------
    def item_at(self, pos: QPointF) -> tuple[str, int] | None:
        """("m", meeting index) or ("r", reference index) under ``pos``."""
        plot = self.plot_rect()
        if not plot.contains(pos):
            return None
        h = float(self.height())
        self._ensure_rows(h)
        lane_h = self.lane_height(h)
        rows = self.rows_per_lane(h)
        tolerance = RADIUS + 3
        day = self.ordinal_at(pos.x(), plot)
        lo = day - self._max_days - tolerance / self.ppd - 1
        hi = day + tolerance / self.ppd
        best: tuple[float, tuple[str, int]] | None = None
        if self.chronology.references:
            top = self._lane_top(-1, plot, lane_h)
            ref_h = self.ref_lane_height(plot)
            if top <= pos.y() < top + ref_h:
                ref_rows = self.ref_rows()
                a = bisect.bisect_left(self._ref_starts, lo)
                b = bisect.bisect_right(self._ref_starts, hi)
                for k in range(a, b):
                    ref = self.chronology.references[k]
                    y = self._row_y(top, ref_h, self._ref_rows[k], ref_rows)
                    x0 = self.x_of(_ordinal(ref.start), plot)
                    x1 = max(self.x_of(_ordinal(ref.end) + 1, plot), x0 + self.ppd)
                    cx = min(max(pos.x(), x0), x1) if ref.precision != "day" else (x0 + x1) / 2
                    d = math.hypot(pos.x() - cx, pos.y() - y)
                    if d <= tolerance and (best is None or d < best[0]):
                        best = (d, ("r", k))
                return best[1] if best else None
        for lane, items in enumerate(self._lane_items):
            top = self._lane_top(lane, plot, lane_h)
            if not top <= pos.y() < top + lane_h:
                continue
            starts = self._lane_starts[lane]
            a = bisect.bisect_left(starts, lo)
            b = bisect.bisect_right(starts, hi)
            for k in range(a, b):
                i = items[k]
                e = self.chronology.meetings[i]
                y = self._row_y(top, lane_h, self._lane_rows[lane][k], rows)
                cx = self.x_of(_ordinal(e.start) + 0.5, plot)
                x_end = self.x_of(_ordinal(e.end) + 1, plot)
                px = min(max(pos.x(), cx), max(cx, x_end)) if e.days > 1 else cx
                d = math.hypot(pos.x() - px, pos.y() - y)
                if d <= tolerance and (best is None or d < best[0]):
                    best = (d, ("m", i))
            break
        return best[1] if best else None

    def gap_at(self, pos: QPointF) -> Gap | None:
        plot = self.plot_rect()
        if not plot.contains(pos):
            return None
        day = self.ordinal_at(pos.x(), plot)
        for gap in self.gaps:
            if _ordinal(gap.start) <= day < _ordinal(gap.end) + 1:
                return gap
        return None

    def marker_pos(self, meeting_id: str) -> QPointF | None:
        """Where ``meeting_id``'s marker is drawn (first lane), for tests and links."""
        i = self._index_of.get(meeting_id)
        if i is None:
            return None
        h = float(self.height())
        self._ensure_rows(h)
        plot = self.plot_rect()
        lane_h = self.lane_height(h)
        lane = self.layout_.members[i][0]
        k = self._lane_items[lane].index(i)
        y = self._row_y(
            self._lane_top(lane, plot, lane_h), lane_h, self._lane_rows[lane][k], self.rows_per_lane(h)
        )
        return QPointF(self.x_of(_ordinal(self.chronology.meetings[i].start) + 0.5, plot), y)

    # -- events ---------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        old = event.oldSize()
        if old.width() > 0 and old.width() != event.size().width():
            # keep the same days in view when the window is resized
            old_plot = self.plot_rect(old.width(), old.height())
            days = old_plot.width() / self.ppd
            self.ppd = self._clamp_ppd(self.plot_rect().width() / days)
        elif not self._fitted or old.width() <= 0:
            self.fit_all()
        self._clamp_pan()
        self.view_changed.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        delta = event.angleDelta()
        pixel = event.pixelDelta()
        mods = event.modifiers()
        if abs(delta.x()) > abs(delta.y()) or mods & Qt.KeyboardModifier.ShiftModifier:
            dx = pixel.x() if not pixel.isNull() else (delta.x() or delta.y()) / 120 * 60
            self.pan_pixels(dx)
        elif mods & Qt.KeyboardModifier.AltModifier:
            self.set_y_offset(self.y_offset - delta.y() / 120 * self.lane_height())
            self.view_changed.emit()
        elif delta.y():
            self.zoom(ZOOM_STEP ** (delta.y() / 120), event.position().x())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._press_x0 = self.x0
            self._dragging = False
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        pos = event.position()
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            dx = pos.x() - self._press.x()
            if self._dragging or abs(dx) > 4:
                self._dragging = True
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
                self.x0 = self._press_x0 - dx / self.ppd
                self._clamp_pan()
                self._changed()
            return
        hover = self.item_at(pos)
        if hover != self._hover:
            self._hover = hover
            self.setCursor(Qt.CursorShape.PointingHandCursor if hover else Qt.CursorShape.ArrowCursor)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        was_drag = self._dragging
        self._press = None
        self._dragging = False
        self.unsetCursor()
        if was_drag:
            return
        pos = event.position()
        if self._edge_hit(pos):
            self.fit_all(include_references=True)
            return
        hit = self.item_at(pos)
        if hit is None:
            return
        kind, index = hit
        if kind == "m":
            mid = self.chronology.meetings[index].meeting_id
        else:
            mid = self.chronology.references[index].meeting_id
            if self.selected_id in self.chronology.references[index].mentioned_in:
                mid = self.selected_id
        self.select(mid, reveal=False)
        self.meeting_clicked.emit(mid)

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            mid = self.step(1 if key == Qt.Key.Key_Right else -1)
            if mid is not None:
                self.meeting_clicked.emit(mid)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Home):
            self.fit_all(include_references=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            pos = QPointF(event.pos())
            text = self.tooltip_at(pos)
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPointF) -> str:
        hit = self.item_at(pos)
        if hit is not None:
            kind, index = hit
            if kind == "m":
                return meeting_tooltip(self.chronology.meetings[index])
            return self._reference_tooltip(self.chronology.references[index])
        if self._edge_hit(pos):
            return "Click to show every referenced event"
        gap = self.gap_at(pos)
        if gap is not None:
            return (
                f"<b>No meetings for {duration_label(gap.days)}</b><br>"
                f"{gap.start.isoformat()} – {gap.end.isoformat()} ({gap.days:,} days)"
            )
        return ""

    def _reference_tooltip(self, ref: TimelineEvent) -> str:
        meetings = self.chronology.meetings
        lines = [
            f"<b>{html.escape(ref.title)}</b>",
            f"{html.escape(_reference_when(ref))} — referenced event",
            f"<i>“{html.escape(ref.text)}”</i>" if ref.text else "",
            "Mentioned in:",
        ]
        for mid in ref.mentioned_in[:6]:
            i = self._index_of.get(mid)
            if i is not None:
                m = meetings[i]
                lines.append(f"&nbsp;• {m.start.isoformat()} {html.escape(_elide_text(m.title, 70))}")
        if len(ref.mentioned_in) > 6:
            lines.append(f"&nbsp;• and {len(ref.mentioned_in) - 6} more")
        lines.append("Click to select the meeting that mentions it.")
        return "<br>".join(x for x in lines if x)

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        try:
            self.render_to(painter, float(self.width()), float(self.height()), vector=False)
        finally:
            painter.end()

    def _colours(self) -> dict[str, QColor]:
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        text = pal.color(QPalette.ColorRole.Text)
        mid = QColor(text)
        mid.setAlpha(140)
        faint = QColor(text)
        faint.setAlpha(40)
        stripe = pal.color(QPalette.ColorRole.AlternateBase)
        if stripe == base:
            stripe = base.darker(104) if not dark else base.lighter(115)
        gap = QColor(text)
        gap.setAlpha(26 if not dark else 40)
        ref = QColor("#8FA8C8") if dark else QColor("#4A6583")
        return {
            "base": base,
            "text": text,
            "mid": mid,
            "faint": faint,
            "stripe": stripe,
            "gap": gap,
            "ref": ref,
            "highlight": pal.color(QPalette.ColorRole.Highlight),
            "dark": QColor(Qt.GlobalColor.white) if dark else QColor(Qt.GlobalColor.black),
        }

    def render_to(self, p: QPainter, w: float, h: float, *, vector: bool) -> None:
        """Paint the current view into ``w`` × ``h`` (the widget's size, for the same layout)."""
        colours = self._colours()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.setFont(self.font())
        p.fillRect(QRectF(0, 0, w, h), colours["base"])
        plot = self.plot_rect(w, h)
        self._ensure_rows(h)
        lane_h = self.lane_height(h)
        labels = self.lane_labels()
        # lane stripes
        p.save()
        p.setClipRect(QRectF(0, plot.top(), w, plot.height()))
        for n, (top, height) in enumerate(self._bands(plot)):
            if n % 2 == 1:
                p.fillRect(QRectF(0, top, w, height), colours["stripe"])
        p.restore()
        self._paint_gaps(p, plot, colours, lane_h)
        self._paint_axis(p, plot, colours, w)
        p.save()
        p.setClipRect(plot.adjusted(-RADIUS - 2, 0, RADIUS + 2, 0))
        self._paint_selection_guide(p, plot, colours)
        self._paint_references(p, plot, colours, lane_h, h, vector)
        self._paint_meetings(p, plot, colours, lane_h, h, vector)
        self._paint_links(p, plot, colours, lane_h, h)
        p.restore()
        self._paint_lane_labels(p, plot, colours, lane_h, labels)
        self._paint_edges(p, plot, colours, lane_h)
        self._paint_legend(p, plot, colours, w, h, vector)
        if not self.chronology.meetings and not self.chronology.references:
            p.setPen(colours["mid"])
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No dated meetings in this result")

    # axis ------------------------------------------------------------------------------------
    def _tick_spec(self, ppd: float) -> tuple[str, int]:
        fm = self._metrics()
        gap = 10
        day_w = fm.horizontalAdvance("28") + gap
        month_w = fm.horizontalAdvance("May") + gap
        year_w = fm.horizontalAdvance("2028") + gap
        for step in (1, 2, 5, 10):
            if ppd * step >= day_w:
                return DAY, step
        for step in (1, 3, 6):
            if ppd * 28 * step >= month_w:
                return MONTH, step
        for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
            if ppd * 365 * step >= year_w:
                return YEAR, step
        return YEAR, 1000

    def _ticks(self, unit: str, step: int, lo: float, hi: float) -> list[tuple[float, float, str]]:
        """(start ordinal, end ordinal, label) of each tick cell between ``lo`` and ``hi``."""
        first, last = _date(lo), _date(hi)
        out: list[tuple[float, float, str]] = []
        if unit == DAY:
            d = first
            while d <= last:
                dim = _days_in_month(d.year, d.month)
                if (d.day - 1) % step == 0 and (step == 1 or d.day <= dim - step // 2):
                    out.append((float(d.toordinal()), float(d.toordinal() + step), str(d.day)))
                d += dt.timedelta(days=1)
        elif unit == MONTH:
            y, m = first.year, first.month
            while (y, m) <= (last.year, last.month):
                if (m - 1) % step == 0:
                    start = dt.date(y, m, 1).toordinal()
                    y2, m2 = _add_months(y, m, step)
                    out.append((float(start), float(_safe_ordinal(y2, m2)), _MONTH_ABBR[m - 1]))
                y, m = _add_months(y, m, 1)
        else:
            y = first.year - first.year % step
            while y <= last.year:
                if y >= 1:
                    out.append((float(_safe_ordinal(y, 1)), float(_safe_ordinal(y + step, 1)), str(y)))
                y += step
        return out

    def _context(self, unit: str, lo: float, hi: float) -> list[tuple[float, str, str]]:
        """(ordinal, long label, short label) of the months (day scale) or years (month scale)."""
        first, last = _date(lo), _date(hi)
        out = []
        if unit == DAY:
            y, m = first.year, first.month
            while (y, m) <= (last.year, last.month):
                out.append(
                    (float(_safe_ordinal(y, m)), f"{_MONTH_NAMES[m - 1]} {y}", f"{_MONTH_ABBR[m - 1]} {y}")
                )
                y, m = _add_months(y, m, 1)
        elif unit == MONTH:
            for y in range(first.year, last.year + 1):
                out.append((float(_safe_ordinal(y, 1)), str(y), str(y)))
        return out

    def _paint_axis(self, p: QPainter, plot: QRectF, colours, w: float) -> None:
        fm = self._metrics()
        lo = self.x0
        hi = self.x0 + plot.width() / self.ppd
        unit, step = self._tick_spec(self.ppd)
        row_h = fm.height()
        context_y = 4
        tick_y = context_y + row_h + 2
        axis_bottom = plot.top()
        p.save()
        p.setClipRect(QRectF(plot.left(), 0, plot.width(), plot.bottom()))
        # grid and tick labels (never overlapping: a label that would touch the previous is skipped)
        grid = QPen(colours["faint"], 1)
        strong = QPen(colours["mid"], 1)
        last_right = -math.inf
        context_starts = {o for o, _l, _s in self._context(unit, lo - 1, hi + 1)}
        for start, end, label in self._ticks(unit, step, lo - step * 366, hi + 1):
            x = self.x_of(start, plot)
            x_end = self.x_of(end, plot)
            if x_end < plot.left() - 60 or x > plot.right() + 60:
                continue
            p.setPen(strong if start in context_starts or unit == YEAR and step == 1 else grid)
            p.drawLine(QPointF(x, axis_bottom - 5), QPointF(x, plot.bottom()))
            text_w = fm.horizontalAdvance(label)
            if step == 1 and x_end - x > text_w + 4:
                tx = (x + x_end - text_w) / 2
            else:
                tx = x + 3
            if tx < last_right + 6 or tx < plot.left() or tx + text_w > plot.right():
                continue
            p.setPen(colours["text"])
            p.drawText(QPointF(tx, tick_y + fm.ascent()), label)
            last_right = tx + text_w
        # the context row: months over days, years over months, with the current one pinned left
        context = self._context(unit, lo, hi)
        if context:
            bold = QFont(self.font())
            bold.setBold(True)
            p.setFont(bold)
            bfm = QFontMetricsF(bold)
            placed: list[tuple[float, str]] = []
            for k, (start, long, short) in enumerate(context):
                x = max(self.x_of(start, plot) + 3, plot.left() + 3)
                next_x = self.x_of(context[k + 1][0], plot) + 3 if k + 1 < len(context) else math.inf
                room = next_x - x - 8
                text = long if bfm.horizontalAdvance(long) <= room else short
                room = min(room, plot.right() - x)
                if bfm.horizontalAdvance(text) > room:
                    text = short
                if bfm.horizontalAdvance(text) > room:
                    continue
                placed.append((x, text))
            p.setPen(colours["text"])
            for x, text in placed:
                p.drawText(QPointF(x, context_y + bfm.ascent()), text)
            p.setFont(self.font())
        p.restore()
        p.setPen(QPen(colours["mid"], 1))
        p.drawLine(QPointF(plot.left(), axis_bottom), QPointF(plot.right(), axis_bottom))

    def _paint_gaps(self, p: QPainter, plot: QRectF, colours, lane_h: float) -> None:
        if not self.gaps:
            return
        fm = self._metrics()
        brush = QBrush(colours["gap"], Qt.BrushStyle.BDiagPattern)
        p.save()
        p.setClipRect(plot)
        first_lane_top = self._lane_top(0, plot, lane_h)
        for gap in self.gaps:
            x0 = self.x_of(_ordinal(gap.start), plot)
            x1 = self.x_of(_ordinal(gap.end) + 1, plot)
            if x1 < plot.left() or x0 > plot.right():
                continue
            band = QRectF(x0, plot.top(), x1 - x0, plot.height())
            p.fillRect(band, colours["gap"])
            p.fillRect(band, brush)
            text = f"{duration_label(gap.days)} without meetings"
            visible = band.intersected(plot)
            if fm.horizontalAdvance(text) + 12 > visible.width():
                text = duration_label(gap.days)
            if fm.horizontalAdvance(text) + 12 <= visible.width():
                italic = QFont(self.font())
                italic.setItalic(True)
                p.setFont(italic)
                p.setPen(colours["mid"])
                y = max(first_lane_top, plot.top()) + 2
                p.drawText(
                    QRectF(visible.left(), y, visible.width(), fm.height() + 2),
                    Qt.AlignmentFlag.AlignCenter,
                    text,
                )
                p.setFont(self.font())
        p.restore()

    def _paint_selection_guide(self, p: QPainter, plot: QRectF, colours) -> None:
        if self.selected_id is None:
            return
        e = self.chronology.meetings[self._index_of[self.selected_id]]
        x0 = self.x_of(_ordinal(e.start), plot)
        x1 = self.x_of(_ordinal(e.end) + 1, plot)
        band = QColor(colours["highlight"])
        band.setAlpha(40)
        if x1 - x0 >= 3:
            p.fillRect(QRectF(x0, plot.top(), x1 - x0, plot.height()), band)
        else:
            p.setPen(QPen(band, 2))
            p.drawLine(QPointF((x0 + x1) / 2, plot.top()), QPointF((x0 + x1) / 2, plot.bottom()))

    def _sprite(self, meeting_type: str | None, fmt: str | None, dpr: float) -> QPixmap:
        key = (meeting_type, fmt, dpr, self.palette().color(QPalette.ColorRole.Base).rgb())
        pix = self._sprites.get(key)
        if pix is None:
            size = int(math.ceil((2 * RADIUS + 6) * dpr))
            pix = QPixmap(size, size)
            pix.setDevicePixelRatio(dpr)
            pix.fill(Qt.GlobalColor.transparent)
            q = QPainter(pix)
            q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            q.translate(size / dpr / 2, size / dpr / 2)
            self._draw_marker(q, QPointF(0, 0), meeting_type, fmt)
            q.end()
            self._sprites[key] = pix
        return pix

    def _draw_marker(self, p: QPainter, at: QPointF, meeting_type: str | None, fmt: str | None) -> None:
        colour = type_colour(meeting_type)
        base = self.palette().color(QPalette.ColorRole.Base)
        p.setPen(QPen(base if base.lightness() < 128 else colour.darker(150), 1.0))
        p.setBrush(colour if fmt else Qt.BrushStyle.NoBrush)
        if not fmt:
            p.setPen(QPen(colour, 2.0))
        p.drawPath(shape_path(fmt).translated(at))

    def _paint_meetings(
        self, p: QPainter, plot: QRectF, colours, lane_h: float, h: float, vector: bool
    ) -> None:
        meetings = self.chronology.meetings
        if not meetings:
            return
        fm = self._metrics()
        rows = self.rows_per_lane(h)
        lo = self.x0 - self._max_days - (RADIUS + LABEL_MIN + 4) / self.ppd - 1
        hi = self.x0 + plot.width() / self.ppd + RADIUS / self.ppd + 1
        dpr = p.device().devicePixelRatioF() if not vector else 1.0
        half = (2 * RADIUS + 6) / 2
        bar_h = RADIUS * 1.1
        hover_i = self._hover[1] if self._hover and self._hover[0] == "m" else None
        ppd = self.ppd
        base = plot.left() - self.x0 * ppd  # x of ordinal 0
        right = plot.right()
        label_dy = fm.ascent() - fm.height() / 2
        sprites = {}
        draw_pixmap = p.drawPixmap
        titles = self._short_titles
        gap_starts = [float(_ordinal(g.start)) for g in self.gaps]
        coarse = ppd < (2 * RADIUS) / 3  # markers closer than a third of their width: skip repeats
        for lane, items in enumerate(self._lane_items):
            top = self._lane_top(lane, plot, lane_h)
            if top + lane_h < plot.top() or top > plot.bottom():
                continue
            starts = self._lane_starts[lane]
            lane_rows = self._lane_rows[lane]
            lane_room = self._lane_room[lane]
            row_y = [self._row_y(top, lane_h, r, rows) for r in range(rows)]
            a = bisect.bisect_left(starts, lo)
            b = bisect.bisect_right(starts, hi)
            last_x = [-1e9] * rows
            for k in range(a, b):
                i = items[k]
                row = lane_rows[k]
                cx = base + (starts[k] + 0.5) * ppd
                e = meetings[i]
                days = e.days
                if coarse and days == 1 and cx - last_x[row] < 1.5 and i != hover_i:
                    continue  # at coarse zoom markers share pixels: one per pixel and row is enough
                last_x[row] = cx
                y = row_y[row]
                if days > 1:
                    x_start = base + starts[k] * ppd
                    x_end = x_start + days * ppd
                    if x_end - x_start > 2 * RADIUS:
                        colour = QColor(type_colour(e.meeting_type))
                        colour.setAlpha(150)
                        p.setPen(QPen(type_colour(e.meeting_type).darker(130), 1))
                        p.setBrush(colour)
                        p.drawRoundedRect(QRectF(x_start, y - bar_h / 2, x_end - x_start, bar_h), 3, 3)
                if vector:
                    self._draw_marker(p, QPointF(cx, y), e.meeting_type, e.format)
                else:
                    style = (e.meeting_type, e.format)
                    sprite = sprites.get(style)
                    if sprite is None:
                        sprite = sprites[style] = self._sprite(e.meeting_type, e.format, dpr)
                    draw_pixmap(QPointF(cx - half, y - half), sprite)
                if i == hover_i:
                    p.setPen(QPen(colours["text"], 1.2))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawEllipse(QPointF(cx, y), RADIUS + 3, RADIUS + 3)
                room_x = lane_room[k]
                g = bisect.bisect_right(gap_starts, starts[k])
                if g < len(gap_starts):
                    room_x = min(room_x, gap_starts[g])  # labels stop where a gap begins
                if (room_x - starts[k]) * ppd < LABEL_MIN:
                    continue
                label_x = cx + RADIUS + 4 if days == 1 else base + (starts[k] + days) * ppd + 4
                room = min(base + room_x * ppd - 6, right) - label_x
                if room >= LABEL_MIN - 10:
                    title = titles.get(i)
                    if title is None:
                        title = titles[i] = short_title(e.title)
                    text = fm.elidedText(title, Qt.TextElideMode.ElideRight, room)
                    if len(text) > 12:
                        p.setPen(colours["mid"])
                        p.drawText(QPointF(label_x, y + label_dy), text)
        # the selected marker on top, ringed, in every lane it is in
        if self.selected_id is not None:
            i = self._index_of[self.selected_id]
            e = meetings[i]
            for lane in self.layout_.members[i]:
                k = bisect.bisect_left(self._lane_items[lane], i)
                top = self._lane_top(lane, plot, lane_h)
                y = self._row_y(top, lane_h, self._lane_rows[lane][k], rows)
                cx = self.x_of(_ordinal(e.start) + 0.5, plot)
                if vector:
                    self._draw_marker(p, QPointF(cx, y), e.meeting_type, e.format)
                else:
                    p.drawPixmap(QPointF(cx - half, y - half), self._sprite(e.meeting_type, e.format, dpr))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(colours["highlight"], 2.2))
                p.drawEllipse(QPointF(cx, y), RADIUS + 3.5, RADIUS + 3.5)

    def _paint_references(
        self, p: QPainter, plot: QRectF, colours, lane_h: float, h: float, vector: bool
    ) -> None:
        refs = self.chronology.references
        if not refs:
            return
        fm = self._metrics()
        top = self._lane_top(-1, plot, lane_h)
        ref_h = self.ref_lane_height(plot)
        if top + ref_h < plot.top():
            return
        rows = self.ref_rows()
        lo = self.x0 - self._max_days - 240 / self.ppd - 1
        hi = self.x0 + plot.width() / self.ppd + 1
        a = bisect.bisect_left(self._ref_starts, lo)
        b = bisect.bisect_right(self._ref_starts, hi)
        ink = colours["ref"]
        fill = QColor(ink)
        fill.setAlpha(45)
        dash = QPen(ink, 1.2, Qt.PenStyle.DashLine)
        hover_k = self._hover[1] if self._hover and self._hover[0] == "r" else None
        linked = set(self._refs_of.get(self.selected_id or "", ()))
        for k in range(a, b):
            ref = refs[k]
            y = self._row_y(top, ref_h, self._ref_rows[k], rows)
            x0 = self.x_of(_ordinal(ref.start), plot)
            x1 = self.x_of(_ordinal(ref.end) + 1, plot)
            strong = k == hover_k or k in linked
            if ref.precision == "day" or x1 - x0 < 2 * RADIUS:
                cx = (x0 + x1) / 2
                p.setPen(QPen(ink, 2.0 if strong else 1.5))
                p.setBrush(fill if not strong else ink)
                p.drawPath(diamond_path(RADIUS + 0.5).translated(cx, y))
                label_x = cx + RADIUS + 4
            else:
                rect = QRectF(x0, y - RADIUS, x1 - x0, 2 * RADIUS)
                p.setPen(QPen(ink, 2.0) if strong else dash)
                p.setBrush(fill)
                p.drawRoundedRect(rect, 3, 3)
                label_x = x1 + 4
                inside = fm.horizontalAdvance(ref.title) + 8 <= rect.width()
                if inside:
                    label_x = x0 + 4
            room = min(self.x_of(self._ref_room[k], plot) - 6, plot.right()) - label_x
            if room >= 30 and label_x >= plot.left():
                text = fm.elidedText(ref.title, Qt.TextElideMode.ElideRight, room)
                if len(text) > 3:
                    p.setPen(colours["text"] if strong else ink)
                    p.drawText(QPointF(label_x, y + fm.ascent() - fm.height() / 2), text)

    def _paint_links(self, p: QPainter, plot: QRectF, colours, lane_h: float, h: float) -> None:
        """Dashed curves from a referenced event to the meetings that mention it (hovered reference,
        or every reference of the selected meeting)."""
        refs = self.chronology.references
        if not refs:
            return
        pairs: list[tuple[int, str]] = []
        if self._hover and self._hover[0] == "r":
            k = self._hover[1]
            pairs += [(k, mid) for mid in refs[k].mentioned_in]
        if self.selected_id is not None:
            pairs += [(k, self.selected_id) for k in self._refs_of.get(self.selected_id, ())]
        if not pairs:
            return
        rows = self.ref_rows()
        top = self._lane_top(-1, plot, lane_h)
        ref_h = self.ref_lane_height(plot)
        pen = QPen(colours["ref"], 1.2, Qt.PenStyle.DashLine)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for k, mid in dict.fromkeys(pairs):
            target = self.marker_pos(mid)
            if target is None:
                continue
            ref = refs[k]
            x0 = self.x_of(_ordinal(ref.start), plot)
            x1 = self.x_of(_ordinal(ref.end) + 1, plot)
            if x1 < plot.left() or x0 > plot.right():
                continue  # off screen: the edge counter says it is there, a long curve would clutter
            y = self._row_y(top, ref_h, self._ref_rows[k], rows)
            source = QPointF(
                min(max(target.x(), x0), x1) if ref.precision != "day" else (x0 + x1) / 2, y + RADIUS
            )
            path = QPainterPath(source)
            mid_y = (source.y() + target.y()) / 2
            path.cubicTo(
                QPointF(source.x(), mid_y), QPointF(target.x(), mid_y), target - QPointF(0, RADIUS + 2)
            )
            p.setPen(pen)
            p.drawPath(path)

    def _paint_lane_labels(
        self, p: QPainter, plot: QRectF, colours, lane_h: float, labels: list[str]
    ) -> None:
        fm = self._metrics()
        p.save()
        p.setClipRect(QRectF(0, plot.top(), plot.left(), plot.height()))
        p.fillRect(QRectF(0, plot.top(), plot.left() - 1, plot.height()), colours["base"])
        has_refs = bool(self.chronology.references)
        counts = [None] * has_refs + [lane.count for lane in self.layout_.lanes]
        keys = [None] * has_refs + [lane.key for lane in self.layout_.lanes]
        for n, (label, (top, lane_h)) in enumerate(zip(labels, self._bands(plot), strict=True)):
            if top + lane_h < plot.top() or top > plot.bottom():
                continue
            if n % 2 == 1:
                p.fillRect(QRectF(0, top, plot.left() - 1, lane_h), colours["stripe"])
            x = 8.0
            if has_refs and n == 0:
                p.setPen(QPen(colours["ref"], 1.3))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(diamond_path(4.5).translated(x + 4, top + lane_h / 2))
                x += 14
            elif self.lanes_by == "type":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(type_colour(keys[n] if keys[n] in MEETING_TYPES else None))
                p.drawRoundedRect(QRectF(x, top + lane_h / 2 - 5, 10, 10), 2, 2)
                x += 16
            count = f" {counts[n]:,}" if counts[n] is not None else ""
            count_w = fm.horizontalAdvance(count)
            room = plot.left() - x - 8 - count_w
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, room)
            p.setPen(colours["text"])
            baseline = top + lane_h / 2 + fm.ascent() - fm.height() / 2
            p.drawText(QPointF(x, baseline), text)
            if count:
                p.setPen(colours["mid"])
                p.drawText(QPointF(x + fm.horizontalAdvance(text), baseline), count)
        p.restore()
        p.setPen(QPen(colours["faint"], 1))
        p.drawLine(QPointF(plot.left() - 0.5, plot.top()), QPointF(plot.left() - 0.5, plot.bottom()))

    def _edge_counts(self) -> tuple[int, int]:
        lo, hi = self.visible_range()
        before = bisect.bisect_left(self._ref_starts, lo - self._max_days)
        before = sum(1 for r in self.chronology.references[:before] if _ordinal(r.end) + 1 < lo)
        after = len(self._ref_starts) - bisect.bisect_right(self._ref_starts, hi)
        return before, after

    def _edge_hit(self, pos: QPointF) -> bool:
        if not self.chronology.references:
            return False
        plot = self.plot_rect()
        top = self._lane_top(-1, plot, 0)
        if not top <= pos.y() < top + self.ref_lane_height(plot):
            return False
        before, after = self._edge_counts()
        return (before and pos.x() < plot.left() + 70) or (after and pos.x() > plot.right() - 70)

    def _paint_edges(self, p: QPainter, plot: QRectF, colours, lane_h: float) -> None:
        """'◂ 4 earlier' at the edges of the references lane when references are out of view."""
        if not self.chronology.references:
            return
        before, after = self._edge_counts()
        if not before and not after:
            return
        fm = self._metrics()
        top = self._lane_top(-1, plot, lane_h)
        lane_h = self.ref_lane_height(plot)
        y = top + lane_h / 2 + fm.ascent() - fm.height() / 2
        for count, text_fn, left in ((before, "◂ {} earlier", True), (after, "{} later ▸", False)):
            if not count:
                continue
            text = text_fn.format(count)
            tw = fm.horizontalAdvance(text)
            x = plot.left() + 4 if left else plot.right() - tw - 4
            bg = QColor(colours["base"])
            bg.setAlpha(225)
            p.fillRect(QRectF(x - 3, top + 2, tw + 6, lane_h - 4), bg)
            p.setPen(colours["ref"])
            p.drawText(QPointF(x, y), text)

    def _paint_legend(self, p: QPainter, plot: QRectF, colours, w: float, h: float, vector: bool) -> None:
        fm = self._metrics()
        y = h - self._legend_height() / 2
        x = plot.left()
        items: list[tuple[str, str | None, str | None]] = []
        present_types = (
            {e.meeting_type for e in self.chronology.meetings} if self.lanes_by != "type" else set()
        )
        for t in MEETING_TYPES:
            if t in present_types:
                items.append(("type", t, MEETING_TYPE_LABELS[t]))
        for fmt, name in FORMAT_LABELS.items():
            items.append(("format", fmt, name))
        items.append(("bar", None, "several days"))
        if self.chronology.references:
            items.append(("ref", None, "referenced event"))
        if self.gaps:
            items.append(("gap", None, "gap"))
        p.setPen(colours["mid"])
        for kind, value, name in items:
            text_w = fm.horizontalAdvance(name)
            need = 18 + text_w + 14
            if x + need > w - 8:
                break
            if kind == "type":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(type_colour(value))
                p.drawRoundedRect(QRectF(x, y - 5, 10, 10), 2, 2)
            elif kind == "format":
                p.setPen(QPen(colours["text"], 1))
                p.setBrush(colours["mid"])
                p.drawPath(shape_path(value, 4.8).translated(x + 5, y))
            elif kind == "bar":
                p.setPen(QPen(colours["mid"], 1))
                p.setBrush(colours["faint"])
                p.drawRoundedRect(QRectF(x - 2, y - 3, 14, 6), 2, 2)
            elif kind == "ref":
                p.setPen(QPen(colours["ref"], 1.3, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(QRectF(x - 2, y - 4, 14, 8), 2, 2)
            else:
                p.fillRect(QRectF(x - 2, y - 5, 14, 10), colours["gap"])
                p.fillRect(QRectF(x - 2, y - 5, 14, 10), QBrush(colours["mid"], Qt.BrushStyle.BDiagPattern))
            p.setPen(colours["mid"])
            p.drawText(QPointF(x + 16, y + fm.ascent() - fm.height() / 2), name)
            x += need


# ============================================================================ the tab
class ChronologyView(QWidget):
    """The chronology tab: follows the result set it is given, two-way selection by meeting id."""

    meeting_selected = Signal(str)  # the user picked a meeting (click or arrow keys)
    chronology_shown = Signal(object)  # a new Chronology is on screen (meetings, then references)

    def __init__(self, archive: Archive | None, tasks: TaskRunner | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.archive = archive
        self.tasks = tasks
        self._generation = 0
        self._task: Task | None = None
        self._ids: tuple[str, ...] = ()
        self._pending: tuple[str, ...] | None = None  # ids to show once the view is visible
        self._ref_cache: dict[str, tuple] = {}
        self._export_dir = Path.home()

        self.canvas = TimelineCanvas(self)
        self.lanes_combo = QComboBox(self)
        self.lanes_combo.setAccessibleName("Lanes")
        self.lanes_combo.setToolTip("Group the meetings into lanes")
        for key, label in LANE_CHOICES:
            self.lanes_combo.addItem(label, key)
        self.gaps_combo = QComboBox(self)
        self.gaps_combo.setAccessibleName("Gaps")
        self.gaps_combo.setToolTip("Mark stretches without meetings longer than this")
        for days, label in GAP_CHOICES:
            self.gaps_combo.addItem(label, days)
        self.gaps_combo.setCurrentIndex([d for d, _ in GAP_CHOICES].index(DEFAULT_GAP_DAYS))

        def tool(text: str, tip: str) -> QToolButton:
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.setAutoRaise(True)
            return button

        self.zoom_out_button = tool("−", "Zoom out (−, mouse wheel)")
        self.zoom_in_button = tool("+", "Zoom in (+, mouse wheel)")
        self.fit_button = tool("Fit all", "Show every meeting (0); Shift+0 includes every referenced event")
        self.export_button = tool("Export", "Save the chronology as an image or a table")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt, label in (
            ("png", "Image (PNG)…"),
            ("svg", "Image (SVG)…"),
            ("pdf", "PDF…"),
            ("csv", "Table (CSV)…"),
            ("md", "Table (Markdown)…"),
        ):
            menu.addAction(label, lambda f=fmt: self._on_export_chosen(f))
        self.export_button.setMenu(menu)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Chronology summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        bar.setSpacing(6)
        bar.addWidget(self.lanes_combo)
        bar.addWidget(self.gaps_combo)
        bar.addSpacing(6)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.summary, 1)

        self.hbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.hbar.setAccessibleName("Scroll the chronology in time")
        self.vbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.vbar.setAccessibleName("Scroll the lanes")
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(self.canvas, 0, 0)
        grid.addWidget(self.vbar, 0, 1)
        grid.addWidget(self.hbar, 1, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addLayout(grid, 1)

        self.lanes_combo.currentIndexChanged.connect(self._on_lanes_combo_changed)
        self.gaps_combo.currentIndexChanged.connect(self._on_gaps_combo_changed)
        self.zoom_in_button.clicked.connect(self.canvas.zoom_in)
        self.zoom_out_button.clicked.connect(self.canvas.zoom_out)
        self.fit_button.clicked.connect(self._on_fit_button_clicked)
        self.canvas.meeting_clicked.connect(self.meeting_selected)
        self.canvas.view_changed.connect(self._on_canvas_view_changed)
        self.hbar.valueChanged.connect(self._on_hbar_value_changed)
        self.vbar.valueChanged.connect(self._on_vbar_value_changed)
        self._syncing = False
        self._on_canvas_view_changed()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._pending is not None:
            self.set_meeting_ids(self._pending)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(900, 320)

    # -- content --------------------------------------------------------------------------------
    @property
    def chronology(self) -> Chronology:
        return self.canvas.chronology

    @property
    def scale_unit(self) -> str:
        return self.canvas.scale_unit

    def set_result(self, result) -> None:
        """Follow a SearchResult: show the chronology of its hits."""
        self.set_meeting_ids(list(result.ids))

    def set_meeting_ids(self, ids: Sequence[str]) -> None:
        """Show the chronology of ``ids``: markers first, referenced events when they are read.
        While the view is hidden (another tab in front) nothing is read until it is shown: the
        records and references of every hit are a lot to read for a large result."""
        ids = tuple(ids)
        if not self.isVisible() and self.archive is not None:
            self._pending = ids
            return
        self._pending = None
        if ids == self._ids and self.chronology.meetings:
            return
        self._ids = ids
        self._generation += 1
        generation = self._generation
        if self._task is not None:
            self._task.cancel()
        archive = self.archive
        if archive is None or self.tasks is None:
            return

        def work(_progress, cancel):
            markers, undated = meeting_markers(archive, ids)
            return chronology_of_markers(markers, undated), (markers, undated)

        self._task = self.tasks.run(
            "chronology",
            work,
            succeeded=lambda out, g=generation: self._on_meetings_loaded(g, *out),
            failed=self._on_load_failed,
        )

    def _on_load_failed(self, err: Exception) -> None:
        if shiboken6.isValid(self):
            self.summary.setText(f"Cannot build the chronology: {err}")

    def _on_meetings_loaded(self, generation: int, chronology: Chronology, meetings) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:  # closed, or stale
            return
        self.canvas.set_chronology(chronology)
        self._update_summary()
        self.chronology_shown.emit(chronology)
        archive, cache, ids = self.archive, self._ref_cache, self._ids

        def work(_progress, cancel):
            refs = referenced_events(archive, ids, cache=cache, cancel=cancel)
            if cancel():
                return None
            return chronology_of_markers(*meetings, refs)

        self._task = self.tasks.run(
            "chronology-references",
            work,
            succeeded=lambda out, g=generation: self._on_references_loaded(g, out),
        )

    def _on_references_loaded(self, generation: int, chronology: Chronology | None) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or chronology is None:
            return
        self.canvas.set_chronology(chronology, keep_view=True)
        self._update_summary()
        self.chronology_shown.emit(chronology)

    def set_chronology(self, chronology: Chronology) -> None:
        """Show ``chronology`` directly (no archive needed)."""
        self._generation += 1
        self._ids = tuple(e.meeting_id for e in chronology.meetings)
        self.canvas.set_chronology(chronology)
        self._update_summary()
        self.chronology_shown.emit(chronology)

    @Slot()
    def forget_cache(self) -> None:
        """Drop the cached referenced events (after re-indexing)."""
        self._ref_cache.clear()
        self._ids = ()

    # -- selection ------------------------------------------------------------------------------
    @Slot(str)
    def select_meeting(self, meeting_id: str) -> None:
        """Highlight the marker of ``meeting_id`` (selected elsewhere); no signal is emitted."""
        self.canvas.select(meeting_id or None)

    @property
    def selected_id(self) -> str | None:
        return self.canvas.selected_id

    # -- toolbar --------------------------------------------------------------------------------
    @Slot(int)
    def _on_lanes_combo_changed(self, _index: int) -> None:
        self.canvas.set_lanes(self.lanes_combo.currentData())
        self._update_summary()

    @Slot(int)
    def _on_gaps_combo_changed(self, _index: int) -> None:
        self.canvas.set_gap_days(int(self.gaps_combo.currentData()))
        self._update_summary()

    def set_lanes(self, by: str) -> None:
        index = self.lanes_combo.findData(by)
        if index >= 0:
            self.lanes_combo.setCurrentIndex(index)

    @property
    def lanes(self) -> str:
        return self.lanes_combo.currentData()

    def set_gap_days(self, days: int) -> None:
        index = self.gaps_combo.findData(days)
        if index >= 0:
            self.gaps_combo.setCurrentIndex(index)

    @property
    def gap_days(self) -> int:
        return int(self.gaps_combo.currentData())

    @Slot()
    def _on_fit_button_clicked(self) -> None:
        from PySide6.QtWidgets import QApplication

        shift = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
        self.canvas.fit_all(include_references=bool(shift))

    def _update_summary(self) -> None:
        c = self.chronology
        parts = [f"{len(c.meetings):,} meeting{'s' if len(c.meetings) != 1 else ''}"]
        if c.references:
            parts.append(f"{len(c.references):,} referenced event{'s' if len(c.references) != 1 else ''}")
        if self.canvas.gaps:
            parts.append(f"{len(self.canvas.gaps)} gap{'s' if len(self.canvas.gaps) != 1 else ''}")
        if c.undated:
            parts.append(f"{len(c.undated):,} without a date (not shown)")
        parts.append(f"scale: {self.canvas.scale_unit}s")
        self.summary.setText(" · ".join(parts))

    # -- scroll bars ----------------------------------------------------------------------------
    _HOURS = 24  # scroll bar units per day

    @Slot()
    def _on_canvas_view_changed(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            c = self.canvas
            first, last = c.data_range()
            visible = c.plot_rect().width() / c.ppd
            low = first - visible * 0.5
            high = max(low, last - visible * 0.5)
            self.hbar.setRange(int(low * self._HOURS), int(high * self._HOURS))
            self.hbar.setPageStep(max(1, int(visible * self._HOURS)))
            self.hbar.setSingleStep(max(1, int(visible * self._HOURS / 20)))
            self.hbar.setValue(int(c.x0 * self._HOURS))
            overflow = c.lanes_extent() - c.plot_rect().height()
            self.vbar.setVisible(overflow > 1)
            self.vbar.setRange(0, max(0, int(overflow)))
            self.vbar.setPageStep(int(c.plot_rect().height()))
            self.vbar.setValue(int(c.y_offset))
        finally:
            self._syncing = False
        self._update_summary()

    @Slot(int)
    def _on_hbar_value_changed(self, value: int) -> None:
        if not self._syncing:
            self._syncing = True
            try:
                self.canvas.scroll_to_day(value / self._HOURS)
            finally:
                self._syncing = False

    @Slot(int)
    def _on_vbar_value_changed(self, value: int) -> None:
        if not self._syncing:
            self.canvas.set_y_offset(float(value))

    # -- export ---------------------------------------------------------------------------------
    def _on_export_chosen(self, fmt: str) -> None:
        suggested = str(self._export_dir / f"chronology.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, "Export the chronology", suggested, EXPORT_FILTERS[fmt])
        if not path:
            return
        if not path.lower().endswith("." + fmt):
            path += "." + fmt
        self._export_dir = Path(path).parent
        try:
            self.export(path)
        except OSError as err:
            self.summary.setText(f"Export failed: {err}")

    def export(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the chronology to ``path``: the view as PNG/SVG/PDF, the whole table as CSV/MD."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".")).lower()
        w, h = float(self.canvas.width()), float(self.canvas.height())
        by, gap_days = self.canvas.lanes_by, self.canvas.gap_days or None
        if fmt in ("csv", "md"):
            write_table(
                path.with_suffix("." + fmt) if path.suffix.lower() != "." + fmt else path,
                self.chronology,
                by,
                gap_days,
            )
            return path
        tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
        if fmt == "png":
            ratio = 2.0
            image = QImage(int(w * ratio), int(h * ratio), QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(ratio)
            image.fill(self.palette().color(QPalette.ColorRole.Base))
            painter = QPainter(image)
            self.canvas.render_to(painter, w, h, vector=False)
            painter.end()
            if not image.save(str(tmp), "PNG"):
                raise OSError(f"cannot write {path}")
        elif fmt == "svg":
            generator = QSvgGenerator()
            generator.setFileName(str(tmp))
            generator.setSize(QSize(int(w), int(h)))
            generator.setViewBox(QRectF(0, 0, w, h))
            generator.setTitle("Chronology")
            generator.setDescription(self.summary.text())
            painter = QPainter(generator)
            self.canvas.render_to(painter, w, h, vector=True)
            painter.end()
        elif fmt == "pdf":
            writer = QPdfWriter(str(tmp))
            writer.setTitle("Chronology")
            writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
            writer.setPageOrientation(QPageLayout.Orientation.Landscape)
            writer.setResolution(300)
            painter = QPainter(writer)
            page = writer.pageLayout().paintRectPixels(writer.resolution())
            scale = min(page.width() / w, page.height() / h)
            painter.scale(scale, scale)
            self.canvas.render_to(painter, w, h, vector=True)
            painter.end()
        else:
            raise ValueError(f"unknown export format {fmt!r}: png, svg, pdf, csv or md")
        tmp.replace(path)
        return path


# ============================================================================ helpers
def meeting_tooltip(e: TimelineEvent) -> str:
    when = e.start.strftime("%-d %B %Y") if e.days == 1 else _range_text(e.start, e.end)
    kind = " · ".join(
        x
        for x in (MEETING_TYPE_LABELS.get(e.meeting_type or "", ""), FORMAT_LABELS.get(e.format or "", ""))
        if x
    )
    lines = [
        f"<b>{html.escape(e.title)}</b>",
        html.escape(when) + (f" — {html.escape(kind)}" if kind else ""),
    ]
    if e.participants:
        lines.append(
            "Participants: "
            + html.escape(", ".join(e.participants[:8]))
            + (" …" if len(e.participants) > 8 else "")
        )
    if e.countries:
        lines.append("Countries: " + html.escape(", ".join(e.countries)))
    return "<br>".join(lines)


def short_title(title: str) -> str:
    """A title without the 'Readout of' that starts most of them (for labels beside markers)."""
    short = _READOUT_PREFIX.sub("", title).strip()
    return short[:1].upper() + short[1:] if short else title


def _range_text(start: dt.date, end: dt.date) -> str:
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {start.strftime('%B %Y')} ({(end - start).days + 1} days)"
    return f"{start.strftime('%-d %B %Y')} – {end.strftime('%-d %B %Y')} ({(end - start).days + 1} days)"


def _reference_when(ref: TimelineEvent) -> str:
    if ref.precision == "year":
        return str(ref.start.year)
    if ref.precision == "month":
        return ref.start.strftime("%B %Y")
    return ref.start.strftime("%-d %B %Y")


def _elide_text(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _days_in_month(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + n
    return total // 12, total % 12 + 1


def _safe_ordinal(year: int, month: int) -> int:
    if year > dt.MAXYEAR:
        return dt.date.max.toordinal() + 1
    if year < 1:
        return 1
    return dt.date(year, month, 1).toordinal()


__all__ = ["ChronologyView", "TimelineCanvas", "meeting_tooltip", "type_colour", "MEETING"]
