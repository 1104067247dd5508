"""``SearchFilters.ids``: restrict a search to given meetings (the GUI's bookmarked/tag view)."""

from __future__ import annotations

import pytest

from index.archive import Archive
from index.export import Selection
from index.query import SearchFilters


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from index.paths import sample_archive_dir

    archive = Archive.open(tmp_path_factory.mktemp("ids") / "data")
    archive.index_paths([sample_archive_dir()])
    yield archive
    archive.close()


def test_ids_restrict_results_counts_and_facets(archive):
    every = [m.id for m in archive.meetings()]
    wanted = (every[0], every[3], "not-a-meeting", every[0])
    result = archive.search("", SearchFilters(ids=wanted), limit=None, facets=True)
    assert {h.id for h in result.hits} == {every[0], every[3]} and result.total == 2
    assert sum(c.count for c in result.facet("type")) == 2  # facets count the restricted set


def test_ids_combine_with_query_and_other_filters(archive):
    summits = {h.id for h in archive.search("", SearchFilters(meeting_type="summit"), limit=None).hits}
    every = [m.id for m in archive.meetings()]
    result = archive.search("", SearchFilters(ids=tuple(every), meeting_type="summit"), limit=None)
    assert {h.id for h in result.hits} == summits
    one = next(iter(summits))
    assert [h.id for h in archive.search("", SearchFilters(ids=(one,)), limit=None).hits] == [one]


def test_empty_ids_match_nothing_and_none_means_no_restriction(archive):
    assert archive.search("", SearchFilters(ids=()), limit=None).total == 0
    assert archive.search("minister", SearchFilters(ids=(), format="video"), limit=None).total == 0
    assert archive.search("", SearchFilters(ids=None), limit=None).total == archive.count()


def test_is_empty_knows_an_ids_restriction():
    assert SearchFilters().is_empty()
    assert not SearchFilters(ids=()).is_empty()  # "no meetings" is a restriction, not "all"
    assert Selection(filters=SearchFilters(ids=())).searches


def test_thousands_of_ids_are_fine(archive):
    many = tuple(f"unknown-{n}" for n in range(5000)) + (archive.meetings()[0].id,)
    assert archive.search("", SearchFilters(ids=many), limit=None).total == 1
