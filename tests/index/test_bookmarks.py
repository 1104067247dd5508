"""Bookmarks and saved searches: persistence beside the index, missing meetings, recovery."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.archive import Archive
from index.bookmarks import (
    Bookmark,
    Bookmarks,
    SavedSearches,
    filters_from_json,
    filters_to_json,
)
from index.errors import BadQuery, UnknownBookmark, UnknownSavedSearch, UserDataError
from index.query import SearchFilters


@pytest.fixture
def archive(data_dir, sample_dir):
    with Archive.open(data_dir) as arc:
        arc.index_paths([sample_dir])
        yield arc


@pytest.fixture
def own_copy(tmp_path, sample_dir):
    """A writable copy of the sample archive (files can be changed and deleted)."""
    folder = tmp_path / "readouts"
    shutil.copytree(sample_dir, folder)
    return folder


def _first(archive) -> str:
    return archive.meetings()[0].id


# -- surviving the index ---------------------------------------------------------------------------


def test_bookmark_survives_a_full_index_rebuild(archive, data_dir):
    mid = _first(archive)
    Bookmarks.open(data_dir).add(archive.get(mid), note="follow up", tags=["asean"])
    archive.close()
    shutil.rmtree(data_dir / "index")
    with Archive.open(data_dir) as rebuilt:
        # the missing index is rebuilt on open from the remembered folders, with a notice
        assert rebuilt.count() == 5 and any("missing" in n for n in rebuilt.notices)
        rebuilt.refresh()
        statuses = Bookmarks.open(data_dir).resolve(rebuilt)
    assert [(s.bookmark.meeting_id, s.missing) for s in statuses] == [(mid, False)]
    assert statuses[0].bookmark.note == "follow up" and statuses[0].bookmark.tags == ("asean",)


def test_bookmark_survives_reindexing_a_changed_file(data_dir, own_copy):
    with Archive.open(data_dir) as arc:
        arc.index_paths([own_copy])
        meeting = next(m for m in arc.meetings() if m.source.endswith("000_3a5af91ac2344a0e.txt"))
        Bookmarks.open(data_dir).add(meeting, note="n")
        path = own_copy / "000_3a5af91ac2344a0e.txt"
        path.write_text(path.read_text("utf-8") + "\nAn added paragraph.\n", "utf-8")
        report = arc.index_paths([own_copy])
        assert report.updated == 1
        [status] = Bookmarks.open(data_dir).resolve(arc)
    assert not status.missing and "added paragraph" in arc.get(meeting.id).parsed.text


def test_bookmarks_of_deleted_files_are_kept_and_flagged(data_dir, own_copy):
    with Archive.open(data_dir) as arc:
        arc.index_paths([own_copy])
        gone = next(m for m in arc.meetings() if m.source.endswith("001_aa49ef18c32ede26.txt"))
        kept = next(m for m in arc.meetings() if m.id != gone.id)
        marks = Bookmarks.open(data_dir)
        marks.add(gone, note="the video call")
        marks.add(kept)
        (own_copy / "001_aa49ef18c32ede26.txt").unlink()
        assert arc.index_paths([own_copy]).removed == 1
        marks.add(kept, tags=["later"])  # a later save must not drop the missing one
        statuses = Bookmarks.open(data_dir).resolve(arc)
    by_id = {s.bookmark.meeting_id: s for s in statuses}
    assert by_id[gone.id].missing and by_id[gone.id].title == gone.parsed.title
    assert by_id[gone.id].bookmark.note == "the video call"
    assert by_id[gone.id].to_json()["missing"] is True
    assert not by_id[kept.id].missing


# -- the file ----------------------------------------------------------------------------------------


def test_file_is_versioned_readable_json_with_one_backup(data_dir):
    marks = Bookmarks.open(data_dir)
    marks.add("a" * 16, note="first")
    marks.add("b" * 16, tags=["x"])
    text = marks.path.read_text("utf-8")
    data = json.loads(text)
    assert data["version"] == 1 and data["format"] == "readout-archive/bookmarks"
    assert "\n  " in text  # indented, for people and diffs
    assert [b["id"] for b in data["bookmarks"]] == ["a" * 16, "b" * 16]
    backup = json.loads((data_dir / "bookmarks.json.bak").read_text("utf-8"))
    assert [b["id"] for b in backup["bookmarks"]] == ["a" * 16]
    leftovers = [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_corrupt_file_is_moved_aside_and_backup_restored(data_dir):
    marks = Bookmarks.open(data_dir)
    marks.add("a" * 16, note="kept in the backup")
    marks.add("b" * 16)
    garbage = b'{"version": 1, "bookmarks": [ {"id": '
    marks.path.write_bytes(garbage)

    again = Bookmarks.open(data_dir)
    assert [b.meeting_id for b in again.list()] == ["a" * 16]
    assert again.get("a" * 16).note == "kept in the backup"
    [notice] = again.notices
    assert "could not be read" in notice and "backup" in notice and "restored" in notice
    [aside] = data_dir.glob("bookmarks.json.corrupt-*")
    assert aside.read_bytes() == garbage and aside.name in notice
    assert json.loads(again.path.read_text("utf-8"))["bookmarks"][0]["id"] == "a" * 16
    assert Bookmarks.open(data_dir).notices == []  # recovered for good


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8",
        b"[]",
        b'{"bookmarks": []}',
        b'{"version": 1, "bookmarks": [{"note": "no id"}]}',
        b'{"version": 1, "bookmarks": [{"id": "x", "tags": "not a list"}]}',
        b'{"version": 1, "bookmarks": [{"id": "x", "meeting_date": "yesterday"}]}',
        b'{"version": 1, "format": "something/else", "bookmarks": []}',
    ],
)
def test_malformed_content_counts_as_corrupt(data_dir, content):
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_bytes(content)
    marks = Bookmarks.open(data_dir)
    assert marks.list() == []
    assert "no backup" in marks.notices[0]
    assert len(list(data_dir.glob("bookmarks.json.corrupt-*"))) == 1
    marks.add("c" * 16)  # and the store works again
    assert Bookmarks.open(data_dir).ids() == ["c" * 16]


def test_unusable_backup_too_starts_empty_and_keeps_both(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "bookmarks.json").write_text("nope", "utf-8")
    (data_dir / "bookmarks.json.bak").write_text("nope either", "utf-8")
    marks = Bookmarks.open(data_dir)
    assert marks.list() == [] and "not usable either" in marks.notices[0]
    assert (data_dir / "bookmarks.json.bak").read_text("utf-8") == "nope either"


def test_newer_format_is_read_but_never_overwritten(data_dir):
    data_dir.mkdir(parents=True)
    content = json.dumps({"format": "readout-archive/bookmarks", "version": 2, "bookmarks": [{"id": "x"}]})
    (data_dir / "bookmarks.json").write_text(content, "utf-8")
    marks = Bookmarks.open(data_dir)
    assert marks.ids() == ["x"] and marks.read_only and "newer version" in marks.notices[0]
    with pytest.raises(UserDataError):
        marks.add("y" * 16)
    assert (data_dir / "bookmarks.json").read_text("utf-8") == content


def test_two_instances_do_not_lose_each_others_changes(data_dir):
    first, second = Bookmarks.open(data_dir), Bookmarks.open(data_dir)
    first.add("a" * 16)
    second.add("b" * 16)
    first.edit("a" * 16, note="edited")
    assert Bookmarks.open(data_dir).ids() == ["a" * 16, "b" * 16]
    assert second.get("a" * 16).note == "edited"


# -- editing -------------------------------------------------------------------------------------------


def test_add_edit_remove_and_tags(data_dir):
    marks = Bookmarks.open(data_dir)
    first = marks.add("m1", note="  a note  ", tags=["ASEAN", " trade  policy "])
    assert first.note == "a note" and first.tags == ("ASEAN", "trade policy") and first.created
    again = marks.add("m1", tags=["asean", "Defence"])  # case-insensitive union, note kept
    assert again.tags == ("ASEAN", "trade policy", "Defence") and again.note == "a note"
    assert again.created == first.created
    marks.add("m2", tags=["defence"])
    assert marks.tags() == {"ASEAN": 1, "Defence": 2, "trade policy": 1}
    assert marks.ids(tag="DEFENCE") == ["m1", "m2"] and [b.meeting_id for b in marks.list("asean")] == ["m1"]

    edited = marks.edit("m1", note="", remove_tags=["defence"], add_tags=["new"])
    assert edited.note == "" and edited.tags == ("ASEAN", "trade policy", "new")
    assert marks.edit("m1", tags=[]).tags == ()
    assert marks.remove("m1").meeting_id == "m1" and "m1" not in marks and len(marks) == 1
    with pytest.raises(UnknownBookmark):
        marks.remove("m1")
    with pytest.raises(UnknownBookmark):
        marks.edit("nope", note="x")
    with pytest.raises(UserDataError):
        marks.add("m2", tags=["   "])


@given(
    note=st.text(max_size=200),
    tags=st.lists(st.text(max_size=20), max_size=5),
    date=st.none() | st.dates(),
)
def test_bookmark_json_round_trip(note, tags, date):
    mark = Bookmark.from_json(
        {"id": "id1", "note": note, "tags": tags, "meeting_date": date.isoformat() if date else None}
    )
    assert all(t == " ".join(t.split()) and t for t in mark.tags)
    assert len({t.casefold() for t in mark.tags}) == len(mark.tags)
    text = json.dumps(mark.to_json(), ensure_ascii=False)
    assert Bookmark.from_json(json.loads(text)) == mark


# -- saved searches ------------------------------------------------------------------------------------


def test_saved_search_round_trip_and_run(archive, data_dir):
    filters = SearchFilters(date_from=dt.date(2023, 1, 1), format="video")
    saved = SavedSearches.open(data_dir)
    item = saved.add("Video 2023", "", filters, sort="date")
    assert item.describe() == "*  date_from=2023-01-01  format=video  sort=date"
    again = SavedSearches.open(data_dir).get("video 2023")  # names ignore case
    assert again.filters == filters and again.sort == "date" and again.query == ""
    result = again.run(archive, limit=None)
    assert [h.id for h in result.hits] == [h.id for h in archive.search("", filters, limit=None).hits]
    assert result.total == 1

    with pytest.raises(UserDataError):
        saved.add("VIDEO 2023", "kamikawa")
    replaced = saved.add("VIDEO 2023", "kamikawa", replace_existing=True)
    assert [s.name for s in saved.list()] == ["VIDEO 2023"] and replaced.filters == SearchFilters()
    saved.add("other", "son")
    assert saved.rename("other", "Son").name == "Son"
    assert [s.name for s in SavedSearches.open(data_dir).list()] == ["VIDEO 2023", "Son"]
    assert saved.remove("son").name == "Son"
    with pytest.raises(UnknownSavedSearch):
        saved.get("son")
    with pytest.raises(BadQuery):
        saved.add("x", "y", sort="sideways")
    data = json.loads(saved.path.read_text("utf-8"))
    assert data["version"] == 1 and data["saved_searches"][0]["name"] == "VIDEO 2023"


def test_corrupt_saved_searches_recover_too(data_dir):
    saved = SavedSearches.open(data_dir)
    saved.add("one", "a")
    saved.add("two", "b")
    saved.path.write_text("{{{", "utf-8")
    again = SavedSearches.open(data_dir)
    assert [s.name for s in again.list()] == ["one"] and "restored" in again.notices[0]


@given(
    st.builds(
        SearchFilters,
        date_from=st.none() | st.dates(),
        date_to=st.none() | st.dates(),
        meeting_type=st.none() | st.sampled_from(["summit", "other"]),
        format=st.none() | st.sampled_from(["video", "telephone"]),
        country=st.none() | st.text(min_size=1, max_size=10),
        person=st.none() | st.text(min_size=1, max_size=10),
    )
)
def test_filters_json_round_trip(filters):
    assert filters_from_json(json.loads(json.dumps(filters_to_json(filters)))) == filters
