"""The shortcuts entity extraction takes on long texts give what the plain scans give.

Head words are found with one pattern and only the tokens around them are made; literal lists check
the word boundary after their first character. Each is compared here with the straightforward way.
"""

from __future__ import annotations

import re
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.entities import (
    _AGREEMENT_HEADS,
    _ALL_HEADS,
    _CASE_EXCEPTIONS,
    _INITIATIVE_HEADS,
    _LOWER_AGREEMENT_LOWER_RE,
    _LOWER_AGREEMENT_RE,
    _MEETING_HEAD_RE,
    _MEETING_HEADS,
    _MONEY_RE,
    _MONEY_START,
    _PATTERN_HEAD_RE,
    _TOKEN_RE,
    _finditer_at,
    _literal_regex,
    _lowered,
    _names_regex,
    _token_window,
    _trie_regex,
    _word_scan,
    entity_tables,
)

_PIECES = st.sampled_from(
    [
        *sorted(_ALL_HEADS),
        "U.S.Agreement",
        "’Agreement",
        "-Agreement",
        "XAgreement",
        "Agreements’",
        "U.S.-Japan",
        "of",
        "the",
        "Japan's",
        "Ministry",
        "(",
        ",",
        ".",
        "2023",
        "O’Neil",
        "a" * 40,
    ]
)
_GAPS = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", ""])
_TEXTS = st.lists(st.tuples(_PIECES, _GAPS), max_size=80).map(lambda parts: "".join(w + g for w, g in parts))


def _all_tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _check_windows(text: str, before: int, after: int) -> None:
    full = _all_tokens(text)
    starts = {start: k for k, (_, start, _) in enumerate(full)}
    for pos in range(len(text) + 1):
        window = _token_window(text, pos, before, after)
        if pos not in starts:
            assert window is None, (text, pos)
            continue
        assert window is not None, (text, pos)
        toks, i = window
        k = starts[pos]
        assert toks[i].start == pos
        # the same tokens as in the whole text, as many as asked for (fewer only at the ends)
        assert [tuple(t) for t in toks] == full[k - i : k - i + len(toks)]
        assert i >= min(before, k)
        assert len(toks) - i - 1 >= min(after, len(full) - k - 1)


def test_token_window_matches_whole_text_tokens() -> None:
    text = (
        "The U.S.-Japan Economic Policy Consultative Committee (the “Economic 2+2”) met;\n"
        "they signed the Memorandum of Cooperation on Critical Minerals in 2023.  "
        + "x" * 500  # a long run without white space: the window has to grow past it
        + " Partnership for Global Infrastructure and Investment"
    )
    for before, after in ((0, 0), (1, 3), (11, 50)):
        _check_windows(text, before, after)
    assert _token_window("", 0, 11, 50) is None
    assert _token_window("   ", 1, 11, 50) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.integers(0, 12), st.integers(0, 50))
def test_token_window_property(text: str, before: int, after: int) -> None:
    _check_windows(text, before, after)


def _heads_by_pattern(rx: re.Pattern[str], text: str) -> list[tuple[str, int]]:
    out = []
    for m in rx.finditer(text):
        window = _token_window(text, m.start(), 0, 0)
        if window is not None and window[0][window[1]].text == m.group():
            out.append((m.group(), m.start()))
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_head_patterns_find_every_head_token(text: str) -> None:
    toks = _all_tokens(text)
    agreement_or_initiative = [(w, s) for w, s, _ in toks if w in _AGREEMENT_HEADS or w in _INITIATIVE_HEADS]
    assert _heads_by_pattern(_PATTERN_HEAD_RE, text) == agreement_or_initiative
    assert _heads_by_pattern(_MEETING_HEAD_RE, text) == [(w, s) for w, s, _ in toks if w in _MEETING_HEADS]


def test_head_pattern_skips_words_inside_tokens() -> None:
    text = "U.S.Agreement XAgreement Agreement-based Agreements Agreement"
    assert _heads_by_pattern(_PATTERN_HEAD_RE, text) == [("Agreements", 41), ("Agreement", 52)]


def test_no_head_word_ends_with_another() -> None:
    # _head_regex relies on it: a false hit never covers the start of a true one.
    for a in _ALL_HEADS:
        for b in _ALL_HEADS:
            assert a == b or not a.endswith(b), (a, b)


def _guard_in_front(words: list[str], boundary: str = r"[\w]") -> re.Pattern[str]:
    """The plain form: the boundary check before the whole alternation."""
    words = [w for w in dict.fromkeys(words) if w]
    return re.compile(rf"(?<!{boundary})(?:" + _trie_regex(words) + rf")(?!{boundary})")


