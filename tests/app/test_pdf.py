"""PDF export through QTextDocument/QPdfWriter: one meeting from a new page, escaped, highlighted."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.detail import entity_spans
from app.pdf import meeting_html, write_pdf
from index.bookmarks import Bookmark
from index.errors import ExportError
from index.export import ExportItem, export, iter_items
from index.models import EntityMention, Location, Meeting, ParsedReadout, Participant

SCRIPT = "<script>alert(1)</script>"


def pdf_pages(data: bytes) -> int:
    """Page objects in the PDF (``/Type /Page``, not the ``/Pages`` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def meeting(n: int, paragraphs: int = 2) -> Meeting:
    text = "\n".join(
        f"{k}. Minister Kamikawa met Minister Son in Viet Nam and said {SCRIPT} about item {k}."
        for k in range(1, paragraphs + 1)
    )
    parsed = ParsedReadout(
        title=f"Meeting {n} <b>",
        text=text,
        meeting_date=dt.date(2023, 10, n + 1),
        meeting_type="foreign_ministers",
        location=Location("Hanoi", "Viet Nam"),
        participants=(Participant("KAMIKAWA Yoko", "Kamikawa Yoko", "Minister", "Japan"),),
        countries=("Japan", "Viet Nam"),
    )
    entities = tuple(
        EntityMention(kind, m.group(0), canonical, m.start(), m.end())
        for kind, word, canonical in (
            ("person", "Kamikawa", "Kamikawa Yoko"),
            ("country", "Viet Nam", "Viet Nam"),
        )
        for m in re.finditer(word, text)
    )
    return Meeting(id=f"{n:016x}", source=f"/x/{n}.txt", parsed=parsed, entities=entities)


def test_one_page_per_short_meeting(qapp, tmp_path):
    target = tmp_path / "three.pdf"
    report = write_pdf([ExportItem(meeting(n)) for n in range(3)], target, title="Three")
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert (report.meetings, report.pages, report.first_pages) == (3, 3, (0, 1, 2))
    assert pdf_pages(data) == 3
    assert b"/Title" in data


def test_long_meeting_continues_and_the_next_starts_a_new_page(qapp, tmp_path):
    target = tmp_path / "long.pdf"
    report = write_pdf([ExportItem(meeting(0, paragraphs=120)), ExportItem(meeting(1))], target)
    assert report.meetings == 2 and report.pages >= 3
    assert report.first_pages[1] == report.pages - 1  # the short one gets a page of its own
    assert pdf_pages(target.read_bytes()) == report.pages


def test_page_html_is_escaped_and_highlighted(qapp):
    item = ExportItem(meeting(0), Bookmark("0" * 16, note=f"note {SCRIPT}"))
    page = meeting_html(item, entity_spans(item.meeting))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Meeting 0 &lt;b&gt;" in page and "note &lt;script&gt;" in page
    assert re.search(r'<span style="color: #[0-9a-f]{6}; font-weight: 600">Kamikawa</span>', page)
    assert "Highlighted:" in page and "People" in page and "Countries" in page
    plain = meeting_html(ExportItem(meeting(0)))
    assert "Highlighted:" not in plain and "Note:" not in plain


def test_through_the_export_function_from_the_archive(qapp, tmp_path, data_dir, sample_dir):
    from index.archive import Archive

    with Archive.open(data_dir) as archive:
        archive.index_paths([sample_dir])
        ids = [m.id for m in archive.meetings()]
        out = tmp_path / "out"
        out.mkdir()
        report = export(iter_items(archive, ids), out / "sample.pdf", "pdf", pdf_writer=write_pdf)
    assert report.count == 5
    data = (out / "sample.pdf").read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) >= 5
    assert [p.name for p in out.iterdir()] == ["sample.pdf"]


def test_no_file_left_when_nothing_to_export(qapp, tmp_path):
    with pytest.raises(ExportError, match="nothing to export"):
        export([], tmp_path / "empty.pdf", "pdf", pdf_writer=write_pdf)
    assert list(tmp_path.iterdir()) == []
