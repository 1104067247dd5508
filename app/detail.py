"""The detail pane: one meeting as HTML, with layered, colour-coded spans over its text.

``render_meeting_html`` is a pure function of the meeting and a list of ``Span(kind, start,
end)``: search hits and the extracted entity mentions (people, countries, organisations,
initiatives, agreements, money, dates). Every piece of readout text goes through ``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap, QTextCursor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QMenu, QTextBrowser, QVBoxLayout, QWidget

from index.bookmarks import Bookmark
from index.models import Meeting

from .meeting_model import duration_label, format_label, type_label


@dataclass(frozen=True)
class Span:
    kind: str  # "hit" or an entity kind: "person", "country", ...
    start: int  # [start, end) character offsets into the cleaned text
    end: int
    label: str = ""  # the entity's canonical name (for "show all meetings mentioning X")


@dataclass(frozen=True)
class Kind:
    name: str
    light: str  # colour on a light background
    dark: str  # colour on a dark background


HIT = "hit"
# Order = priority when spans of several entity kinds overlap. Kinds without spans are not shown.
KINDS: dict[str, Kind] = {
    HIT: Kind("Search hits", "#ffe14d", "#ffe14d"),  # background; text on it is always black
    "person": Kind("People", "#1f5fbf", "#8ab4f8"),
    "country": Kind("Countries", "#1b7a36", "#81c995"),
    "organization": Kind("Organisations", "#9a3412", "#fdba74"),
    "place": Kind("Places", "#7e22ce", "#d8b4fe"),
    "initiative": Kind("Initiatives", "#a16207", "#fde047"),
    "agreement": Kind("Agreements", "#0f766e", "#5eead4"),
    "money": Kind("Money", "#4d7c0f", "#bef264"),
    "event": Kind("Dates of events", "#be185d", "#f9a8d4"),
}


def kind_colour(kind: str, dark: bool) -> str:
    spec = KINDS.get(kind, Kind(kind, "#555555", "#bbbbbb"))
    return spec.dark if dark else spec.light


# -- entity spans ------------------------------------------------------------------------------


def entity_spans(meeting: Meeting) -> list[Span]:
    """The meeting's extracted entity mentions as spans (money and dates included)."""
    return [Span(m.kind, m.start, m.end, m.canonical) for m in meeting.entities]


# -- HTML ---------------------------------------------------------------------------------------


def hit_anchor(n: int) -> str:
    return f"hit-{n}"


def render_meeting_html(
    meeting: Meeting,
    spans: Iterable[Span] = (),
    *,
    hidden_kinds: Iterable[str] = (),
    dark: bool = False,
    bookmark: Bookmark | None = None,
) -> str:
    """The whole pane. Hits get anchors ``hit-0``, ``hit-1``, ... in text order."""
    p = meeting.parsed
    e = html.escape
    parts = [f"<h2>{e(p.title)}</h2>", _metadata_html(meeting, bookmark)]
    if p.captions:
        items = "".join(f"<li><i>{e(c)}</i></li>" for c in p.captions)
        parts.append(f"<p><b>Captions</b></p><ul>{items}</ul>")
    parts.append("<hr/>")
    parts.append(
        f'<div style="white-space: pre-wrap">{text_html(p.text, spans, hidden_kinds=hidden_kinds, dark=dark)}</div>'
    )
    return "\n".join(parts)


def text_html(
    text: str, spans: Iterable[Span], *, hidden_kinds: Iterable[str] = (), dark: bool = False
) -> str:
    hidden = set(hidden_kinds)
    visible = [s for s in spans if s.kind not in hidden and 0 <= s.start < s.end <= len(text)]
    hits = sorted((s for s in visible if s.kind == HIT), key=lambda s: s.start)
    hit_number = {(s.start, s.end): n for n, s in enumerate(hits)}
    entities = [s for s in visible if s.kind != HIT]
    cuts = sorted({0, len(text), *(s.start for s in visible), *(s.end for s in visible)})
    priority = {k: i for i, k in enumerate(KINDS)}
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        piece = html.escape(text[a:b])
        hit = next((s for s in hits if s.start <= a and b <= s.end), None)
        covering = [s for s in entities if s.start <= a and b <= s.end]
        entity = min(covering, key=lambda s: priority.get(s.kind, 99)) if covering else None
        style = []
        if entity is not None:
            style.append(f"color: {kind_colour(entity.kind, dark)}; text-decoration: underline")
        if hit is not None:
            style = [f"background-color: {KINDS[HIT].light}; color: #000000"]
            if entity is not None:
                style.append("text-decoration: underline")
        if style:
            piece = f'<span style="{"; ".join(style)}">{piece}</span>'
        attrs = []
        if hit is not None and hit.start == a:
            attrs.append(f'name="{hit_anchor(hit_number[(hit.start, hit.end)])}"')
        if entity is not None:
            attrs.append(f'href="entity:{e_attr(entity.kind)}:{e_attr(entity.label)}"')
        if attrs:
            piece = f"<a {' '.join(attrs)}>{piece}</a>"
        out.append(piece)
    return "".join(out)


