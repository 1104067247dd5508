"""Query evaluation a posting list at a time, over the Whoosh index.

Whoosh's matchers step through every matching document in Python, several calls per document and
field; a search for a common word in 10,000 readouts spent 30-50 ms there, and counting all the
matches (which Whoosh's top-N collector skips) as long again. Here a parsed Whoosh query is
evaluated on whole posting lists instead: each term's postings are read block by block and scored
once with Whoosh's own BM25F formula and statistics, kept per index generation (the searcher), and
combined with dict and set operations. The result is the exact set of matching documents with the
same scores Whoosh gives (wildcard and fuzzy terms: always the sum of the expanded words' scores,
which Whoosh gives only in large segments), so ranking and counts agree with Whoosh's; query kinds
without a posting list form here (phrases with a slop, for instance) are evaluated by Whoosh's
matcher for that part only. Sorting by date puts meetings without a date last in both directions.

One ``Engine`` belongs to one searcher: a commit makes a new searcher and so a new engine.
"""

from __future__ import annotations

import bisect
import heapq
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable

from whoosh import query as wq

# Wildcard and fuzzy expansions kept per generation.
EXPANSIONS_KEPT = 256
# Meeting ids are read for every document at once when more than this many, and more than half
# of the index, are wanted (one stored-fields lookup is ~4 us, the pass over all ~9 us a document).
BULK_IDS = 1000
NO_DATE = 2**64 - 1  # in the table of dates: no date (Whoosh's default of a 64-bit column)
# Scored posting lists kept per generation, by number of postings (about 80 bytes each).
CACHE_POSTINGS = 600_000


