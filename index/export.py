"""Export meetings to CSV, JSON, Markdown, HTML, RIS, CSL-JSON, and (through a pluggable writer
from ``app/``) PDF.

Writers take an iterable of ``ExportItem`` (a meeting with its text, plus its bookmark if any)
and stream to an open file, so memory stays flat and 10,000 meetings take seconds. ``export``
writes into a temporary file beside the target and moves it into place only when complete: the
target is either untouched or the whole export, and nothing else is left behind. An existing
file is replaced only with ``force=True``.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import html
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from .atomic import fsync_dir
from .bookmarks import Bookmark, Bookmarks
from .errors import ExportError, UnknownMeeting
from .models import Meeting
from .query import SearchFilters

FORMATS = ("csv", "json", "md", "html", "pdf", "ris", "csl-json")
NEEDS_TEXT = frozenset({"json", "md", "html", "pdf"})  # the others use the metadata only
_SUFFIXES = {
    ".csv": "csv",
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".ris": "ris",
}

CSV_COLUMNS = (
    "id",
    "title",
    "meeting_date",
    "meeting_date_end",
    "publication_date",
    "meeting_type",
    "format",
    "duration_minutes",
    "location",
    "countries",
    "participants",
    "source",
    "bookmarked",
    "note",
    "tags",
)
JOIN = "; "


@dataclass(frozen=True)
class ExportItem:
    meeting: Meeting
    bookmark: Bookmark | None = None


@dataclass(frozen=True)
class ExportReport:
    path: Path
    format: str
    count: int

    def to_json(self) -> dict:
        return {"path": str(self.path), "format": self.format, "count": self.count}


class PdfWriter(Protocol):
    """Writes ``items`` as a PDF into the file at ``path`` (``app.pdf.write_pdf``)."""

    def __call__(self, items: Iterable[ExportItem], path: Path, *, title: str) -> object: ...


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """The export format a file name implies (``x.csl.json`` is CSL-JSON), or None."""
    name = Path(path).name.lower()
    if name.endswith((".csl.json", ".csljson")):
        return "csl-json"
    return _SUFFIXES.get(Path(name).suffix)


# -- choosing what to export -------------------------------------------------------------------


class _ArchiveLike(Protocol):
    def get(self, meeting_id: str) -> Meeting: ...
    def records(self, ids: Iterable[str]) -> dict[str, Meeting]: ...
    def meetings(self) -> list[Meeting]: ...
    def search(self, text: str, filters: SearchFilters | None = None, **kwargs): ...


@dataclass(frozen=True)
class Selection:
    """Which meetings to export. Given criteria combine with AND; none = every meeting.

    A search (``query`` and/or ``filters``) keeps its ``sort`` order; explicit ``ids`` keep the
    given order; otherwise meetings come by date. ``tag`` implies ``bookmarked``."""

    query: str | None = None
    filters: SearchFilters | None = None
    sort: str = "date-asc"
    ids: tuple[str, ...] | None = None
    bookmarked: bool = False
    tag: str | None = None

    @property
    def searches(self) -> bool:
        return bool((self.query or "").strip()) or not (self.filters or SearchFilters()).is_empty()


@dataclass(frozen=True)
class Selected:
    ids: list[str]
    missing_bookmarks: list[str]  # bookmarked ids whose meeting is no longer in the archive


def select(archive: _ArchiveLike, selection: Selection, bookmarks: Bookmarks | None = None) -> Selected:
    """The meeting ids ``selection`` stands for, in export order. Unknown ``ids`` are an error;
    bookmarks of missing meetings are reported, not exported."""
    wanted_bookmarks: list[str] | None = None
    if selection.bookmarked or selection.tag:
        wanted_bookmarks = bookmarks.ids(selection.tag) if bookmarks is not None else []
    explicit = list(dict.fromkeys(selection.ids)) if selection.ids is not None else None
    missing: list[str] = []
    if explicit:
        known = archive.records(explicit)
        for mid in explicit:
            if mid not in known:
                raise UnknownMeeting(mid)
    if wanted_bookmarks is not None:
        known_bm = archive.records(wanted_bookmarks)
        missing = [mid for mid in wanted_bookmarks if mid not in known_bm]

    if selection.searches:
        result = archive.search(
            selection.query or "", selection.filters, limit=None, sort=selection.sort, snippets=0
        )
        ids = list(result.ids)
    elif explicit is not None:
        ids = explicit
    elif wanted_bookmarks is not None:
        by_date = sorted(known_bm.values(), key=lambda m: (m.parsed.meeting_date or dt.date.max, m.id))
        ids = [m.id for m in by_date]
    else:
        ids = [m.id for m in archive.meetings()]
    if explicit is not None and ids is not explicit:
        keep = set(explicit)
        ids = [mid for mid in ids if mid in keep]
    if wanted_bookmarks is not None:
        keep = set(wanted_bookmarks)
        ids = [mid for mid in ids if mid in keep]
    return Selected(ids, missing)


def iter_items(
    archive: _ArchiveLike,
    ids: Iterable[str],
    bookmarks: Bookmarks | None = None,
    *,
    with_text: bool = True,
) -> Iterator[ExportItem]:
    """The meetings of ``ids`` in order, lazily. With text: one indexed lookup per meeting;
    without (``with_text=False``, enough for CSV, RIS, CSL-JSON): bulk lookups of 500."""
    marks = {b.meeting_id: b for b in bookmarks.list()} if bookmarks is not None else {}
    if with_text:
        for mid in ids:
            yield ExportItem(archive.get(mid), marks.get(mid))
        return
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = archive.records(chunk)
        for mid in chunk:
            meeting = found.get(mid)
            if meeting is None:
                raise UnknownMeeting(mid)
            yield ExportItem(meeting, marks.get(mid))


# -- writing the file atomically ---------------------------------------------------------------


def check_target(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """The absolute target path, or a clear ``ExportError`` before any work is done."""
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name")
    if target.exists() and not force:
        raise ExportError(f"{target} already exists; choose another name or replace it (--force)")
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {target}: no permission to write in {target.parent}")
    return target


def _read_umask() -> int:
    # Read once at import, before any worker thread exists: os.umask can only be read by setting it.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


@contextmanager
def _staged(target: Path, force: bool) -> Iterator[Path]:
    """A temp file beside ``target``; on success it becomes ``target``, on failure it is removed."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as err:
        raise ExportError(f"cannot write in {target.parent}: {err.strerror or err}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; an export gets the usual mode
        yield tmp
        _fsync_file(tmp)
        if force:
            os.replace(tmp, target)
        else:
            _move_no_clobber(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def _move_no_clobber(tmp: Path, target: Path) -> None:
    """Rename that fails if ``target`` appeared meanwhile (hard link where the filesystem can)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise ExportError(f"{target} already exists; choose another name or replace it (--force)") from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if target.exists():
            raise ExportError(
                f"{target} already exists; choose another name or replace it (--force)"
            ) from None
        os.replace(tmp, target)
    else:
        tmp.unlink()


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def export(
    items: Iterable[ExportItem],
    path: str | os.PathLike[str],
    fmt: str,
    *,
    force: bool = False,
    title: str = "Readout Archive export",
    pdf_writer: PdfWriter | None = None,
) -> ExportReport:
    """Write ``items`` to ``path`` in ``fmt`` (one of ``FORMATS``). Raises ``ExportError``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "pdf" and pdf_writer is None:
        raise ExportError("PDF export needs the Qt PDF writer (app.pdf.write_pdf)")
    target = check_target(path, force=force)
    counter = _Counter(items)
    try:
        with _staged(target, force) as tmp:
            if fmt == "pdf":
                pdf_writer(counter, tmp, title=title)
            else:
                encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
                with open(tmp, "w", encoding=encoding, newline="") as handle:
                    _TEXT_WRITERS[fmt](counter, handle, title=title)
            if counter.count == 0:
                raise ExportError("nothing to export: no meeting matches")
    except OSError as err:
        raise ExportError(f"cannot write {target}: {err.strerror or err}") from None
    return ExportReport(target, fmt, counter.count)


class _Counter:
    def __init__(self, items: Iterable[ExportItem]):
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[ExportItem]:
        for item in self._items:
            self.count += 1
            yield item


# -- shared field helpers ----------------------------------------------------------------------


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _label(value: str | None) -> str:
    return value.replace("_", " ").capitalize() if value else ""


def date_label(meeting: Meeting) -> str:
    p = meeting.parsed
    if not p.meeting_date:
        return ""
    return (
        f"{_iso(p.meeting_date)} – {_iso(p.meeting_date_end)}" if p.meeting_date_end else _iso(p.meeting_date)
    )


def participant_label(person) -> str:
    extra = ", ".join(x for x in (person.role, person.country) if x)
    return (person.canonical or person.name) + (f" ({extra})" if extra else "")


def metadata_rows(item: ExportItem) -> list[tuple[str, str]]:
    """(label, plain text) rows for reports; empty values are left out."""
    m = item.meeting
    p = m.parsed
    rows = [
        ("Meeting date", date_label(m)),
        ("Published", _iso(p.publication_date)),
        ("Type", _label(p.meeting_type)),
        ("Format", _label(p.format)),
        ("Duration", f"{p.duration_minutes} min" if p.duration_minutes else ""),
        ("Location", p.location.label() if p.location else ""),
        ("Countries", ", ".join(p.countries)),
        ("Participants", JOIN.join(participant_label(x) for x in p.participants)),
        ("Source", m.source),
        ("Meeting id", m.id),
    ]
    if item.bookmark is not None and item.bookmark.tags:
        rows.append(("Tags", ", ".join(item.bookmark.tags)))
    return [(label, value) for label, value in rows if value]


def _publisher(meeting: Meeting) -> str | None:
    # Extraction does not derive a publisher yet; pick it up as soon as the record has one.
    return getattr(meeting.parsed, "publisher", None) or None


def _url(meeting: Meeting) -> str | None:
    return getattr(meeting.parsed, "url", None) or None


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- CSV -----------------------------------------------------------------------------------------

# A spreadsheet treats a cell starting with one of these as a formula (tab and CR too, and the
# full-width forms some locales accept). A leading apostrophe makes it plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(item: ExportItem) -> list[str]:
    m, b = item.meeting, item.bookmark
    p = m.parsed
    row = [
        m.id,
        p.title,
        _iso(p.meeting_date),
        _iso(p.meeting_date_end),
        _iso(p.publication_date),
        p.meeting_type or "",
        p.format or "",
        str(p.duration_minutes) if p.duration_minutes else "",
        p.location.label() if p.location else "",
        JOIN.join(p.countries),
        JOIN.join(x.canonical or x.name for x in p.participants),
        m.source,
        "yes" if b is not None else "",
        b.note if b is not None else "",
        JOIN.join(b.tags) if b is not None else "",
    ]
    return [neutralise_cell(cell) for cell in row]


def write_csv(items: Iterable[ExportItem], out: TextIO, *, title: str = "") -> None:
    """One row per meeting. Open ``out`` with ``encoding="utf-8-sig", newline=""`` (the BOM
    makes spreadsheet programs read UTF-8)."""
    writer = csv.writer(out, dialect="excel")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(csv_row(item))


# -- JSON ----------------------------------------------------------------------------------------


def json_record(item: ExportItem) -> dict:
    """The ``show --json`` record plus ``bookmark`` (null, or its note and tags)."""
    record = item.meeting.to_json()
    b = item.bookmark
    record["bookmark"] = {"note": b.note, "tags": list(b.tags)} if b is not None else None
    return record


def write_json(items: Iterable[ExportItem], out: TextIO, *, title: str = "") -> None:
    """A JSON list, one record per line (compact: the C encoder, and a third of the size)."""
    out.write("[")
    for n, item in enumerate(items):
        out.write(",\n" if n else "\n")
        out.write(json.dumps(json_record(item), ensure_ascii=False))
    out.write("\n]\n")


# -- Markdown --------------------------------------------------------------------------------------

# Backslash-escape what Markdown would read as markup, including "<" so that raw HTML in a
# readout is shown, not rendered.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
_MD_LINE_START = re.compile(r"^(#|[-+] |-{3,}\s*$|={3,}\s*$)")  # headings, bullets, rules


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_line(line: str) -> str:
    escaped = md_escape(line)
    return "\\" + escaped if _MD_LINE_START.match(escaped) else escaped


def _md_cell(text: str) -> str:
    return md_escape(" ".join(text.split()))


def write_markdown(
    items: Iterable[ExportItem], out: TextIO, *, title: str = "Readout Archive export"
) -> None:
    out.write(f"# {_md_cell(title)}\n\n")
    out.write(f"Exported {dt.datetime.now().astimezone().isoformat(timespec='minutes')}\n")
    for item in items:
        p = item.meeting.parsed
        out.write(f"\n---\n\n## {_md_cell(p.title)}\n\n| | |\n|---|---|\n")
        for label, value in metadata_rows(item):
            out.write(f"| **{label}** | {_md_cell(value)} |\n")
        if item.bookmark is not None and item.bookmark.note:
            out.write("\n")
            for line in item.bookmark.note.splitlines() or [""]:
                out.write(f"> {md_escape(line)}\n" if line.strip() else ">\n")
        out.write("\n")
        for para in _paragraphs(p.text):
            out.write(_md_line(para) + "\n\n")


# -- HTML ----------------------------------------------------------------------------------------

_HTML_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="Readout Archive">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em; line-height: 1.45; }}
table.meta {{ border-collapse: collapse; margin: 0.5em 0 1em; }}
table.meta th {{ text-align: left; vertical-align: top; padding: 2px 1em 2px 0; white-space: nowrap; }}
table.meta td {{ padding: 2px 0; }}
blockquote.note {{ border-left: 4px solid #e0b000; margin: 1em 0; padding: 0.25em 1em; background: #fffbe6; white-space: pre-wrap; }}
article {{ border-top: 1px solid #ccc; margin-top: 2em; }}
@media print {{ article {{ break-before: page; border-top: none; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="exported">Exported {when}</p>
"""


def write_html(items: Iterable[ExportItem], out: TextIO, *, title: str = "Readout Archive export") -> None:
    """A standalone report; every piece of text goes through ``html.escape``."""
    e = html.escape
    when = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    out.write(_HTML_HEAD.format(title=e(title), when=e(when)))
    for item in items:
        m = item.meeting
        out.write(f'<article id="m-{e(m.id)}">\n<h2>{e(m.parsed.title)}</h2>\n<table class="meta">\n')
        for label, value in metadata_rows(item):
            out.write(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>\n")
        out.write("</table>\n")
        if item.bookmark is not None and item.bookmark.note:
            out.write(f'<blockquote class="note">{e(item.bookmark.note)}</blockquote>\n')
        for para in _paragraphs(m.parsed.text):
            out.write(f"<p>{e(para)}</p>\n")
        out.write("</article>\n")
    out.write("</body>\n</html>\n")


# -- RIS -----------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ris_fields(item: ExportItem) -> list[tuple[str, str]]:
    m, b = item.meeting, item.bookmark
    p = m.parsed
    issued = p.publication_date or p.meeting_date
    fields: list[tuple[str, str]] = [("TY", "RPRT"), ("TI", p.title)]
    if issued:
        fields += [("DA", issued.strftime("%Y/%m/%d/")), ("PY", str(issued.year))]
    if p.publication_date and p.meeting_date and p.meeting_date != p.publication_date:
        fields.append(("N1", f"Meeting date: {date_label(m)}"))
    if _publisher(m):
        fields.append(("PB", _publisher(m)))
    if p.location and p.location.label():
        fields.append(("CY", p.location.label()))
    fields.append(("UR", _url(m)) if _url(m) else ("L1", Path(m.source).as_uri()))
    if b is not None and b.note:
        fields.append(("N1", b.note))
    if p.participants:
        fields.append(("N1", "Participants: " + JOIN.join(participant_label(x) for x in p.participants)))
    for tag in b.tags if b is not None else ():
        fields.append(("KW", tag))
    fields.append(("ID", m.id))
    return [(tag, _one_line(value)) for tag, value in fields]


def write_ris(items: Iterable[ExportItem], out: TextIO, *, title: str = "") -> None:
    """RIS records (``TAG  - value`` lines, CRLF, ``ER`` closes each), as Zotero imports them."""
    for item in items:
        for tag, value in ris_fields(item):
            out.write(f"{tag}  - {value}\r\n")
        out.write("ER  - \r\n\r\n")


# -- CSL-JSON ------------------------------------------------------------------------------------


def _date_parts(start: dt.date, end: dt.date | None = None) -> dict:
    parts = [[start.year, start.month, start.day]]
    if end:
        parts.append([end.year, end.month, end.day])
    return {"date-parts": parts}


def csl_record(item: ExportItem) -> dict:
    m, b = item.meeting, item.bookmark
    p = m.parsed
    record: dict = {"id": m.id, "type": "report", "title": p.title}
    issued = p.publication_date or p.meeting_date
    if issued:
        record["issued"] = _date_parts(issued)
    if p.meeting_date:
        record["event-date"] = _date_parts(p.meeting_date, p.meeting_date_end)
    if p.location and p.location.label():
        record["event-place"] = p.location.label()
    if _publisher(m):
        record["publisher"] = _publisher(m)
    if _url(m):
        record["URL"] = _url(m)
    notes = [b.note] if b is not None and b.note else []
    notes.append(f"File: {m.source}")
    record["note"] = "\n".join(notes)
    if b is not None and b.tags:
        record["keyword"] = ", ".join(b.tags)
    return record


def write_csl_json(items: Iterable[ExportItem], out: TextIO, *, title: str = "") -> None:
    out.write("[")
    for n, item in enumerate(items):
        out.write(",\n" if n else "\n")
        out.write(json.dumps(csl_record(item), ensure_ascii=False, indent=2))
    out.write("\n]\n")


_TEXT_WRITERS: dict[str, Callable[..., None]] = {
    "csv": write_csv,
    "json": write_json,
    "md": write_markdown,
    "html": write_html,
    "ris": write_ris,
    "csl-json": write_csl_json,
}


def export_selection(
    archive: _ArchiveLike,
    selection: Selection,
    path: str | os.PathLike[str],
    fmt: str,
    *,
    bookmarks: Bookmarks | None = None,
    force: bool = False,
    title: str = "Readout Archive export",
    pdf_writer: PdfWriter | None = None,
) -> tuple[ExportReport, list[str]]:
    """Select, then export; returns the report and the ids of missing bookmarked meetings."""
    check_target(path, force=force)  # fail before a long search
    selected = select(archive, selection, bookmarks)
    items = iter_items(archive, selected.ids, bookmarks, with_text=fmt in NEEDS_TEXT)
    report = export(items, path, fmt, force=force, title=title, pdf_writer=pdf_writer)
    return report, selected.missing_bookmarks


__all__: Sequence[str] = (
    "FORMATS",
    "ExportItem",
    "ExportReport",
    "Selection",
    "export",
    "export_selection",
    "format_for_path",
    "iter_items",
    "select",
)