def e_attr(value: str) -> str:
    return QUrl.toPercentEncoding(value).data().decode("ascii")


def _metadata_html(meeting: Meeting, bookmark: Bookmark | None = None) -> str:
    p = meeting.parsed
    e = html.escape
    date = p.meeting_date.isoformat() if p.meeting_date else "unknown"
    if p.meeting_date_end:
        date += f" – {p.meeting_date_end.isoformat()}"
    rows = [
        ("Meeting date", e(date)),
        ("Published", e(p.publication_date.isoformat()) if p.publication_date else "—"),
        ("Type", e(type_label(p.meeting_type)) or "—"),
        ("Format", e(format_label(p.format)) or "—"),
        ("Duration", e(duration_label(p.duration_minutes)) or "—"),
        ("Location", e(p.location.label()) if p.location and p.location.label() else "—"),
        ("Countries", e(", ".join(p.countries)) or "—"),
    ]
    people = []
    for person in p.participants:
        extra = ", ".join(x for x in (person.role, person.country) if x)
        people.append(e(person.canonical or person.name) + (f" <i>({e(extra)})</i>" if extra else ""))
    rows.append(("Participants", "<br/>".join(people) or "—"))
    rows.append(("Source", f'{e(meeting.source)}<br/><a href="action:reveal">Open file location</a>'))
    if p.duplicates_removed:
        rows.append(("Note", f"{p.duplicates_removed} repeated paragraph(s) removed from the text"))
    if bookmark is not None:
        mark = "★ Bookmarked"
        if bookmark.tags:
            mark += " — tags: " + e(", ".join(bookmark.tags))
        if bookmark.note:
            mark += f'<br/><span style="white-space: pre-wrap">{e(bookmark.note)}</span>'
        rows.append(("Bookmark", f'{mark}<br/><a href="action:edit-bookmark">Edit note and tags…</a>'))
    cells = "".join(
        f'<tr><td style="padding-right: 12px; vertical-align: top"><b>{label}</b></td><td>{value}</td></tr>'
        for label, value in rows
    )
    return f'<table cellspacing="0" cellpadding="1">{cells}</table>'


# -- the widget ---------------------------------------------------------------------------------


