"""Saved searches keep every filter, facet filters included, and reject malformed ones clearly."""

from __future__ import annotations

import datetime as dt

import pytest

from index.bookmarks import filters_from_json, filters_to_json
from index.query import SearchFilters


def test_round_trip_with_facet_filters_and_without_ids():
    filters = SearchFilters(
        date_from=dt.date(2023, 1, 1),
        meeting_type="summit",
        mentions=(("initiative", "Free and Open Indo-Pacific"), ("participant", "Kishida Fumio")),
        ids=("abc",),
    )
    data = filters_to_json(filters)
    assert "ids" not in data
    assert data["mentions"] == [
        ["initiative", "Free and Open Indo-Pacific"],
        ["participant", "Kishida Fumio"],
    ]
    assert filters_from_json(data) == SearchFilters(
        date_from=dt.date(2023, 1, 1), meeting_type="summit", mentions=filters.mentions
    )


@pytest.mark.parametrize("bad", ["ASEAN", [["organization"]], [["organization", 3]], [{"a": "b"}]])
def test_malformed_facet_filters_are_rejected(bad):
    with pytest.raises(ValueError, match="mentions"):
        filters_from_json({"mentions": bad})
