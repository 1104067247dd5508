"""The lazy table model and the HTML of the detail pane."""

from __future__ import annotations

import datetime as dt

import pytest

from app.detail import HIT, Span, render_meeting_html
from app.meeting_model import MeetingTableModel
from index.models import Hit, Location, Meeting, ParsedReadout, Participant, SearchResult


def _result(n: int) -> SearchResult:
    hits = tuple(
        Hit(
            f"id{i}",
            f"Meeting {i}",
            dt.date(2020, 1, 1) + dt.timedelta(days=i),
            "summit",
            "video",
            1.0,
            "",
            (),
        )
        for i in range(n)
    )
    return SearchResult("", n, hits)


def _meeting(mid: str, text: str = "Minister Kamikawa met Viet Nam.") -> Meeting:
    parsed = ParsedReadout(
        title=f"Title <b>{mid}</b>",
        text=text,
        meeting_date=dt.date(2023, 10, 10),
        publication_date=dt.date(2023, 10, 11),
        meeting_type="foreign_ministers",
        format="in_person",
        duration_minutes=150,
        location=Location("Hanoi", "Viet Nam"),
        participants=(
            Participant("KAMIKAWA Yoko", "Kamikawa Yoko", "Minister for Foreign Affairs", "Japan"),
        ),
        countries=("Japan", "Viet Nam"),
        captions=("(Photo) <img src=x onerror=alert(1)>",),
    )
    return Meeting(mid, f"/tmp/{mid}.txt", parsed)


def test_model_passes_qtmodeltester_and_makes_rows_a_page_at_a_time(qtmodeltester):
    loaded: list[list[str]] = []

    def details(ids):
        loaded.append(list(ids))
        return {i: _meeting(i) for i in ids}

    model = MeetingTableModel(details, page_size=50, pages_kept=2)
    model.set_result(_result(120))
    assert model.rowCount() == 120 and loaded == []  # every row there, none made yet
    assert model.index(119, 1).data() == "Meeting 119"  # the end: one page read
    assert loaded == [[f"id{i}" for i in range(100, 120)]]
    assert model.index(0, 5).data() == "Kamikawa Yoko" and model.index(0, 7).data() == "2 h 30"
    assert model.index(49, 0).data() == "2020-02-19"
    assert len(loaded) == 2 and loaded[1] == [f"id{i}" for i in range(50)]
    assert model.meeting_id(75) == "id75" and model.row_of("id75") == 75 and len(loaded) == 2
    model.index(75, 1).data()  # a third page: the page least recently used is let go
    assert model.rows_made == 100
    model.index(110, 1).data()
    assert len(loaded) == 4 and loaded[3][0] == "id100"  # made again
    qtmodeltester.check(model, force_py=True)
    assert model.rows_made <= 100


def test_model_sorts_by_other_columns_loading_the_rest():
    model = MeetingTableModel(lambda ids: {i: _meeting(i) for i in ids}, page_size=10)
    model.set_result(_result(30))
    from PySide6.QtCore import Qt

    model.sort(1, Qt.SortOrder.DescendingOrder)
    titles = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert titles[:3] == ["Meeting 9", "Meeting 8", "Meeting 7"] and model.rowCount() == 30


def test_readout_markup_is_escaped():
    meeting = _meeting("x", "Before <script>alert(1)</script> & after Kamikawa.")
    html = render_meeting_html(meeting, [Span(HIT, 41, 49)])
    assert "<script>" not in html and "<img" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'name="hit-0"' in html


def test_script_readout_shows_as_text_in_the_window(tmp_path, window, qtbot):
    (tmp_path / "evil.txt").write_text(
        "Readout of a <b>bold</b> meeting\n\nOctober 10, 2023\n\n"
        "Minister Kamikawa said <script>alert(1)</script> and left.\n",
        "utf-8",
    )
    with qtbot.waitSignal(window.index_finished, timeout=20_000):
        window.index_paths([tmp_path])
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_bar.edit, "alert")
    rows = [r for r in range(window.model.rowCount()) if "bold" in window.model.index(r, 1).data()]
    window.table.selectRow(rows[0])
    text = window.detail.browser.toPlainText()
    assert "<script>alert(1)</script>" in text
    assert "<b>bold</b>" in text
    assert "<script" not in window.detail.browser.toHtml()