_NAME_WORDS = st.lists(
    st.sampled_from(
        ["Kishida", "KISHIDA", "Kishi", "O'Neil", "Sherwood-Randall", "Yoon Suk-yeol", "Yo", "K", "-x"]
    ),
    min_size=1,
    max_size=5,
)
_NAME_TEXT = st.lists(
    st.sampled_from(
        ["Kishida", "KISHIDA", "Kishi", "O’Neil", "O'Neil", "Sherwood‑Randall", "Yoon  Suk-yeol", "Yo"]
    )
    | st.sampled_from([" ", "-", "x", ".", "\n", "'s", "’"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NAME_WORDS, _NAME_TEXT, st.sampled_from([r"[\w]", r"[\w-]"]))
def test_literal_regex_same_matches_as_guard_in_front(words: list[str], text: str, boundary: str) -> None:
    fast = _literal_regex(words, boundary=boundary)
    assert fast is not None
    # the first characters come first, so that the engine can skip ahead
    assert not fast.pattern.startswith("(?<!")
    plain = _guard_in_front(words, boundary)
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_literal_regex_boundary_before_first_character() -> None:
    rx = _literal_regex(["Kishi", "Kishida"])
    assert rx is not None
    assert [m.group() for m in rx.finditer("Kishida, Kishi and AKishi Kishidas xKishi")] == [
        "Kishida",
        "Kishi",
    ]
    assert [m.span() for m in rx.finditer("Kishi")] == [(0, 5)]  # at the very start of the text


# --------------------------------------------------------------------------- lowered texts
def test_lowered_text_matches_like_ignorecase_for_every_character() -> None:
    """What _lowered relies on: outside _CASE_EXCEPTIONS (and characters whose lower case is longer),
    a character matches each piece the lower-case ASCII patterns are made of ignoring case exactly
    when its lower case matches it case-sensitively."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    kept = [(ch, ch.lower()) for ch in chars if len(ch.lower()) == 1]
    text = "".join(ch for ch, _ in kept)
    low = "".join(lo for _, lo in kept)
    pieces = [re.escape(c) for c in string.printable if c.isprintable() and not c.isupper()]
    pieces += [r"['’‘]", r"[-‑–]", r"[^\S\n]", r"\w", r"[\w-]", "\n", r"['’]", r"[\s-]", r"\s", r"\d"]
    pieces += [r"[\w.\-]", r"\."]
    # (pattern ignoring case, its form for lowered texts): extract._MEETING_VERB's look-ahead
    pairs = [(piece, piece) for piece in pieces] + [("[A-Z]", "[a-z]")]
    differ = set()
    for ignoring, lower_case in pairs:
        ignoring_case = {m.start() for m in re.finditer(ignoring, text, re.IGNORECASE)}
        in_lowered = {m.start() for m in re.finditer(lower_case, low)}
        differ |= {text[i] for i in ignoring_case ^ in_lowered}
    assert differ == set(_CASE_EXCEPTIONS)
    assert len(chars) - len(kept) == 1  # "İ": its lower case is two characters (_lowered gives None)


def test_lowered_gives_none_when_offsets_or_matches_would_differ() -> None:
    assert _lowered("Joint Statement") == "joint statement"
    assert _lowered("İstanbul joint statement") is None
    assert _lowered("joınt statement") is None
    assert _lowered("ſtatement") is None
    assert _lowered("ΟΔΟΣ joint statement") == "οδος joint statement"  # a final sigma: same length


_CASE_TEXT = st.lists(
    st.sampled_from(
        [
            "White House",
            "WHITE HOUSE",
            "white  house",
            "White\nHouse",
            "South China Sea",
            "Indo‑Pacific",
            "İndo-Pacific",
            "Kelvin K",
            "ſouth",
            "ı",
            "Joint Statement",
            "JOINT STATEMENT",
            "Memorandum of Cooperation",
            "memorandum of understandings",
            "Asia-Pacific Economic Cooperation",
            "Camp David",
            "D.C.",
            "d.c",
            "Ha Noi",
            "ΟΔΟΣ",
        ]
    )
    | st.sampled_from([" ", " ", "\n\n", "-", "x", "’", "'s", ".", ","]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CASE_TEXT)
def test_lowered_scans_find_what_ignorecase_scans_find(text: str) -> None:
    tables = entity_tables()
    assert tables.ci_lower_re is not None and tables.ci_lower_first is not None and tables.ci_re is not None
    plain = [m.span() for m in tables.ci_re.finditer(text)]
    plain_agreements = [m.span() for m in _LOWER_AGREEMENT_RE.finditer(text)]
    low = _lowered(text)
    if low is None:
        return
    assert _word_scan(tables.ci_lower_first, tables.ci_lower_re, low) == plain
    assert [m.span() for m in _LOWER_AGREEMENT_LOWER_RE.finditer(low)] == plain_agreements


def test_lowered_scans_on_the_bundled_tables() -> None:
    tables = entity_tables()
    texts = ["the White House and the white house; Joint Statement, JOINT STATEMENT. Cam Ranh Bay\n"]
    for text in (*texts, "White House", "asia-pacific region " * 2, "Camp David\n\nCamp David"):
        low = _lowered(text)
        assert low is not None
        plain = [m.span() for m in tables.ci_re.finditer(text)]
        assert _word_scan(tables.ci_lower_first, tables.ci_lower_re, low) == plain
        assert plain  # it does find something


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NAME_WORDS, _NAME_TEXT)
def test_word_scan_finds_what_the_look_behind_finds(words: list[str], text: str) -> None:
    trie = _trie_regex(list(dict.fromkeys(words)))
    plain = re.compile(rf"(?<![\w])(?:{trie})(?![\w])")
    first = re.compile(rf"(?:{trie})(?![\w])")
    after = re.compile(rf"[^\w]({trie})(?![\w])")
    assert _word_scan(first, after, text) == [m.span() for m in plain.finditer(text)]


# --------------------------------------------------------------------------- candidate starts
_MONEY_TEXT = st.lists(
    st.sampled_from(
        [
            "US$",
            "USD",
            "US",
            "AU$",
            "A$",
            "S$",
            "C$",
            "HK$",
            "NZ$",
            "$",
            "¥",
            "€",
            "£",
            "₫",
            "₩",
            "₹",
            "JPY",
            "EUR",
        ]
        + ["GBP", "VND", "KRW", "RMB", "CNY", "INR", "1", "12", "1,000", "2.5", "٣", "million", "bn", "yen"]
        + ["dollars", "Japanese yen", "U.S. dollars", "x", "G7", "ASEAN", "UN"]
    )
    | st.sampled_from([" ", " ", "\n", "", ",", "."]),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MONEY_TEXT)
def test_money_starts_give_every_money_match(text: str) -> None:
    assert [m.span() for m in _finditer_at(_MONEY_RE, _MONEY_START, text)] == [
        m.span() for m in _MONEY_RE.finditer(text)
    ]


def test_money_start_is_a_character_class_first() -> None:
    # the engine skips ahead only when the pattern starts with one character class
    assert _MONEY_START.pattern.startswith("[")
    text = "a grant of US$ 5 million, HK$3bn and JPY 20 billion (about 150 million yen) in 2023"
    assert [m.group() for m in _finditer_at(_MONEY_RE, _MONEY_START, text)] == [
        m.group() for m in _MONEY_RE.finditer(text)
    ]


def test_names_regex_is_the_literal_regex() -> None:
    names = ("Kishida", "KISHIDA", "Kishi")
    assert _names_regex(names, r"[\w]").pattern == _literal_regex(list(names)).pattern
    assert _names_regex(names, r"[\w-]").pattern == _literal_regex(list(names), boundary=r"[\w-]").pattern
    assert _names_regex(tuple(sorted(names)), r"[\w]").pattern == _literal_regex(list(names)).pattern


_DATE_TEXT = st.lists(
    st.sampled_from(
        ["September 21, 1973", "Sept. 21 2021", "21 September 1973", "December last year", "last year"]
        + ["early next year", "this April", "April 2018", "October, 2011", "April 4", "in 2014", "since 1973"]
        + ["in early 2020", "the end of", "May", "2023", "12", "of", "x", "Jan.", "the same year", "mid-2019"]
        + ["the beginning of", "the previous", "the following", "later", "by", "during", "until", "from"]
        + ["Dec.", "Sept.", "June", "next", "this", "year", "٣", "the\nend of"]
    )
    | st.sampled_from([" ", " ", "\n\n", "-", "–", ",", ".", "(", "’s", ""]),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DATE_TEXT)
def test_date_start_guard_changes_no_match(text: str) -> None:
    from index.events import _DATE_ALTERNATIVES, _DATE_RE

    plain = re.compile(r"(?<!\w)(?=[A-Za-z0-9])(?:" + _DATE_ALTERNATIVES + ")")
    found = [(m.span(), m.groupdict()) for m in _DATE_RE.finditer(text)]
    assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)]


def test_date_start_guard_on_the_corpus(corpus_dir) -> None:
    from index.events import _DATE_ALTERNATIVES, _DATE_RE

    plain = re.compile(r"(?<!\w)(?=[A-Za-z0-9])(?:" + _DATE_ALTERNATIVES + ")")
    for path in sorted(corpus_dir.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = [(m.span(), m.groupdict()) for m in _DATE_RE.finditer(text)]
        assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)], path
