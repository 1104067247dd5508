"""The posting-list query engine must find exactly what Whoosh's own matchers find, score it the
same, and rank it the same way; and search totals must count every match."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter

import pytest
from whoosh import query as wq
from whoosh.sorting import FieldFacet

from index.archive import Archive
from index.engine import NO_DATE, Engine
from index.models import HitList

QUERIES = [
    "president",
    "japan security",
    "taiwan OR strait",
    "ukraine NOT russia",
    "NOT japan",
    "japan OR (korea AND NOT china)",
    "japan ANDMAYBE korea",
    '"prime minister"',
    '"free and open indo-pacific"',
    '"prime minister" AND japan',
    '"minister minister"',
    '"prime minister"~3',
    "participant:blinken",
    "type:summit",
    "country:japan AND type:call",
    "entity:asean",
    "title:japan^2",
    "secur*",
    "sec?rity",
    "kishda~",
    "presdent~2",
    "date:[2023-01-01 TO 2023-12-31] AND security",
    "date:>2023-06-01",
    "date:<2022-01-01",
    "*",
    "viet nam",
]


@pytest.fixture(scope="module")
def corpus_archive(tmp_path_factory):
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/readouts is not beside the checkout")
    root = tmp_path_factory.mktemp("engine")
    files = root / "files"
    shutil.copytree(CORPUS, files)
    archive = Archive.open(root / "data")
    archive.workers = 0
    archive.index_paths([files])
    # A second segment with deletions: change and remove a few files, index again.
    texts = sorted(p for p in files.rglob("*") if p.suffix in (".txt", ".md", ".html"))
    for path in texts[:3]:
        path.unlink()
    texts[3].write_text(texts[3].read_text("utf-8") + "\nAn added sentence on security.\n", "utf-8")
    archive.index_paths([files])
    yield archive
    archive.close()


@pytest.mark.parametrize("text", QUERIES)
def test_engine_matches_scores_and_ranks_like_whoosh(corpus_archive, text):
    searcher = corpus_archive._current_searcher()
    assert len(searcher.reader().leaf_readers()) > 1, "the fixture should have several segments"
    query = corpus_archive._queries.parse(text)
    engine = Engine(searcher)
    mine = engine.evaluate(query)
    theirs = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    assert mine.keys() == theirs.keys()
    if any(mark in text for mark in "*?~"):
        # Wildcards and fuzzy terms: the same documents, but scored as the sum of the expanded
        # words' scores always; Whoosh gives them a constant score in segments of at most
        # 5,000 documents with three or more expansions and the sum otherwise.
        return
    for docnum, score in theirs.items():
        assert mine[docnum] == pytest.approx(score, rel=1e-9, abs=1e-9)
    # The best 20 by Whoosh's exhaustive scores. (Whoosh's own top-N search can miss some in an
    # index of several segments: its collector drops sub-matchers once they seem unable to
    # reach the top, which also made its totals too small.)
    best = sorted(theirs.values(), reverse=True)[:20]
    assert [theirs[d] for d in engine.top(mine, 20, "relevance")] == pytest.approx(best)
    date_of = engine._date_map()
    dated = {d for d in range(len(date_of)) if date_of[d] != NO_DATE}
    for sort, reverse in (("date", True), ("date-asc", False)):
        by_date = [
            h.docnum for h in searcher.search(query, limit=None, sortedby=FieldFacet("date", reverse=reverse))
        ]
        # Whoosh's order for the dated ones; meetings without a date last in both directions
        # (Whoosh puts them first when the newest come first)
        ours = engine.top(mine, None, sort)
        assert [d for d in ours if d in dated] == [d for d in by_date if d in dated]
        undated = [d for d in ours if d not in dated]
        assert ours[len(ours) - len(undated) :] == sorted(undated)


def test_totals_count_every_match_whatever_the_limit(corpus_archive):
    for text in ("president", "secur*", '"prime minister"', "kishda~", "NOT japan"):
        everything = corpus_archive.search(text, limit=None, snippets=0)
        assert everything.total == len(everything.hits) > 0
        for limit in (1, 5, 50):
            page = corpus_archive.search(text, limit=limit, snippets=0)
            assert page.total == everything.total, (text, limit)
            assert [h.id for h in page.hits] == [h.id for h in everything.hits[:limit]]


def test_hit_lists_from_bulk_summaries_equal_those_from_records(corpus_archive, monkeypatch):
    import index.archive

    per_record = corpus_archive.search("", limit=None, facets=True)
    monkeypatch.setattr(index.archive, "BULK_HITS", 0)
    bulk = corpus_archive.search("", limit=None, facets=True)
    assert bulk.hits == per_record.hits and len(bulk.hits) == per_record.total > 100
    assert bulk.facets == per_record.facets


def test_a_commit_gives_a_new_engine_that_sees_it(corpus_archive, tmp_path):
    before = corpus_archive.search("zyzzyva", limit=None).total
    japan_before = _count(corpus_archive.search("", limit=None, facets=True), "mentioned_country", "Japan")
    extra = tmp_path / "extra.txt"
    extra.write_text(
        "Readout of a call\n\nMay 5, 2024\n\nThe ministers discussed zyzzyva exports to Japan.\n", "utf-8"
    )
    engine = corpus_archive._engine_for(corpus_archive._current_searcher())
    corpus_archive.index_paths([extra])  # the last test of the module: the extra file may stay
    assert corpus_archive.search("zyzzyva", limit=None).total == before + 1
    assert corpus_archive._engine is not engine
    # per-generation caches (facet values, summaries) are rebuilt with the new generation
    everything = corpus_archive.search("", limit=None, facets=True)
    japan_after = _count(everything, "mentioned_country", "Japan")
    assert japan_after == japan_before + 1


def _count(result, facet: str, value: str) -> int:
    return {fc.value: fc.count for fc in result.facet(facet)}.get(value, 0)


def _counted_in_python(archive, ids) -> dict[tuple[str, str], int]:
    """Facet counts from each meeting's own facet values, decoded here."""
    counts: Counter = Counter()
    for _mid, facets in archive._store.facets(ids):
        counts.update((name, value) for name, values in facets.items() for value in values)
    return dict(counts)


