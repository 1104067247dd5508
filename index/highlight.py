"""Where a query matches inside a text: spans for the detail pane and short snippets for hit lists.

Offsets come from the same analyzer the index uses, so "meetings" highlights for "meeting" and
"Việt" for "viet", and they are character offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from whoosh.support.levenshtein import damerau_levenshtein

from .schema import text_analyzer

_ANALYZER = text_analyzer()
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Wanted:
    """What a query looks for in a text: analysed words, phrases, and fuzzy terms
    (text, maximum edit distance, prefix length that must match exactly)."""

    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()
    fuzzy: tuple[tuple[str, int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.fuzzy)


def match_spans(text: str, wanted: Wanted) -> list[tuple[int, int]]:
    """[start, end) spans of tokens of ``text`` whose analysed form is wanted (a word, or within
    the edit distance of a fuzzy term), and of consecutive token runs equal to a phrase."""
    if not wanted:
        return []
    if not wanted.phrases and not wanted.fuzzy and text.isascii():
        return _merge(_term_spans_fast(text, wanted.words))
    tokens = list(_ANALYZER.spans(text))
    spans: list[tuple[int, int]] = []
    for word, start, end in tokens:
        if word in wanted.words or any(_near(word, *fuzzy) for fuzzy in wanted.fuzzy):
            spans.append((start, end))
    for phrase in wanted.phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k][0] == phrase[k] for k in range(n)):
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
    return _merge(spans)


def _near(word: str, target: str, maxdist: int, prefix: int) -> bool:
    if abs(len(word) - len(target)) > maxdist or word[:prefix] != target[:prefix]:
        return False
    return damerau_levenshtein(word, target, maxdist + 1) <= maxdist


def _term_spans_fast(text: str, wanted: frozenset[str]) -> list[tuple[int, int]]:
    """Like the token scan, but only words that could stem to a wanted form are analysed.

    A Porter stem is a prefix of its word except for its last letter ("happi" for "happy"), so
    a case-insensitive scan for each stem minus its last letter finds every candidate; the
    candidate's whole token is then analysed as usual. Only for ASCII text (no accent folding)."""
    spans = []
    token_at = _ANALYZER.expression.match
    normalise = _ANALYZER.normalise
    for match in _candidate_pattern(wanted).finditer(text):
        token = token_at(text, match.start())
        if token is not None:
            form, stopped = normalise(token.group(0))
            if form in wanted and not stopped:
                spans.append((token.start(), token.end()))
    return spans


@lru_cache(maxsize=256)
def _candidate_pattern(wanted: frozenset[str]) -> re.Pattern[str]:
    prefixes = sorted({w[: max(1, len(w) - 1)] for w in wanted}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) for p in prefixes) or "(?!)"
    return re.compile(rf"(?<![\w.'’])(?:{alternatives})", re.IGNORECASE)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(
    text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """A window of about ``width`` characters around the densest cluster of spans, cut at word
    boundaries, with the spans re-based to the snippet. Without spans: the start of the text."""
    flat = " ".join(text.split()) if not spans else None
    if flat is not None:
        if len(flat) <= width:
            return flat, []
        cut = flat.rfind(" ", 0, width)
        return flat[: cut if cut > 0 else width] + " …", []
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    lo = max(0, best_start - width // 4)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < best_start else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        covering = [e for s, e in spans if lo <= s < hi]
        if space > (covering[-1] if covering else lo):
            hi = space
        elif covering:
            hi = max(hi, covering[-1])
    window = text[lo:hi]
    # Collapse whitespace while keeping offsets right.
    out: list[str] = []
    mapping: list[int] = []  # mapping[i] = index in ``out`` of window char i
    prev_space = False
    for ch in window:
        if ch.isspace():
            if not prev_space:
                out.append(" ")
            prev_space = True
        else:
            out.append(ch)
            prev_space = False
        mapping.append(len(out) - 1 if ch.isspace() else len(out) - 1)
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    rebased = []
    for start, end in spans:
        if start >= lo and end <= hi:
            rebased.append((len(prefix) + mapping[start - lo], len(prefix) + mapping[end - 1 - lo] + 1))
    return prefix + "".join(out) + suffix, rebased


def query_terms(query, reader, fields=("title", "body", "aliases")) -> Wanted:
    """What a parsed Whoosh query looks for in the text fields (not under NOT): wildcards are
    expanded against the index; fuzzy terms are kept as such and matched by edit distance in
    the text (expanding them against the whole lexicon is slow)."""
    words: set[str] = set()
    phrases: list[tuple[str, ...]] = []
    fuzzy: list[tuple[str, int, int]] = []
    _collect(query, reader, fields, words, phrases, fuzzy)
    return Wanted(frozenset(words), tuple(phrases), tuple(dict.fromkeys(fuzzy)))


def _collect(query, reader, fields, words: set[str], phrases: list, fuzzy: list) -> None:
    kind = type(query).__name__
    if kind == "Not":
        return
    if kind == "AndNot":
        _collect(query.a, reader, fields, words, phrases, fuzzy)
        return
    if kind == "Phrase":
        if query.fieldname in fields:
            phrases.append(tuple(query.words))
        return
    if kind == "FuzzyTerm":
        if query.fieldname in fields:
            fuzzy.append((query.text, query.maxdist, query.prefixlength))
        return
    children = list(query.children())
    if children:
        for child in children:
            _collect(child, reader, fields, words, phrases, fuzzy)
        return
    if getattr(query, "fieldname", None) in fields:
        for fieldname, text in query.existing_terms(reader, phrases=False, expand=True):
            if fieldname in fields:
                words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
