"""Dated references inside a readout: "in April 2018", "September 21, 1973", "December last year".

Used by :mod:`index.entities` to attach dates to referenced past events. Qt-free, no I/O.
Relative expressions are resolved against a reference date (the meeting date, else the
publication date); without one they are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d|21\d\d)"
_ORD = r"(?:st|nd|rd|th)?"
_NOT_RANGE = r"(?!\s*[-–‑]\s*\d)(?!\d)"
_QUALIFIER = r"(?:(?:early|late|later|mid-?|the\s+end\s+of|the\s+beginning\s+of)\s*)"
_REL = r"(?:this|last|next|the\s+previous|the\s+following|the\s+same)"

_DATE_ALTERNATIVES = "|".join(
    (
        # "September 21, 1973", "Sept. 21 2021"
        rf"(?P<md>{_MONTH})\s+(?P<mdd>\d{{1,2}}){_ORD},?\s+(?P<mdy>{_YEAR}){_NOT_RANGE}",
        # "21 September 1973"
        rf"(?P<dmd>\d{{1,2}}){_ORD}\s+(?P<dm>{_MONTH}),?\s+(?P<dmy>{_YEAR}){_NOT_RANGE}",
        # "December last year", "June this year", "early next year", "last year"
        rf"(?P<rq>{_QUALIFIER})?(?:(?P<rm>{_MONTH})\s+(?:of\s+)?)?(?P<rr>{_REL})\s+year\b",
        # "this April", "last December"
        rf"(?P<rr2>this|last|next)\s+(?P<rm2>{_MONTH})(?![\w-])",
        # "April 2018", "October, 2011"
        rf"(?P<m>{_MONTH}),?\s+(?P<my>{_YEAR}){_NOT_RANGE}",
        # "April 4" (year from the reference date)
        rf"(?P<mo>{_MONTH})\s+(?P<mod>\d{{1,2}}){_ORD}(?![\d,]*\s*\d{{4}})(?![\w:])",
        # "in 2014", "since 1973", "in early 2020"
        rf"(?<![\w-])(?:in|since|from|during|until|of|by)\s+{_QUALIFIER}?(?P<y>{_YEAR}){_NOT_RANGE}(?![\w%])",
    )
)
# What every alternative begins with: a digit, a month, a qualifier, a relative word, or a
# preposition before a year. As a look-ahead it lets the engine give up on most words at once
# instead of trying each alternative (three times faster; tests/index/test_entity_scanning.py
# compares with the pattern without it).
_DATE_START = (
    r"(?=[0-9]|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|early|late|mid|this|last|next"
    r"|the\s+(?:end|beginning|previous|following|same)"
    r"|(?:in|since|from|during|until|of|by)\s+(?:[12]|early|late|mid|the\s+(?:end|beginning)))"
)
# Every alternative starts a word: the leading lookarounds let the engine skip the other positions
# quickly (four times faster on long texts, same matches).
_DATE_RE = re.compile(r"(?<!\w)(?=[A-Za-z0-9])" + _DATE_START + "(?:" + _DATE_ALTERNATIVES + ")")


@dataclass(frozen=True)
class DateRef:
    """A date expression found in text. ``start``/``end`` cover the date words only."""

    date: dt.date
    precision: str  # day | month | year
    start: int
    end: int
    relative: bool = False


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _safe(year: int, month: int = 1, day: int = 1) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, reference: dt.date | None) -> list[DateRef]:
    """Every absolute or (resolvable) relative date expression in text, in order."""
    out: list[DateRef] = []
    for m in _DATE_RE.finditer(text):
        g = m.groupdict()
        date: dt.date | None = None
        precision = "day"
        relative = False
        start, end = m.start(), m.end()
        if g["md"]:
            date = _safe(int(g["mdy"]), _month(g["md"]), int(g["mdd"]))
        elif g["dm"]:
            date = _safe(int(g["dmy"]), _month(g["dm"]), int(g["dmd"]))
        elif g["rr"]:
            if reference is None:
                continue
            rel = g["rr"].split()[-1].lower()
            year = reference.year + {"last": -1, "previous": -1, "next": 1, "following": 1}.get(rel, 0)
            relative = True
            if g["rm"]:
                date, precision = _safe(year, _month(g["rm"])), "month"
            elif rel == "this" and not g["rq"]:
                continue  # plain "this year" is the meeting year: nothing to date
            else:
                date, precision = _safe(year), "year"
        elif g["rr2"]:
            if reference is None:
                continue
            month = _month(g["rm2"])
            year = reference.year + {"last": -1, "next": 1}.get(g["rr2"].lower(), 0)
            if g["rr2"].lower() == "last" and month < reference.month:
                year += 1  # "last March" said in June = this year's March
            date, precision, relative = _safe(year, month), "month", True
        elif g["m"]:
            date, precision = _safe(int(g["my"]), _month(g["m"])), "month"
        elif g["mo"]:
            if reference is None:
                continue
            month, day = _month(g["mo"]), int(g["mod"])
            # No year written: the year that puts the date closest to the reference date.
            options = [d for d in (_safe(reference.year + k, month, day) for k in (-1, 0, 1)) if d]
            date = min(options, key=lambda d: abs((d - reference).days)) if options else None
        elif g["y"]:
            date, precision = _safe(int(g["y"])), "year"
            start = m.start("y")
        if date is not None:
            out.append(DateRef(date, precision, start, end, relative))
    return out


_ANNIVERSARY_RE = re.compile(  # \d\d{0,2}, not \d{1,3}: a pattern that starts with \d is found faster
    r"(?P<n>\d\d{0,2})(?:st|nd|rd|th)\s+anniversary(?P<of>\s+of\s+(?:the\s+)?)", re.IGNORECASE
)


def find_anniversaries(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, subject_start, years) for "50th anniversary of the ...": start..end covers
    "50th anniversary", subject_start is where the thing being commemorated begins."""
    return [(m.start(), m.start("of"), m.end(), int(m.group("n"))) for m in _ANNIVERSARY_RE.finditer(text)]


# The stop or line break that ends a sentence is taken, not looked behind at ((?<=[.!?]) first):
# a pattern that starts with a set of characters lets the engine skip to the next of them
# instead of trying every position. The breaks (where each match ends) are the same: a match
# ends after white space, so the next one never needed the character it took.
_SENTENCE_END = re.compile(
    r"[.!?\n](?:(?<=[.!?])(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!U\.S\.)(?<!\b[A-Z]\.)"
    r"[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|(?<=\n)\n*)"
)


def sentence_breaks(text: str) -> list[int]:
    """Offsets where a new sentence starts (sorted)."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]
