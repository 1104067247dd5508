"""The Whoosh schema and its version. Bump SCHEMA_VERSION whenever fields or analysis change:
an index with another version is rebuilt from the source files on open."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema

from .analysis import FastPositions, FoldingStemAnalyzer

SCHEMA_VERSION = 4


def text_analyzer():
    """Full text: accent folding + English stemming (cached), so "Việt Nam" finds "Viet Nam"."""
    return FoldingStemAnalyzer()


def name_analyzer():
    """Names, countries, places: folded but not stemmed ("kamikawa", "viet", "nam")."""
    return FoldingStemAnalyzer(stoplist=(), stemming=False)


def _text(analyzer, field_boost: float = 1.0) -> TEXT:
    """A TEXT field with positions (phrase search), indexed through the analyzer's one-pass
    ``positions_by_word``: the same postings as Whoosh's own format, written faster."""
    field = TEXT(analyzer=analyzer, phrase=True, field_boost=field_boost)
    field.format = FastPositions(field_boost=field_boost)
    return field


def build_schema() -> Schema:
    text = text_analyzer()
    names = name_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=_text(text, field_boost=2.0),
        body=_text(text),
        # Every spelling of every country/organisation named in the readout, so "Vietnam" finds a
        # text that only says "Viet Nam" and the other way round.
        aliases=_text(text),
        date=DATETIME(sortable=True),
        published=DATETIME(),
        type=ID(),
        format=ID(),
        country=_text(names),
        participant=_text(names),
        location=_text(names),
        source=ID(),
        # Entity mentions: canonical names plus every listed spelling ("FOIP", "Free and Open
        # Indo-Pacific"); ``entity`` holds all kinds, the others one kind each.
        entity=_text(names),
        org=_text(names),
        initiative=_text(names),
        place=_text(names),
        agreement=_text(names),
        # Exact facet values "kind=value" (see facet_term) for filters that must agree with counts.
        facet=KEYWORD(commas=True, lowercase=True),
        tag=KEYWORD(lowercase=True, commas=True),
    )


def facet_term(name: str, value: str) -> str:
    """The ``facet`` field's term for one facet value (commas separate terms)."""
    return f"{name}={value}".replace(",", " ").lower()


# Query field -> entity kind stored in it.
ENTITY_FIELDS = {
    "org": "organization",
    "initiative": "initiative",
    "place": "place",
    "agreement": "agreement",
}

# Names users may type before a colon, mapped to schema fields.
FIELD_ALIASES = {
    "person": "participant",
    "participants": "participant",
    "who": "participant",
    "countries": "country",
    "city": "location",
    "organization": "org",
    "organisation": "org",
    "entities": "entity",
    "mentions": "entity",
    "meeting_type": "type",
    "kind": "type",
    "text": "body",
    "file": "source",
    "path": "source",
}

DEFAULT_FIELDS = ("title", "body", "aliases")
