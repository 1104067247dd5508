"""Hostile readout text is shown, never run: escaped in the detail pane and HTML/PDF export, links
not followed, CSV formulas neutralised; exports stay at the chosen path; the overlay, bookmarks
and saved searches are parsed as plain JSON data."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from index.archive import Archive
from index.bookmarks import Bookmarks, SavedSearches
from index.export import ExportItem, export, write_html
from index.gazetteer import Gazetteer

from .helpers import run_cli

EVIL = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> "
    '<a href="javascript:alert(2)">link</a> <iframe src="https://evil.example"></iframe> & "q"'
)
FORMULAS = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\r=CR"]


@pytest.fixture
def hostile(tmp_path):
    """An archive with one readout whose title, text and location carry markup and formulas."""
    folder = tmp_path / "readouts"
    folder.mkdir()
    text = (
        f"=cmd|' /C calc'!A0 {EVIL}\n\nJuly 1, 2024\n\n"
        f"Minister Kamikawa met Minister Son in Hanoi. {EVIL} "
        "Visit https://evil.example/x or javascript:alert(3).\n"
    )
    (folder / "hostile.txt").write_text(text, "utf-8")
    data_dir = tmp_path / "data"
    with Archive.open(data_dir) as archive:
        archive.index_paths([folder])
        meeting = archive.get(archive.meetings()[0].id)
    return data_dir, meeting


def _no_live_markup(markup: str) -> None:
    lowered = markup.lower()
    for tag in ("<script", "<img", "<iframe", 'href="javascript:', "href='javascript:", "onerror=alert"):
        if tag == "onerror=alert":
            assert "<img src=x onerror" not in lowered
        else:
            assert tag not in lowered, tag


def test_detail_pane_escapes_everything(hostile, qapp):
    from app.detail import Span, render_meeting_html
    from index.bookmarks import Bookmark

    _data_dir, meeting = hostile
    mark = Bookmark(meeting.id, note=EVIL, tags=("<b>tag</b>",))
    spans = [Span("hit", 0, 10), *[Span(m.kind, m.start, m.end, m.canonical) for m in meeting.entities]]
    markup = render_meeting_html(meeting, spans, bookmark=mark)
    _no_live_markup(markup)
    assert "&lt;script&gt;" in markup and "&lt;b&gt;tag&lt;/b&gt;" in markup


def test_detail_pane_follows_no_link(qtbot):
    from app.detail import DetailView

    view = DetailView()
    qtbot.addWidget(view)
    assert not view.browser.openLinks() and not view.browser.openExternalLinks()


def test_html_and_pdf_export_escape_everything(hostile, tmp_path, qapp):
    from app.pdf import meeting_html, write_pdf

    _data_dir, meeting = hostile
    item = ExportItem(meeting)
    out = tmp_path / "report.html"
    with open(out, "w", encoding="utf-8") as handle:
        write_html([item], handle, title=EVIL)
    report = out.read_text("utf-8")
    _no_live_markup(report)
    assert "&lt;script&gt;" in report
    page = meeting_html(item)
    _no_live_markup(page)
    pdf = tmp_path / "report.pdf"
    write_pdf([item], pdf, title=EVIL)
    assert pdf.read_bytes().startswith(b"%PDF") and b"/JavaScript" not in pdf.read_bytes()


def test_csv_cells_are_neutralised(hostile, tmp_path):
    data_dir, meeting = hostile
    Bookmarks.open(data_dir).add(meeting, note=FORMULAS[0], tags=FORMULAS[1:])
    out = tmp_path / "out.csv"
    done = run_cli(data_dir, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(cell.startswith("'=cmd") for cell in rows[1])


def test_export_writes_exactly_the_chosen_file(hostile, tmp_path):
    data_dir, _meeting = hostile
    (tmp_path / "work" / "sub").mkdir(parents=True)
    before = set(tmp_path.rglob("*"))
    done = run_cli(data_dir, "export", "-o", str(tmp_path / "work" / "sub" / ".." / "out.json"))
    assert done.returncode == 0, done.stderr
    target = tmp_path / "work" / "out.json"
    assert json.loads(target.read_text("utf-8"))[0]["id"]
    assert set(tmp_path.rglob("*")) - before == {target}  # no temp file left, nothing elsewhere


def test_a_failed_export_leaves_nothing_behind(hostile, tmp_path):
    data_dir, meeting = hostile

    def items():
        yield ExportItem(meeting)
        raise OSError(28, "No space left on device")

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Exception, match="No space left"):
        export(items(), folder / "x.json", "json")
    assert list(folder.iterdir()) == []


def test_export_refuses_a_symlink_or_existing_target_without_force(hostile, tmp_path):
    data_dir, _meeting = hostile
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.csv"
    os.symlink(victim, link)
    done = run_cli(data_dir, "export", "-o", str(link))
    assert done.returncode == 2 and "already exists" in done.stderr
    assert victim.read_text() == "keep me"
    done = run_cli(data_dir, "export", "-o", str(link), "--force")  # replaces the link, not its target
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "keep me" and not link.is_symlink()


def test_overlay_with_code_looking_strings_is_just_data(tmp_path):
    overlay = tmp_path / "overlay.json"
    payload = "__import__('os').system('touch PWNED')"
    overlay.write_text(
        json.dumps(
            {
                "countries": [{"name": "Freedonia", "variants": [payload, "{{7*7}}", "${HOME}"]}],
                "people": [{"canonical": payload, "variants": ["eval('1')"], "country": "Freedonia"}],
            }
        ),
        "utf-8",
    )
    cwd = Path.cwd()
    gazetteer = Gazetteer.load(overlay)
    assert not gazetteer.warnings
    assert payload in gazetteer.country_variants("Freedonia")
    assert not (cwd / "PWNED").exists() and not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        b'{"countries": [{"variants": []}]}',
        b'{"navigation": ["("]}',
        b"\xff\xfe\x00",
    ],
)
def test_malformed_overlay_gives_a_clear_message_and_defaults(tmp_path, sample_dir, content):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "overlay.json").write_bytes(content)
    done = run_cli(data_dir, "index", str(sample_dir))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "overlay" in done.stderr and "malformed" in done.stderr
    if b"variants" in content:  # a missing key is named as such
        assert "missing" in done.stderr and "'name'" in done.stderr
    assert "5 added" in done.stdout


def test_pickled_bookmarks_are_not_unpickled(tmp_path):
    import pickle

    path = tmp_path / "bookmarks.json"

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "PWNED"),))

    path.write_bytes(pickle.dumps(Boom()))
    marks = Bookmarks(path)
    assert len(marks) == 0
    assert any("could not be read" in n for n in marks.notices)
    assert not (tmp_path / "PWNED").exists()


def test_bookmarks_with_code_looking_strings_are_just_data(tmp_path):
    path = tmp_path / "bookmarks.json"
    payload = "__import__('os').system('touch PWNED')"
    doc = {
        "format": "readout-archive/bookmarks",
        "version": 1,
        "bookmarks": [{"id": "abc", "note": payload, "tags": ["{{7*7}}", payload]}],
    }
    path.write_text(json.dumps(doc))
    mark = Bookmarks(path).get("abc")
    assert mark.note == payload and mark.tags == ("{{7*7}}", payload)
    saved = tmp_path / "saved.json"
    saved.write_text(
        json.dumps(
            {
                "format": "readout-archive/saved-searches",
                "version": 1,
                "saved_searches": [{"name": payload, "query": payload, "filters": {"country": payload}}],
            }
        )
    )
    assert SavedSearches(saved).get(payload).query == payload
    assert not Path("PWNED").exists()


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"version": 1, "bookmarks": [{"id": 5}]}'])
def test_malformed_bookmarks_file_gives_a_clear_message(tmp_path, content):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "bookmarks.json").write_bytes(content)
    done = run_cli(data_dir, "bookmark", "list")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "could not be read" in done.stderr and "bookmarks.json" in done.stderr