@pytest.mark.parametrize("direct", [20_000, 0], ids=["from-rows", "by-sqlite"])
@pytest.mark.parametrize("text", ["japan security", "", "vietnam OR philippines"])
def test_facet_counts_by_sqlite_equal_those_of_each_meetings_values(
    corpus_archive, text, direct, monkeypatch
):
    import index.archive

    monkeypatch.setattr(index.archive, "FACETS_DIRECT", direct)
    result = corpus_archive.search(text, limit=None, facets=True)
    ids = list(result.ids)
    assert ids
    expected = _counted_in_python(corpus_archive, ids)
    assert corpus_archive._store.facet_counts(ids) == expected
    shown = {(name, fc.value): fc.count for name, counts in result.facets for fc in counts}
    assert shown == expected
    if not text:  # every meeting: counted without the list of ids, once per index generation
        assert corpus_archive._store.facet_counts(None) == expected
        assert corpus_archive._all_facets[1] == expected
        assert corpus_archive._all_facets[0]() is corpus_archive._engine_for(
            corpus_archive._current_searcher()
        )
        assert corpus_archive.search("", limit=0, facets=True).facets == result.facets
    # most first, then by value
    for _name, counts in result.facets:
        assert [(-fc.count, fc.value) for fc in counts] == sorted((-fc.count, fc.value) for fc in counts)


def test_facet_counts_leave_out_ids_that_are_not_in_the_store(corpus_archive):
    ids = list(corpus_archive.search("japan", limit=None).ids)
    assert corpus_archive._store.facet_counts([*ids, "no-such-meeting"]) == _counted_in_python(
        corpus_archive, ids
    )
    assert corpus_archive._store.facet_counts([]) == {}


