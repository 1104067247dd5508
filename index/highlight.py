"""Where a query matches inside a text: spans for the detail pane and short snippets for hit lists.

Offsets come from the same analyzer the index uses, so "meetings" highlights for "meeting" and
"Việt" for "viet", and they are character offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .schema import text_analyzer

_ANALYZER = text_analyzer()
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Wanted:
    """What a query looks for in a text: analysed words (wildcards and fuzzy terms expanded
    against the index) and phrases."""

    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def match_spans(text: str, wanted: Wanted) -> list[tuple[int, int]]:
    """[start, end) spans of tokens of ``text`` whose analysed form is wanted, and of consecutive
    token runs equal to a phrase. Only candidate tokens are analysed (see ``_candidates``)."""
    if not wanted:
        return []
    spans: list[tuple[int, int]] = []
    firsts: dict[str, list[tuple[str, ...]]] = {}
    for phrase in wanted.phrases:
        firsts.setdefault(phrase[0], []).append(phrase)
    for form, start, end in _candidates(text, wanted.words | frozenset(firsts)):
        if form in wanted.words:
            spans.append((start, end))
        for phrase in firsts.get(form, ()):
            stop = _phrase_end(text, end, phrase[1:])
            if stop is not None:
                spans.append((start, stop))
    return _merge(spans)


def _candidates(text: str, forms: frozenset[str]):
    """(form, start, end) of the non-stop tokens of ``text`` whose analysed form is in ``forms``,
    without analysing every token.

    A Porter stem agrees with the start of its (lower-cased) word except for at most its last two
    letters ("happi" for "happy", "employable" for "Employability"), so a case-insensitive scan
    for each form's prefix finds every ASCII candidate; tokens with a non-ASCII letter (accents to
    fold) are always candidates. Each candidate's whole token is then analysed as usual."""
    # The analyzer reads "’" as "'" (so "d’Ivoire" is indexed as "d'ivoir"): scan the same way.
    lowered = text.lower().replace("’", "'")
    if len(lowered) == len(text):
        # Same offsets: one case-sensitive scan per prefix. The regex engine jumps straight to
        # a single literal; an alternation, or ignoring case, makes it try every position.
        starts = {m.start() for p in _prefix_patterns(forms) for m in p.finditer(lowered)}
    else:  # lower-casing changed lengths ("İ"): scan the text itself, ignoring case
        starts = {m.start() for m in _prefix_pattern(forms).finditer(text)}
    if not text.isascii():
        for m in _non_ascii_letters().finditer(text):
            starts.add(_token_start(text, m.start()))
    token_at = _ANALYZER.expression.match
    normalise = _ANALYZER.normalise
    for start in sorted(starts):
        if _inside_token(text, start):
            continue
        token = token_at(text, start)
        if token is not None:
            form, stopped = normalise(token.group(0))
            if form in forms and not stopped:
                yield form, start, token.end()


_WORD_CHAR = re.compile(r"\w")


@lru_cache(maxsize=1)
def _non_ascii_letters() -> re.Pattern[str]:
    """Non-ASCII characters that can be part of a word: not curly quotes, dashes, spaces and
    other punctuation, which long texts have thousands of."""
    runs: list[str] = []
    start = None
    for code in range(0x80, 0x3000):
        other = _WORD_CHAR.match(chr(code)) is None
        if other and start is None:
            start = code
        elif not other and start is not None:
            runs.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    if start is not None:
        runs.append(f"\\u{start:04x}-\\u2fff")
    return re.compile(f"[^\\x00-\\x7f{''.join(runs)}]")


def _inside_token(text: str, i: int) -> bool:
    """Whether position ``i`` continues a token (the analyzer's rule: after a letter, or after a
    letter and an inner dot or apostrophe)."""
    if i == 0:
        return False
    before = text[i - 1]
    if _WORD_CHAR.match(before):
        return True
    return before in ".'’" and i >= 2 and _WORD_CHAR.match(text[i - 2]) is not None


def _token_start(text: str, i: int) -> int:
    while _inside_token(text, i):
        i -= 1
    return i


def _phrase_end(text: str, pos: int, rest: tuple[str, ...]) -> int | None:
    """End offset of ``rest`` as the next non-stop tokens from ``pos`` (stop words between the
    words are skipped, as the index does), or None."""
    if not rest:
        return pos
    normalise = _ANALYZER.normalise
    want = 0
    for match in _ANALYZER.expression.finditer(text, pos):
        form, stopped = normalise(match.group(0))
        if stopped:
            continue
        if form != rest[want]:
            return None
        want += 1
        if want == len(rest):
            return match.end()
    return None


def _stem_prefix(form: str) -> str:
    return form[: max(1, len(form) - (2 if len(form) >= 5 else 1))]


# Plain literals: a lookbehind for the token start would make the scans several times slower,
# so _candidates checks the start itself.
@lru_cache(maxsize=256)
def _prefix_pattern(forms: frozenset[str]) -> re.Pattern[str]:
    prefixes = sorted({_stem_prefix(w) for w in forms}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in prefixes) or "(?!)", re.IGNORECASE)


@lru_cache(maxsize=256)
def _prefix_patterns(forms: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(re.escape(p)) for p in sorted({_stem_prefix(w) for w in forms}))


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


def query_terms(query, expand, fields=("title", "body", "aliases")) -> Wanted:
    """What a parsed Whoosh query looks for in the text fields (not under NOT). ``expand`` gives
    the index words a wildcard or fuzzy query stands for (``Engine.expand``), as in the search."""
    words: set[str] = set()
    phrases: list[tuple[str, ...]] = []
    _collect(query, expand, fields, words, phrases)
    return Wanted(frozenset(words), tuple(phrases))


def _collect(query, expand, fields, words: set[str], phrases: list) -> None:
    kind = type(query).__name__
    if kind == "Not":
        return
    if kind == "AndNot":
        _collect(query.a, expand, fields, words, phrases)
        return
    if getattr(query, "fieldname", None) not in fields and not list(query.children()):
        return
    if kind == "Phrase":
        phrases.append(tuple(query.words))
    elif kind in ("Prefix", "Wildcard", "FuzzyTerm", "Variations", "Regex"):
        words.update(_text(t) for t in expand(query))
    elif kind == "Term":
        words.add(_text(query.text))
    else:
        for child in query.children():
            _collect(child, expand, fields, words, phrases)


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
