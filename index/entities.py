"""Entity mentions in a cleaned readout body: people, countries, places, organisations, initiatives,
agreements, sums of money and dated references to past events.

``extract_entities(text, parsed, gazetteer)`` returns ``(mentions, events)``. Every mention satisfies
``text[m.start:m.end] == m.text``; mentions are sorted by start and never overlap (the longest
candidate wins, ties go to the more specific source).

Data: ``resources/gazetteer/entities*.json`` (``{"entities": [{"canonical", "kind", "variants"}]}``)
plus the gazetteer's countries, cities, places, regions and people. A user overlay with the same
``"entities"`` key can be merged with :meth:`EntityTables.load`. Everything is compiled once per
gazetteer/overlay and cached; the per-readout work is a handful of regex scans.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from index.events import find_anniversaries, find_dates, sentence_breaks
from index.gazetteer import CASE_EXCEPTIONS as _CASE_EXCEPTIONS  # noqa: F401 - tests use it here
from index.gazetteer import Gazetteer, Person, default_gazetteer, fold
from index.gazetteer import lowered as _lowered
from index.models import EntityMention, ParsedReadout, ReferencedEvent
from index.paths import resources_dir

log = logging.getLogger(__name__)

KINDS = ("person", "country", "place", "organization", "initiative", "agreement", "money", "event")
_DICT_KINDS = frozenset(KINDS) - {"money", "event"}


# =========================================================================== data tables
@dataclass(frozen=True)
class EntityEntry:
    canonical: str
    kind: str
    variants: tuple[str, ...] = ()


_TYPO = str.maketrans({"’": "'", "‘": "'", "‑": "-", "–": "-", "\u00a0": " "})


def _key(text: str) -> str:
    return " ".join(text.translate(_TYPO).split())


def _is_case_sensitive(variant: str) -> bool:
    """Abbreviations and single words match exactly; multi-word phrases ignore case."""
    words = variant.split()
    return len(words) < 2 or any(w.isupper() and len(w) > 1 for w in words)


def _parse_entries(data: Any, source: str) -> list[EntityEntry]:
    if isinstance(data, dict):
        data = data.get("entities", [])
    if not isinstance(data, list):
        raise ValueError(f"{source}: 'entities' must be a list")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("canonical"), str):
            raise ValueError(f"{source}: entry {i} needs a string 'canonical'")
        kind = item.get("kind", "organization")
        if kind not in _DICT_KINDS:
            raise ValueError(f"{source}: entry {i} has unknown kind {kind!r}")
        variants = item.get("variants", [])
        if isinstance(variants, str):
            variants = [variants]
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise ValueError(f"{source}: entry {i} 'variants' must be a list of strings")
        out.append(EntityEntry(item["canonical"], kind, tuple(v for v in variants if v.strip())))
    return out


def load_entity_entries(base_dir: Path | None = None) -> tuple[list[EntityEntry], list[str]]:
    """The bundled ``entities*.json`` entries and any warnings (bad files are skipped, not fatal)."""
    base = base_dir or resources_dir() / "gazetteer"
    entries: list[EntityEntry] = []
    warnings: list[str] = []
    for path in sorted(base.glob("entities*.json")):
        try:
            entries.extend(_parse_entries(json.loads(path.read_text(encoding="utf-8")), str(path)))
        except (OSError, ValueError) as exc:
            warnings.append(f"entity file {path} could not be read: {exc}")
    return entries, warnings


# --------------------------------------------------------------------------- trie regex
def _piece(ch: str) -> str:
    if ch == " ":
        return r"[^\S\n]+"
    if ch == "'":
        return "['’‘]"
    if ch == "-":
        return "[-‑–]"
    return re.escape(ch)


def _trie_regex(words: list[str], not_after: str = "") -> str:
    """One alternation for many literal strings, as a character trie (fast, longest match first).

    ``not_after``: a character class that must not come right before a match. Its check follows the
    first character (``A(?<![\\w]A)...``) instead of preceding it: a pattern that starts with literals
    lets the regex engine jump from one possible first character to the next, several times faster
    than trying the look-behind at every position. (Not for IGNORECASE: the engine cannot jump then.)
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [_piece(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    if not not_after:
        return emit(trie)
    if "" in trie:  # the empty string is one of the words: check in front
        return f"(?<!{not_after})" + emit(trie)
    branches = []
    for ch, child in sorted(trie.items()):
        piece = _piece(ch)
        if ch == " ":  # several characters wide: check in front
            branches.append(f"(?<!{not_after}){piece}" + emit(child))
        else:
            branches.append(f"{piece}(?<!{not_after}{piece})" + emit(child))
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _literal_regex(words: list[str], flags: int = 0, boundary: str = r"[\w]") -> re.Pattern[str] | None:
    words = [w for w in dict.fromkeys(words) if w]
    if not words:
        return None
    if flags & re.IGNORECASE:
        trie = rf"(?<!{boundary})(?:" + _trie_regex(words) + ")"
    else:
        trie = "(?:" + _trie_regex(words, not_after=boundary) + ")"
    return re.compile(trie + rf"(?!{boundary})", flags)


@lru_cache(maxsize=2048)
def _names_regex(names: tuple[str, ...], boundary: str) -> re.Pattern[str] | None:
    """``_literal_regex`` for the names of one readout, kept: the same people come up in many
    readouts, and compiling is most of the time a readout's names take. (The pattern depends on
    nothing but the arguments, so any tables may share it.) Each readout asks for two sets (its
    names, its short references): with 512 a tenth of the sets came back after they had been
    dropped on a build of 10,000 readouts; 2,048 small patterns take a few MB."""
    return _literal_regex(list(names), boundary=boundary)  # the order of the names makes no difference


# Compiled once (module-level re functions look each pattern up in re's cache on every call)
_INITIAL = re.compile(r"\w\.?")  # fullmatch: an initial
_POSSESSIVE_END = re.compile(r"(?:['’]s|['’])$")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")  # fullmatch


# --------------------------------------------------------------------------- people helpers
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_EAST_ASIAN = ("Japan", "China", "Republic of Korea", "North Korea", "Taiwan", "Mongolia")


def _name_tokens(name: str) -> list[str]:
    """Folded significant tokens: no suffixes, hyphenated parts split ("Suk-yeol" -> suk, yeol)."""
    out = []
    for tok in fold(name).replace(",", " ").split():
        if tok in _SUFFIXES:
            continue
        out.extend(p for p in tok.split("-") if p)
    return out


@dataclass(frozen=True)
class _Known:
    canonical: str
    country: str | None
    primary: str  # folded key used in short references: family name
    secondary: str  # the other end of the name
    tokens: tuple[str, ...]


def _known(canonical: str, country: str | None, east_asian: frozenset[str]) -> _Known | None:
    # Keys keep hyphenated names whole ("sherwood-randall"); compatibility tokens split them.
    toks = [
        t
        for t in fold(canonical).replace(",", " ").split()
        if t not in _SUFFIXES and not _INITIAL.fullmatch(t)
    ]
    full = _name_tokens(canonical)
    if not toks:
        return None
    if country in east_asian:
        primary, secondary = toks[0], toks[-1]
    else:
        primary, secondary = toks[-1], toks[0]
    return _Known(canonical, country, primary, secondary, tuple(full))


def canonical_person_name(name: str) -> str:
    """Consistent case, order as written: 'KAMIKAWA Yoko' -> 'Kamikawa Yoko'. (Mirrors extract.canonical_name.)"""
    words = []
    for word in name.replace("’", "'").split():
        if word.isupper() and len(word) > 1 and word not in ("II", "III", "IV") and "." not in word:
            word = "-".join(part.capitalize() for part in word.split("-"))
        words.append(word)
    return " ".join(words).strip(" ,")


# --------------------------------------------------------------------------- tables
_EXTRA_TITLES = (
    "General",
    "Lieutenant General",
    "Senior Lieutenant General",
    "Major General",
    "Admiral",
    "Spokesperson",
    "Representative",
    "Chief Justice",
    "First Lady",
    "Premier",
    "Chairperson",
    "Executive Secretary",
    "Deputy Secretary-General",
)
_HONORIFIC_WORDS = ("Mr.", "Ms.", "Mrs.", "Dr.", "H.E.", "Madam", "Mr", "Ms", "Dr", "Prof.", "Sir")
_PARTICLES = ("von", "van", "der", "den", "de", "del", "da", "di", "bin", "binti", "al", "le", "la", "dos")
_STOP_NAME = frozenset(
    """Meeting Meetings Summit Call Visit Statement Office Department Ministry Council House Cabinet
    Secretariat Agency Administration Government Alliance Leaders Leader Minister Ministers President
    Secretary Affairs Delegation Chair Chairmanship Presidency Special Joint Also Today Tonight Yesterday
    Strategy Initiative Partnership Dialogue Conference Forum Group Republic State States Kingdom
    Federation Union Party Nations Security Defense Defence Foreign National Prime Vice Deputy Director
    Ambassador Envoy Representative General Talks Trilateral Bilateral Both The This That These
    Those Their His Her Its Our We They He She And But During Following After Before In On At For""".split()
)


@dataclass(eq=False)
class EntityTables:
    """Compiled lookups for one gazetteer (+ optional overlay). Build with :meth:`load`."""

    gazetteer: Gazetteer
    entries: list[EntityEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cs_map: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # key -> (kind, canonical, prio)
    ci_map: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    cs_re: re.Pattern[str] | None = None
    ci_re: re.Pattern[str] | None = None
    # ci_re for lowered texts (see _lowered): at the start of the text, and after a non-word character
    ci_lower_first: re.Pattern[str] | None = None
    ci_lower_re: re.Pattern[str] | None = None
    role_re: re.Pattern[str] | None = None
    people: list[_Known] = field(default_factory=list)
    people_by_key: dict[str, list[_Known]] = field(default_factory=dict)
    people_by_secondary: dict[str, list[_Known]] = field(default_factory=dict)
    people_by_token: dict[str, list[_Known]] = field(default_factory=dict)
    person_spellings: dict[str, _Known] = field(default_factory=dict)  # _key(spelling) -> person
    east_asian: frozenset[str] = frozenset()
    stop_names: frozenset[str] = frozenset()
    honorifics: frozenset[str] = frozenset()

    @classmethod
    def load(
        cls, gazetteer: Gazetteer | None = None, overlay: Path | None = None, *, base_dir: Path | None = None
    ) -> EntityTables:
        gz = gazetteer or default_gazetteer()
        entries, warnings = load_entity_entries(base_dir)
        if overlay is not None and Path(overlay).exists():
            try:
                data = json.loads(Path(overlay).read_text(encoding="utf-8"))
                if isinstance(data, dict) and "entities" in data:
                    # Overlay entries come first so that they win over bundled ones with the same spelling.
                    entries = _parse_entries(data, str(overlay)) + entries
            except (OSError, ValueError) as exc:
                warnings.append(f"overlay {overlay} entities ignored (malformed): {exc}")
        tables = cls(gz, entries, warnings)
        tables._build()
        return tables

    # ------------------------------------------------------------------ build
    def _add(
        self, spelling: str, kind: str, canonical: str, prio: int, case_sensitive: bool | None = None
    ) -> None:
        key = _key(spelling)
        if key[:4].lower() == "the " and len(key) > 4:
            key = key[4:]  # "the" is never part of a mention
        if not key:
            return
        if case_sensitive is None:
            case_sensitive = _is_case_sensitive(key)
        if case_sensitive:
            self.cs_map.setdefault(key, (kind, canonical, prio))
        else:
            self.ci_map.setdefault(key.lower(), (kind, canonical, prio))

    def _build(self) -> None:
        gz = self.gazetteer
        self.east_asian = frozenset(filter(None, (gz.canonical_country(c) or c for c in _EAST_ASIAN)))
        # 1. curated entries (overlay first), 2. gazetteer countries, 3. cities/places/regions.
        for entry in self.entries:
            for spelling in (entry.canonical, *entry.variants):
                self._add(spelling, entry.kind, entry.canonical, 2)
        for spelling in sorted(gz.all_country_spellings()):
            canonical = gz.canonical_country(spelling)
            if canonical:
                self._add(spelling, "country", canonical, 6, case_sensitive=True)
        for entry in gz.countries.values():
            for city in ([entry["capital"]] if entry.get("capital") else []) + list(entry.get("cities", [])):
                self._add(city, "place", city, 6, case_sensitive=True)
        for folded in (*gz.places, *gz.regions):
            name = folded[4:] if folded.startswith("the ") else folded
            # Folded keys lost their case; match case-insensitively, canonical = title-cased key.
            canonical = " ".join(w if "." in w else w.capitalize() for w in name.split())
            if not name or _key(name) in self.cs_map:
                continue
            self.ci_map.setdefault(_key(name).lower(), ("place", canonical, 6))
        # People
        people = []
        for person in gz.people:
            known = _known(person.canonical, person.country, self.east_asian)
            if known is None:
                continue
            people.append(known)
            spellings = {person.canonical, *person.variants}
            if person.country in self.east_asian and len(person.canonical.split()) == 2:
                fam, given = person.canonical.split()
                spellings |= {f"{fam.upper()} {given}", f"{given} {fam.upper()}"}
            for spelling in spellings:
                self.person_spellings.setdefault(fold(_key(spelling)), known)
                if len(spelling.split()) >= 2:
                    self._add(spelling, "person", person.canonical, 1, case_sensitive=True)
        self.people = people
        for known in people:
            self.people_by_key.setdefault(known.primary, []).append(known)
            self.people_by_secondary.setdefault(known.secondary, []).append(known)
            for tok in set(known.tokens):
                self.people_by_token.setdefault(tok, []).append(known)
        self.cs_re = _literal_regex(sorted(self.cs_map))
        ci_words = sorted(self.ci_map)
        self.ci_re = _literal_regex(ci_words, re.IGNORECASE)
        # All-ASCII (lower-case) keys can be found case-sensitively in the lowered text (see
        # _word_scan): several times faster than with IGNORECASE, the same matches.
        if ci_words and all(w.isascii() and w.isprintable() and w == w.lower() for w in ci_words):
            trie = _trie_regex(ci_words)
            self.ci_lower_first = re.compile(rf"(?:{trie})(?![\w])")
            self.ci_lower_re = re.compile(rf"[^\w]({trie})(?![\w])")
        titles = sorted({*gz.roles, *_EXTRA_TITLES} - {"leader"})
        self.role_re = re.compile(
            r"(?P<role>" + _trie_regex(titles, not_after=r"[\w-]") + r")"
            r"(?:[^\S\n]+(?P<hon>Mr\.|Ms\.|Mrs\.|Dr\.|H\.E\.))?"
            r"[^\S\n]+(?=[^\W\d_])"
        )
        self.honorifics = frozenset(h for h in gz.honorifics if " " not in h)
        country_words = {w for s in gz.all_country_spellings() for w in s.split()}
        self.stop_names = frozenset(
            _STOP_NAME
            | set(gz.not_name_words)
            | {w for r in titles for w in r.split()}
            | {w for w in country_words if w[:1].isupper() and len(w) > 2}
            | {m.capitalize() for m in _MONTH_NAMES}
        )

    # ------------------------------------------------------------------ people lookups
    def person_by_spelling(self, name: str) -> _Known | None:
        return self.person_spellings.get(fold(_key(name)))


_MONTH_NAMES = (
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
).split()


@lru_cache(maxsize=8)
def _tables_for(gz: Gazetteer) -> EntityTables:
    return EntityTables.load(gz)


def entity_tables(gazetteer: Gazetteer | None = None) -> EntityTables:
    """The cached tables for a gazetteer (bundled entity files, no overlay)."""
    return _tables_for(gazetteer or default_gazetteer())


# =========================================================================== extraction
@dataclass
class _Cand:
    start: int
    end: int
    prio: int  # lower wins among equally long candidates
    kind: str
    canonical: str
    amount: float | None = None
    currency: str | None = None


# Priorities (lower wins for equal length)
P_ROLE_PERSON, P_FULL_PERSON, P_DICT, P_AGREEMENT, P_INITIATIVE, P_ORG = 0, 1, 2, 3, 4, 5
P_GAZ, P_MONEY, P_SHORT_PERSON, P_EVENT = 6, 7, 8, 9


def extract_entities(
    text: str,
    parsed: ParsedReadout | None = None,
    gazetteer: Gazetteer | None = None,
    *,
    tables: EntityTables | None = None,
) -> tuple[tuple[EntityMention, ...], tuple[ReferencedEvent, ...]]:
    """Entity mentions and referenced events in ``text`` (the cleaned body). Never raises on odd input."""
    if not isinstance(text, str) or not text:
        return (), ()
    try:
        return _extract(text, parsed, tables or entity_tables(gazetteer))
    except Exception:  # noqa: BLE001 - indexing must go on; the bug is logged
        log.exception("entity extraction failed")
        return (), ()


def _extract(
    text: str, parsed: ParsedReadout | None, tb: EntityTables
) -> tuple[tuple[EntityMention, ...], tuple[ReferencedEvent, ...]]:
    cands: list[_Cand] = []
    low = _lowered(text)
    _dictionary(text, tb, cands, low)
    roster = _Roster(tb, parsed)
    _people(text, tb, roster, cands)
    _patterns(text, tb, cands, low)
    _money(text, cands)
    chosen = _select(cands)
    chosen = _short_references(text, tb, roster, chosen)
    events, event_cands = _events(text, parsed, chosen, low)
    if event_cands:
        chosen = _select(chosen + event_cands, keep_order=True)
    mentions = tuple(
        EntityMention(c.kind, text[c.start : c.end], c.canonical, c.start, c.end, c.amount, c.currency)
        for c in sorted(chosen, key=lambda c: c.start)
    )
    return mentions, tuple(events)


def _select(cands: list[_Cand], keep_order: bool = False) -> list[_Cand]:
    """Greedy non-overlapping selection: longest first, then priority, then leftmost."""
    order = cands if keep_order else sorted(cands, key=lambda c: (c.start - c.end, c.prio, c.start))
    starts: list[int] = []
    ends: list[int] = []
    out: list[_Cand] = []
    for c in order:
        if c.end <= c.start:
            continue
        i = bisect.bisect_right(starts, c.start)
        if i > 0 and ends[i - 1] > c.start:
            continue
        if i < len(starts) and starts[i] < c.end:
            continue
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        out.append(c)
    return out


def _word_scan(first: re.Pattern[str], after: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The spans of ``rx.finditer(text)`` for ``rx`` = ``(?<![\\w])X`` (X never empty), given
    ``first`` = X (tried at the start of the text) and ``after`` = ``[^\\w](X)``.

    ``after`` takes the character before a match instead of looking behind: a pattern that starts
    with a character class lets the engine skip to the next non-word character, where the
    look-behind in front has it try every position of the text (and the words' first letters,
    a class that holds most letters, would not let it skip much)."""
    spans = []
    pos = 0
    m = first.match(text)
    if m is not None:
        spans.append(m.span())
        pos = m.end()
    search = after.search
    while True:
        m = search(text, pos - 1 if pos else 0)  # the character before ``pos`` may be the one
        if m is None:
            return spans
        spans.append(m.span(1))
        pos = m.end(1)


# --------------------------------------------------------------------------- dictionary
def _dictionary(text: str, tb: EntityTables, out: list[_Cand], low: str | None = None) -> None:
    if tb.cs_re is not None:
        for m in tb.cs_re.finditer(text):
            found = m.group(0)
            end = m.end()
            if found.endswith(("'s", "’s")) and _key(found[:-2]) in tb.cs_map:
                found, end = found[:-2], end - 2  # "Vietnam's" -> "Vietnam"
            hit = tb.cs_map.get(_key(found))
            if hit:
                kind, canonical, prio = hit
                out.append(_Cand(m.start(), end, prio, kind, canonical))
    if tb.ci_re is not None:
        if tb.ci_lower_re is not None and tb.ci_lower_first is not None and low is not None:
            spans = _word_scan(tb.ci_lower_first, tb.ci_lower_re, low)
        else:
            spans = [m.span() for m in tb.ci_re.finditer(text)]
        for start, end in spans:
            found = text[start:end]
            hit = tb.ci_map.get(_key(found).lower())
            if not hit:
                continue
            kind, canonical, prio = hit
            if kind in ("place", "organization", "person") and not found[:1].isupper():
                continue  # "white house" in running text is not the White House
            out.append(_Cand(start, end, prio, kind, canonical))


# --------------------------------------------------------------------------- people
class _Roster:
    """People known in this readout: participants first, then names found in full."""

    def __init__(self, tb: EntityTables, parsed: ParsedReadout | None):
        self.tb = tb
        self.local: dict[str, _Known] = {}
        self.spellings: dict[str, str] = {}  # folded written name -> canonical
        self.written: list[str] = []
        if parsed is not None:
            for p in parsed.participants:
                known = tb.person_by_spelling(p.canonical) or tb.person_by_spelling(p.name)
                canonical = known.canonical if known else p.canonical
                country = p.country or (known.country if known else None)
                self.add(canonical, country)
                self.spellings[fold(p.name)] = canonical
                self.written.append(p.name)
                self.spellings[fold(p.canonical)] = canonical

    def add(self, canonical: str, country: str | None) -> None:
        if canonical in self.local:
            return
        gz_known = self.tb.person_by_spelling(canonical)
        known = _known(canonical, country or (gz_known.country if gz_known else None), self.tb.east_asian)
        if known:
            self.local[canonical] = known

    def resolve(self, name: str) -> str | None:
        """Canonical person for a written name (full or short), or None."""
        key = fold(_key(name))
        if key in self.spellings:
            return self.spellings[key]
        toks = [t for t in _name_tokens(name) if not _INITIAL.fullmatch(t)]
        if not toks:
            return None
        if len(toks) == 1:
            return self._short(toks[0])
        known = self.tb.person_by_spelling(name)
        if known:
            return known.canonical
        # "Nguyen Phuc", "S. Jaishankar", "Ferdinand Romualdez Marcos Jr.": every written token fits.
        for pool in (list(self.local.values()), self.tb.people_by_token.get(toks[-1], [])):
            fits = {k.canonical for k in pool if _compatible(_name_tokens(name), k.tokens)}
            if len(fits) == 1:
                return fits.pop()
        return None

    def _short(self, tok: str) -> str | None:
        local = list(self.local.values())
        for pool in (
            [k for k in local if k.primary == tok],
            [k for k in local if k.secondary == tok],
        ):
            names = {k.canonical for k in pool}
            if len(names) == 1:
                return names.pop()
            if len(names) > 1:
                return None
        gz_person: Person | None = self.tb.gazetteer.person(tok)
        if gz_person is not None:
            return gz_person.canonical
        for index in (self.tb.people_by_key, self.tb.people_by_secondary):
            names = {k.canonical for k in index.get(tok, [])}
            if len(names) == 1:
                return names.pop()
            if len(names) > 1:
                return None
        return None


def _compatible(written: list[str], person: tuple[str, ...]) -> bool:
    remaining = list(person)
    for tok in written:
        bare = tok.rstrip(".")
        if bare in remaining:
            remaining.remove(bare)
            continue
        initial = next(
            (p for p in remaining if p.rstrip(".") == bare[:1] or (len(bare) == 1 and p[:1] == bare)), None
        )
        if initial is None:
            return False
        remaining.remove(initial)
    return True


_NAME_TOKEN = re.compile(r"(?:[A-Z]\.)|[^\W\d_][\w’'\-‑]*")
_SUFFIX_RE = re.compile(r",?[^\S\n]+(?:Jr\.|Sr\.|III|II|IV)(?![\w])")


_SPACE = re.compile(r"[^\S\n]+")
_LEADING_SKIP = frozenset(
    {"II", "III", "Dato", "Dato'", "Datuk", "Tan", "Sri", "Dr.", "Mr.", "Ms.", "Mrs.", "H.E."}
)


def _read_name(text: str, pos: int, tb: EntityTables, limit: int = 4) -> tuple[int, int] | None:
    """Span of a capitalised name starting at pos: up to ``limit`` tokens, particles, a ', Jr.'.

    Leading honorific tokens ("Dato", "II" of "Foreign Minister II") are skipped, not included."""
    i = pos
    start = None
    end = None
    count = 0
    particles = 0
    skipped = 0
    while count < limit:
        m = _NAME_TOKEN.match(text, i)
        if not m:
            break
        tok = m.group(0)
        if count == 0 and skipped < 3 and (tok in _LEADING_SKIP or tok in tb.honorifics):
            sp = _SPACE.match(text, m.end())
            if not sp:
                break
            i = sp.end()
            skipped += 1
            continue
        if count > 0 and tok.lower() in _PARTICLES and particles < 3:
            sp = _SPACE.match(text, m.end())
            if not sp:
                break
            i = sp.end()
            particles += 1
            continue
        bare = _POSSESSIVE_END.sub("", tok)
        if not bare[:1].isupper() or bare in tb.stop_names or bare.rstrip(".") in tb.stop_names:
            break
        if start is None:
            start = m.start()
        end = m.start() + len(bare)
        count += 1
        particles = 0
        if bare != tok:  # possessive ends the name
            break
        sp = _SPACE.match(text, m.end())
        if not sp or sp.end() >= len(text):
            break
        i = sp.end()
    if start is None or end is None:
        return None
    sm = _SUFFIX_RE.match(text, end)
    if sm:
        end = sm.end()
    return start, end


def _people(text: str, tb: EntityTables, roster: _Roster, out: list[_Cand]) -> None:
    # Participants' names as written ("KISHI", "KAMIKAWA Yoko") and their canonical forms.
    rx = _names_regex(tuple(sorted(set(_participant_names(roster)))), r"[\w]")
    if rx is not None:
        resolved: dict[str, str | None] = {}  # the roster does not change in this loop
        for m in rx.finditer(text):
            name = m.group(0)
            if name not in resolved:
                resolved[name] = roster.resolve(name)
            canonical = resolved[name]
            if canonical:
                out.append(_Cand(m.start(), m.end(), P_FULL_PERSON, "person", canonical))
    # Full names from the gazetteer are already dictionary candidates; add them to the roster.
    for c in out:
        if c.kind == "person":
            roster.add(c.canonical, None)
    # Role + name: "Foreign Minister Son", "Secretary of State Antony J. Blinken".
    pending: list[tuple[int, int, int, str]] = []
    if tb.role_re is not None:
        for m in tb.role_re.finditer(text):
            span = _read_name(text, m.end(), tb)
            if span is None:
                continue
            name = text[span[0] : span[1]]
            pending.append((m.start(), span[1], span[0], name))
    for m in _HONORIFIC_RE.finditer(text):
        span = _read_name(text, m.end(), tb)
        if span is not None:
            pending.append((span[0], span[1], span[0], text[span[0] : span[1]]))
    # Resolve full names first so that later short references can use them.
    resolved: list[tuple[int, int, str, bool]] = []
    for start, end, _name_start, name in sorted(pending, key=lambda x: -len(x[3].split())):
        canonical = roster.resolve(name)
        full = len(_name_tokens(name)) >= 2
        if canonical is None and full:
            canonical = canonical_person_name(name.rstrip(",. "))
        if canonical is not None:
            if full:
                roster.add(canonical, None)
                roster.spellings.setdefault(fold(_key(name)), canonical)
            resolved.append((start, end, canonical, full))
        else:
            resolved.append((start, end, "", False))
    for start, end, canonical, _full in resolved:
        if not canonical:
            # An unresolved short name after a title: keep it with its written form as canonical.
            name = text[start:end]
            m = tb.role_re.match(name) if tb.role_re else None
            bare = name[m.end() :] if m else name
            canonical = canonical_person_name(bare)
            if not canonical:
                continue
        out.append(_Cand(start, end, P_ROLE_PERSON, "person", canonical))


_HONORIFIC_RE = re.compile(r"(?:M(?<![\w.]M)(?:r|s|rs)|D(?<![\w.]D)r)\.[^\S\n]+(?=[A-Z])")  # Mr. Ms. Mrs. Dr.


def _participant_names(roster: _Roster) -> list[str]:
    names = list(roster.written)
    for canonical, known in roster.local.items():
        names.append(canonical)
        parts = canonical.split()
        if len(parts) == 2 and known.country in roster.tb.east_asian:
            names.append(f"{parts[0].upper()} {parts[1]}")
            names.append(f"{parts[1]} {parts[0]}")
    return names


def _short_references(text: str, tb: EntityTables, roster: _Roster, chosen: list[_Cand]) -> list[_Cand]:
    """Bare family names of people already known in this readout: 'Kishida said ...'."""
    keys: dict[str, str] = {}
    for known in roster.local.values():
        key = known.primary
        if len(key) < 3:
            continue
        for form in (key.capitalize(), key.upper()):
            if form in tb.stop_names or tb.gazetteer.canonical_country(form):
                continue
            keys.setdefault(form, known.canonical)
    # Titled full names written in participant form, e.g. "KISHI" -> also covered by key.upper().
    if not keys:
        return chosen
    rx = _names_regex(tuple(sorted(keys)), r"[\w-]")
    if rx is None:
        return chosen
    extra = []
    resolved: dict[str, str | None] = {}  # each name once: the roster does not change here
    # the pattern also matches other apostrophes, dashes and spaces than the key's
    by_key = {_key(form): canonical for form, canonical in keys.items()}
    for m in rx.finditer(text):
        name = m.group(0)
        if name not in resolved:
            resolved[name] = roster.resolve(name) or by_key.get(_key(name))
        canonical = resolved[name]
        if canonical is None:
            continue
        extra.append(_Cand(m.start(), m.end(), P_SHORT_PERSON, "person", canonical))
    return _select(chosen + extra, keep_order=True) if extra else chosen


# --------------------------------------------------------------------------- patterns
_TOKEN_RE = re.compile(r"[A-Z]\.(?:[A-Z]\.?)+(?:[-‑–][\w’'\-‑–]+)?|\w[\w’'\-‑–]*|[^\w\s]")
_CONNECT = frozenset(
    {"of", "and", "the", "on", "for", "in", "between", "to", "with", "at", "concerning", "regarding"}
)
_LEFT_CONNECT = frozenset({"of", "and", "on", "for"})
_AGREEMENT_HEADS = frozenset(
    "Agreement Agreements Treaty Convention Accord Accords Declaration Statement Memorandum Charter "
    "Arrangement Protocol Communiqué Communique Pact Compact".split()
)
_INITIATIVE_HEADS = frozenset(
    "Partnership Initiative Strategy Framework Alliance Agenda Program Programme".split()
)
_MEETING_HEADS = frozenset(
    "Meeting Meetings Summit Dialogue Talks Conference Visit Forum Ministerial Consultations Session "
    "Games Exercise Exercises Ceremony".split()
)
_ALL_HEADS = _AGREEMENT_HEADS | _INITIATIVE_HEADS | _MEETING_HEADS
_TITLE_WORDS = frozenset(
    """Secretary Minister Director Deputy Under Assistant Ambassador Chief Spokesperson Advisor Adviser
    President Chairman Chair Commissioner Administrator Counselor Envoy Representative Governor""".split()
)
_START_STOP = frozenset(
    """The This That These Those A An In On At By For From With Under Following After Before During
    Based Regarding Concerning As Both Their His Her Its Our Under To Also And But Then While When
    Since Through Upon Given""".split()
)
_MONTH_WORDS = frozenset(m.capitalize() for m in _MONTH_NAMES)
# The look-behinds follow the first letter so that the engine can skip to an "M" or a "D".
_MINISTRY_RE = re.compile(r"(?:M(?<!\wM)inistry|D(?<!\wD)epartment)[^\S\n]+of[^\S\n]+(?=[A-Z])")


_LEFT_LIMIT = 10  # tokens _extend_left may take
_RIGHT_LIMIT = 40  # tokens _extend_right may take after a head word
_AHEAD_LIMIT = 10  # tokens _head_ahead looks at
_SPACE_RUN = re.compile(r"\s+")


class _Tok(NamedTuple):
    text: str
    start: int
    end: int


def _head_regex(words: frozenset[str]) -> re.Pattern[str]:
    """Where one of ``words`` may stand as a whole token of ``_TOKEN_RE``.

    It ends where a word token ends; :func:`_token_window` confirms that a token starts there too
    ("U.S.Agreement" has no token "Agreement"). No head word ends with another one, so a false hit
    never hides a true one."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?:{alternatives})(?![\w’'\-‑–])")


_PATTERN_HEAD_RE = _head_regex(_AGREEMENT_HEADS | _INITIATIVE_HEADS)
_MEETING_HEAD_RE = _head_regex(_MEETING_HEADS)


def _token_window(text: str, pos: int, before: int, after: int) -> tuple[list[_Tok], int] | None:
    """The tokens around the token that starts at ``pos``, and its index among them.

    None when no token starts at ``pos``. The tokens are exactly those of the whole text
    (``_TOKEN_RE.finditer(text)``), at least ``before`` of them before the index and ``after`` after
    it, fewer only where the text begins or ends: enough for the helpers that walk left and right
    of a head word to see what they would see in the whole list of tokens."""
    new = tuple.__new__  # a quarter faster than calling the NamedTuple constructor per token
    width = 8 * before + 32
    while True:
        lo = pos - width
        if lo <= 0:
            lo = 0
        else:
            # Start just after white space: no token contains any, so the tokens from there on are
            # the tokens of the whole text.
            space = _SPACE_RUN.search(text, lo, pos)
            if space is None:
                width *= 2
                continue
            lo = space.end()
        toks: list[_Tok] = []
        index = -1
        for m in _TOKEN_RE.finditer(text, lo):
            start = m.start()
            if index < 0 and start >= pos:
                if start != pos:
                    return None
                index = len(toks)
                if lo and index < before:
                    break  # too few tokens on the left: widen
            toks.append(new(_Tok, (m.group(), start, m.end())))
            if index >= 0 and len(toks) - index > after:
                return toks, index
        else:  # the end of the text
            return (toks, index) if index >= 0 else None
        width *= 2


def _cap(tok: str) -> bool:
    return tok[:1].isupper() or bool(_ORDINAL.fullmatch(tok))


def _possessive(tok: str) -> bool:
    return tok.endswith(("’s", "'s"))


def _same_gap(text: str, a: _Tok, b: _Tok) -> bool:
    """a and b separated only by spaces on one line."""
    gap = text[a.end : b.start]
    return gap.strip(" \t\u00a0") == "" and "\n" not in gap


def _trim_trailing_name(toks: list[_Tok], i: int, right: int, tb: EntityTables) -> int:
    """Drop a person's name glued to an institution: 'Department of Homeland Security Blas Nunez-Neto'."""
    anchor = i
    for k in range(i, right + 1):
        word = _POSSESSIVE_END.sub("", toks[k].text)
        if (
            word in tb.gazetteer.institution_words
            or tb.gazetteer.canonical_country(word)
            or toks[k].text in _CONNECT
        ):
            anchor = k
    tail = toks[anchor + 1 : right + 1]
    if 2 <= len(tail) <= 3 and all(_cap(t.text) and t.text not in _CONNECT for t in tail):
        return anchor
    return right


def _head_ahead(toks: list[_Tok], k: int, limit: int = _AHEAD_LIMIT) -> bool:
    """A head word in the capitalised run starting at k (connectors allowed)."""
    for tok in toks[k : k + limit]:
        if tok.text in _ALL_HEADS:
            return True
        if not (_cap(tok.text) or tok.text in _CONNECT):
            return False
    return False


def _extend_left(text: str, toks: list[_Tok], i: int, limit: int = _LEFT_LIMIT) -> int:
    j = i
    steps = 0
    while j > 0 and steps < limit:
        prev = toks[j - 1]
        if not _same_gap(text, prev, toks[j]):
            break
        if (
            prev.text in _LEFT_CONNECT
            and j - 2 >= 0
            and _cap(toks[j - 2].text)
            and _same_gap(text, toks[j - 2], prev)
        ):
            if (
                toks[j - 2].text in _START_STOP
                or _possessive(toks[j - 2].text)
                or toks[j - 2].text in _ALL_HEADS
            ):
                break  # "X Alliance and Y Alliance" are two names
            j -= 2
            steps += 2
            continue
        if (
            not _cap(prev.text)
            or prev.text in _START_STOP
            or prev.text in _MONTH_WORDS
            or _possessive(prev.text)
        ):
            break
        j -= 1
        steps += 1
    return j


def _extend_right(
    text: str, toks: list[_Tok], i: int, limit: int = _RIGHT_LIMIT, stop_and_head: bool = False
) -> int:
    """Index of the last token of the title run starting after toks[i]."""
    last = i
    k = i + 1
    while k < len(toks) and k - i <= limit:
        tok = toks[k]
        if not _same_gap(text, toks[k - 1], tok):
            break
        if tok.text in _MONTH_WORDS or tok.text.isdigit():
            break
        if tok.text in _CONNECT:
            if tok.text == "and" and _head_ahead(toks, k + 1):
                break  # "... Declaration on Migration and the Americas Partnership ..." : a second name
            if stop_and_head and tok.text in _TITLE_WORDS:
                break
            if stop_and_head and tok.text == "and":
                nxt = toks[k + 1].text if k + 1 < len(toks) else ""
                nxt2 = toks[k + 2].text if k + 2 < len(toks) else ""
                if nxt in ("Ministry", "Department") or (nxt == "the" and nxt2 in ("Ministry", "Department")):
                    break
            k += 1
            continue
        if tok.text == "," and stop_and_head:
            # "Ministry of Economy, Trade and Industry": a comma inside a list of capitalised words.
            if (
                k + 1 < len(toks)
                and _cap(toks[k + 1].text)
                and "and" in [t.text for t in toks[k + 1 : k + 5]]
            ):
                k += 1
                continue
            break
        if not _cap(tok.text) or tok.text in _START_STOP and k > i + 1 and toks[k - 1].text not in _CONNECT:
            break
        if stop_and_head and tok.text in _TITLE_WORDS:
            break  # "Department of Foreign Affairs and Trade Secretary Kathryn Campbell"
        if not re.match(r"\w", tok.text):
            break
        last = k
        k += 1
        if _possessive(tok.text):
            break
    return last


def _canonical_phrase(phrase: str) -> str:
    phrase = _key(phrase)
    phrase = re.sub(r"^(?:the|The)\s+", "", phrase)
    return phrase


# How many tokens the walks may look at around a head word (the token window must hold them all).
_BEFORE = _LEFT_LIMIT + 1  # _extend_left looks at toks[j - 2] down to j = i - limit + 1


def _after(limit: int) -> int:
    return limit + _AHEAD_LIMIT  # _extend_right stops at i + limit, _head_ahead looks further


_ORG_LIMIT = 14
_MEETING_LIMIT = 12


def _patterns(text: str, tb: EntityTables, out: list[_Cand], low: str | None = None) -> None:
    for m in _PATTERN_HEAD_RE.finditer(text):
        word = m.group()
        window = _token_window(text, m.start(), _BEFORE, _after(_RIGHT_LIMIT))
        if window is None:
            continue
        toks, i = window
        if toks[i].text != word:
            continue
        if word in _AGREEMENT_HEADS:
            kind, prio = "agreement", P_AGREEMENT
        else:
            kind, prio = "initiative", P_INITIATIVE
        left = _extend_left(text, toks, i)
        right = i
        if i + 1 < len(toks) and toks[i + 1].text in (
            "of",
            "on",
            "between",
            "for",
            "concerning",
            "to",
            "regarding",
        ):
            right = _extend_right(text, toks, i)
        while right > i and toks[right].text in _CONNECT:
            right -= 1
        while left < i and (toks[left].text in _CONNECT or toks[left].text in _START_STOP):
            left += 1
        if left == i and right == i:
            continue  # a bare head word says nothing
        if kind == "initiative" and left == i:
            continue  # "Partnership between ..." is not a name
        start, end = toks[left].start, toks[right].end
        phrase = text[start:end]
        if _possessive(toks[right].text):
            end -= 2
            phrase = text[start:end]
        out.append(_Cand(start, end, prio, kind, _canonical_phrase(phrase)))
    for m in _MINISTRY_RE.finditer(text):
        window = _token_window(text, m.start(), 0, _after(_ORG_LIMIT))
        if window is None:
            continue
        toks, i = window
        right = _extend_right(text, toks, i, limit=_ORG_LIMIT, stop_and_head=True)
        while right > i and toks[right].text in _CONNECT:
            right -= 1
        if right <= i + 1:
            continue
        right = _trim_trailing_name(toks, i, right, tb)
        end = toks[right].end - (2 if _possessive(toks[right].text) else 0)
        out.append(_Cand(m.start(), end, P_ORG, "organization", _canonical_phrase(text[m.start() : end])))
    if low is not None:
        spans = [m.span() for m in _LOWER_AGREEMENT_LOWER_RE.finditer(low)]
    else:
        spans = [m.span() for m in _LOWER_AGREEMENT_RE.finditer(text)]
    for start, end in spans:
        canonical = _LOWER_AGREEMENTS[text[start:end].lower().split()[0]]
        out.append(_Cand(start, end, P_AGREEMENT, "agreement", canonical))


_LOWER_AGREEMENTS = {"joint": "Joint Statement", "memorandum": "Memorandum of Understanding"}
_LOWER_AGREEMENT_RE = re.compile(
    r"(?<![\w])(?:joint statement|memorandum of (?:understanding|cooperation))(?![\w])", re.IGNORECASE
)
# The same in a lowered text (see _lowered), case-sensitive and with the look-behinds after the first
# letters: the engine skips to a "j" or an "m".
_LOWER_AGREEMENT_LOWER_RE = re.compile(
    r"(?:j(?<!\wj)oint statement|m(?<!\wm)emorandum of (?:understanding|cooperation))(?![\w])"
)


def _meeting_anchors(text: str) -> list[tuple[int, int, str]]:
    """Named meetings ('Japan-Vietnam Defense Ministers' Meeting'): event anchors, not mentions."""
    out = []
    for m in _MEETING_HEAD_RE.finditer(text):
        window = _token_window(text, m.start(), _BEFORE, _after(_MEETING_LIMIT))
        if window is None:
            continue
        toks, i = window
        if toks[i].text != m.group():
            continue
        left = _extend_left(text, toks, i)
        right = i
        if i + 1 < len(toks) and toks[i + 1].text in ("of", "on", "for"):
            right = _extend_right(text, toks, i, limit=_MEETING_LIMIT)
        while right > i and toks[right].text in _CONNECT:
            right -= 1
        while left < i and (toks[left].text in _CONNECT or toks[left].text in _START_STOP):
            left += 1
        if left == i and right == i:
            continue
        start, end = toks[left].start, toks[right].end
        out.append((start, end, _canonical_phrase(text[start:end])))
    return out


# --------------------------------------------------------------------------- money
_CURRENCY_PREFIX = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "s$": "SGD",
    "c$": "CAD",
    "hk$": "HKD",
    "nz$": "NZD",
    "¥": "JPY",
    "jpy": "JPY",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "vnd": "VND",
    "₫": "VND",
    "₩": "KRW",
    "krw": "KRW",
    "rmb": "CNY",
    "cny": "CNY",
    "inr": "INR",
    "₹": "INR",
}
_CURRENCY_WORD = {
    "yen": "JPY",
    "japanese yen": "JPY",
    "dollars": "USD",
    "dollar": "USD",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "dong": "VND",
    "vietnamese dong": "VND",
    "won": "KRW",
    "yuan": "CNY",
    "renminbi": "CNY",
    "pounds": "GBP",
    "rupees": "INR",
    "pesos": "PHP",
    "australian dollars": "AUD",
}
_MULT = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
_MONEY_RE = re.compile(
    r"(?<![\w$¥€£₫₩₹])"
    r"(?:(?P<pre>US\$|AU\$|A\$|S\$|C\$|HK\$|NZ\$|\$|¥|€|£|₫|₩|₹|(?:USD|JPY|EUR|GBP|VND|KRW|RMB|CNY|INR)(?=[^\S\n]?\d))[^\S\n]?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:[^\S\n]*(?P<mult>thousand|million|billion|trillion|bn|mn)\b)?"
    r"(?:[^\S\n]+(?P<cur>Japanese yen|yen|U\.S\. dollars|US dollars|Australian dollars|dollars?|euros?|"
    r"Vietnamese dong|dong|won|yuan|renminbi|pounds|rupees|pesos)\b)?"
)


# Where a match of _MONEY_RE can start: a digit or a currency sign, or the first two letters of a
# prefix ("US$", "HK$", "JPY 5"). One character class first: the engine skips to those quickly,
# while _MONEY_RE's look-behind in front has it try every position.
_MONEY_START = re.compile(r"[\d$¥€£₫₩₹ACEGHIJKNRSUV](?:(?<=[\d$¥€£₫₩₹])|[$BKMNPRSUZ])")


def _finditer_at(rx: re.Pattern[str], starts: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``, trying ``rx`` only where ``starts`` matches.

    ``starts`` must match wherever a match of ``rx`` can begin; ``rx`` must never match the empty
    string."""
    pos = 0
    search, match = starts.search, rx.match
    while True:
        candidate = search(text, pos)
        if candidate is None:
            return
        at = candidate.start()
        m = match(text, at)  # look-behinds see the text before ``at``, as in finditer
        if m is None:
            pos = at + 1
        else:
            yield m
            pos = m.end()


def _money_label(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def _money(text: str, out: list[_Cand]) -> None:
    for m in _finditer_at(_MONEY_RE, _MONEY_START, text):
        pre, cur = m.group("pre"), m.group("cur")
        if not pre and not cur:
            continue
        if pre and cur and _CURRENCY_WORD.get(cur.lower(), "USD") != "USD":
            currency = _CURRENCY_WORD[cur.lower()]
        elif pre:
            currency = _CURRENCY_PREFIX.get(pre.lower(), "USD")
            if cur and cur.lower().startswith("australian"):
                currency = "AUD"
        else:
            currency = _CURRENCY_WORD.get(cur.lower(), "USD")
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:
            continue
        if m.group("mult"):
            value *= _MULT[m.group("mult").lower()]
        end = m.end() if cur or m.group("mult") else m.end("num")
        out.append(
            _Cand(
                m.start(), end, P_MONEY, "money", f"{_money_label(value)} {currency}", float(value), currency
            )
        )


# --------------------------------------------------------------------------- events
_DIPLOMATIC_RE = re.compile(
    r"(?<![\w])(?:(?:the\s+)?establishment\s+of\s+(?:the\s+)?)?diplomatic\s+(?:relations|ties)(?![\w])",
    re.IGNORECASE,
)
_DIPLOMATIC_WORD = re.compile("diplomatic", re.IGNORECASE)  # in every match of _DIPLOMATIC_RE; quick to find
_ESTABLISHMENT_WORD = re.compile("establishment", re.IGNORECASE)


def _word_starts(word: re.Pattern[str], text: str, low: str | None) -> list[int]:
    """Where ``word`` (a lower-case literal, IGNORECASE) occurs in ``text``: looked for with
    ``str.find`` in the lowered text when there is one (see _lowered: the same places)."""
    if low is None:
        return [m.start() for m in word.finditer(text)]
    literal, starts = word.pattern, []
    at = low.find(literal)
    while at >= 0:
        starts.append(at)
        at = low.find(literal, at + len(literal))  # the words cannot overlap themselves
    return starts


def _diplomatic_relations(text: str, low: str | None) -> list[re.Match[str]]:
    """``list(_DIPLOMATIC_RE.finditer(text))``, trying the pattern only where a match can begin.

    A match begins with "diplomatic", "establishment", or "the" and white space before
    "establishment": the pattern is tried at those places only, leftmost first, as finditer
    would find them. (Its look-behind in front has finditer try every position of the text:
    most of a millisecond on a long readout that names diplomatic ties.)"""
    starts = set(_word_starts(_DIPLOMATIC_WORD, text, low))
    for at in _word_starts(_ESTABLISHMENT_WORD, text, low):
        starts.add(at)
        space = at
        while space > 0 and text[space - 1].isspace():  # str.isspace is re's \s
            space -= 1
        if space < at and space >= 3:
            starts.add(space - 3)  # "the" of "the establishment"
    found = []
    pos = 0
    for at in sorted(starts):
        if at < pos:
            continue
        m = _DIPLOMATIC_RE.match(text, at)  # look-behinds see the text before ``at``, as in finditer
        if m is not None:
            found.append(m)
            pos = m.end()
    return found


_ANCHOR_KINDS = frozenset({"agreement", "initiative"})
_MAX_GAP = 130


def _events(
    text: str, parsed: ParsedReadout | None, chosen: list[_Cand], low: str | None = None
) -> tuple[list[ReferencedEvent], list[_Cand]]:
    # Anchors first: most readouts have none, and then their dates do not matter.
    anchors: list[tuple[int, int, str]] = [
        (c.start, c.end, c.canonical) for c in chosen if c.kind in _ANCHOR_KINDS
    ]
    # (in the lowered text, see _lowered, a plain look for the word finds the same)
    if ("diplomatic" in low) if low is not None else _DIPLOMATIC_WORD.search(text):
        for m in _diplomatic_relations(text, low):
            anchors.append((m.start(), m.end(), "Establishment of diplomatic relations"))
    anchors.extend(_meeting_anchors(text))
    if not anchors:
        return [], []
    reference = None
    if parsed is not None:
        reference = parsed.meeting_date or parsed.publication_date
    dates = find_dates(text, reference)
    # Every anniversary names the word: most readouts need no scan for one (see _lowered).
    anniversaries = find_anniversaries(text) if low is None or "anniversary" in low else []
    if not dates and not anniversaries:
        return [], []
    anchors.sort()
    breaks: list[int] | None = None  # found when first needed: few dates are near an anchor
    excluded: set[dt.date] = set()
    if parsed is not None:
        if parsed.meeting_date:
            day = parsed.meeting_date
            last = parsed.meeting_date_end or day
            while day <= last and len(excluded) < 40:
                excluded.add(day)
                day += dt.timedelta(days=1)
        if parsed.publication_date:
            excluded.add(parsed.publication_date)
    occupied = [(c.start, c.end) for c in chosen]

    def sentence(pos: int) -> int:
        nonlocal breaks
        if breaks is None:
            breaks = sentence_breaks(text)
        return bisect.bisect_right(breaks, pos)

    def overlaps(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in occupied)

    events: list[ReferencedEvent] = []
    cands: list[_Cand] = []
    used: set[int] = set()
    date_starts = [d.start for d in dates]
    for d in dates:
        if d.precision == "day" and d.date in excluded:
            continue
        if overlaps(d.start, d.end):
            continue
        best = None
        for idx, (a_start, a_end, _canonical) in enumerate(anchors):
            if a_end > d.start:
                break
            if idx in used or d.start - a_end > _MAX_GAP or sentence(a_start) != sentence(d.start):
                continue
            # no other date between the anchor and this one
            k = bisect.bisect_left(date_starts, a_end)
            if k < len(date_starts) and date_starts[k] < d.start:
                continue
            if best is None or a_end >= anchors[best][1]:
                best = idx
        if best is None:
            continue
        used.add(best)
        a_start, _a_end, canonical = anchors[best]
        events.append(ReferencedEvent(d.date, d.precision, text[a_start : d.end], canonical, a_start, d.end))
        cands.append(_Cand(d.start, d.end, P_EVENT, "event", canonical))
    ref_year = reference.year if reference else None
    for a_start, a_end, subject_start, years in anniversaries:
        # "the 50th anniversary of the establishment of diplomatic relations" in 2023 -> 1973
        if ref_year is None or years <= 0 or years >= ref_year:
            continue
        subject = next((a for a in anchors if subject_start - 4 <= a[0] <= subject_start + 4), None)
        if subject is None:
            continue
        date = dt.date(ref_year - years, 1, 1)
        if any(e.canonical == subject[2] and e.date.year == date.year for e in events):
            continue
        events.append(
            ReferencedEvent(date, "year", text[a_start : subject[1]], subject[2], a_start, subject[1])
        )
        if not overlaps(a_start, a_end):
            occupied.append((a_start, a_end))
            cands.append(_Cand(a_start, a_end, P_EVENT, "event", subject[2]))
    events.sort(key=lambda e: e.start)
    unique = {}
    for e in events:  # one entry per referenced event; every occurrence keeps its event mention
        unique.setdefault((e.canonical, e.date, e.date_precision), e)
    return list(unique.values()), cands
