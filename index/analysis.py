"""One-pass text analyzer for the index and for highlighting.

It does what Whoosh's RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map) | StopFilter |
StemFilter chain does (plus dropping possessive 's), but in one loop with a per-word cache instead
of five chained generators per token: indexing and snippet highlighting spend most of their time here.
"""

from __future__ import annotations

import re

from whoosh.analysis import STOP_WORDS, Token
from whoosh.analysis.acore import Composable
from whoosh.formats import Positions
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

# Words: letters/digits with inner apostrophes, dots and hyphens kept together ("U.S.", "COVID-19").
TOKEN_PATTERN = r"\w+(?:[.'’]\w+)*"
_CACHE_LIMIT = 300_000


class FoldingStemAnalyzer(Composable):
    """Lower-case, accent-fold, drop stop words, Porter-stem; offsets and positions as Whoosh's."""

    def __init__(self, stoplist=STOP_WORDS, stemming: bool = True):
        self.expression = re.compile(TOKEN_PATTERN)
        self.stoplist = frozenset(stoplist)
        self.stemming = stemming
        self._cache: dict[str, tuple[str, bool]] = {}

    # The index stores its schema with pickle: keep the cache out of it.
    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cache", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cache = {}

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other.stoplist == self.stoplist
            and other.stemming == self.stemming
            and other.expression.pattern == self.expression.pattern
        )

    def __hash__(self):
        return hash((type(self), self.expression.pattern, self.stemming))

    def normalise(self, word: str) -> tuple[str, bool]:
        """(indexed form, is a stop word) of one token."""
        entry = self._cache.get(word)
        if entry is None:
            lower = word.lower()
            if not lower.isascii():
                lower = lower.replace("’", "'").translate(accent_map)
            if lower.endswith("'s"):  # possessive: "Nam’s" is "nam", "Japan's" is "japan"
                lower = lower[:-2]
            stopped = lower in self.stoplist
            entry = (stem(lower) if self.stemming and not stopped else lower, stopped)
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[word] = entry
        return entry

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = value
            token.text = self.normalise(value)[0]
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        normalise = self.normalise
        pos = start_pos - 1
        for match in self.expression.finditer(value):
            word = match.group(0)
            text, stopped = normalise(word)
            if stopped and removestops:
                continue
            if not stopped:
                pos += 1  # stop words do not count, so "free and open" is a phrase of two adjacent words
            token.text = text
            token.stopped = stopped
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token

    def positions_by_word(self, text: str) -> dict[str, list[int]]:
        """Each indexed form of ``text`` with its positions, as ``__call__(positions=True)`` would
        give them token by token, in one pass over plain strings: what indexing needs."""
        poses: dict[str, list[int]] = {}
        cache = self._cache
        normalise = self.normalise
        pos = -1
        for word in self.expression.findall(text):
            form, stopped = cache.get(word) or normalise(word)
            if stopped:
                continue
            pos += 1
            found = poses.get(form)
            if found is None:
                poses[form] = [pos]
            else:
                found.append(pos)
        return poses

    def spans(self, text: str):
        """(indexed form, start, end) of every non-stop token of ``text``: for highlighting."""
        normalise = self.normalise
        for match in self.expression.finditer(text):
            form, stopped = normalise(match.group(0))
            if not stopped:
                yield form, match.start(), match.end()


class FastPositions(Positions):
    """Whoosh's Positions format (same postings, same bytes) that asks a FoldingStemAnalyzer for
    all positions at once instead of building a Token per word: most of indexing time was there."""

    def word_values(self, value, analyzer, **kwargs):
        grouped = getattr(analyzer, "positions_by_word", None)
        if grouped is None or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for word, positions in grouped(value).items():
            yield word, len(positions), len(positions) * boost, encode(positions)