def test_meetings_without_a_date_come_last_both_ways(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    body = "The ministers spoke about trade.\n"
    (folder / "dated_old.txt").write_text(f"Readout of a call\n\nMay 5, 2021\n\n{body}", "utf-8")
    (folder / "dated_new.txt").write_text(f"Readout of a call\n\nMay 5, 2023\n\n{body}", "utf-8")
    (folder / "undated.txt").write_text(f"Notes\n\n{body}", "utf-8")
    with Archive.open(tmp_path / "data") as archive:
        archive.workers = 0
        archive.index_paths([folder])
        for sort in ("date", "date-asc"):
            hits = archive.search("trade", limit=None, sort=sort).hits
            assert [h.meeting_date is None for h in hits] == [False, False, True], sort
        assert [h.meeting_date.year for h in archive.search("trade", sort="date").hits[:2]] == [2023, 2021]


def test_a_large_result_makes_its_hits_as_they_are_asked_for(corpus_archive, monkeypatch):
    import index.archive

    eager = corpus_archive.search("", limit=None, sort="date", snippets=0)
    monkeypatch.setattr(index.archive, "BULK_HITS", 10)
    asked: list[int] = []
    summaries = corpus_archive._summaries
    monkeypatch.setattr(corpus_archive, "_summaries", lambda ids: asked.append(len(ids)) or summaries(ids))
    lazy = corpus_archive.search("", limit=None, sort="date", snippets=0)
    assert isinstance(lazy.hits, HitList) and isinstance(eager.hits, tuple)
    assert lazy.ids == eager.ids and len(lazy.hits) == len(eager.hits) > HitList.PAGE // 2
    assert asked == []  # nothing read until a hit is asked for
    assert lazy.hits[3] == eager.hits[3] and lazy.hits[-1] == eager.hits[-1]
    assert asked and max(asked) <= HitList.PAGE
    assert lazy.hits[2:7] == list(eager.hits[2:7])
    assert lazy.hits.take([9, 0, 4]) == [eager.hits[9], eager.hits[0], eager.hits[4]]
    assert list(lazy.hits) == list(eager.hits) and lazy.hits == eager.hits
    with pytest.raises(IndexError):
        lazy.hits[len(eager.hits)]


def test_a_hit_list_reads_the_store_when_asked_and_tolerates_a_gone_meeting():
    store = {"a": ("Alpha", "2024-05-01", "summit", "video"), "b": ("Beta", None, None, None)}
    hits = HitList(
        ["a", "b", "c"],
        [3.0, 2.0, 1.0],
        lambda ids: {i: store[i] for i in ids if i in store},
        {0: ("snip", ((0, 4),))},
    )
    store["b"] = ("Beta, corrected", "2024-06-02", None, "telephone")  # changed after the search
    first, second, gone = hits
    assert (first.title, first.meeting_date, first.snippet, first.snippet_highlights) == (
        "Alpha",
        dt.date(2024, 5, 1),
        "snip",
        ((0, 4),),
    )
    assert (second.title, second.meeting_date, second.format, second.score) == (
        "Beta, corrected",
        dt.date(2024, 6, 2),
        "telephone",
        2.0,
    )
    assert (gone.id, gone.title, gone.meeting_date) == ("c", "", None)
    with pytest.raises(ValueError):
        HitList(["a"], [], lambda ids: {})


def test_filter_choices_are_the_countries_and_date_span_of_every_meeting(corpus_archive):
    names: set[str] = set()
    dates = []
    for m in corpus_archive.meetings():
        names.update(m.parsed.countries)
        if m.parsed.location and m.parsed.location.country:
            names.add(m.parsed.location.country)
        if m.parsed.meeting_date:
            dates.append(m.parsed.meeting_date)
    countries, span = corpus_archive.filter_choices()
    assert countries == sorted(names, key=str.casefold) and len(countries) > 20
    assert span == (min(dates), max(dates))


def test_filter_choices_of_an_empty_archive(tmp_path):
    with Archive.open(tmp_path / "data") as archive:
        assert archive.filter_choices() == ([], None)


def test_numeric_columns_read_in_one_go_equal_whooshs_reading(tmp_path):
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    from index.engine import numeric_column_values

    folder = tmp_path / "files"
    folder.mkdir()
    body = "The ministers spoke about trade and security in the region.\n"
    for i in range(6):  # the last ones without a date: their column ends before the documents
        date = f"May {i + 1}, 2021\n\n" if i < 3 else ""
        (folder / f"m{i}.txt").write_text(f"Readout of a call {i}\n\n{date}{body * (i + 1)}", "utf-8")
    with Archive.open(tmp_path / "data") as archive:
        archive.workers = 0
        archive.index_paths([folder])
        reader = archive._current_searcher().reader()
        checked = 0
        for seg, _offset in reader.leaf_readers():
            dates = seg.column_reader("date", translate=False)
            assert dates._count < dates._doccount
            lengths = seg._perdoc._cached_reader(_lenfield("body"), LENGTHS_COLUMN)
            for column in (dates, lengths):
                assert numeric_column_values(column) == list(column)
                checked += 1
        assert checked >= 2


def test_a_search_for_counts_only_has_the_total_and_facets_but_no_hits(corpus_archive):
    full = corpus_archive.search("", limit=None, facets=True)
    for sort in ("relevance", "date", "date-asc"):
        counts = corpus_archive.search("", limit=0, sort=sort, facets=True)
        assert (counts.total, counts.hits, counts.facets) == (full.total, (), full.facets)


def test_meeting_ids_read_one_by_one_equal_those_read_in_one_pass(corpus_archive, monkeypatch):
    import index.engine

    searcher = corpus_archive._current_searcher()
    docnums = sorted(Engine(searcher)._live(), reverse=True)
    one_by_one = Engine(searcher)
    assert one_by_one.meeting_ids(docnums[:5]) and not one_by_one._all_ids
    monkeypatch.setattr(index.engine, "BULK_IDS", 0)
    in_one_pass = Engine(searcher)
    assert in_one_pass.meeting_ids(docnums) == one_by_one.meeting_ids(docnums)
    assert in_one_pass._all_ids and len(set(in_one_pass.meeting_ids(docnums))) == len(docnums) > 100


@pytest.mark.parametrize("sort", ["date", "date-asc"])
def test_date_order_walks_the_date_index_as_a_full_sort_would_order(corpus_archive, sort):
    engine = corpus_archive._engine_for(corpus_archive._current_searcher())
    table = engine._date_map()
    date_of = {d: value for d, value in enumerate(table) if value != NO_DATE}
    sign = -1 if sort == "date" else 1
    for text in ("", "president", "japan security", "NOT japan", "zzzznotaword"):
        scores = engine.evaluate(corpus_archive.parse_query(text) if text else wq.Every())
        dated = sorted((d for d in scores if d in date_of), key=lambda d: (sign * date_of[d], d))
        expected = dated + sorted(d for d in scores if d not in date_of)
        assert engine.top(scores, None, sort) == expected
        for limit in (0, 1, 7, len(expected) - 1, len(expected) + 5):
            assert engine.top(scores, max(limit, 0), sort) == expected[: max(limit, 0)], (text, limit)
    assert len(set(date_of.values())) < len(date_of)  # several meetings on one day: ties tested
    # (meetings without a date: test_meetings_without_a_date_come_last_both_ways)


def test_a_meeting_indexed_but_not_in_the_store_is_left_out_of_small_and_large_results(
    tmp_path, sample_dir, monkeypatch
):
    import index.archive

    with Archive.open(tmp_path / "data") as archive:
        archive.index_paths([sample_dir])
        everything = archive.search("", limit=None, sort="date")
        gone = everything.ids[1]
        # as between another process's index commit and its store commit
        archive._store._db.execute("DELETE FROM meetings WHERE id=?", (gone,))
        expected = [mid for mid in everything.ids if mid != gone]
        small = archive.search("", limit=None, sort="date")
        monkeypatch.setattr(index.archive, "BULK_HITS", 2)
        large = archive.search("", limit=None, sort="date", snippets=1)
        assert isinstance(large.hits, HitList) and isinstance(small.hits, tuple)
        assert list(small.ids) == list(large.ids) == expected and len(expected) >= 4
        assert [h.title for h in large.hits] == [h.title for h in small.hits] and all(
            h.title for h in large.hits
        )
        assert large.hits[0].snippet  # snippets belong to the hits kept


def test_live_documents_leave_out_deleted_ones(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(3):
        (folder / f"r{n}.txt").write_text(
            f"Readout of a call\n\nMay {n + 1}, 2024\n\nThe ministers met {n}.\n", "utf-8"
        )
    with Archive.open(tmp_path / "data") as archive:
        archive.workers = 0
        archive.index_paths([folder])
        engine = archive._engine_for(archive._current_searcher())
        assert engine._live() == range(3)  # no deletions: all document numbers
        (folder / "r1.txt").write_text(
            "Readout of a call\n\nMay 9, 2024\n\nThe ministers met again.\n", "utf-8"
        )
        archive.index_paths([folder])  # the old document of r1 is deleted, a new one added
        reader = archive._current_searcher().reader()
        engine = archive._engine_for(archive._current_searcher())
        live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
        assert reader.doc_count_all() > 3 and list(engine._live()) == live
        assert archive.search("NOT zzzz", limit=None).total == 3
        assert [h.meeting_date.day for h in archive.search("", limit=None, sort="date-asc").hits] == [1, 3, 9]
