"""The full-text document of one meeting: the fields Whoosh indexes, with every spelling of its
countries and entities. Built by the indexing process or by its worker processes (no Archive)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .gazetteer import Gazetteer
from .models import EntityMention, Meeting
from .schema import ENTITY_FIELDS, facet_term
from .store import facet_values

if TYPE_CHECKING:
    from .entities import EntityTables


def entity_variants(tables: EntityTables) -> dict[str, tuple[str, ...]]:
    """Canonical entity name -> its other spellings (bundled lists and overlay)."""
    variants: dict[str, tuple[str, ...]] = {}
    for entry in tables.entries:
        known = variants.get(entry.canonical, ())
        variants[entry.canonical] = tuple(dict.fromkeys((*known, *entry.variants)))
    return variants


def whoosh_document(meeting: Meeting, gazetteer: Gazetteer, variants: dict[str, tuple[str, ...]]) -> dict:
    p = meeting.parsed
    gaz = gazetteer
    doc = {
        "id": meeting.id,
        "source": meeting.source,
        "title": p.title,
        "body": p.text,
        "aliases": "\n".join(_alias_text(gaz, p.countries, meeting.entities)),
        "country": "\n".join(v for c in dict.fromkeys(p.countries) for v in (c, *gaz.country_variants(c))),
        "participant": "\n".join(
            dict.fromkeys(x for person in p.participants for x in (person.name, person.canonical))
        ),
        "location": "\n".join(
            v
            for v in (
                (p.location.city or ""),
                *(gaz.country_variants(p.location.country) if p.location and p.location.country else ()),
            )
            if v
        )
        if p.location
        else "",
    }
    by_kind: dict[str, dict[str, None]] = {}
    for mention in meeting.entities:
        by_kind.setdefault(mention.kind, {})[mention.canonical] = None
    spellings = {
        kind: [v for canonical in names for v in (canonical, *variants.get(canonical, ()))]
        for kind, names in by_kind.items()
    }
    doc["entity"] = "\n".join(
        v for kind in spellings for v in spellings[kind] if kind not in ("money", "event")
    )
    for field, kind in ENTITY_FIELDS.items():
        doc[field] = "\n".join(spellings.get(kind, ()))
    # "FOIP" finds a text that only says "Free and Open Indo-Pacific", and the other way round.
    doc["aliases"] += "\n" + "\n".join(
        v for kind in ("organization", "initiative", "agreement", "place") for v in spellings.get(kind, ())
    )
    doc["facet"] = ",".join(
        facet_term(name, value) for name, values in facet_values(meeting).items() for value in values
    )
    if p.meeting_date:
        doc["date"] = dt.datetime.combine(p.meeting_date, dt.time(12))
    if p.publication_date:
        doc["published"] = dt.datetime.combine(p.publication_date, dt.time(12))
    if p.meeting_type:
        doc["type"] = p.meeting_type
    if p.format:
        doc["format"] = p.format
    return doc


def _alias_text(
    gazetteer: Gazetteer, countries: Iterable[str], mentions: Iterable[EntityMention]
) -> list[str]:
    """Every spelling of every country the readout names (its participants' countries and the
    country mentions entity extraction already found), for searches by any variant."""
    names = dict.fromkeys(countries)
    for mention in mentions:
        if mention.kind == "country":
            names[mention.canonical] = None
    return [variant for name in names for variant in (name, *gazetteer.country_variants(name))]
