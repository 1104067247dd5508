"""Meeting metadata from a cleaned readout: dates, format, type, duration, location, participants.

Rules follow ``CONVENTIONS.md``. Every extractor returns ``None`` (or an empty tuple) when the text
does not say; nothing here guesses a value it cannot point to in the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from dateutil import parser as date_parser

from index.gazetteer import Gazetteer, fold, lowered
from index.models import Location, Participant

# =========================================================================== sentences
_ABBREVIATIONS = {
    "mr",
    "ms",
    "mrs",
    "dr",
    "h.e",
    "st",
    "jr",
    "sr",
    "gen",
    "lt",
    "col",
    "adm",
    "prof",
    "sen",
    "rep",
    "no",
    "vs",
    "etc",
    "u.s",
    "u.k",
    "d.c",
    "a.m",
    "p.m",
    "amb",
    "hon",
    "smt",
    "approx",
    "e.g",
    "i.e",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "p.r.c",
    "r.o.k",
}


_SENTENCE_BREAK = re.compile(r"[.!?][\"”’)]?\s+(?=[\"“(]?[A-Z0-9À-Ỹ])")
_WORD_BEFORE_DOT = re.compile(r"([\w.]+)\.$")
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")  # fullmatch: "U.S", "J"
_TAIL = 48


def _last_word(before: str) -> re.Match[str] | None:
    """``_WORD_BEFORE_DOT.search(before)``, looked for in the last characters first: a search of
    the whole text tries every position of the sentence, at every full stop.

    The match is the run of word characters and dots that ends the text; in the tail it is the
    same run unless it fills the whole tail (then it may begin further back: the whole text is
    searched). No match in the tail, no match at all."""
    if len(before) <= _TAIL:
        return _WORD_BEFORE_DOT.search(before)
    m = _WORD_BEFORE_DOT.search(before, len(before) - _TAIL)
    if m is None or m.start() > len(before) - _TAIL:
        return m
    return _WORD_BEFORE_DOT.search(before)


def split_sentences(text: str) -> list[str]:
    """Sentences, without splitting after titles, initials or abbreviations such as "U.S."."""
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        before = text[start : m.start() + 1]
        word = _last_word(before)
        if word and (word.group(1).lower() in _ABBREVIATIONS or _INITIALS.fullmatch(word.group(1))):
            continue
        sentences.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# =========================================================================== dates
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_WEEKDAYS = {
    d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
_MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORD = r"(?:st|nd|rd|th)?"
_RANGE_SEP = r"\s*(?:-|–|—|to|through|until|and)\s*"
_DATE_EXPR = re.compile(
    rf"(?:(?P<wd>{_WEEKDAY_RE}),?\s+(?:the\s+)?)?"
    rf"(?:(?P<m1>{_MONTH_RE})\s+(?P<d1>\d{{1,2}}){_ORD}(?:{_RANGE_SEP}(?:(?P<m2>{_MONTH_RE})\s+)?(?P<d2>\d{{1,2}}){_ORD}\b)?"
    rf"|(?P<d1b>\d{{1,2}}){_ORD}(?:{_RANGE_SEP}(?P<d2b>\d{{1,2}}){_ORD})?\s+(?:of\s+)?(?P<m1b>{_MONTH_RE}))"
    r"(?!\w)(?:,?\s+(?P<y>(?:19|20)\d{2})\b)?"
)
_RELATIVE_RE = re.compile(
    rf"\b(?P<rel>today|tonight|this (?:morning|afternoon|evening)|earlier today|yesterday|last night|"
    rf"(?:on|last|this) (?P<wday>{_WEEKDAY_RE}))\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_publication_date(lines: list[str]) -> tuple[dt.date | None, dt.date | None]:
    """The first date found in header lines, plus the day/month-swapped reading for "12/7/2023"."""
    for line in lines:
        m = _NUMERIC_DATE.search(line)
        if m:
            a, b, c = (int(x) for x in m.groups())
            if a > 31:  # 2023-12-07
                return _safe_date(a, b, c), None
            year = c + 2000 if c < 100 else c
            if a > 12:
                return _safe_date(year, b, a), None
            if b > 12:
                return _safe_date(year, a, b), None
            us, other = _safe_date(year, a, b), _safe_date(year, b, a)
            return us, (other if other != us else None)
        m = _DATE_EXPR.search(line)
        if m and m.group("y"):
            found = _explicit_date(m, None)
            if found:
                return found[0], None
        try:
            parsed = date_parser.parse(line, fuzzy=False, default=dt.datetime(1900, 1, 1))
            if parsed.year > 1900:
                return parsed.date(), None
        except (ValueError, OverflowError, TypeError):
            pass
    return None, None


def _resolve_year(month: int, day: int, pub: dt.date | None, weekday: int | None) -> dt.date | None:
    if pub is None:
        return None
    candidates = [d for y in (pub.year, pub.year - 1, pub.year + 1) if (d := _safe_date(y, month, day))]
    if weekday is not None:
        matching = [d for d in candidates if d.weekday() == weekday]
        if matching:
            return min(matching, key=lambda d: abs((d - pub).days))
    first = _safe_date(pub.year, month, day)
    if first is None:
        return None
    if first > pub + dt.timedelta(days=1):  # after publication: the previous year
        return _safe_date(pub.year - 1, month, day)
    return first


def _explicit_date(m: re.Match[str], pub: dt.date | None) -> tuple[dt.date, dt.date | None] | None:
    if m.group("m1"):
        month, day, day2 = _month(m.group("m1")), int(m.group("d1")), m.group("d2")
        month2 = _month(m.group("m2")) if m.group("m2") else month
    else:
        month, day, day2 = _month(m.group("m1b")), int(m.group("d1b")), m.group("d2b")
        month2 = month
    weekday = _WEEKDAYS[m.group("wd").lower()] if m.group("wd") else None
    if m.group("y"):
        start = _safe_date(int(m.group("y")), month, day)
    else:
        start = _resolve_year(month, day, pub, weekday)
    if start is None:
        return None
    end = None
    if day2:
        end = _safe_date(start.year, month2, int(day2))
        if end is not None and end < start:
            end = _safe_date(start.year + 1, month2, int(day2))
        if end is not None and (end <= start or (end - start).days > 31):
            end = None
    return start, end


# An announced meeting comes days or weeks after its announcement; a date further ahead than this
# ("for a term expiring December 10, 2029") is not when the meeting took place.
_FAR_AHEAD = dt.timedelta(days=90)


def find_date(text: str, pub: dt.date | None) -> tuple[dt.date, dt.date | None] | None:
    """The first explicit or relative date in ``text`` (relative ones need a publication date)."""
    found: list[tuple[int, tuple[dt.date, dt.date | None]]] = []
    for m in _DATE_EXPR.finditer(text):
        if m.group("m1b") is None and m.group("m1") is None:
            continue
        if re.match(r"\s*(?:st|nd|rd|th)?\s*(?:anniversary|century)", text[m.end() :], re.I):
            continue
        value = _explicit_date(m, pub)
        if value and pub is not None and value[0] > pub + _FAR_AHEAD:
            continue  # months after publication: a term's end or a deadline, not the meeting
        if value:
            found.append((m.start(), value))
            break
    if pub is not None:
        for m in _RELATIVE_RE.finditer(text):
            rel = m.group("rel").lower()
            if m.group("wday") and re.match(rf",?\s+(?:the\s+)?(?:{_MONTH_RE}|\d)", text[m.end() :]):
                continue  # "On Monday, January 6": the explicit date decides
            if m.group("wday"):
                target = _WEEKDAYS[m.group("wday").lower()]
                day = pub - dt.timedelta(days=(pub.weekday() - target) % 7)
            elif rel in ("yesterday", "last night"):
                day = pub - dt.timedelta(days=1)
            else:
                day = pub
            found.append((m.start(), (day, None)))
            break
    return min(found, key=lambda x: x[0])[1] if found else None


# =========================================================================== format & duration
class _AtWordStart:
    """A pattern ``\\b(?:body)`` whose every match begins with a word character, with a faster
    ``search``: the same match, or one that takes the non-word character before it too (its groups
    are the same).

    The ``\\b`` in front has the engine try every position of the text; ``[^\\w](?:body)`` starts
    with a character class, so the engine skips to the next non-word character (the start of the
    text is tried on its own). Several times faster on a paragraph.

    ``found`` (whether there is a match) is faster still for an IGNORECASE body without upper-case
    letters (or given ``lowered_body``, its case-sensitive form for lowered texts): it is looked
    for case-sensitively in the lowered text (see ``gazetteer.lowered``), where the engine turns
    down most words at their first letter."""

    def __init__(self, body: str, flags: int = 0, lowered_body: str | None = None):
        if flags & ~re.IGNORECASE:
            raise ValueError("only IGNORECASE is supported")
        self.pattern = re.compile(rf"\b(?:{body})", flags)  # the plain form
        self._first = re.compile(rf"(?:{body})", flags)
        # The flags apply to the body only: the class before it is the same with or without them.
        scoped = "i" if flags & re.IGNORECASE else ""
        self._after = re.compile(rf"[^\w](?{scoped}:{body})")
        if lowered_body is None and flags & re.IGNORECASE and _lower_case_only(body):
            lowered_body = body
        self._low_first = self._low_after = None
        if lowered_body is not None:
            self._low_first = re.compile(rf"(?:{lowered_body})")
            self._low_after = re.compile(rf"[^\w](?:{lowered_body})")

    def search(self, text: str) -> re.Match[str] | None:
        return self._first.match(text) or self._after.search(text)

    def found(self, text: str) -> bool:
        """``search(text) is not None``."""
        if self._low_first is not None and self._low_after is not None:
            low = lowered(text)
            if low is not None:
                return self._low_first.match(low) is not None or self._low_after.search(low) is not None
        return self.search(text) is not None


def _lower_case_only(body: str) -> bool:
    """No upper-case letter in the pattern (group names aside: "(?P<name>") and no cased letter
    other than ASCII ones: it finds in a lowered text what it finds ignoring case."""
    source = body.replace("(?P<", "").replace("(?P=", "")
    return not any(c.isupper() or (not c.isascii() and c.lower() != c.upper()) for c in source)


_VIDEO = _AtWordStart(
    r"(video[\s-]?(?:call|conference|teleconference|link|meeting|summit|talks?)|videoconference|"
    r"teleconference|virtual(?:ly)?\s+(?:(?:bilateral|trilateral|leaders['’]?|ministerial|high-level)\s+)?"
    r"(?:meetings?|summit|call|talks?|conference|session|roundtable|discussion|convening|dialogue|event|forum)|"
    r"met virtually|"
    r"(?:met|meets?|meeting|held|convened|hosted|gathered|spoke|speaks|talked|participated)\s+virtually|"
    r"virtually\s+(?:met|meets?|joined by|hosted|convened)|online (?:meeting|talks?|summit|conference)|via video)\b",
    re.IGNORECASE,
)
_PHONE = _AtWordStart(
    r"((?:tele)?phone(?:d| call| conversation| talks?| conference)?|by phone|over the phone|"
    r"spoke|speaks|spoken|calls? with|(?:a|an|the|introductory|trilateral|telephone|phone) call\b|called)\b",
    re.IGNORECASE,
)
_NOT_PHONE = re.compile(
    r"\b(courtesy call|port calls?|call(?:s|ed)? (?:on|for|upon)\b|spoke (?:at|to the|about)\b)", re.I
)
_IN_PERSON = _AtWordStart(
    r"(met|meets?|meetings?|visit(?:s|ed|ing)?|talks|working (?:lunch|dinner|breakfast)|luncheon|"
    r"dinner|hosted|welcomed|received|courtesy call|trilateral|bilateral|summit|travel(?:s|ed|led|ling|ing)?|trip)\b",
    re.IGNORECASE,
)


def detect_format(title: str, lead: str) -> str | None:
    """video / telephone / in_person from the title first, then the lead sentences."""
    if _VIDEO.found(title) or _VIDEO.found(lead):  # video wins wherever it is mentioned
        return "video"
    for text in (title, lead):
        if not text:
            continue
        cleaned = _NOT_PHONE.sub(" ", text)
        if _PHONE.found(cleaned):
            return "telephone"
        if _IN_PERSON.found(text):
            return "in_person"
    return None


_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
_NUM = r"(?:\d{1,3}(?:\.\d)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty(?:-five)?|fifty|sixty|ninety)"
_DURATION = _AtWordStart(
    r"(?:for|lasting|lasted|lasts|last|some|approximately|about|around|nearly|over|more than|roughly|almost)\s+"
    r"(?:(?:approximately|about|around|nearly|over|more than|roughly|some|just over|almost|an? additional)\s+)?"
    rf"(?:(?P<h>{_NUM})(?P<half>\s+and\s+a\s+half)?\s*(?:hours?|hrs?\.?)(?P<half2>\s+and\s+a\s+half)?"
    rf"(?:,?\s*(?:and\s+)?(?P<hm>{_NUM})\s*(?:minutes?|mins?\.?))?|(?P<m>{_NUM})\s*(?:minutes?|mins?\.?))\b",
    re.IGNORECASE,
)
_DURATION_ADJ = _AtWordStart(
    rf"(?P<n>{_NUM})[\s-](?P<unit>hour|minute)[\s-]long\b|(?P<n2>\d{{1,3}})-(?P<unit2>hour|minute)\b",
    re.I,
)


def _num(text: str) -> float:
    text = text.lower()
    return float(_NUMBER_WORDS[text]) if text in _NUMBER_WORDS else float(text)


def find_duration(text: str) -> int | None:
    m = _DURATION.search(text)
    if m:
        if m.group("m"):
            return int(_num(m.group("m")))
        hours = _num(m.group("h")) + (0.5 if (m.group("half") or m.group("half2")) else 0)
        minutes = _num(m.group("hm")) if m.group("hm") else 0
        return int(round(hours * 60 + minutes))
    m = _DURATION_ADJ.search(text)
    if m:
        n = _num(m.group("n") or m.group("n2"))
        unit = (m.group("unit") or m.group("unit2")).lower()
        return int(n * 60 if unit == "hour" else n)
    return None


# =========================================================================== people
@dataclass
class Mention:
    name: str
    role: str | None
    level: str | None
    country: str | None
    start: int
    possessive: bool = False
    end: int = 0
    international: bool = False  # an official of the UN, the AU, NATO, the EU, ...
    tokens: tuple[str, ...] = field(default_factory=tuple)


_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s|,)|(?:Mr|Ms|Mrs|Dr|Jr|Sr|St|Gen|Lt|Col|Adm|Prof|Sen|Rep|Amb|Hon|Smt)\."
    r"|[^\W\d_][\w’'\-]*|\d[\w\-]*|\S"
)
_CONNECTORS = {"of", "for", "on", "the", "and", "&", "at"}
_LEVEL_ORDER = ("head", "vice_head", "foreign", "defense", "minister", "senior", "other")
_SUFFIXES = {"jr.", "jr", "sr.", "sr", "iii", "ii", "iv"}
_NAME_PARTICLES = {
    "bin",
    "bint",
    "ibn",
    "al",
    "el",
    "van",
    "von",
    "der",
    "den",
    "de",
    "da",
    "dos",
    "das",
    "del",
    "du",
    "la",
    "le",
}
_SHIP_PREFIXES = {"HMS", "USS", "HMAS", "HMCS", "HMNZS", "INS", "RFA", "USNS", "JS", "ROKS", "BRP"}


@dataclass
class _Tok:
    text: str
    start: int
    end: int

    @property
    def bare(self) -> str:
        return re.sub(r"(?:['’]s|['’])$", "", self.text)

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


@lru_cache(maxsize=8)
def _role_regex(gz: Gazetteer) -> re.Pattern[str]:
    phrases = sorted(gz.roles, key=len, reverse=True)
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])", re.IGNORECASE
    )


@lru_cache(maxsize=8)
def _role_lookup(gz: Gazetteer) -> dict[str, str]:
    return {fold(k): v for k, v in gz.roles.items()}


@lru_cache(maxsize=8)
def _honorific_set(gz: Gazetteer) -> frozenset[str]:
    return frozenset(fold(h) for h in gz.honorifics)


_MONTH_AND_DAY_WORDS = {m.capitalize() for m in _MONTHS} | {d.capitalize() for d in _WEEKDAYS}


class _Sentence:
    """One sentence with its tokens and the role/country spans found in it."""

    def __init__(self, text: str, gz: Gazetteer):
        self.text = text
        self.gz = gz
        self.toks = [_Tok(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        self.by_start = {t.start: i for i, t in enumerate(self.toks)}
        self.by_end = {t.end: i for i, t in enumerate(self.toks)}
        self.roles: dict[int, tuple[int, str, str]] = {}  # token index -> (end token index, text, level)
        lookup = _role_lookup(gz)
        for m in _role_regex(gz).finditer(text):
            i = self.by_start.get(m.start())
            j = self._tok_ending_at(m.end())
            if i is None or j is None:
                continue
            if not m.group(0)[:1].isupper() and m.group(0).lower() != "leader":
                continue
            if i > 0 and self.toks[i - 1].text in _SHIP_PREFIXES:
                continue
            self.roles[i] = (j, m.group(0), lookup.get(fold(m.group(0)), "other"))
        self.countries: dict[int, tuple[int, str]] = {}
        for start, end, canonical in gz.find_countries(text):
            i = self.by_start.get(start)
            j = self._tok_ending_at(end)
            if i is not None and j is not None:
                self.countries[i] = (j, canonical)

    def _tok_ending_at(self, end: int) -> int | None:
        if end in self.by_end:
            return self.by_end[end]
        for i, t in enumerate(self.toks):  # role/country followed by "'s" inside the same token
            if t.start < end <= t.end and t.text[end - t.start :] in ("'s", "’s", "'", "’"):
                return i
        return None

    # ---------------------------------------------------------------- helpers
    def is_name_token(self, i: int) -> bool:
        if i >= len(self.toks):
            return False
        tok = self.toks[i]
        word = tok.bare.rstrip(".")
        if not tok.cap or not re.match(r"[^\W\d_]", tok.text):
            return False
        if i in self.roles or i in self.countries:
            return False
        if word in self.gz.not_name_words:
            return False
        if word in _MONTH_AND_DAY_WORDS and (
            word.lower() in _WEEKDAYS or i + 1 >= len(self.toks) or not self.toks[i + 1].cap
        ):
            return False  # "January 5", "on Monday"; but "Secretary Jan Adams" is a name
        if fold(tok.text) in _honorific_set(self.gz):
            return False
        return not (word in self.gz.institution_words and len(word) > 3)

    def skip_honorifics(self, i: int) -> int:
        honorifics = _honorific_set(self.gz)
        while i < len(self.toks):
            two = fold(" ".join(t.text for t in self.toks[i : i + 2]))
            if two in honorifics and len(self.toks) > i + 2:
                i += 2
            elif fold(self.toks[i].text) in honorifics or fold(self.toks[i].text.rstrip(".")) in honorifics:
                i += 1
            elif (
                i in self.roles and self.roles[i][2] == "senior" and self.roles[i][1].lower() == "ambassador"
            ):
                i += 1
            else:
                break
        return i

    def read_name(self, i: int) -> tuple[list[_Tok], int, bool]:
        """Name tokens starting at i: capitalised words, initials, a trailing ', Jr.'."""
        out: list[_Tok] = []
        possessive = False
        while i < len(self.toks) and len(out) < 6:
            tok = self.toks[i]
            if out and tok.text in _NAME_PARTICLES and self.is_name_token(i + 1):
                out.append(tok)  # "Mohammed bin Abdulrahman Al-Thani", "Ursula von der Leyen"
                i += 1
                continue
            if not self.is_name_token(i):
                break
            out.append(tok)
            i += 1
            if tok.text != tok.bare:
                possessive = True
                break
        if out and not possessive and i + 1 < len(self.toks) and self.toks[i].text == ",":
            nxt = self.toks[i + 1]
            if nxt.bare.lower() in _SUFFIXES:
                out.append(nxt)
                possessive = nxt.text != nxt.bare
                i += 2
        elif out and not possessive and i < len(self.toks) and self.toks[i].bare.lower() in _SUFFIXES:
            out.append(self.toks[i])
            possessive = self.toks[i].text != self.toks[i].bare
            i += 1
        return out, i, possessive

    def country_before(self, i: int) -> str | None:
        """A country or demonym just before a role, possibly across an institution name."""
        j = i - 1
        steps = 0
        while j >= 0 and steps < 9:
            for cj, canonical in self.countries.values():
                if cj == j:
                    return canonical
            tok = self.toks[j]
            if tok.text == ")":  # "Republic of Korea (ROK) Special Representative"
                opening = next(
                    (m for m in range(j - 1, max(j - 6, -1), -1) if self.toks[m].text == "("), None
                )
                if opening is not None:
                    j = opening - 1
                    steps += 1
                    continue
            if (
                tok.text in (",", ";", ":")
                or tok.text.lower() == "and"
                or (not tok.cap and tok.text not in _CONNECTORS)
            ):
                return None
            if j in self.roles or (j - 1 in self.roles and self.roles[j - 1][0] == j):
                return None
            j -= 1
            steps += 1
        return None

    def country_at(self, i: int) -> tuple[int, str] | None:
        if i < len(self.toks) and self.toks[i].text.lower() == "the":
            i += 1
        if i in self.countries:
            return self.countries[i]
        return None


def _level_of(levels: list[str]) -> str | None:
    for level in _LEVEL_ORDER:
        if level in levels:
            return level
    return None


def find_mentions(sentence: str, gz: Gazetteer) -> list[Mention]:
    """People introduced with a title: 'Prime Minister Kishida', 'Mr. X, Minister for ... of Japan'."""
    s = _Sentence(sentence, gz)
    mentions: list[Mention] = []
    i = 0
    while i < len(s.toks):
        if i not in s.roles:
            i += 1
            continue
        mention, i = _read_role_mention(s, i)
        if mention:
            mentions.append(mention)
    if "counterpart" in sentence:
        mentions.extend(_counterpart_mentions(s, mentions))
        mentions.sort(key=lambda m: m.start)
    return mentions


def _counterpart_mentions(s: _Sentence, found: list[Mention]) -> list[Mention]:
    """'Prime Minister Pham Minh Chinh and his Lao counterpart Sonexay Siphandone': the counterpart
    holds the same office as the official named before."""
    out = []
    for i, tok in enumerate(s.toks):
        if tok.text.lower() not in ("counterpart", "counterparts") or i == 0:
            continue
        country = next((c for cj, c in s.countries.values() if cj == i - 1), None)
        k = i + 1
        if k < len(s.toks) and s.toks[k].text == ",":
            k += 1
        name_toks, _, possessive = s.read_name(s.skip_honorifics(k))
        if not country or len(name_toks) < 2:
            continue
        before = [m for m in found if m.start < tok.start and m.role]
        role = before[-1].role if before else None
        level = before[-1].level if before else None
        out.append(
            Mention(
                _join_name(name_toks),
                role,
                level,
                country,
                s.toks[i - 1].start,
                possessive,
                end=name_toks[-1].end,
            )
        )
    return out


def _read_role_mention(s: _Sentence, i: int) -> tuple[Mention | None, int]:
    start_tok = i
    prefix_country = s.country_before(i)
    levels: list[str] = []
    tail_country: str | None = None
    name_toks: list[_Tok] = []
    possessive = False
    role_end = i
    while True:
        j, _text, level = s.roles[i]
        levels.append(level)
        role_end = j
        i = j + 1
        if s.toks[j].text != s.toks[j].bare:
            break
        # "Ambassador to the United States Jose Romualdez": the host country is not the person's own.
        # "Adviser to the Prime Minister of the Czech Republic": the principal's country is.
        to_start = i
        i, to_country = _read_to_clause(s, i)
        if i > to_start:
            tail_country = tail_country or to_country
            role_end = i - 1
        # Tail: "of the Socialist Republic of Viet Nam", "for the DPRK", "of Japan's National Security ..."
        tail_start = i
        i, tail_country_found, name_toks = _read_tail(s, i)
        if tail_country_found:
            tail_country = tail_country or tail_country_found
        if i > tail_start:
            role_end = (i - 1 - len(name_toks)) if name_toks else i - 1
        if name_toks:
            break
        # Chained roles: "State Councilor and Foreign Minister", "Deputy Prime Minister/Foreign Minister".
        k = i
        if k < len(s.toks) and s.toks[k].text in (",", "/", "&"):
            k += 1
        if k < len(s.toks) and s.toks[k].text.lower() == "and":
            k += 1
        if (
            k > i
            and k in s.roles
            and not (s.toks[k - 1].text.lower() == "and" and s.roles[k][2] == "head" and levels[-1] != "head")
        ):
            i = k
            continue
        break
    # "Minister for Foreign Affairs and Defense Simon Coveney", "... and Trade Secretary": the role goes on.
    k = i
    if not name_toks and k + 1 < len(s.toks) and s.toks[k].text.lower() == "and":
        m = k + 1
        while m < len(s.toks) and s.toks[m].bare.rstrip(".") in s.gz.institution_words:
            m += 1
        if m > k + 1:
            role_end = m - 1
            i = m
    if not name_toks and i < len(s.toks) and s.toks[i].text in ("II", "III"):
        role_end = i  # Brunei's "Foreign Minister II": a numbered office, not a name
        i += 1
    if not name_toks:
        k = s.skip_honorifics(i)
        name_toks, k2, possessive = s.read_name(k)
        if name_toks:
            i = k2
        elif i + 1 < len(s.toks) and s.toks[i].text == "," and s.skip_honorifics(i + 1) > i + 1:
            # "Special Assistant to the Prime Minister of Pakistan, Ambassador Tariq Fatemi"
            name_toks, k2, possessive = s.read_name(s.skip_honorifics(i + 1))
            if name_toks:
                i = k2
    else:
        possessive = name_toks[-1].text != name_toks[-1].bare
    post_country = None
    if name_toks and not possessive and i < len(s.toks) and s.toks[i].text.lower() == "of":
        found = s.country_at(i + 1)
        if found:
            post_country = found[1]
            i = found[0] + 1
    if not name_toks:
        name_toks = _appositive_name(s, start_tok)
        if not name_toks:
            return None, max(i, start_tok + 1)
    role = _clean_role(sentence_slice(s, start_tok, role_end), s.gz)
    name = _join_name(name_toks)
    country = prefix_country or tail_country or post_country
    end = name_toks[-1].end if name_toks else s.toks[start_tok].end
    mention = Mention(name, role, _level_of(levels), country, s.toks[start_tok].start, possessive, end=end)
    before = s.text[max(0, s.toks[start_tok].start - 60) : s.toks[start_tok].start]
    if country is None and (
        _INTERNATIONAL_BEFORE.search(before)
        or _INTERNATIONAL.search(sentence_slice(s, start_tok, role_end))
        or _INTERNATIONAL_ROLE.search(role)
    ):
        mention.international = True
    return mention, max(i, start_tok + 1)


_INTERNATIONAL = re.compile(
    r"\b(?:United Nations|UN|African Union|European (?:Commission|Council|Union|Parliament)|EU|NATO|UNHCR|"
    r"WHO|World Health Organization|IAEA|OSCE|ASEAN|World Bank|IMF|International (?:Monetary|Atomic|Committee|"
    r"Organization|Criminal)|Organization of American States|OAS|OECD|WTO|UNICEF|World Food Programme|WFP|"
    r"Red Cross|Commonwealth|Arab League|European External Action Service|EEAS|OIC|Organization of Islamic "
    r"Cooperation|League of Arab States|Gulf Cooperation Council|GCC|G7|G20)\b"
)
_INTERNATIONAL_BEFORE = re.compile(
    _INTERNATIONAL.pattern + r"(?:\s+\w+){0,2}\s*(?:\([A-Z]+\)\s*)?['’]?s?\s*$"
)
_INTERNATIONAL_ROLE = re.compile(r"Secretary[- ]General|Director[- ]General|High Commissioner|Chairperson")


def _read_to_clause(s: _Sentence, i: int) -> tuple[int, str | None]:
    """After a role: 'to [the] <country>' (skipped, no country) or 'to the <role> of <country>'."""
    if i >= len(s.toks) or s.toks[i].text.lower() != "to":
        return i, None
    k = i + 1
    if k < len(s.toks) and s.toks[k].text.lower() == "the":
        k += 1
    if k in s.countries:
        end = s.countries[k][0]
        if s.toks[end].text != s.toks[end].bare:  # "Adviser to Japan's Prime Minister"
            return i, None
        return end + 1, None  # the caller's role_end covers "to the United States"
    if k in s.roles:
        j = s.roles[k][0] + 1
        after, country, name_toks = _read_tail(s, j)
        if country and not name_toks:
            return after, country
    return i, None


def sentence_slice(s: _Sentence, i: int, j: int) -> str:
    if j < i:
        return ""
    return s.text[s.toks[i].start : s.toks[j].end]


def _read_tail(s: _Sentence, i: int) -> tuple[int, str | None, list[_Tok]]:
    """After a role: 'of|for|on [the] Capitalised ...'. Returns (next index, country, trailing name)."""
    if i >= len(s.toks) or s.toks[i].text.lower() not in ("of", "for", "on"):
        return i, None, []
    run_start = i
    k = i
    last_anchor = -1  # last token that certainly belongs to the institution/country part
    country = None
    connector = None
    while k < len(s.toks):
        tok = s.toks[k]
        low = tok.text.lower()
        if k in s.countries:
            end, canonical = s.countries[k]
            if connector in ("of", None) or s.toks[end].text != s.toks[end].bare:
                country = canonical
            last_anchor = end
            k = end + 1
            if s.toks[end].text != s.toks[end].bare:  # "Japan's National Security Secretariat"
                connector = "of"
            continue
        if low in _CONNECTORS:
            if low == "and" and k + 1 in s.roles:
                break
            if low in ("of", "for", "on"):
                connector = low
            k += 1
            continue
        if tok.text == "(":
            close = next((m for m in range(k + 1, min(k + 6, len(s.toks))) if s.toks[m].text == ")"), None)
            if close is None:
                break
            for m in range(k + 1, close):
                if m in s.countries and connector in ("of", None):
                    country = s.countries[m][1]
            last_anchor = close
            k = close + 1
            continue
        if k in s.roles or not tok.cap or not re.match(r"[^\W\d_]", tok.text):
            break
        if tok.bare in _MONTH_AND_DAY_WORDS and not s.is_name_token(k):
            break  # "... Kim Ki-woong on June 8"
        if tok.bare.rstrip(".") in s.gz.institution_words or not s.is_name_token(k):
            last_anchor = k
        k += 1
        if tok.text != tok.bare:
            break
    # Trailing capitalised words after the last institution word are the person's name.
    name_start = last_anchor + 1
    name_toks = [t for t in s.toks[name_start:k]] if last_anchor >= run_start else []
    name_toks = [t for t in name_toks if t.text.lower() not in _CONNECTORS]
    if name_toks and all(s.is_name_token(s.toks.index(t)) for t in name_toks):
        end = k
        while end > name_start and s.toks[end - 1].text.lower() in _CONNECTORS:
            end -= 1
        return end, country, name_toks
    if last_anchor < run_start:
        return run_start, None, []
    return last_anchor + 1, country, []


_POST_NOMINALS = {"MP", "QC", "KC", "AO", "AC", "OBE", "CBE", "KBE", "GCMG", "KCMG", "PhD", "MNA", "MdB"}


def _appositive_name(s: _Sentence, role_start: int) -> list[_Tok]:
    """'Mr. KISHIDA Fumio, Prime Minister of Japan' -> the name before the comma."""
    i = role_start - 1
    while i >= 0 and s.toks[i].text.lower() in ("the",):
        i -= 1
    if i < 1 or s.toks[i].text != ",":
        return []
    end = i - 1
    while end > 0 and s.toks[end].text in _POST_NOMINALS:  # "the Hon Peter Dutton MP, Minister ..."
        end -= 1
    start = end
    while start >= 0 and s.is_name_token(start) and end - start < 5:
        start -= 1
    toks = s.toks[start + 1 : end + 1]
    if not toks or toks[-1].bare != toks[-1].text:
        return []
    if any(j == start for j, _, _ in s.roles.values()):
        return []  # "Principal Secretary P.K. Mishra, Minister of ...": the name is the earlier role's
    return toks


def _join_name(toks: list[_Tok]) -> str:
    parts = []
    for t in toks:
        word = t.bare
        if word.lower().rstrip(".") in ("jr", "sr") or word.upper() in ("III", "II", "IV"):
            parts.append(word if word.endswith(".") or word.isupper() else word + ".")
        else:
            parts.append(word)
    name = " ".join(parts)
    name = re.sub(r" (Jr\.|Sr\.)", r" \1", name)
    return name.strip(" ,")


def _clean_role(role: str, gz: Gazetteer) -> str:
    role = re.sub(r"\s+", " ", role).strip(" ,")
    # "Secretary for Strategic Affairs Admiral Flávio Rocha": a rank before the name is no part of the role.
    honorifics = _honorific_set(gz)
    words = role.split()
    while len(words) > 1 and fold(words[-1]) in honorifics and fold(" ".join(words)) not in _role_lookup(gz):
        words.pop()
    role = " ".join(words).strip(" ,")
    role = re.sub(r"\s*\([^)]*\)$", "", role)
    # Drop a trailing "of <country>": the country is its own field.
    for m in re.finditer(r"\s+of\s+(?:the\s+)?", role):
        if gz.canonical_country(role[m.end() :]):
            role = role[: m.start()]
            break
    return re.sub(r"['’]s$", "", role)


def canonical_name(name: str) -> str:
    """Consistent case, order as written: 'KAMIKAWA Yoko' -> 'Kamikawa Yoko'."""
    words = []
    for word in name.split():
        if (
            word.isupper()
            and len(word) > 1
            and word not in ("II", "III", "IV")
            and not re.fullmatch(r"(?:[A-Z]\.)+", word)
        ):
            word = "-".join(part.capitalize() for part in word.split("-"))
        words.append(word)
    return " ".join(words)


# =========================================================================== participants
_MEETING_VERB_BODY = (
    r"(met|meets|meet with|meeting with|spoke|speaks|talked|talks with|held|holds|hosted|hosts|"
    r"welcomed|welcomes|received|receives|called|calls on|paid|pays|convened|joined|had an?|"
    r"participated|led (?:a|an|the|his|her) (?:[\w.\-]+ )?delegation|gathered|visited|visits|traveled|travelled|call with|conversation with|"
    r"in a meeting|during (?:a|the|their|his|her) (?:meeting|call|talks)|"
    r"in (?:a|an|the|their) (?:[\w-]+ ){0,3}(?:call|meeting|video ?conference|teleconference)|"
    r"(?:was|were) in (?=[A-Z])|attending (?:the )?(?:talks|meeting|call)|accompanied by|joined by)\b"
)
_MEETING_VERB = _AtWordStart(
    _MEETING_VERB_BODY,
    re.IGNORECASE,
    # [A-Z] ignoring case is a letter: [a-z] in the lowered text
    lowered_body=_MEETING_VERB_BODY.replace("(?=[A-Z])", "(?=[a-z])"),
)
_STRONG_MEETING = _AtWordStart(
    r"(held talks|held a (?:\w+ )?(?:meeting|talk|call|summit)|met with|met|meeting with|spoke with|talks with|"
    r"joined by|joining (?:\w+ ){1,4}(?:on|in|at|for) the (?:call|meeting|talks|discussion|conversation)|"
    r"attending (?:the )?(?:talks|meeting|call)|(?:also )?(?:attended|participated in) (?:the|this) "
    r"(?:talks|meeting|call)|accompanied by|(?:was|were) (?:led|convened|co-chaired|chaired) by)\b",
    re.I,
)
_TRUNCATE = re.compile(
    r"\s(?:to|in order to)\s(?!the\b|a\b|an\b|his\b|her\b)[a-z]+\b|\b(?:about|regarding|following|ahead of|"
    r"in preparation|concerning|as part of|after)\b|;",
)


def meeting_sentences(paragraphs: list[str], max_paragraphs: int = 4) -> list[tuple[int, str]]:
    """(paragraph index, sentence) for sentences that describe the meeting itself."""
    out = []
    for p_index, paragraph in enumerate(paragraphs[:max_paragraphs]):
        if re.search(r"\battributable to\b", paragraph, re.I) and len(paragraph) < 150:
            continue
        for sentence in split_sentences(paragraph):
            verb = _STRONG_MEETING if out and p_index > 0 else _MEETING_VERB
            if verb.found(sentence):
                out.append((p_index, sentence))
    return out


def truncate_clause(sentence: str) -> str:
    """The part of a meeting sentence before its purpose/topic ('... to discuss ...')."""
    masked = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), sentence)
    m = _TRUNCATE.search(masked)
    return sentence[: m.start()] if m else sentence


_LIST_GAP = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:(?:his|her|their|incoming|outgoing|acting|new|newly appointed|"
    r"the)\s+)*(?:(?:[A-Z][\w'’.\-]*|of|for|and|on|the)\s+)*"
)
_OBJECT_VERB = re.compile(
    r"\b(?:met|meets|meet with|meeting with|spoke|speaks|talked|held (?:a |an )?(?:[\w-]+ ){0,4}(?:call|meeting|talks?)|"
    r"hosted|hosts|welcomed|welcomes|received|receives|called|call with|conversation with)\b",
    re.I,
)
_HOST_SUBJECT = re.compile(
    r"\b(?:the (?:President|Secretary|Vice President|Deputy Secretary)|Mr\.|Ms\.)\s", re.I
)


def extract_participants(
    title: str,
    sentences: list[str],
    gz: Gazetteer,
    host_country: str | None = None,
    hint_countries: tuple[str, ...] = (),
) -> tuple[Participant, ...]:
    mentions: list[Mention] = []
    adjacent: list[tuple[str, str]] = []  # (listed before, listed after) in one enumeration
    # (name, text before the meeting verb, the one country of the other objects) for a verb's objects
    objects: list[tuple[str, str, str | None]] = []
    if title:
        for m in find_mentions(title, gz):
            # "President-elect Yoon Suk Yeol’s ... Delegation": a possessive name in the title takes
            # part only when the meeting itself follows ("Secretary Blinken’s Meeting with ...").
            if m.possessive and not _TITLE_MEETING_NOUN.match(title[m.end :]):
                continue
            mentions.append(m)
    for index, sentence in enumerate(sentences):
        if index > 0:
            sentence = _INTRO_CLAUSE.sub("", sentence, count=1)
        clause = truncate_clause(sentence)
        found = [m for m in find_mentions(clause, gz) if not m.possessive]
        for prev, cur in zip(found, found[1:], strict=False):
            # "Kosovo President Vjosa Osmani-Sadriu and Prime Minister Albin Kurti": one country prefix;
            # "Foreign Minister Leyva, Ambassador Murillo, and their delegation": one side.
            if cur.country is None and _LIST_GAP.fullmatch(clause[prev.end : cur.start]):
                adjacent.append((prev.name, cur.name))
        verb = _OBJECT_VERB.search(clause)
        if verb:
            subject = clause[: verb.start()]
            listed = {m.country for m in found if m.start >= verb.end() and m.country}
            side = next(iter(listed)) if len(listed) == 1 else None
            if side and any(m.country == side for m in found if m.start < verb.start()):
                side = None
            objects.extend(
                (m.name, subject, side) for m in found if m.start >= verb.end() and m.country is None
            )
        mentions.extend(found)
    index_of: dict[str, int] = {}
    international: set[int] = set()  # these represent no country
    people = _merge_mentions(mentions, gz, index_of, international)
    for before, after in adjacent:
        i, j = index_of.get(before), index_of.get(after)
        if i is None or j is None or i == j or people[j].country is not None or j in international:
            continue
        inherited = people[i].country
        if inherited and inherited != host_country:  # the publisher's side is labelled below
            p = people[j]
            people[j] = Participant(p.name, p.canonical, p.role, inherited)
    if host_country:
        # An unlabelled official met by the publisher's own official is on the other side: the
        # other side's country when only one is in view ("Singh met with Principal Secretary P.K. Mishra").
        host_words = {
            fold(w)
            for p in people
            if p.country == host_country
            for w in p.name.replace(",", " ").split()
            if len(w) > 2
        }
        foreign = {p.country for p in people if p.country and p.country != host_country}
        foreign |= {c for c in hint_countries if c != host_country}
        other_side: set[int] = set()
        for name, subject, side in objects:
            j = index_of.get(name)
            if j is None or people[j].country is not None or j in international:
                continue
            if side and side != host_country:  # "met with X, Indian Minister Y, and Z": Y's side
                other_side.add(j)
                people[j] = Participant(people[j].name, people[j].canonical, people[j].role, side)
                continue
            subject_words = {fold(w).strip(".,’'s") for w in subject.split()}
            if foreign and (host_words & subject_words or _HOST_SUBJECT.search(subject)):
                other_side.add(j)  # with no foreign country in view it is a domestic meeting
                if len(foreign) == 1:
                    p = people[j]
                    people[j] = Participant(p.name, p.canonical, p.role, next(iter(foreign)))
        # The publisher names foreign officials with their country ("of Japan", "Indonesian ...");
        # an unlabelled official below head/foreign/defence-minister rank is the publisher's own
        # (a White House adviser, a governor, MOFA's "Minister KISHI"). An unlabelled foreign leader
        # ("President Lula") keeps no country rather than a wrong one.
        people = [
            Participant(p.name, p.canonical, p.role, host_country)
            if p.country is None
            and index not in other_side
            and index not in international
            and participant_level(p, gz) not in ("head", "vice_head", "foreign", "defense")
            and not re.search(r"Secretary[- ]General|Director[- ]General", p.role or "")  # UN, NATO, WHO
            and gz.person(p.canonical) is None  # a listed person without a country (Stoltenberg) stays so
            else p
            for index, p in enumerate(people)
        ]
    return tuple(people)


_TITLE_MEETING_NOUN = re.compile(
    r"\s*(?:(?:first|second|introductory|secure|separate|virtual|bilateral|trilateral|official|working|"
    r"phone|telephone|video|joint|state|introductory)\s+)*(?:meetings?|calls?|visit|trip|travel|talks|"
    r"conversation|participation|engagement|dinner|lunch|remarks|discussion|consultations?|bilateral|trilateral)\b",
    re.I,
)
_INTRO_CLAUSE = re.compile(
    r"^(?:Building on|Following|After|Ahead of|In advance of|Recalling|Since|Further to|Noting|Reflecting on|"
    r"As a follow-up to|Prior to|Before)\b[^,]{0,250},\s*",
)


@dataclass
class _Person:
    names: list[str]
    roles: list[str]
    levels: list[str]
    countries: list[str]
    international: bool = False

    def key_tokens(self) -> set[str]:
        return {fold(w).strip(".,") for n in self.names for w in n.split()} - {"jr", "sr", "ii", "iii"}


def _merge_mentions(
    mentions: list[Mention],
    gz: Gazetteer,
    index_of: dict[str, int] | None = None,
    international: set[int] | None = None,
) -> list[Participant]:
    persons: list[_Person] = []
    for m in mentions:
        tokens = {fold(w).strip(".,") for w in m.name.split()} - {"jr", "sr"}
        known = gz.person(m.name, m.country)
        target = None
        for p in persons:
            p_known = gz.person(max(p.names, key=len), p.countries[0] if p.countries else None)
            if known and p_known and known.canonical == p_known.canonical:
                target = p
            elif tokens and (tokens <= p.key_tokens() or p.key_tokens() <= tokens):
                if not (m.country and p.countries and m.country not in p.countries):
                    target = p
            if target:
                break
        if target is None:
            target = _Person([], [], [], [])
            persons.append(target)
        target.names.append(m.name)
        target.international = target.international or m.international
        if index_of is not None:
            index_of.setdefault(m.name, persons.index(target))
        if m.role:
            target.roles.append(m.role)
        if m.level:
            target.levels.append(m.level)
        if m.country:
            target.countries.append(m.country)
    out = []
    for p in persons:
        name = max(p.names, key=lambda n: (len(n.split()), len(n)))
        country = p.countries[0] if p.countries else None
        known = gz.person(name, country)
        if known is None:
            for n in p.names:
                known = gz.person(n, country)
                if known:
                    break
        canonical = known.canonical if known else canonical_name(name)
        if country is None and known is not None:
            country = known.country
        role = max(p.roles, key=len) if p.roles else None
        out.append(Participant(name=name, canonical=canonical, role=role, country=country))
        if p.international and international is not None:
            international.add(len(out) - 1)
    return out


def participant_level(p: Participant, gz: Gazetteer) -> str | None:
    """Level of a participant from the role as written (and the gazetteer for bare titles)."""
    levels = []
    if p.role:
        for m in _role_regex(gz).finditer(p.role):
            levels.append(_role_lookup(gz).get(fold(m.group(0)), "other"))
    level = _level_of(levels)
    known = gz.person(p.canonical, p.country)
    if known and known.level and level in (None, "minister"):
        return known.level
    return level


# =========================================================================== meeting type
# A vice president ranks between heads and ministers but fits none of the CONVENTIONS categories
# (not a head of state/government, not a foreign/defence minister, not a minister, not a deputy
# minister/adviser/envoy): when a VP is the lower-ranking principal the meeting is ``other``.
_RANK = {"head": 5, "vice_head": 4.5, "foreign": 4, "defense": 4, "minister": 4, "senior": 2, "other": 1}


_NOT_A_READOUT = re.compile(
    r"^(?:remarks|statement (?:by|from|of) (?:the )?(?:president|vice president|first lady)\b|fact sheet|press (?:briefing|gaggle|call|release on)|background (?:press|briefing)|"
    r"on-the-record|proclamation|a proclamation|executive order|memorandum|letter|message|nominations?|"
    r"president (?:\S+ ){0,4}(?:announces|approves|amends|signs|declares)|op-ed|interview|transcript|notice|"
    r"briefing|department press|press statement|icymi|what they are saying)\b",
    re.I,
)


def is_meeting_text(title: str, participants: tuple[Participant, ...], has_meeting_sentence: bool) -> bool:
    """A readout of a meeting or call: someone named took part and the text says they met or talked.
    Statements, remarks, fact sheets and announcements are not meeting records."""
    return bool(participants) and has_meeting_sentence and not _NOT_A_READOUT.match(title.strip())


def classify_meeting(
    participants: tuple[Participant, ...], title: str, gz: Gazetteer, is_meeting: bool = False
) -> str | None:
    """Meeting type by the lower-ranking of the two sides' principals.

    A meeting with only one side named (a president with governors, labor leaders or CEOs, a
    minister with parliamentarians) is ``other`` unless the title names the kind of meeting."""
    if _NOT_A_READOUT.match(title.strip()):
        return None  # remarks, statements and fact sheets are not meeting records
    sides: dict[str, str] = {}
    for index, p in enumerate(participants):
        level = participant_level(p, gz)
        if level is None:
            continue
        if p.country is None and len({q.country for q in participants if q.country}) >= 2:
            continue  # an unlabelled extra person does not make a third side
        side = p.country or f"?{index}"
        if side not in sides or _RANK.get(level, 1) > _RANK.get(sides[side], 1):
            sides[side] = level
    levels = list(sides.values())
    from_title = _type_from_title(title)
    if len(levels) < 2:
        return from_title or ("other" if is_meeting else None)
    computed = _type_from_levels(levels)
    if computed == "ministerial" and from_title in ("foreign_ministers", "defense_ministers"):
        return from_title  # bare "Minister X" on one side of a "Defense Ministers' Meeting"
    return computed


def _type_from_levels(levels: list[str]) -> str:
    levels.sort(key=lambda lv: _RANK.get(lv, 1), reverse=True)
    top, low = levels[0], levels[-1]
    if _RANK.get(low, 1) == 5:
        return "summit"
    if low == "vice_head":
        return "other"
    if _RANK.get(low, 1) == 4:
        pair = {top, low}
        if pair <= {"foreign", "head"} and "foreign" in pair:
            return "foreign_ministers"
        if pair <= {"defense", "head"} and "defense" in pair:
            return "defense_ministers"
        return "ministerial"
    return "senior_officials" if low == "senior" else "other"


_LEADER_GROUPS = (
    r"\b(?:european|transatlantic|world|g-?7|g-?20|quad|asean|pacific islands?|caribbean|african|arab|nordic|"
    r"baltic|central american|latin american|gulf|nato|eu|allied|bucharest nine|b9|foreign) leaders\b"
)


def _type_from_title(title: str) -> str | None:
    t = title.lower()
    if re.search(r"\bforeign ministers?['’]?\b", t):
        return "foreign_ministers"
    if re.search(r"\bdefen[cs]e ministers?['’]?\b", t):
        return "defense_ministers"
    if re.search(
        r"\bsummit\b|(?<!labor )(?<!business )(?<!faith )(?<!community )(?<!rights )(?<!religious )"
        r"(?<!union )(?<!industry )(?<!tribal )(?<!congressional )(?<!state )(?<!local )(?<!civic )(?<!youth )"
        r"(?<!health )(?<!sector )\bleaders['’]? (?:meeting|call|statement|video|dialogue|retreat)|"
        + _LEADER_GROUPS,
        t,
    ) and not re.search(r"\bsummit (?:on|for)\b", t):
        return "summit"
    if re.search(r"\bnational security advisors?\b|\bvice (?:foreign )?ministers?\b", t):
        return "senior_officials"
    return None


# =========================================================================== location
_PLACE_PHRASE = re.compile(
    r"\b(?P<prep>in|at|to|outside|near|visiting|visited|visits)\s+(?:the\s+)?"
    r"(?P<a>[A-Z][\w’'.\-]*(?:\s+(?:[A-Z][\w’'.\-]*|de|del|da|la|of(?=\s+[A-Z])))*)"
    r"(?:,\s*(?P<b>[A-Z][\w’'.\-]*(?:\s+[A-Z][\w’'.\-]*)*))?"
)


_TRAVEL_BEFORE = re.compile(
    r"\b(?:travel(?:s|ed|led|ling|ing)?|trip|visit(?:s|ed|ing)?|came|arrived|welcom(?:ed|es|ing)\b.{0,50}|"
    r"hosted\b.{0,50}|invited\b.{0,50}|delegation|flew|went|journey(?:ed)?|return(?:ed)?)\s*$",
    re.I,
)


_MEETING_PLACE = re.compile(
    r"\b(?:(?:was|were) held|took place|(?:the|today['’]s|their|this|our) (?:meeting|talks|dialogue|summit)s? "
    r"(?:in|at)|(?:launched|opened|convened|held) the (?:\w+ )?(?:meeting|dialogue|talks|session))\b",
    re.I,
)


def location_texts(title: str, sentences: list[str], paragraphs: list[str] = ()) -> list[str]:
    """Where a meeting's place is stated: the meeting sentence itself (and a later sentence with a
    strong meeting verb), cut before its topic, then the title. Places mentioned in passing
    elsewhere in the opening paragraph ("the coup in Burma", "Russia's war") are not locations."""
    texts = []
    for index, sentence in enumerate(sentences[:3]):
        if index == 0 or _STRONG_MEETING.found(sentence):
            texts.append(_location_clause(sentence))
    for paragraph in paragraphs[:1]:
        for sentence in split_sentences(paragraph):
            m = _MEETING_PLACE.search(sentence)  # "Both meetings were held at the Pentagon"
            if m:
                texts.append(_location_clause(sentence[m.start() :]))
    if title:
        texts.append(_location_clause(title))
    return texts


_LOCATION_CUT = re.compile(
    r"\s(?:to|in order to)\s(?!the\b|a\b|an\b|his\b|her\b)[a-z]+\b|\b(?:about|regarding|concerning|"
    r"where|which|who (?:is|was) (?:also|the)|that|because|since|ahead of (?:the|a|an|his|her)\s+\S+\s+(?:visit|trip)|"
    r"in (?:advance|preparation|response|support|light|the face) of|as part of)\b|;",
)


def _location_clause(sentence: str) -> str:
    masked = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), sentence)
    m = _LOCATION_CUT.search(masked)
    return sentence[: m.start()] if m else sentence


def find_location(texts: list[str], gz: Gazetteer) -> Location | None:
    for text in texts:
        loc = _location_in(text, gz)
        if loc:
            return loc
    return None


def _location_in(text: str, gz: Gazetteer) -> Location | None:
    candidates: list[tuple[int, int, Location]] = []  # (priority, position, location)
    folded = fold(text)
    for key, (city, country) in gz.places.items():
        pos = folded.find(key)
        if pos >= 0 and re.match(r"\W|$", folded[pos + len(key) : pos + len(key) + 1] or " "):
            candidates.append((0, pos, Location(city, country)))
    for m in re.finditer(r"\bat the (?:Ministry|Department|Office|Secretariat) of [^,.;]{2,60}", text):
        countries = gz.find_countries(m.group(0))
        if countries:
            country = countries[-1][2]
            candidates.append((0, m.start(), Location(gz.capital(country), country)))
    for m in _PLACE_PHRASE.finditer(text):
        if m.group("prep") == "to" and not _TRAVEL_BEFORE.search(text[max(0, m.start() - 60) : m.start()]):
            continue  # "to X" names a place only after travel: "traveled to Tokyo", "a visit to Hanoi"
        loc = _place_from_phrase(m.group("a"), m.group("b"), gz)
        if loc:
            candidates.append((0 if loc.city else 1, m.start(), loc))
    if not candidates:
        return None
    cities = [c for c in candidates if c[2].city]
    best = min(cities or candidates, key=lambda c: (c[0], c[1]))
    return best[2]


def _place_from_phrase(a: str, b: str | None, gz: Gazetteer) -> Location | None:
    words = a.split()
    # Try the longest prefix of the capitalised run that is a known city or country.
    for n in range(min(len(words), 4), 0, -1):
        head = " ".join(words[:n]).rstrip(".,’'")
        city_country = gz.city_country(head)
        if city_country:
            country = city_country
            if b and n == len(words):
                second = gz.canonical_country(b) or gz.region_country(b)
                if second and second != city_country and gz.city_country(head) is None:
                    country = second
            return Location(gz.city_name(head) or head, country)
        if n == len(words) and b:
            second = gz.canonical_country(b) or gz.region_country(b)
            if second and not gz.canonical_country(head) and len(words) <= 3:
                return Location(head, second)
        country = gz.canonical_country(head)
        if country and n == len(words):
            return Location(None, country)
    return None


# =========================================================================== title
_MEETING_WORDS = re.compile(
    r"\b(meeting|summit|talks?|telephone|call|visit|lunch|dinner|conference|dialogue|consultations?)\b", re.I
)
_SMALL_WORDS = {"of", "and", "the", "with", "on", "for", "in", "at", "a", "an", "to", "by", "between"}


def title_from_captions(captions: list[str]) -> str | None:
    best, best_score = None, 0.0
    for caption in captions:
        if not _MEETING_WORDS.search(caption) or len(caption.split()) > 15:
            continue
        words = [w for w in caption.split() if w.lower() not in _SMALL_WORDS]
        if not words:
            continue
        score = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit()) / len(words)
        if score > best_score:
            best, best_score = caption, score
    return best if best_score >= 0.8 else None


def title_from_text(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs:
        sentence = split_sentences(paragraph)[0] if paragraph else ""
        sentence = re.sub(r"^\s*(?:\d{1,2}[.)]\s*)", "", sentence).strip()
        if sentence:
            return sentence if len(sentence) <= 160 else sentence[:157].rsplit(" ", 1)[0] + "…"
    return None


# =========================================================================== host country
_HOST_CUES = (
    (
        re.compile(
            r"attributable to (?:the )?(?:Department )?Spokesperson|Office of the Spokesperson|"
            r"^Readout of|the White House|White House",
            re.I | re.M,
        ),
        "United States",
    ),
    (  # State Department titles: "Deputy Secretary McKeon’s Meeting with ..."
        re.compile(
            r"\A(?:Secretary|Deputy Secretary|Under Secretary|Assistant Secretary|Acting Assistant Secretary|Counselor|"
            r"Special (?:Envoy|Representative|Presidential Envoy|Coordinator)|Ambassador-at-Large)\b[^\n]{0,60}"
            r"[’']s (?:Meeting|Call|Travel|Trip|Visit|Participation|Engagement|Phone|Video|Virtual|Joint|Bilateral|"
            r"Trilateral|Introductory|Discussion|Conversation)"
        ),
        "United States",
    ),
    (
        re.compile(
            r"Ministry of Foreign Affairs of Japan|Ministry of Defense Japan|Back to Japan-|MOFA Japan|"
            r"Cabinet Public Affairs Office|^Japan[-–][A-Z][\w .,’'()-]{2,60} Relations$",
            re.I | re.M,
        ),
        "Japan",
    ),
    (  # Vietnamese government portal and press: "Ha Noi (VGP) -", "VNA", "QĐND"
        re.compile(
            r"\((?:VGP|VNA)\)|^(?:VGP|VNA|QĐND|NDO|Nhân Dân)\b|\bVGP News\b|baochinhphu|Viet Nam News Agency",
            re.M,
        ),
        "Viet Nam",
    ),
)


def host_country(title: str, header: list[str], body: str) -> str | None:
    """The publisher's country when the document says so (used only for an unlabelled principal)."""
    text = "\n".join([title or "", *header, body[:400]])
    for pattern, country in _HOST_CUES:
        if pattern.search(text):
            return country
    return None