class DetailView(QWidget):
    """Legend (toggle kinds, hit counter) above a read-only text browser."""

    reveal_requested = Signal(str)  # path of the source file
    entity_search_requested = Signal(str, str)  # kind, label
    bookmark_edit_requested = Signal(str)  # meeting id
    hidden_kinds_changed = Signal(list)
    current_hit_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, hidden_kinds: Iterable[str] = ()):
        super().__init__(parent)
        self.meeting: Meeting | None = None
        self.bookmark: Bookmark | None = None
        self.spans: list[Span] = []
        self.hidden_kinds = set(hidden_kinds)
        self.current_hit = -1
        self._hit_positions: list[tuple[int, int]] = []  # (document position, length)

        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setAcceptDrops(False)
        self.browser.setAccessibleName("Meeting text")
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        self.browser.setPlaceholderText("Select a meeting to read it.")

        self._legend = QHBoxLayout()
        self._legend.setContentsMargins(4, 2, 4, 2)
        self._boxes: dict[str, QCheckBox] = {}
        for kind, spec in KINDS.items():
            box = QCheckBox(spec.name, self)
            box.setChecked(kind not in self.hidden_kinds)
            box.setAccessibleName(f"Show {spec.name.lower()}")
            box.setToolTip(f"Highlight {spec.name.lower()} in the text")
            box.toggled.connect(lambda on, k=kind: self._on_kind_toggled(k, on))
            box.setVisible(False)
            self._boxes[kind] = box
            self._legend.addWidget(box)
        self._legend.addStretch(1)
        self.hit_label = QLabel(self)
        self.hit_label.setAccessibleName("Search hit position")
        self._legend.addWidget(self.hit_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._legend)
        layout.addWidget(self.browser, 1)
        self._update_swatches()

    # -- content --------------------------------------------------------------------------------
    def show_meeting(
        self, meeting: Meeting | None, spans: Sequence[Span] = (), bookmark: Bookmark | None = None
    ) -> None:
        self.meeting = meeting
        self.bookmark = bookmark
        self.spans = list(spans)
        self._render()
        if self.hit_count:
            self.current_hit = -1
            self.hit_label.setText(
                f"{self.hit_count} search hit{'s' if self.hit_count != 1 else ''} — F3 next"
            )

    def set_bookmark(self, bookmark: Bookmark | None) -> None:
        """Show the shown meeting's bookmark (note and tags) after it changed."""
        if bookmark != self.bookmark:
            self.bookmark = bookmark
            if self.meeting is not None:
                self._render()

    def _render(self) -> None:
        scroll = self.browser.verticalScrollBar().value()
        if self.meeting is None:
            self.browser.clear()
            self._hit_positions = []
        else:
            html_text = render_meeting_html(
                self.meeting,
                self.spans,
                hidden_kinds=self.hidden_kinds,
                dark=self.is_dark(),
                bookmark=self.bookmark,
            )
            self.browser.setHtml(html_text)
            self._hit_positions = self._find_hits()
        present = {s.kind for s in self.spans}
        for kind, box in self._boxes.items():
            box.setVisible(kind in present)
        self.hit_label.setText("")
        self.current_hit = -1
        self.browser.verticalScrollBar().setValue(scroll if self.meeting is not None else 0)

    def _find_hits(self) -> list[tuple[int, int]]:
        lengths = [
            s.end - s.start for s in sorted((s for s in self.spans if s.kind == HIT), key=lambda s: s.start)
        ]
        found: dict[int, int] = {}
        block = self.browser.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.isAnchor():
                    for name in fmt.anchorNames():
                        if name.startswith("hit-"):
                            found.setdefault(int(name[4:]), it.fragment().position())
                it += 1
            block = block.next()
        return [(found[n], lengths[n]) for n in sorted(found) if n < len(lengths)]

    @property
    def hit_count(self) -> int:
        return len(self._hit_positions)

    def is_dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    # -- hit stepping ---------------------------------------------------------------------------
    def next_hit(self) -> int:
        return self._step(+1)

    def previous_hit(self) -> int:
        return self._step(-1)

    def _step(self, delta: int) -> int:
        if not self._hit_positions:
            return -1
        n = len(self._hit_positions)
        self.current_hit = (
            (self.current_hit + delta) % n if self.current_hit >= 0 else (0 if delta > 0 else n - 1)
        )
        position, length = self._hit_positions[self.current_hit]
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        self.hit_label.setText(f"Hit {self.current_hit + 1} of {n}")
        self.current_hit_changed.emit(self.current_hit)
        return self.current_hit

    # -- legend ---------------------------------------------------------------------------------
    def _on_kind_toggled(self, kind: str, on: bool) -> None:
        if on:
            self.hidden_kinds.discard(kind)
        else:
            self.hidden_kinds.add(kind)
        self._render()
        self.hidden_kinds_changed.emit(sorted(self.hidden_kinds))

    def _update_swatches(self) -> None:
        dark = self.is_dark()
        for kind, box in self._boxes.items():
            pixmap = QPixmap(12, 12)
            pixmap.fill(QColor(KINDS[kind].light if kind == HIT else kind_colour(kind, dark)))
            box.setIcon(QIcon(pixmap))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._update_swatches()
            if self.meeting is not None:
                self._render()

    # -- links ----------------------------------------------------------------------------------
    @Slot(QUrl)
    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text == "action:reveal" and self.meeting is not None:
            self.reveal_requested.emit(self.meeting.source)
        elif text == "action:edit-bookmark" and self.meeting is not None:
            self.bookmark_edit_requested.emit(self.meeting.id)
        elif text.startswith("entity:"):
            _, kind, label = text.split(":", 2)
            self._entity_menu(kind, QUrl.fromPercentEncoding(label.encode("ascii")))

    def _entity_menu(self, kind: str, label: str) -> None:
        menu = QMenu(self)
        menu.addAction(
            f"Show all meetings mentioning “{label}”", lambda: self.entity_search_requested.emit(kind, label)
        )
        mentions = [s for s in self.spans if s.kind == kind and s.label == label]
        menu.addAction(f"Next mention in this text ({len(mentions)})", lambda: self._next_mention(mentions))
        menu.popup(self.browser.viewport().mapToGlobal(self.browser.cursorRect().bottomLeft()))

    def _next_mention(self, mentions: list[Span]) -> None:
        if not mentions:
            return
        plain = self.browser.document().toPlainText()
        offset = plain.find(self.meeting.parsed.text[:200]) if self.meeting else -1
        if offset < 0:
            return
        here = self.browser.textCursor().position() - offset
        nxt = next((s for s in mentions if s.start > here), mentions[0])
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(offset + nxt.start)
        cursor.setPosition(offset + nxt.end, QTextCursor.MoveMode.KeepAnchor)
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
