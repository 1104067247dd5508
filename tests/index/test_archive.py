"""The Archive façade: incremental indexing, search, aliases, errors, rebuilds."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from index.archive import Archive
from index.errors import BadQuery, IndexLocked, UnknownMeeting
from index.query import SearchFilters

SEED_000 = "000_3a5af91ac2344a0e.txt"


@pytest.fixture
def sample_copy(tmp_path, sample_dir):
    target = tmp_path / "sample"
    shutil.copytree(sample_dir, target)
    return target


@pytest.fixture
def archive(data_dir, sample_copy):
    with Archive.open(data_dir) as arch:
        arch.index_paths([sample_copy])
        yield arch


def _ids_by_file(archive):
    return {os.path.basename(m.source): m.id for m in archive.meetings()}


def test_index_sample_then_reindex_does_no_parsing(data_dir, sample_copy, monkeypatch):
    with Archive.open(data_dir) as arch:
        report = arch.index_paths([sample_copy])
        assert (report.added, report.updated, report.removed, report.skipped) == (5, 0, 0, ())
        assert arch.count() == 5
        import index.pipeline as pipeline

        def boom(*a, **k):
            raise AssertionError("an unchanged file was parsed again")

        monkeypatch.setattr(pipeline, "parse_readout", boom)
        monkeypatch.setattr(pipeline.ingest, "read_source", boom)
        again = arch.index_paths([sample_copy])
        assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)


def test_changed_file_is_replaced_and_deleted_removed(archive, sample_copy):
    ids = _ids_by_file(archive)
    target = sample_copy / SEED_000
    target.write_text(target.read_text("utf-8").replace("Cam Ranh Port", "Zanzibarville Port"), "utf-8")
    os.utime(target, ns=(1, 1))
    (sample_copy / "001_aa49ef18c32ede26.txt").unlink()
    report = archive.index_paths([sample_copy])
    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    assert archive.count() == 4
    hits = archive.search("zanzibarville").hits
    assert [h.id for h in hits] == [ids[SEED_000]]  # same stable id after the edit
    assert archive.search("Cam Ranh").total == 0


def test_touched_but_identical_file_is_not_reparsed(archive, sample_copy, monkeypatch):
    os.utime(sample_copy / SEED_000, ns=(5, 5))
    import index.pipeline as pipeline

    monkeypatch.setattr(pipeline, "parse_readout", lambda *a, **k: pytest.fail("parsed"))
    report = archive.index_paths([sample_copy])
    assert (report.updated, report.unchanged) == (0, 5)


def test_bad_files_are_reported_and_the_rest_indexed(data_dir, tmp_path, sample_dir):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(sample_dir / SEED_000, folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "latin.txt").write_bytes(
        "Caf\xe9 meeting\n\nMarch 3, 2022\n\nThe ministers met in Paris.".encode("cp1252")
    )
    (folder / "wide.txt").write_bytes(
        "Wide talks\n\nMay 5, 2022\n\nThe ministers met in Tokyo.".encode("utf-16")
    )
    (folder / "page.html").write_text(
        "<html><body><h1>Script page</h1><p>May 6, 2022</p><script>alert('x')</script>"
        "<p>The leaders met in Hanoi.</p></body></html>",
        "utf-8",
    )
    with Archive.open(data_dir) as arch:
        report = arch.index_paths([folder])
        reasons = {os.path.basename(s.path): s.reason for s in report.skipped}
        assert set(reasons) == {"empty.txt", "image.txt"}
        assert "empty" in reasons["empty.txt"] and "binary" in reasons["image.txt"]
        assert report.added == 4
        assert [os.path.basename(w.path) for w in report.warnings] == ["latin.txt"]
        html = next(m for m in arch.meetings() if m.source.endswith("page.html"))
        assert "alert" not in arch.get(html.id).parsed.text
        assert arch.search("café").total == 1


def test_search_json_shape_snippets_and_highlights(archive):
    result = archive.search("Kamikawa")
    assert result.total >= 1
    hit = result.hits[0]
    assert hit.title and hit.meeting_date and hit.score > 0
    assert hit.snippet_highlights
    for start, end in hit.snippet_highlights:
        assert hit.snippet[start:end].lower().startswith("kamikawa")


def test_country_variants_are_searchable_both_ways(archive):
    # Seed 004 writes "Vietnam"; seed 000 writes "Viet Nam" only.
    ids = _ids_by_file(archive)
    vietnam = {h.id for h in archive.search("Vietnam", limit=None).hits}
    viet_nam = {h.id for h in archive.search('"Viet Nam"', limit=None).hits}
    assert ids[SEED_000] in vietnam
    assert ids["004_44532a2dad6d2cef.txt"] in viet_nam
    assert vietnam == viet_nam


@pytest.mark.parametrize(
    "query, expected",
    [
        ("participant:kamikawa", {"000_3a5af91ac2344a0e.txt"}),
        ("type:defense_ministers", {"004_44532a2dad6d2cef.txt"}),
        ("format:video", {"001_aa49ef18c32ede26.txt"}),
        ("kamikwa~", {"000_3a5af91ac2344a0e.txt"}),
        ("cybersec*", {"004_44532a2dad6d2cef.txt"}),
        (
            "date:[2023-01-01 TO 2023-12-31] AND Kishida",
            {"001_aa49ef18c32ede26.txt", "003_b8b090782a076984.txt"},
        ),
        (
            "ASEAN NOT Kamikawa NOT Motegi",
            {"001_aa49ef18c32ede26.txt", "003_b8b090782a076984.txt", "004_44532a2dad6d2cef.txt"},
        ),
        ('"Free and Open Indo-Pacific" OR LOTUSat', None),
    ],
)
def test_query_language(archive, query, expected):
    names = {v: k for k, v in _ids_by_file(archive).items()}
    found = {names[h.id] for h in archive.search(query, limit=None).hits}
    if expected is None:
        assert "003_b8b090782a076984.txt" in found and "000_3a5af91ac2344a0e.txt" in found
    else:
        assert found == expected


def test_filters_and_sorting(archive):
    names = {v: k for k, v in _ids_by_file(archive).items()}
    result = archive.search("", SearchFilters(meeting_type="foreign_ministers"), limit=None, sort="date-asc")
    assert [names[h.id] for h in result.hits] == ["002_3e5eacd31963e668.txt", "000_3a5af91ac2344a0e.txt"]
    newest = archive.search("", limit=None, sort="date").hits
    dates = [h.meeting_date for h in newest]
    assert dates == sorted(dates, reverse=True)
    in_2023 = archive.search(
        "", SearchFilters(date_from=dates[0].replace(year=2023, month=1, day=1)), limit=None
    )
    assert all(h.meeting_date.year >= 2023 for h in in_2023.hits)
    vn = archive.search("", SearchFilters(country="Vietnam"), limit=None)
    assert vn.total == 5


@pytest.mark.parametrize(
    "bad", ['"unclosed phrase', "(kamikawa", "kamikawa)", "nosuchfield:x", "kamikawa AND"]
)
def test_bad_queries_give_clear_messages(archive, bad):
    with pytest.raises(BadQuery) as err:
        archive.search(bad)
    assert str(err.value)


def test_unknown_id(archive):
    with pytest.raises(UnknownMeeting):
        archive.get("0000000000000000")


def test_second_writer_gets_index_locked(archive, sample_copy):
    writer = archive._ix.writer()
    try:
        with pytest.raises(IndexLocked):
            archive.index_paths([sample_copy / SEED_000])
    finally:
        writer.cancel()


def test_schema_version_mismatch_rebuilds_from_sources(data_dir, archive):
    ids = sorted(m.id for m in archive.meetings())
    archive._store.set_meta("format", "0.0")
    archive.close()
    with Archive.open(data_dir) as reopened:
        assert any("rebuilt" in n for n in reopened.notices)
        assert sorted(m.id for m in reopened.meetings()) == ids
        assert reopened.search("Kamikawa").total >= 1


def test_corrupt_index_is_rebuilt(data_dir, archive):
    archive.close()
    for toc in (data_dir / "index" / "whoosh").glob("*.toc"):
        toc.write_bytes(b"garbage")
    with Archive.open(data_dir) as reopened:
        assert any("damaged" in n for n in reopened.notices)
        assert reopened.count() == 5
        assert reopened.search("Kamikawa").total >= 1


def test_roots_remembered_and_refresh(data_dir, archive, sample_copy):
    assert archive.roots() == [str(sample_copy)]
    (sample_copy / SEED_000).unlink()
    report = archive.refresh()
    assert report.removed == 1
    assert json.loads((data_dir / "archive.json").read_text())["roots"] == [str(sample_copy)]


def test_cancel_keeps_what_was_done(data_dir, sample_copy):
    calls = []
    with Archive.open(data_dir) as arch:
        report = arch.index_paths(
            [sample_copy], cancel=lambda: len(calls) >= 2, progress=lambda d, t, p: calls.append(d)
        )
        assert report.cancelled
        assert arch.count() == 2
        rest = arch.index_paths([sample_copy])
        assert rest.added == 3 and arch.count() == 5


def test_search_before_first_index_then_after(data_dir, sample_copy):
    with Archive.open(data_dir) as arch:
        assert arch.search("").total == 0
        arch.index_paths([sample_copy])
        assert arch.search("").total == 5
        assert arch.search("Kamikawa").total >= 1


def test_records_in_bulk_without_text(archive):
    ids = [m.id for m in archive.meetings()]
    records = archive.records([*ids, "ffffffffffffffff"])
    assert set(records) == set(ids)
    assert all(m.parsed.text == "" and m.parsed.title for m in records.values())


def test_reads_from_other_threads_while_indexing(data_dir, sample_copy, tmp_path):
    import threading

    extra = tmp_path / "extra"
    shutil.copytree(sample_copy, extra)
    errors = []
    with Archive.open(data_dir) as arch:
        arch.index_paths([sample_copy])
        stop = threading.Event()

        def reader():
            while not stop.is_set():
                try:
                    total = arch.search("").total
                    assert total in (5, 10), total
                    arch.meetings()
                except Exception as err:  # noqa: BLE001 - collected and asserted below
                    errors.append(err)
                    return

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            arch.index_paths([extra])
        finally:
            stop.set()
            thread.join()
        assert not errors
        assert arch.count() == 10


def test_facet_counts_and_facet_filters(archive):
    result = archive.search("", limit=None, facets=True)
    facets = {name: {c.value: c.count for c in counts} for name, counts in result.facets}
    assert facets["country"] == {"Japan": 5, "Viet Nam": 5}
    assert facets["type"] == {"foreign_ministers": 2, "summit": 2, "defense_ministers": 1}
    assert facets["initiative"]["Free and Open Indo-Pacific"] == 4
    assert "North Korea" in facets["mentioned_country"] and "North Korea" not in facets["country"]
    narrowed = archive.search(
        "",
        SearchFilters(mentions=(("initiative", "Free and Open Indo-Pacific"), ("type", "summit"))),
        limit=None,
        facets=True,
    )
    assert narrowed.total == 1
    assert dict(narrowed.facets)["type"][0].value == "summit"
    with pytest.raises(BadQuery):
        archive.search("", SearchFilters(mentions=(("colour", "blue"),)))
    names = {(e.kind, e.canonical): e.count for e in archive.entities()}
    assert names[("country", "North Korea")] == 4
    assert names[("organization", "ASEAN")] == facets["organization"]["ASEAN"] == 4
    # a facet filter selects exactly the meetings the count promised
    for name in ("organization", "participant", "mentioned_country"):
        for value, count in facets[name].items():
            assert archive.search("", SearchFilters(mentions=((name, value),)), limit=None).total == count


def test_worker_processes_give_the_same_records_as_in_process(tmp_path, sample_copy):
    """Large jobs parse in worker processes; the archive must not differ in any record."""

    def records(workers):
        with Archive.open(tmp_path / f"data-{workers}") as arch:
            arch.workers = workers
            report = arch.index_paths([sample_copy])
            assert report.added == 5 and not report.skipped
            return sorted(
                (json.dumps(arch.get(m.id).to_json(), sort_keys=True) for m in arch.meetings()), key=len
            ), arch.search("Kamikawa").total

    assert records(0) == records(2)


def test_fuzzy_search_highlights_the_near_words(archive):
    hit = next(h for h in archive.search("kamikwa~").hits if h.snippet_highlights)
    words = {hit.snippet[s:e].lower() for s, e in hit.snippet_highlights}
    assert words == {"kamikawa"}
    mid = hit.id
    spans = archive.hit_spans(mid, "kamikwa~")
    text = archive.get(mid).parsed.text
    assert spans and {text[s:e].lower().replace("’", "'").removesuffix("'s") for s, e in spans} == {
        "kamikawa"
    }


def test_index_segments_are_plain_files_not_one_compound_file(archive):
    # Whoosh copies a compound segment file whole into memory when it opens it (the full
    # index in RAM); separate files are read where needed.
    files = [p.name for p in archive.paths.whoosh_dir.iterdir()]
    assert any(name.endswith(".pst") or ".trm" in name or name.endswith(".col") for name in files), files
    assert not [name for name in files if name.endswith(".seg")], files


def test_the_store_full_check_runs_only_when_the_file_changed_since_it_was_known_good(
    data_dir, archive, monkeypatch
):
    import os

    from index.store import Store

    archive.close()
    checked: list[bool] = []
    real_check = Store.check
    monkeypatch.setattr(
        Store, "check", lambda self, verified=None: checked.append(real_check(self, verified)) or checked[-1]
    )
    with Archive.open(data_dir):
        pass
    assert checked == [False]  # unchanged since the indexing run wrote it
    store = data_dir / "index" / "meetings.sqlite3"
    os.utime(store, ns=(store.stat().st_atime_ns, store.stat().st_mtime_ns + 1_000_000_000))
    with Archive.open(data_dir):
        pass
    assert checked == [False, True]  # touched by someone else: checked, then known good again
    with Archive.open(data_dir):
        pass
    assert checked == [False, True, False]


def test_file_states_under_a_folder_are_exactly_those_below_it(tmp_path):
    from pathlib import Path

    from index.archive import _is_under
    from index.store import FileState, Store

    store = Store(tmp_path / "s.sqlite3")
    paths = ["/a/b", "/a/b/c.txt", "/a/b/d/e.txt", "/a/B/x.txt", "/a/b0/x.txt", "/a/b-x/y.txt",
             "/a/b./z.txt", "/a/bc.txt", "/a/b%/q.txt", "/a/b_/q.txt", "/c/b/c.txt"]  # fmt: skip
    with store.batch() as batch:
        for i, path in enumerate(paths):
            batch.touch(FileState(path, f"id{i}", 1, 1, "x"))
    for roots in (["/a/b"], ["/a/b/"], ["/a/b%"], ["/a/B", "/c"], ["/a/b/c.txt"], ["/"]):
        expected = {p for p in paths if any(_is_under(p, Path(r)) for r in roots)}
        assert set(store.file_states(roots)) == expected, roots
    assert set(store.file_states()) == set(paths)
    store.close()
