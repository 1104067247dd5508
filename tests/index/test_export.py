"""Export formats parsed back, formula neutralising, selection, and safe writing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import time
from pathlib import Path

import pytest

from index.archive import Archive
from index.bookmarks import Bookmark, Bookmarks
from index.errors import ExportError, UnknownMeeting
from index.export import (
    CSV_COLUMNS,
    ExportItem,
    Selection,
    export,
    export_selection,
    format_for_path,
    iter_items,
    neutralise_cell,
    select,
    write_csv,
    write_json,
)
from index.models import Location, Meeting, ParsedReadout, Participant
from index.query import SearchFilters

SCRIPT = "<script>alert(1)</script>"


def make_meeting(n: int = 0, *, title: str | None = None, text: str | None = None) -> Meeting:
    parsed = ParsedReadout(
        title=title or f"Meeting {n} & <friends>",
        text=text or f"Paragraph one of {n}.\n\n  2. Paragraph {SCRIPT} two.\n# not a heading\n",
        publication_date=dt.date(2023, 10, 11),
        meeting_date=dt.date(2023, 10, 10),
        meeting_date_end=dt.date(2023, 10, 12),
        meeting_type="foreign_ministers",
        format="in_person",
        duration_minutes=150,
        location=Location("Hanoi", "Viet Nam"),
        participants=(
            Participant("KAMIKAWA Yoko", "Kamikawa Yoko", "Minister for Foreign Affairs", "Japan"),
            Participant("Bui Thanh Son", "Bui Thanh Son", None, "Viet Nam"),
        ),
        countries=("Japan", "Viet Nam"),
    )
    return Meeting(id=f"{n:016x}", source=f"/archive/mofa folder/{n}.txt", parsed=parsed)


def items(count: int = 2) -> list[ExportItem]:
    out = [ExportItem(make_meeting(n)) for n in range(count)]
    out[0] = ExportItem(
        out[0].meeting,
        Bookmark(out[0].meeting.id, note=f"=cmd|' /C calc'!A0\n{SCRIPT}", tags=("asean", "+1")),
    )
    return out


# -- each format, parsed back ---------------------------------------------------------------------


def test_csv_has_bom_one_row_per_meeting_and_neutralised_cells(tmp_path):
    target = tmp_path / "out.csv"
    report = export(items(3), target, "csv")
    assert report.count == 3 and report.path == target
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 3 and tuple(rows[0]) == CSV_COLUMNS
    first = rows[0]
    assert first["participants"] == "Kamikawa Yoko; Bui Thanh Son"
    assert first["countries"] == "Japan; Viet Nam"
    assert first["meeting_date"] == "2023-10-10" and first["duration_minutes"] == "150"
    assert first["bookmarked"] == "yes" and rows[1]["bookmarked"] == ""
    assert first["note"] == f"'=cmd|' /C calc'!A0\n{SCRIPT}"  # multi-line note survives quoting
    assert first["tags"] == "asean; +1"
    assert first["source"] == "/archive/mofa folder/0.txt"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("2023-10-10", "2023-10-10"),
        ("Japan - Viet Nam", "Japan - Viet Nam"),
        ("", ""),
    ],
)
def test_neutralise_cell(cell, expected):
    assert neutralise_cell(cell) == expected


def test_formula_titles_are_neutralised_in_the_file(tmp_path):
    hostile = [
        ExportItem(make_meeting(n, title=t)) for n, t in enumerate(['=HYPERLINK("http://x")', "@A1", "-1+1"])
    ]
    export(hostile, tmp_path / "f.csv", "csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "f.csv").read_text("utf-8-sig"), newline="")))
    assert [r[1] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "'@A1", "'-1+1"]


def test_json_is_the_show_records_plus_bookmark(tmp_path):
    data = items(2)
    export(data, tmp_path / "out.json", "json")
    records = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert len(records) == 2
    for record, item in zip(records, data, strict=True):
        bookmark = record.pop("bookmark")
        assert record == item.meeting.to_json()
        assert Meeting.from_json(record) == item.meeting
        if item.bookmark:
            assert bookmark == {"note": item.bookmark.note, "tags": list(item.bookmark.tags)}
        else:
            assert bookmark is None


def test_markdown_report_escapes_markup(tmp_path):
    export(items(2), tmp_path / "r.md", "md", title="My *report*")
    text = (tmp_path / "r.md").read_text("utf-8")
    assert text.startswith("# My \\*report\\*\n")
    assert text.count("\n## Meeting ") == 2
    assert (
        "| **Participants** | Kamikawa Yoko (Minister for Foreign Affairs, Japan); Bui Thanh Son (Viet Nam) |"
        in text
    )
    assert "<script>" not in text and "\\<script\\>alert(1)\\</script\\>" in text
    assert "\n\\# not a heading\n" in text  # a text line is never a heading
    assert "> =cmd" in text  # the note as a quote


def test_html_report_is_fully_escaped(tmp_path):
    export(items(2), tmp_path / "r.html", "html", title="Report <b>")
    text = (tmp_path / "r.html").read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<title>Report &lt;b&gt;</title>" in text
    assert text.count("<article") == 2 and "Meeting 0 &amp; &lt;friends&gt;" in text
    assert '<blockquote class="note">' in text


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """A minimal RIS reader: ``TAG  - value`` lines; ``ER`` ends a record."""
    records, current = [], {}
    for line in text.splitlines():
        if not line.strip():
            continue
        assert line[2:6] == "  - ", line
        tag, value = line[:2], line[6:]
        if tag == "ER":
            records.append(current)
            current = {}
        else:
            current.setdefault(tag, []).append(value)
    assert current == {}, "record without ER"
    return records


def test_ris_parses_back(tmp_path):
    export(items(2), tmp_path / "r.ris", "ris")
    raw = (tmp_path / "r.ris").read_bytes()
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    records = parse_ris(raw.decode("utf-8"))
    assert len(records) == 2
    first = records[0]
    assert first["TY"] == ["RPRT"] and first["TI"] == ["Meeting 0 & <friends>"]
    assert first["DA"] == ["2023/10/11/"] and first["PY"] == ["2023"]
    assert first["L1"] == [Path("/archive/mofa folder/0.txt").as_uri()]
    assert first["KW"] == ["asean", "+1"]
    assert f"=cmd|' /C calc'!A0 {SCRIPT}" in first["N1"]  # one line
    assert any(n.startswith("Meeting date: 2023-10-10") for n in first["N1"])
    assert "KW" not in records[1] and "PB" not in records[1]


def test_csl_json_parses_back(tmp_path):
    export(items(2), tmp_path / "r.csl.json", "csl-json")
    records = json.loads((tmp_path / "r.csl.json").read_text("utf-8"))
    first = records[0]
    assert first["type"] == "report" and first["title"] == "Meeting 0 & <friends>"
    assert first["issued"] == {"date-parts": [[2023, 10, 11]]}
    assert first["event-date"] == {"date-parts": [[2023, 10, 10], [2023, 10, 12]]}
    assert first["event-place"] == "Hanoi, Viet Nam"
    assert first["keyword"] == "asean, +1"
    assert first["note"].endswith("File: /archive/mofa folder/0.txt")
    assert "keyword" not in records[1]


def test_format_from_file_name():
    assert format_for_path("a.CSV") == "csv"
    assert format_for_path("refs.csl.json") == "csl-json"
    assert format_for_path("x.json") == "json"
    assert format_for_path("x.htm") == "html"
    assert format_for_path("x.markdown") == "md"
    assert format_for_path("x.ris") == "ris" and format_for_path("x.pdf") == "pdf"
    assert format_for_path("x.docx") is None


# -- writing safely ------------------------------------------------------------------------------


def test_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("precious", "utf-8")
    with pytest.raises(ExportError, match="already exists"):
        export(items(1), target, "csv")
    assert target.read_text("utf-8") == "precious"
    export(items(1), target, "csv", force=True)
    assert target.read_text("utf-8-sig").startswith("id,title")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_failure_midway_leaves_nothing(tmp_path):
    def broken():
        yield ExportItem(make_meeting(1))
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        export(broken(), tmp_path / "out.json", "json")
    assert list(tmp_path.iterdir()) == []

    (tmp_path / "old.json").write_text("old", "utf-8")
    with pytest.raises(RuntimeError):
        export(broken(), tmp_path / "old.json", "json", force=True)
    assert (tmp_path / "old.json").read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["old.json"]


def test_clear_errors_for_bad_targets(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        export(items(1), tmp_path / "nope" / "out.csv", "csv")
    with pytest.raises(ExportError, match="is a folder"):
        export(items(1), tmp_path, "csv", force=True)
    with pytest.raises(ExportError, match="unknown export format"):
        export(items(1), tmp_path / "x.doc", "doc")
    with pytest.raises(ExportError, match="PDF"):
        export(items(1), tmp_path / "x.pdf", "pdf")
    with pytest.raises(ExportError, match="nothing to export"):
        export([], tmp_path / "empty.csv", "csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions as non-root")
def test_unwritable_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="permission"):
            export(items(1), locked / "out.csv", "csv")
    finally:
        locked.chmod(0o700)


# -- selecting from an archive -------------------------------------------------------------------


@pytest.fixture
def archive(data_dir, sample_dir):
    with Archive.open(data_dir) as arc:
        arc.index_paths([sample_dir])
        yield arc


def test_selection_combines_search_ids_and_bookmarks(archive, data_dir):
    all_ids = [m.id for m in archive.meetings()]  # by date
    assert select(archive, Selection()).ids == all_ids
    marks = Bookmarks.open(data_dir)
    marks.add(archive.get(all_ids[3]), tags=["x"])
    marks.add(archive.get(all_ids[0]))
    marks.add("0123456789abcdef", note="a meeting that went away")

    picked = select(archive, Selection(bookmarked=True), marks)
    assert picked.ids == [all_ids[0], all_ids[3]] and picked.missing_bookmarks == ["0123456789abcdef"]
    assert select(archive, Selection(tag="X"), marks).ids == [all_ids[3]]
    assert select(archive, Selection(ids=(all_ids[2], all_ids[1]))).ids == [all_ids[2], all_ids[1]]

    hits = archive.search("Kamikawa", limit=None, sort="date-asc").hits
    assert select(archive, Selection(query="Kamikawa")).ids == [h.id for h in hits]
    video = select(archive, Selection(filters=SearchFilters(format="video")))
    assert len(video.ids) == 1
    assert select(archive, Selection(filters=SearchFilters(format="video"), bookmarked=True), marks).ids == []
    with pytest.raises(UnknownMeeting):
        select(archive, Selection(ids=("ffffffffffffffff",)))


def test_export_selection_from_the_archive(archive, data_dir, tmp_path):
    marks = Bookmarks.open(data_dir)
    first = archive.meetings()[0]
    marks.add(first, note="see paragraph 3", tags=["asean"])
    report, missing = export_selection(
        archive, Selection(bookmarked=True), tmp_path / "b.json", "json", bookmarks=marks
    )
    assert report.count == 1 and missing == []
    [record] = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert record["bookmark"] == {"note": "see paragraph 3", "tags": ["asean"]}
    assert record["text"] == archive.get(first.id).parsed.text
    items_ = list(iter_items(archive, [first.id], marks))
    assert items_[0].bookmark.note == "see paragraph 3"


def test_ten_thousand_meetings_to_csv_and_json_in_seconds(tmp_path):
    text = "A paragraph of a readout, long enough to matter. " * 40
    meetings = [make_meeting(n, text=text) for n in range(10_000)]
    for fmt in ("csv", "json"):
        start = time.perf_counter()
        report = export((ExportItem(m) for m in meetings), tmp_path / f"big.{fmt}", fmt)
        elapsed = time.perf_counter() - start
        assert report.count == 10_000
        assert elapsed < 10, f"{fmt}: {elapsed:.1f}s"
    assert len(json.loads((tmp_path / "big.json").read_text("utf-8"))) == 10_000


def test_writers_stream_to_any_text_handle():
    out = io.StringIO()
    write_csv(items(1), out)
    assert out.getvalue().startswith("id,title,")
    out = io.StringIO()
    write_json([], out)
    assert json.loads(out.getvalue()) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_unwritable_path_even_for_root():
    with pytest.raises(ExportError, match="cannot write"):
        export(items(1), "/proc/self/readout-export.csv", "csv")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_exported_file_gets_the_usual_mode(tmp_path):
    import stat

    export(items(1), tmp_path / "out.csv", "csv")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o666 & ~mask


def test_metadata_only_items_come_in_bulk_and_in_order(archive):
    ids = [m.id for m in archive.meetings()][::-1]
    got = list(iter_items(archive, ids, with_text=False))
    assert [i.meeting.id for i in got] == ids and all(i.meeting.parsed.text == "" for i in got)
    with pytest.raises(UnknownMeeting):
        list(iter_items(archive, [*ids, "ffffffffffffffff"], with_text=False))
