"""The one-pass analyzer: Whoosh's filter chain in one loop, offsets into the original text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.support.charset import accent_map

from index.analysis import TOKEN_PATTERN, FoldingStemAnalyzer

WHOOSH_CHAIN = (
    RegexTokenizer(TOKEN_PATTERN)
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter(minsize=1)
    | StemFilter()
)


def test_same_words_as_the_whoosh_chain_apart_from_apostrophes(corpus_dir):
    analyzer = FoldingStemAnalyzer()
    for path in sorted(corpus_dir.glob("*.txt"))[:60]:
        text = path.read_text("utf-8").replace("’", "'").replace("'s", "")
        assert [t.text for t in analyzer(text)] == [t.text for t in WHOOSH_CHAIN(text)], path.name


def test_folding_stemming_and_offsets():
    text = "The Ministers met in Việt Nam’s capital; U.S. talks on COVID-19."
    tokens = [(t.text, t.startchar, t.endchar) for t in FoldingStemAnalyzer()(text, chars=True)]
    words = [w for w, _, _ in tokens]
    assert words[:3] == ["minist", "met", "viet"]
    assert "nam" in words and "covid" in words and "u." in words  # Porter turns "u.s" into "u."
    for _word, start, end in tokens:
        assert text[start:end]  # offsets point into the original
    assert text[tokens[2][1] : tokens[2][2]] == "Việt"


def test_stop_words_do_not_break_phrase_adjacency():
    positions = [(t.text, t.pos) for t in FoldingStemAnalyzer()("free and open Indo-Pacific", positions=True)]
    assert positions == [("free", 0), ("open", 1), ("indo", 2), ("pacif", 3)]


def test_cache_is_not_pickled():
    import pickle

    analyzer = FoldingStemAnalyzer()
    list(analyzer("some words to cache"))
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer and clone._cache == {}


@given(st.text(max_size=300))
def test_offsets_always_slice_the_token(text):
    analyzer = FoldingStemAnalyzer()
    for form, start, end in analyzer.spans(text):
        assert 0 <= start < end <= len(text)
        assert analyzer.normalise(text[start:end])[0] == form


def _reference_spans(text, wanted):
    """The obvious scan the fast highlighter must agree with: analyse every token."""
    from index.highlight import _ANALYZER, _merge

    tokens = list(_ANALYZER.spans(text))
    spans = [(s, e) for form, s, e in tokens if form in wanted.words]
    for phrase in wanted.phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k][0] == phrase[k] for k in range(n)):
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
    return _merge(spans)


WORDS = [
    "happy", "happiness", "meetings", "meet", "policies", "U.S.", "Japan's", "x", "Việt", "Nam’s",
    "Employability", "prime", "Minister", "of", "the", "...", "talks...Japan", "a.b", "São", "ÉTAT",
    "Hà", "Nội", "-", "co-operation", "\n", "d’Ivoire", "don’t", "I’d", "d'Ivoire",
]  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from([" ", "", "\u00a0"]))
def test_fast_highlighting_agrees_with_analysing_every_token(words, sep):
    from index.highlight import Wanted, match_spans

    text = sep.join(words) + " the policy of relational happiness"
    queries = [
        Wanted(frozenset({"happi"})),
        Wanted(frozenset({"meet", "polici"})),
        Wanted(frozenset({"u.s", "japan"})),
        Wanted(frozenset({"viet", "nam", "sao", "etat", "ha", "noi"})),
        Wanted(frozenset({"employ", "relat", "x"})),
        Wanted(phrases=(("prime", "minist"), ("viet", "nam"), ("japan", "x"))),
        Wanted(frozenset({"co"}), phrases=(("co", "oper"),)),
        Wanted(frozenset({"d'ivoir", "don't"}), phrases=(("i'd", "nam"),)),
    ]
    for wanted in queries:
        assert match_spans(text, wanted) == _reference_spans(text, wanted), wanted


def test_fast_highlighting_agrees_on_real_readouts():
    from pathlib import Path

    from index.highlight import Wanted, match_spans

    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    texts = [p.read_text("utf-8", errors="replace") for p in sorted(corpus.rglob("*.txt"))[:60]]
    assert texts, "../shared/corpus must sit beside the checkout"
    queries = [
        Wanted(frozenset({"presid", "secur", "viet", "nam", "minist", "cooper"})),
        Wanted(phrases=(("prime", "minist"), ("indo", "pacif"), ("unit", "state"))),
        Wanted(frozenset({"kishida", "blinken", "kamikawa", "u.s", "japan"})),
    ]
    for text in texts:
        for wanted in queries:
            assert match_spans(text, wanted) == _reference_spans(text, wanted)


@given(st.text(max_size=400) | st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join))
def test_fast_positions_write_the_same_postings_as_whoosh(text):
    from whoosh.formats import Positions

    from index.analysis import FastPositions

    for analyzer in (FoldingStemAnalyzer(), FoldingStemAnalyzer(stoplist=(), stemming=False)):
        for boost in (1.0, 2.0):
            ours = sorted(FastPositions(field_boost=boost).word_values(text, analyzer))
            whoosh = sorted(Positions(field_boost=boost).word_values(text, analyzer))
            assert ours == whoosh