class Engine:
    def __init__(self, searcher, cache_postings: int = CACHE_POSTINGS):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = self.reader.schema
        self._leaves = self.reader.leaf_readers()
        self._cache: OrderedDict[tuple[str, bytes], dict[int, float]] = OrderedDict()
        self._cached_postings = 0
        self._cache_limit = cache_postings
        self._lengths: dict[str, list[int]] = {}
        self._parts: dict[str, _LengthParts] = {}  # per field (avgfl is the generation's)
        # Per-document tables are arrays or lists indexed by document number, not dicts: at
        # 100,000 documents a dict of ints held 7-11 MB, an array 0.8.
        self._dates: tuple[array, array] | None = None  # sorted (date values, docnums)
        self._date_of: array | None = None  # docnum -> date value, NO_DATE when none or deleted
        self._ids: list[str | None] = [None] * self.reader.doc_count_all()  # docnum -> meeting id
        self._all_ids = False
        self._expanded: dict[tuple, list[bytes]] = {}
        self._universe: range | array | None = None
        self._lock = threading.RLock()  # searches from several threads share the caches

    # -- public -------------------------------------------------------------------------------
    def evaluate(self, query: wq.Query) -> dict[int, float]:
        """Every live document matching ``query``, with its score."""
        with self._lock:
            return self._eval(query)

    def top(self, scores: dict[int, float], limit: int | None, sort: str) -> list[int]:
        """Document numbers of ``scores`` in result order: best score first (ties: index order),
        or by meeting date ("date": newest first, "date-asc"), cut to ``limit``."""
        if limit == 0:
            return []  # counting only (facets): no order needed
        if sort == "relevance":
            if limit is None or limit >= len(scores):
                return sorted(scores, key=lambda d: (-scores[d], d))
            return heapq.nsmallest(limit, scores, key=lambda d: (-scores[d], d))
        # A walk along the date index (sorted by date, then document number), keeping the
        # matches: no sort of the matches, and a first page stops early.
        values, docnums = self._date_index()
        wanted = len(scores) if limit is None else min(limit, len(scores))
        out: list[int] = []
        if sort == "date":  # newest first; the same date in document order
            end = len(values)
            while end and len(out) < wanted:
                start = bisect.bisect_left(values, values[end - 1], 0, end)
                out.extend(d for d in docnums[start:end] if d in scores)
                end = start
        else:
            step = max(wanted, 256)
            for start in range(0, len(docnums), step):
                out.extend(d for d in docnums[start : start + step] if d in scores)
                if len(out) >= wanted:
                    break
        if len(out) < wanted:  # meetings without a date come last, whichever the direction
            date_of = self._date_map()
            out.extend(sorted(d for d in scores if date_of[d] == NO_DATE))
        return out[:wanted]

    def meeting_id(self, docnum: int) -> str:
        mid = self._ids[docnum]
        if mid is None:
            mid = self._ids[docnum] = self.searcher.stored_fields(docnum)["id"]
        return mid

    def meeting_ids(self, docnums: Iterable[int]) -> list[str]:
        """The meeting ids of ``docnums``; for many, every id is read in one sequential pass
        (five times faster than one stored-fields lookup each)."""
        docnums = list(docnums)
        if len(docnums) > max(BULK_IDS, self.reader.doc_count_all() // 2) and not self._all_ids:
            with self._lock:
                for seg, offset in self._leaves:
                    for docnum, fields in seg.iter_docs():
                        self._ids[docnum + offset] = fields["id"]
                self._all_ids = True
        found = [self._ids[d] for d in docnums]
        if None in found:  # some not read yet: one stored-fields lookup each
            found = [
                mid if mid is not None else self.meeting_id(d) for d, mid in zip(docnums, found, strict=True)
            ]
        return found

    # -- evaluation ---------------------------------------------------------------------------
    def _eval(self, q: wq.Query) -> dict[int, float]:
        kind = type(q)
        if kind is wq.Term:
            scores = self._term(q.fieldname, q.text)
            return _boosted(scores, q.boost)
        if kind is wq.Or:
            if q.scale is not None:
                return self._via_whoosh(q)
            return _boosted(_union(self._eval(sub) for sub in q.subqueries), q.boost)
        if kind is wq.And:
            positive = [s for s in q.subqueries if type(s) is not wq.Not]
            negative = [s.query for s in q.subqueries if type(s) is wq.Not]
            if not positive:
                result = dict.fromkeys(self._live(), 0.0)
            else:
                parts = sorted((self._eval(sub) for sub in positive), key=len)
                result = _intersection(parts)
            for sub in negative:  # Whoosh's inverse matcher scores 1.0 for each NOT part
                excluded = self._eval(sub)
                result = {d: s + _NOT_SCORE for d, s in result.items() if d not in excluded}
            return _boosted(result, q.boost)
        if kind is wq.Not:
            excluded = self._eval(q.query)
            return dict.fromkeys((d for d in self._live() if d not in excluded), _NOT_SCORE)
        if kind is wq.AndNot:
            result = self._eval(q.a)
            excluded = self._eval(q.b)
            return {d: s for d, s in result.items() if d not in excluded}
        if kind is wq.AndMaybe:
            result = self._eval(q.a)
            maybe = self._eval(q.b)
            return {d: s + maybe.get(d, 0.0) for d, s in result.items()}
        if kind is wq.Every:
            return dict.fromkeys(self._live(), q.boost)
        if kind in (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Variations, wq.Regex):
            return self._multiterm(q)
        if kind is wq.Phrase and q.slop == 1 and len(q.words) > 1:
            return self._phrase(q)
        if kind in (wq.NumericRange, wq.DateRange) and q.fieldname == "date":
            return self._date_range(q)
        if isinstance(q, type(wq.NullQuery)) or q is wq.NullQuery:
            return {}
        return self._via_whoosh(q)

    def _term(self, fieldname: str, text) -> dict[int, float]:
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None:
            return {}
        btext = field.to_bytes(text) if not isinstance(text, bytes) else text
        key = (fieldname, btext)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        scores = self._read_term(fieldname, btext)
        if fieldname != "id":  # id filters name thousands of one-document terms: not worth keeping
            self._remember(key, scores)
        return scores

    def _read_term(self, fieldname: str, btext: bytes) -> dict[int, float]:
        field = self.schema[fieldname]
        if (fieldname, btext) not in self.reader:
            return {}
        scorable = field.scorable
        if scorable:
            weighting = self.searcher.weighting
            idf = self.searcher.idf(fieldname, btext)
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            b = getattr(weighting, "_field_B", {}).get(fieldname, weighting.B)
            k1 = weighting.K1
        else:  # Whoosh scores unscored fields with the term's largest weight
            constant = self.reader.term_info(fieldname, btext).max_weight()
        out: dict[int, float] = {}
        for seg, offset in self._leaves:
            if (fieldname, btext) not in seg:
                continue
            ids, weights = _postings(seg, fieldname, btext)
            deleted = seg.deleted_docs_set if seg.has_deletions() else ()
            if scorable:
                lengths = self._segment_lengths(seg, offset, fieldname)
                # Whoosh's bm25() written out, its length term worked out once per length: the
                # same arithmetic and floats, without a call per posting
                part = self._length_parts(fieldname, avgfl, b, k1)
                k1p = k1 + 1
                out.update(
                    {
                        docnum + offset: idf * ((weight * k1p) / (weight + part[lengths[docnum]]))
                        for docnum, weight in zip(ids, weights, strict=True)
                        if docnum not in deleted
                    }
                )
            else:
                for docnum in ids:
                    if docnum not in deleted:
                        out[docnum + offset] = constant
        return out

    def _phrase(self, q: wq.Phrase) -> dict[int, float]:
        """Documents with the words at consecutive positions (Whoosh's phrase with slop 1: its
        SpanNear2 over the words' term matchers), scored as Whoosh does: the words' sum."""
        field = self.schema[q.fieldname] if q.fieldname in self.schema else None
        if field is None or not field.format.supports("positions"):
            return self._via_whoosh(q)
        words = [field.to_bytes(w) if not isinstance(w, bytes) else w for w in q.words]
        parts = [self._term(q.fieldname, w) for w in words]
        if not all(parts):
            return {}
        candidates = _intersection(sorted(parts, key=len))
        where = [self._positions(q.fieldname, w) for w in words]
        decode = field.format.decode_positions
        out: dict[int, float] = {}
        for docnum, score in candidates.items():
            later = [set(decode(w[docnum])) for w in where[1:]]
            for start in decode(where[0][docnum]):
                if all(start + i in pos for i, pos in enumerate(later, 1)):
                    out[docnum] = score * q.boost
                    break
        return out

    def _positions(self, fieldname: str, btext: bytes) -> dict[int, bytes]:
        """docnum -> the encoded positions of one term (cached with the scored postings)."""
        key = ("\x00positions", fieldname.encode() + b"\x00" + btext)
        cached = self._cache.get(key)
        if cached is None:
            cached = {}
            for seg, offset in self._leaves:
                if (fieldname, btext) in seg:
                    ids, _, values = _postings(seg, fieldname, btext, values=True)
                    cached.update(zip((d + offset for d in ids), values, strict=True))
            self._remember(key, cached)
        return cached

    def _remember(self, key, value: dict) -> None:
        self._cache[key] = value
        self._cached_postings += len(value)
        while self._cached_postings > self._cache_limit and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached_postings -= len(old)

    def _length_parts(self, fieldname: str, avgfl: float, b: float, k1: float) -> _LengthParts:
        parts = self._parts.get(fieldname)
        if parts is None:
            parts = self._parts[fieldname] = _LengthParts(avgfl, b, k1)
        return parts

    def _segment_lengths(self, seg, offset: int, fieldname: str) -> list[int]:
        key = f"{offset}:{fieldname}"
        lengths = self._lengths.get(key)
        if lengths is None:
            lengths = self._lengths[key] = _field_lengths(seg, fieldname)
        return lengths

    def expand(self, q) -> list[bytes]:
        """The index words a wildcard, fuzzy or variations query stands for (kept per generation).

        Expanded per segment: Whoosh's combined reader has no fast fuzzy expansion (it measures
        the distance to every word of the index), a segment's reader walks its word graph."""
        key = (type(q).__name__, q.fieldname, q.text, getattr(q, "maxdist", 0), getattr(q, "prefixlength", 0))
        words = self._expanded.get(key)
        if words is None:
            with self._lock:
                words = sorted({w for seg, _ in self._leaves for w in q._btexts(seg) if w})
            if len(self._expanded) >= EXPANSIONS_KEPT:  # typing many wildcards: start afresh
                self._expanded.clear()
            self._expanded[key] = words
        return words

    def _multiterm(self, q) -> dict[int, float]:
        words = self.expand(q)
        # Scored as the sum of the expanded words' scores. (Whoosh does that too in segments of
        # over 5,000 documents, and gives a constant score in smaller ones: ranking should not
        # depend on how the index happens to be split into segments.)
        return _boosted(_union(self._term(q.fieldname, w) for w in words), q.boost)

    def _date_range(self, q) -> dict[int, float]:
        values, docnums = self._date_index()
        field = self.schema["date"]
        start = field.prepare_number(q.start) if q.start is not None else None
        end = field.prepare_number(q.end) if q.end is not None else None
        lo = (
            0
            if start is None
            else (bisect.bisect_right if q.startexcl else bisect.bisect_left)(values, start)
        )
        hi = (
            len(values)
            if end is None
            else (bisect.bisect_left if q.endexcl else bisect.bisect_right)(values, end)
        )
        return dict.fromkeys(docnums[lo:hi], q.boost)

    def _date_index(self) -> tuple[array, array]:
        if self._dates is None:
            date_of = self._date_map()
            # by date, then document number (a stable sort of the documents in number order)
            docnums = sorted(
                (d for d, value in enumerate(date_of) if value != NO_DATE), key=date_of.__getitem__
            )
            self._dates = (array("Q", (date_of[d] for d in docnums)), array("l", docnums))
        return self._dates

    def _date_map(self) -> array:
        """docnum -> the date column's number, NO_DATE for documents without a date or deleted."""
        if self._date_of is None:
            date_of = array("Q", [NO_DATE]) * self.reader.doc_count_all()
            for seg, offset in self._leaves:
                if not seg.has_column("date"):
                    continue
                column = seg.column_reader("date", translate=False)
                default = getattr(column, "_default", None)
                deleted = seg.deleted_docs_set if seg.has_deletions() else ()
                for docnum, value in enumerate(numeric_column_values(column)):
                    if value != default and docnum not in deleted:
                        date_of[docnum + offset] = value
            self._date_of = date_of
        return self._date_of

    def _live(self) -> range | array:
        """The numbers of the live documents, in order."""
        if self._universe is None:
            if not any(seg.has_deletions() for seg, _ in self._leaves):
                self._universe = range(self.reader.doc_count_all())
            else:
                live = array("l")
                for seg, offset in self._leaves:
                    deleted = seg.deleted_docs_set if seg.has_deletions() else ()
                    live.extend(d + offset for d in range(seg.doc_count_all()) if d not in deleted)
                self._universe = live
        return self._universe

    def _via_whoosh(self, q: wq.Query) -> dict[int, float]:
        """Whoosh's own matcher for query kinds without a posting-list form here (phrases)."""
        out: dict[int, float] = {}
        matcher = q.matcher(self.searcher)
        while matcher.is_active():
            out[matcher.id()] = matcher.score()
            matcher.next()
        return out


_NOT_SCORE = 1.0  # what Whoosh's InverseMatcher scores a document matching "NOT x"


def _postings(seg, fieldname: str, btext: bytes, values: bool = False):
    """Segment-relative ids and weights (and with ``values`` the encoded values, i.e. positions)
    of one term, deleted documents included."""
    format_ = seg.schema[fieldname].format
    leaf = seg._terms.matcher(fieldname, btext, format_)
    ids: list[int] = []
    weights: list[float] = []
    raw: list[bytes] = []
    try:  # a block at a time: Whoosh 2.7's W3LeafMatcher keeps each block's arrays
        while leaf.is_active():
            if leaf._ids is None:
                leaf._read_ids()
            if leaf._weights is None:
                leaf._read_weights()
            ids.extend(leaf._ids)
            weights.extend(leaf._weights)
            if values:
                if leaf._values is None:
                    leaf._read_values()
                raw.extend(leaf._values)
            leaf._next_block()
    except AttributeError:  # another codec: step through the postings
        leaf = seg._terms.matcher(fieldname, btext, format_)
        ids, weights, raw = [], [], []
        while leaf.is_active():
            ids.append(leaf.id())
            weights.append(leaf.weight())
            if values:
                raw.append(leaf.value())
            leaf.next()
    return (ids, weights, raw) if values else (ids, weights)


def _field_lengths(seg, fieldname: str) -> list[int]:
    """Every document's length of ``fieldname`` in one segment (as Whoosh's scorer reads it)."""
    count = seg.doc_count_all()
    try:
        raw = length_bytes(seg._perdoc, fieldname)
    except (ImportError, AttributeError):  # another codec
        return [seg.doc_field_length(d, fieldname, 1) or 1 for d in range(count)]
    if raw is None:
        return [1] * count
    from whoosh.util.numeric import byte_to_length

    table = [byte_to_length(b) or 1 for b in range(256)]
    return list(map(table.__getitem__, raw))


def length_bytes(perdoc, fieldname: str) -> list[int] | None:
    """Every document's length byte of ``fieldname`` from a Whoosh 3 per-document reader, read
    in one go (None when the field has no lengths column)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    return None if column is None else numeric_column_values(column)


class _LengthParts(dict):
    """length -> ``K1 * ((1 - B) + B * length / avgfl)``, the length term of Whoosh's bm25()
    (few distinct values: lengths are stored as one byte each)."""

    def __init__(self, avgfl: float, b: float, k1: float):
        super().__init__()
        self.avgfl, self.b, self.k1 = avgfl, b, k1

    def __missing__(self, fl: int) -> float:
        value = self[fl] = self.k1 * ((1 - self.b) + self.b * fl / self.avgfl)
        return value


def numeric_column_values(column) -> list:
    """Every document's value of a Whoosh numeric column, read in one go (its reader unpacks
    one value per call: a second for the field lengths of 100,000 documents)."""
    try:
        size, count, doccount = column._fixedlen, column._count, column._doccount
        values = array(column._typecode)
        if values.itemsize != size:
            raise TypeError("no array type of this size")
        values.frombytes(column._dbfile.get(column._basepos, size * count))
    except (AttributeError, TypeError, ValueError):  # another column type or codec
        return list(column)
    if sys.byteorder == "little" and size > 1:
        values.byteswap()  # Whoosh packs numbers big-endian
    numbers = values.tolist()
    if count < doccount:  # documents after the last value written have the default
        numbers.extend([column._default] * (doccount - count))
    return numbers


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}


def _union(parts: Iterable[dict[int, float]]) -> dict[int, float]:
    parts = sorted(parts, key=len, reverse=True)
    if not parts:
        return {}
    merged = dict(parts[0])
    get = merged.get
    for part in parts[1:]:
        for d, s in part.items():
            merged[d] = get(d, 0.0) + s
    return merged


def _intersection(parts: list[dict[int, float]]) -> dict[int, float]:
    """Documents in every part (smallest first), with summed scores."""
    result = dict(parts[0])
    for part in parts[1:]:
        result = {d: s + part[d] for d, s in result.items() if d in part}
        if not result:
            break
    return result
