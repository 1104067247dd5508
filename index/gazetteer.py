"""Country, city, place and well-known-person lists used by extraction and search aliases.

The data lives in JSON files under ``resources/gazetteer/`` (``countries.json``, ``people.json``,
``roles.json``, ``cleaning.json``). A user overlay in the same shape can add or extend entries; a
malformed overlay never breaks loading: the defaults are kept and a message goes to ``warnings``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.paths import resources_dir

# Typographic characters and their plain forms. Replaced one by one: str.translate with a table
# looks up every character of a non-ASCII text (most paragraphs have a curly quote), several
# times slower than these scans.
_APOSTROPHES = (("’", "'"), ("‘", "'"), ("`", "'"), ("–", "-"), ("—", "-"), ("“", '"'), ("”", '"'))


def fold(text: str) -> str:
    """Lower-case, accent-free, apostrophe-normalised key used for all lookups."""
    if not text.isascii():
        for typographic, plain in _APOSTROPHES:
            text = text.replace(typographic, plain)
        if not text.isascii():
            return _fold_unicode(text)
    # The common case, without per-character Unicode work.
    return " ".join(text.replace("`", "'").lower().split())


# The characters that IGNORECASE matches with an ASCII letter other than their lower case: the
# dotless i and the long s (checked for every character by tests/index/test_entity_scanning.py).
CASE_EXCEPTIONS = ("\u0131", "\u017f")


def lowered(text: str) -> str | None:
    """``text.lower()`` when a case-sensitive scan of it for lower-case ASCII patterns finds just
    what the IGNORECASE scan of ``text`` finds, at the same offsets; else None.

    That holds when lowering keeps the length (no character becomes two, as "İ" does) and the text
    has none of ``CASE_EXCEPTIONS``: then every other character matches an ASCII character (or
    \\w, white space, the quote and dash classes) ignoring case exactly when its lower case matches
    it."""
    low = text.lower()
    if len(low) != len(text):
        return None
    for ch in CASE_EXCEPTIONS:
        if ch in text:
            return None
    return low


@lru_cache(maxsize=65536)
def _fold_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "D")
    return " ".join(text.lower().split())


def _strip_article(key: str) -> str:
    return key[4:] if key.startswith("the ") else key


@dataclass(frozen=True)
class Person:
    canonical: str
    variants: tuple[str, ...]
    country: str | None
    level: str | None = None  # meeting-type level when only a bare title ("Secretary") is written


@dataclass(eq=False)
class Gazetteer:
    """Lookup tables. Build with :meth:`load`; treat as read-only afterwards."""

    countries: dict[str, dict[str, Any]] = field(default_factory=dict)  # canonical -> entry
    places: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)  # folded region -> country
    people: list[Person] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # role phrase -> level
    honorifics: tuple[str, ...] = ()
    institution_words: frozenset[str] = frozenset()
    not_name_words: frozenset[str] = frozenset()
    cleaning: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _country_index: dict[str, str] = field(default_factory=dict, repr=False)
    _city_index: dict[str, str] = field(default_factory=dict, repr=False)
    _city_names: dict[str, str] = field(default_factory=dict, repr=False)
    _person_index: dict[str, list[Person]] = field(default_factory=dict, repr=False)
    _country_re: re.Pattern[str] | None = field(default=None, repr=False)
    _loaded_keys: dict[str, str] = field(default_factory=dict, repr=False)  # folded spelling -> canonical

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, overlay: Path | None = None, *, base_dir: Path | None = None) -> Gazetteer:
        base = base_dir or resources_dir() / "gazetteer"
        gz = cls()
        for name in ("countries.json", "people.json", "roles.json", "cleaning.json"):
            path = base / name
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                gz._merge(data)
            except (OSError, ValueError, TypeError, KeyError, AttributeError, re.error) as exc:
                gz.warnings.append(f"gazetteer file {path} could not be read: {exc}")
        if overlay is not None:
            gz._merge_overlay(Path(overlay))
        gz._build_indexes()
        return gz

    def _merge_overlay(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("top level must be a JSON object")
            trial = Gazetteer()
            trial._merge(data)  # validate first, so a bad overlay cannot leave half-merged state
        except KeyError as exc:
            self.warnings.append(f"overlay {path} ignored (malformed): an entry is missing the key {exc}")
            return
        except (OSError, ValueError, TypeError, AttributeError, re.error) as exc:
            self.warnings.append(f"overlay {path} ignored (malformed): {exc}")
            return
        self._merge(data)

    def _merge(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        for entry in data.get("countries", []):
            self._merge_country(entry)
        for key, value in data.get("places", {}).items():
            self.places[fold(key)] = (value.get("city"), value.get("country"))
        for country, names in data.get("regions", {}).items():
            for region in names:
                self.regions[fold(region)] = str(country)
        for entry in data.get("people", []):
            self.people.append(
                Person(
                    canonical=str(entry["canonical"]),
                    variants=tuple(str(v) for v in entry.get("variants", [])),
                    country=entry.get("country"),
                    level=entry.get("level"),
                )
            )
        for level, phrases in data.get("levels", {}).items():
            for phrase in phrases:
                self.roles[str(phrase)] = str(level)
        if "honorifics" in data:
            self.honorifics = tuple(dict.fromkeys((*self.honorifics, *map(str, data["honorifics"]))))
        if "institution_words" in data:
            self.institution_words = self.institution_words | set(map(str, data["institution_words"]))
        if "not_name_words" in data:
            self.not_name_words = self.not_name_words | set(map(str, data["not_name_words"]))
        for key in ("navigation", "section_heading", "caption_marker", "caption_verbs", "publisher_lines"):
            if key in data:
                values = [str(v) for v in data[key]]
                if key in ("navigation", "section_heading", "caption_marker"):
                    for pattern in values:
                        re.compile(pattern)  # raises on a bad pattern -> overlay rejected
                self.cleaning.setdefault(key, [])
                self.cleaning[key] = list(dict.fromkeys(self.cleaning[key] + values))

    def _merge_country(self, entry: dict[str, Any]) -> None:
        name = str(entry["name"])
        existing = self.countries.get(name)
        if existing is None:
            # An overlay may add variants to an existing country under any of its spellings.
            canonical = self._country_index.get(fold(name)) or self._lookup_loaded(name)
            existing = self.countries.get(canonical) if canonical else None
        if existing is None:
            existing = {"name": name, "variants": [], "demonyms": [], "capital": None, "cities": []}
            self.countries[name] = existing
        for key in ("variants", "demonyms", "cities"):
            values = entry.get(key, [])
            if isinstance(values, str):
                values = [values]
            existing[key] = list(dict.fromkeys([*existing[key], *map(str, values)]))
        if entry.get("capital"):
            existing["capital"] = str(entry["capital"])
        for spelling in (existing["name"], *existing["variants"]):
            self._loaded_keys.setdefault(fold(spelling), existing["name"])

    def _lookup_loaded(self, name: str) -> str | None:
        return self._loaded_keys.get(fold(name))

    def _build_indexes(self) -> None:
        self._country_index.clear()
        self._city_index.clear()
        self._city_names.clear()
        for canonical, entry in self.countries.items():
            for spelling in (canonical, *entry["variants"], *entry["demonyms"]):
                key = _strip_article(fold(spelling))
                self._country_index.setdefault(key, canonical)
            for city in ([entry["capital"]] if entry["capital"] else []) + entry["cities"]:
                self._city_index.setdefault(fold(city), canonical)
                self._city_names.setdefault(fold(city), city)
        for canonical in self.countries:  # canonical names always win over another country's variant
            self._country_index[_strip_article(fold(canonical))] = canonical
        self._person_index.clear()
        for person in self.people:
            for spelling in {person.canonical, *person.variants}:
                self._person_index.setdefault(fold(spelling), []).append(person)
        self._country_re = None  # compiled on first use: searching never needs it

    def _country_pattern(self) -> re.Pattern[str] | None:
        if self._country_re is None:
            spellings = self.all_country_spellings()
            spellings |= {sp.replace("'", "’") for sp in spellings if "'" in sp}  # "People’s Republic"
            alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True) if s)
            if not alternatives:
                return None
            # The lookahead lets the engine skip every position that cannot start a name (all
            # spellings start with a capital): four times faster than trying the whole alternation.
            self._country_re = re.compile(rf"(?<![\w.])(?=[A-Z\u00C0-\u024F])(?:{alternatives})(?![\w-])")
        return self._country_re

    # ------------------------------------------------------------------ countries
    def canonical_country(self, text: str | None) -> str | None:
        """The canonical country for any name, variant, abbreviation or demonym (case-insensitive)."""
        if not text:
            return None
        key = fold(text).strip(" .,;:")
        for suffix in ("'s", "'"):
            if key.endswith(suffix) and key[: -len(suffix)] in self._country_index:
                key = key[: -len(suffix)]
        key = _strip_article(key)
        return self._country_index.get(key) or self._country_index.get(key.replace(".", ""))

    def country_variants(self, canonical: str) -> tuple[str, ...]:
        """Every spelling of a country (canonical first), for search aliases."""
        name = self.canonical_country(canonical) or canonical
        entry = self.countries.get(name)
        if entry is None:
            return ()
        return tuple(dict.fromkeys([name, *entry["variants"]]))

    def country_names(self) -> tuple[str, ...]:
        return tuple(self.countries)

    def capital(self, country: str) -> str | None:
        entry = self.countries.get(self.canonical_country(country) or "")
        return entry["capital"] if entry else None

    def all_country_spellings(self) -> set[str]:
        spellings: set[str] = set()
        for canonical, entry in self.countries.items():
            for s in (canonical, *entry["variants"], *entry["demonyms"]):
                spellings.add(s[4:] if s.startswith("the ") else s)
        return spellings

    def find_countries(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical) for every country spelling in text, case-sensitive, longest first."""
        pattern = self._country_pattern()
        if pattern is None:
            return []
        found = []
        for m in pattern.finditer(text):
            canonical = self.canonical_country(m.group(0))
            if canonical:
                found.append((m.start(), m.end(), canonical))
        return found

    # ------------------------------------------------------------------ places
    def city_country(self, city: str | None) -> str | None:
        if not city:
            return None
        return self._city_index.get(fold(city).strip(" .,"))

    def city_name(self, city: str) -> str | None:
        """The gazetteer's spelling of a known city (``None`` when unknown)."""
        return self._city_names.get(fold(city).strip(" .,"))

    def place(self, text: str) -> tuple[str | None, str | None] | None:
        return self.places.get(fold(text))

    def region_country(self, region: str) -> str | None:
        return self.regions.get(fold(region).strip(" .,"))

    # ------------------------------------------------------------------ people
    def person(self, name: str, country: str | None = None) -> Person | None:
        """A well-known person matching ``name`` (full name or listed short form), or None if ambiguous."""
        candidates = self._person_index.get(fold(name), [])
        if country:
            candidates = [p for p in candidates if p.country in (None, country)]
        unique = {p.canonical: p for p in candidates}
        return next(iter(unique.values())) if len(unique) == 1 else None

    def role_level(self, phrase: str) -> str | None:
        return self.roles.get(phrase)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once per process."""
    return Gazetteer.load()
