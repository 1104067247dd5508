"""Turning what the user typed, plus filter options, into a Whoosh query, with clear errors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
)

from .errors import BadQuery
from .models import FORMATS, MEETING_TYPES
from .schema import DEFAULT_FIELDS, FIELD_ALIASES, facet_term


@dataclass(frozen=True)
class SearchFilters:
    """Filters without query syntax; all given ones must hold (AND)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    meeting_type: str | None = None
    format: str | None = None
    country: str | None = None
    person: str | None = None
    # (facet, value) pairs that must hold, e.g. ("organization", "ASEAN"): any facet name of
    # ``SearchResult.facets`` — entity kinds mean "mentions", "participant"/"country" "took part"
    mentions: tuple[tuple[str, str], ...] = ()
    # Only these meeting ids (e.g. the bookmarked ones); None = no restriction, () = none at all.
    # A view restriction of the GUI: not stored in saved searches.
    ids: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        return self.ids is None and not any(getattr(self, f) for f in self.__dataclass_fields__ if f != "ids")


SORTS = ("relevance", "date", "date-asc")

# Facet names of SearchResult.facets, usable in SearchFilters.mentions.
FACETS = (
    "type",
    "format",
    "country",
    "participant",
    "person",
    "mentioned_country",
    "place",
    "organization",
    "initiative",
    "agreement",
)

_NO_ID = "\x00no-meeting"  # an id no meeting has

_FIELD_RE = re.compile(r"(?<![\w\"])([A-Za-z_]+):")


class QueryBuilder:
    def __init__(self, schema, canonical_country=None):
        self.schema = schema
        self._canonical_country = canonical_country or (lambda text: None)
        # Words are ANDed by default, like every search box users know.
        parser = MultifieldParser(list(DEFAULT_FIELDS), schema)
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(GtLtPlugin())
        aliases: dict[str, list[str]] = {}
        for alias, field in FIELD_ALIASES.items():
            aliases.setdefault(field, []).append(alias)
        parser.add_plugin(FieldAliasPlugin(aliases))
        self._parser = parser
        self._known_fields = set(schema.names()) | set(FIELD_ALIASES)

    def parse(self, text: str) -> wq.Query:
        text = (text or "").strip()
        if not text or text == "*":
            return wq.Every()
        self._check_syntax(text)
        try:
            parsed = self._parser.parse(text)
        except Exception as err:  # whoosh raises assorted errors on odd input
            raise BadQuery(f"cannot understand the search {text!r}: {err}") from None
        self._check_errors(parsed, text)
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            raise BadQuery(f"the search {text!r} has no words to look for")
        return parsed

    def _check_syntax(self, text: str) -> None:
        if text.count('"') % 2:
            raise BadQuery('unbalanced quote: a phrase needs a closing "')
        depth = 0
        for ch in text:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth < 0:
                raise BadQuery("unbalanced parentheses: ')' without '('")
        if depth:
            raise BadQuery("unbalanced parentheses: '(' without ')'")
        if text.count("[") != text.count("]") or text.count("{") != text.count("}"):
            raise BadQuery("unbalanced range brackets: write date:[2023-01-01 TO 2023-12-31]")
        for match in _FIELD_RE.finditer(text):
            name = match.group(1).lower()
            if name not in self._known_fields:
                known = ", ".join(
                    sorted(n for n in self._known_fields if n not in ("id", "aliases", "published"))
                )
                raise BadQuery(f"unknown field {match.group(1)!r}; fields are: {known}")
        stripped = text.rstrip()
        if stripped.split()[-1] in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"):
            raise BadQuery(f"the search ends with the operator {stripped.split()[-1]}: add a word after it")

    def _check_errors(self, parsed: wq.Query, text: str) -> None:
        for node in _walk(parsed):
            if type(node).__name__ == "ErrorQuery":
                raise BadQuery(
                    f"cannot understand part of the search {text!r}: {getattr(node, 'message', '')}"
                )

    def filters(self, filters: SearchFilters) -> wq.Query | None:
        parts: list[wq.Query] = []
        if filters.date_from or filters.date_to:
            start = dt.datetime.combine(filters.date_from, dt.time.min) if filters.date_from else None
            end = dt.datetime.combine(filters.date_to, dt.time.max) if filters.date_to else None
            parts.append(wq.DateRange("date", start, end))
        if filters.meeting_type:
            if filters.meeting_type not in MEETING_TYPES:
                raise BadQuery(
                    f"unknown meeting type {filters.meeting_type!r}; one of {', '.join(MEETING_TYPES)}"
                )
            parts.append(wq.Term("type", filters.meeting_type))
        if filters.format:
            if filters.format not in FORMATS:
                raise BadQuery(f"unknown format {filters.format!r}; one of {', '.join(FORMATS)}")
            parts.append(wq.Term("format", filters.format))
        if filters.country:
            name = self._canonical_country(filters.country) or filters.country
            parts.append(self._phrase("country", name))
        if filters.person:
            parts.append(self._phrase("participant", filters.person))
        for name, value in filters.mentions:
            if name not in FACETS:
                raise BadQuery(f"cannot filter by {name!r}; one of {', '.join(FACETS)}")
            parts.append(wq.Term("facet", facet_term(name, value)))
        if filters.ids is not None:
            # Thousands of terms are fine for a filter. No ids must match nothing: an empty Or
            # would normalise to NullQuery, which Whoosh treats as "no filter".
            wanted = list(dict.fromkeys(filters.ids)) or [_NO_ID]
            parts.append(wq.Or([wq.Term("id", mid) for mid in wanted]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _phrase(self, field: str, text: str) -> wq.Query:
        analyzer = self.schema[field].analyzer
        words = [t.text for t in analyzer(text)]
        if not words:
            raise BadQuery(f"nothing to look for in {field} {text!r}")
        if len(words) == 1:
            return wq.Term(field, words[0])
        return wq.Phrase(field, words)


def _walk(q: wq.Query):
    yield q
    for child in q.children():
        yield from _walk(child)