@pytest.fixture(scope="module")
def corpus_archive(tmp_path_factory):
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/readouts is not beside the checkout")
    from index.archive import Archive

    archive = Archive.open(tmp_path_factory.mktemp("sorting") / "data")
    archive.workers = 0
    archive.index_paths([CORPUS])
    yield archive
    archive.close()


@pytest.mark.parametrize("column", ["countries", "participants", "location", "duration"])
def test_sorting_a_details_column_from_sort_values_equals_sorting_loaded_details(corpus_archive, column):
    from PySide6.QtCore import Qt

    from app.meeting_model import COLUMN_KEYS

    result = corpus_archive.search("", limit=None)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        loaded = MeetingTableModel(corpus_archive.records)
        loaded.set_result(result)
        loaded.sort(COLUMN_KEYS.index(column), order)
        quick = MeetingTableModel(lambda ids: {}, load_sort_values=corpus_archive.sort_values)
        quick.set_result(result)
        quick.sort(COLUMN_KEYS.index(column), order)
        assert quick.ids() == loaded.ids()
        assert len(set(quick.ids())) == result.total > 100


@pytest.mark.parametrize("column", ["date", "title", "type", "format", "countries", "bookmark"])
def test_a_large_lazy_result_sorts_and_shows_as_a_ready_one(corpus_archive, column, monkeypatch):
    """A result over BULK_HITS makes its hits as asked for; the list sorts it by one read of the
    column's values and shows the same rows as the same result with every hit made."""
    from PySide6.QtCore import Qt

    import index.archive
    from app.meeting_model import COLUMN_KEYS
    from index.bookmarks import Bookmark
    from index.models import HitList

    ready = corpus_archive.search("", limit=None, sort="relevance")
    monkeypatch.setattr(index.archive, "BULK_HITS", 10)
    lazy = corpus_archive.search("", limit=None, sort="relevance")
    assert isinstance(lazy.hits, HitList) and lazy.ids == ready.ids
    marks = {mid: Bookmark(mid) for mid in ready.ids[::7]}
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        models = []
        for result, sort_values in ((ready, None), (lazy, corpus_archive.sort_values)):
            model = MeetingTableModel(corpus_archive.records, page_size=25, load_sort_values=sort_values)
            model.set_bookmarks(marks)
            model.set_result(result)
            model.sort(COLUMN_KEYS.index(column), order)
            models.append(model)
        plain, quick = models
        assert quick.rowCount() == plain.rowCount() == ready.total
        assert quick.ids() == plain.ids() and len(quick.ids()) == ready.total > 100
        shown = [[m.index(r, c).data() for r in range(50) for c in range(len(COLUMN_KEYS))] for m in models]
        assert shown[0] == shown[1]


def test_sorting_by_the_star_puts_bookmarked_meetings_first_or_last():
    from PySide6.QtCore import Qt

    from app.meeting_model import BOOKMARK_COLUMN
    from index.bookmarks import Bookmark

    model = MeetingTableModel(lambda ids: {i: _meeting(i) for i in ids}, page_size=10)
    model.set_result(_result(6))
    model.set_bookmarks({"id2": Bookmark("id2"), "id4": Bookmark("id4")})
    model.sort(BOOKMARK_COLUMN, Qt.SortOrder.AscendingOrder)
    assert model.ids() == ["id2", "id4", "id0", "id1", "id3", "id5"]
    model.sort(BOOKMARK_COLUMN, Qt.SortOrder.DescendingOrder)
    assert model.ids() == ["id0", "id1", "id3", "id5", "id2", "id4"]
