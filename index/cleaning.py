"""Split a decoded readout into header lines and a cleaned body.

Input: text whose paragraphs are separated by blank lines (single line breaks also occur).
Output: the header (title candidates, date lines, publisher lines), photo captions, and the body
with navigation/footer lines and verbatim repeated paragraphs removed. Paragraphs are joined with
``"\\n\\n"``. Nothing here raises on odd input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from index.gazetteer import Gazetteer, default_gazetteer, fold

_LIST_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(\d{1,2}\)|\d{1,2}\s+(?=[A-Z])|[•·▪●\-*]\s)")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]\s*$")
_DATE_WORDS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_LINE = re.compile(
    r"^(?:(?:updated|posted|published|date|released?)\s*:?\s*)?"
    r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+)?"
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\s*)?[|,\-–]?\s*)?"
    rf"(?:{_DATE_WORDS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_DATE_WORDS},?\s+\d{{4}}|"
    r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4})"
    r"(?:\s*[|,\-–]?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,4}\)?)?)?\s*$",
    re.IGNORECASE,
)
_BLANK_LINES = re.compile(r"\n\s*\n")
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(\d{1,2}\))\s")
_PROSE_END = re.compile(r"[.!?]\s*[\"”’)]?\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass
class CleanedReadout:
    title: str | None = None
    header: list[str] = field(default_factory=list)  # header lines kept for extraction (dates, publisher)
    date_lines: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    duplicates_removed: int = 0
    warnings: list[str] = field(default_factory=list)
    section: str | None = None  # site-section heading dropped from the top ("Japan-Viet Nam Relations")
    publisher: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


# --------------------------------------------------------------------------- normalisation
def normalize_text(raw: str) -> str:
    """Unicode NFC, unified line endings, no control characters or odd spaces."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ").replace("\u200b", "")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def _looks_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped prose: the non-final lines are long, similar in length and mostly open-ended."""
    if len(lines) < 3:
        return False
    body = lines[:-1]
    lengths = [len(ln) for ln in body]
    if min(lengths) < 50 or max(lengths) - min(lengths) > 30:
        return False
    open_ended = sum(1 for ln in body if not _SENTENCE_END.search(ln))
    return open_ended >= len(body) * 0.75 and not any(_LIST_MARKER.match(ln) for ln in lines[1:])


def split_units(text: str) -> list[list[str]]:
    """Paragraph units. Each unit is a list of lines shown as separate paragraphs.

    Blank lines separate blocks; inside a block every line is a paragraph, except that lines
    following a numbered item belong to that item's unit (used for duplicate counting), and a
    hard-wrapped block is joined into one line.
    """
    units: list[list[str]] = []
    for block in _BLANK_LINES.split(text):
        lines = [" ".join(ln.split()) for ln in block.split("\n")]
        lines = [ln for ln in lines if ln]
        if not lines:
            continue
        if _looks_wrapped(lines):
            units.append([" ".join(lines)])
            continue
        current: list[str] | None = None
        for line in lines:
            if _LIST_MARKER.match(line) or current is None or not _is_numbered(current[0]):
                current = [line]
                units.append(current)
            else:
                current.append(line)
    return units


def _is_numbered(line: str) -> bool:
    return bool(_NUMBERED.match(line))


# --------------------------------------------------------------------------- line classes
# A group reference or a conditional: a pattern that must keep its own group numbers.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _whole_line_any_of(patterns: list[str]) -> re.Pattern[str] | None:
    """One pattern that matches a whole line where any of ``patterns`` does.

    None when they cannot be joined (a group reference would point elsewhere, global flags in
    the middle): the caller then tries them one by one."""
    if not patterns or any(_GROUP_REFERENCE.search(p) for p in patterns):
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    try:
        return re.compile(rf"^(?:{body})$", re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return None


@lru_cache(maxsize=8)
def _pats(gz: Gazetteer) -> dict[str, list[re.Pattern[str]]]:
    out = {}
    for key in ("navigation", "section_heading"):
        out[key] = [re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in gz.cleaning.get(key, [])]
    out["caption_marker"] = [re.compile(p, re.IGNORECASE) for p in gz.cleaning.get("caption_marker", [])]
    return out


@lru_cache(maxsize=8)
def _navigation(gz: Gazetteer) -> re.Pattern[str] | None:
    """The navigation patterns joined into one: one match per line instead of one per pattern,
    the same answers. (Not so the caption markers: searched for anywhere in the line, one pattern
    of many alternatives is slower than each on its own.)"""
    return _whole_line_any_of(gz.cleaning.get("navigation", []))


def is_navigation(line: str, gz: Gazetteer) -> bool:
    stripped = line.strip(" \t|>»›·-–—:").strip()
    if not stripped:
        return True
    joined = _navigation(gz)
    if joined is not None:
        return joined.match(stripped) is not None
    return any(p.match(stripped) for p in _pats(gz)["navigation"])


def is_section_heading(line: str, gz: Gazetteer) -> bool:
    if len(line.split()) > 8 or _SENTENCE_END.search(line.rstrip(")")):
        return False
    if re.search(r"\b(meeting|talks?|call|summit|visit|readout|lunch|dinner|conference)\b", line, re.I):
        return False
    return any(p.match(line.strip()) for p in _pats(gz)["section_heading"])


def is_date_line(line: str) -> bool:
    return len(line) <= 60 and bool(_DATE_LINE.match(line.strip()))


def has_caption_marker(line: str, gz: Gazetteer) -> bool:
    return any(p.search(line) for p in _pats(gz)["caption_marker"])


def strip_caption_marker(line: str) -> str:
    text = re.sub(r"^\s*(?:\(photos?\)|\[photo\]|photos?\s*:|photo of)\s*", "", line, flags=re.I)
    text = re.sub(
        r"\s*\((?:[\w .]+\s)?photos?(?::[^)]*|\s+by[^)]*|\s+credit[^)]*)?\)\s*$", "", text, flags=re.I
    )
    text = re.sub(r"\s*\bphoto\s*:\s*[\w .,/&'-]{1,60}$", "", text, flags=re.I)
    return text.strip(" -–—:")


def looks_like_news_caption(line: str, gz: Gazetteer) -> bool:
    """A stand-alone line describing a picture: 'X delivers a speech at ...' (no final full stop)."""
    words = line.split()
    if not 4 <= len(words) <= 40 or _SENTENCE_END.search(line):
        return False
    if not words[0][:1].isupper():
        return False
    verbs = set(gz.cleaning.get("caption_verbs", []))
    # The present-tense verb must follow a capitalised subject (name/title), not open the line.
    for i, word in enumerate(words[1:16], start=1):
        if word.lower() in verbs and words[i - 1][:1].isupper():
            return True
    return bool(re.search(r"\((?:l|r|left|right|centre|center|from left|from right)\)", line, re.I))


def is_publisher_line(line: str, gz: Gazetteer) -> bool:
    return fold(line) in {fold(p) for p in gz.cleaning.get("publisher_lines", [])}


def is_prose(line: str) -> bool:
    """Body text rather than a header line."""
    words = line.split()
    if _LIST_MARKER.match(line) and len(words) >= 6:
        return True
    if len(words) >= 25:
        return True
    return len(words) >= 10 and bool(_PROSE_END.search(line))


def is_byline(line: str) -> bool:
    return bool(re.match(r"^(?i:by|source|written by|reported by)\s*:?\s+[A-Z][^.!?]{1,80}$", line.strip()))


# --------------------------------------------------------------------------- main entry
def clean_readout(raw: str, gazetteer: Gazetteer | None = None) -> CleanedReadout:
    gz = gazetteer or default_gazetteer()
    result = CleanedReadout()
    text = normalize_text(raw or "")
    units = split_units(text)
    if not units:
        result.warnings.append("empty text")
        return result

    body_start = _find_body_start(units)
    _read_header(units[:body_start], result, gz)
    _read_body(units[body_start:], result, gz)
    if not result.paragraphs:
        result.warnings.append("no body text found")
    return result


def _find_body_start(units: list[list[str]]) -> int:
    # A date line near the top closes the header, even after a title that ends with "Jr.".
    first = 0
    for i, unit in enumerate(units[:5]):
        if any(is_date_line(line) for line in unit) and len(unit) <= 4:
            first = i + 1 if all(is_date_line(ln) or not is_prose(ln) for ln in unit) else i
            break
    for i, unit in enumerate(units[first:], start=first):
        if is_prose(unit[0]):
            return i
    # No prose paragraph at all: the first line is the header, the rest is body.
    return 1


def _read_header(units: list[list[str]], result: CleanedReadout, gz: Gazetteer) -> None:
    last_was_caption = False
    for line in (ln for unit in units for ln in unit):
        if is_date_line(line):
            result.date_lines.append(line)
            last_was_caption = False
        elif has_caption_marker(line, gz):
            caption = strip_caption_marker(line)
            if caption:
                result.captions.append(caption)
            last_was_caption = True
        elif is_navigation(line, gz):
            continue
        elif result.section is None and result.title is None and is_section_heading(line, gz):
            result.section = line
        elif is_publisher_line(line, gz):
            result.publisher = result.publisher or line
        elif result.title is None and not last_was_caption:
            result.title = line.strip()
        elif result.title is not None and fold(line) == fold(result.title):
            continue
        elif last_was_caption or looks_like_news_caption(line, gz):
            result.captions.append(line)
        else:
            result.header.append(line)


def _read_body(units: list[list[str]], result: CleanedReadout, gz: Gazetteer) -> None:
    seen: set[str] = set()
    title_key = fold(result.title) if result.title else None
    kept: list[list[str]] = []
    for unit in units:
        lines = []
        folded = None  # fold() of the line (when compared with the title): a one-line unit's key
        for line in unit:
            if is_navigation(line, gz):
                continue
            if title_key:
                folded = fold(line)
                if folded == title_key:
                    continue
            prose = is_prose(line)  # first: most lines are prose, and then need no caption check
            if not prose and has_caption_marker(line, gz):
                caption = strip_caption_marker(line)
                if caption:
                    result.captions.append(caption)
                continue
            if not prose and looks_like_news_caption(line, gz):
                result.captions.append(line)
                continue
            lines.append(line)
        if not lines:
            continue
        key = folded if folded is not None and len(unit) == 1 and len(lines) == 1 else fold(" ".join(lines))
        if key in seen and len(key) >= 40:
            result.duplicates_removed += 1
            continue
        seen.add(key)
        kept.append(lines)
    # Trailing byline ("By Quynh Chi, Vietnam Business Forum") is a footer, not body text.
    while kept and len(kept[-1]) == 1 and is_byline(kept[-1][0]):
        result.header.append(kept.pop()[0])
    result.paragraphs = [ln for unit in kept for ln in unit]
