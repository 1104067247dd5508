"""The Whoosh segment writer of the index: Whoosh's, with a posting pool and a postings writer
made for our sizes. The index files it writes are byte for byte those of Whoosh's own writer,
but for the posting blocks' data, which ``CompactPostingsWriter`` writes smaller and faster (the
same postings, read by Whoosh's own reader).

Whoosh keeps every posting of a new segment as a tuple ``(field, term, docnum, weight, value)``
in one list; past its memory limit it sorts the list and writes it to a temporary file one
tuple at a time, and at the end it merges those files tuple by tuple, and hands each posting to
the codec with a length read and checks of its own. For long readouts that was over half of
Whoosh's share of indexing. Here:

- ``TermPool`` keeps the postings grouped by (field, term) as they come, a full-text word's in
  one flat list (one append a posting): documents are added in number order, so each term's postings are already in the order they
  are written. Past the memory limit the terms are written, sorted, to a temporary file, one
  record per term, and merged by term at the end.
- ``add_document`` is Whoosh's, but gives the pool a field's postings in one call, and takes the
  postings of full-text fields straight from the analyzer's word positions.
- ``_write_postings`` fills the codec's posting blocks a block at a time, with each field's
  lengths read once, instead of one call per posting.
- ``CompactPostingsWriter`` pickles a block's data with protocol 3, not 2, without a memo, and
  leaves blocks under 64 bytes uncompressed (see there): index files a third smaller, written in
  40 % less time.

A schema with spelling words or term vectors, or another codec than Whoosh 3's, takes Whoosh's
own pool and paths (our schema has none of them).
"""

from __future__ import annotations

import heapq
import io
import marshal
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterator
from itertools import groupby, repeat
from operator import itemgetter, mul

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3PostingsWriter
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

from .analysis import FastPositions
from .engine import length_bytes

# What one more term, one more posting and one more value object cost in memory, roughly (the
# pool's memory limit): a term of Whoosh's items (three arrays), a word of a full-text field (a
# list, whose key is the analyzer's string), a posting, a value object of its own.
_TERM_BYTES = 560
_WORD_BYTES = 160
_POSTING_BYTES = 18
_VALUE_BYTES = 33
# At most this many temporary files are merged at once (open files are limited: 256 on macOS).
MERGE_RUNS = 64

# Posting block data: pickled with this protocol, and compressed only from this many bytes on.
BLOCK_PICKLE_PROTOCOL = 3
BLOCK_COMPRESS_MIN = 64

# One term's postings: field name, term bytes, document numbers, weights, values.
Term = tuple[str, bytes, array, array, list]

# The number of positions in a Positions value (its first four bytes, as Whoosh writes them).
_COUNT = struct.Struct("!I").unpack_from
_FIRST = itemgetter(0)

# The value of a word at one position, made once per position: most words of a text are seen once.
_ONE_POSITION: dict[int, bytes] = {}
_ONE_POSITION_LIMIT = 20_000


class SegmentWriter(_WhooshSegmentWriter):
    def __init__(self, ix, *args, limitmb: int = 128, **kwargs):
        super().__init__(ix, *args, limitmb=limitmb, **kwargs)
        self._limitmb = limitmb
        self._whooshs_pool = self.pool
        self._choose_pool()

    def _choose_pool(self) -> None:
        """Our pool and paths for a schema of plain fields and Whoosh 3's codec (the index's);
        Whoosh's own for spelling words or term vectors (Whoosh adds spelling postings all with
        document 0 and orders them by value) or another codec."""
        fields = [f for _, f in self.schema.items()] + [f for _, f in self.schema._dyn_fields.values()]
        self._ours = isinstance(self.fieldwriter, W3FieldWriter) and not any(
            f.separate_spelling() or f.vector for f in fields
        )
        self.pool = TermPool(self._tempstorage, self._limitmb) if self._ours else self._whooshs_pool

    def add_field(self, fieldname, fieldspec, **kwargs):
        super().add_field(fieldname, fieldspec, **kwargs)  # only before the first document
        self._choose_pool()

    def per_document_reader(self):
        return _LengthsReadOnce(super().per_document_reader())

    def _flush_segment(self):
        if not self._ours:
            return super()._flush_segment()
        # as Whoosh's, with the postings written a term at a time
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        _write_postings(self.fieldwriter, self.schema, lengths, self.pool.terms())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()

    def add_document(self, **fields):
        """Whoosh's ``add_document``: the same postings, stored values, lengths and columns."""
        if not self._ours:
            return super().add_document(**fields)
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    positions_by_word = getattr(field.analyzer, "positions_by_word", None)
                    if (
                        isinstance(field.format, FastPositions)
                        and positions_by_word
                        and isinstance(value, str)
                        and fieldboost == 1.0  # a document's own boost: weighed now, as Whoosh's items
                    ):
                        freq = pool.add_words(fieldname, docnum, positions_by_word(value), field.format)
                    else:
                        freq = pool.add_items(fieldname, docnum, field.index(value), fieldboost)
                    if field.scorable:
                        length = freq
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


class TermPool:
    """The postings of a new segment grouped by (field, term), in the order they were added (the
    order of document numbers); a stand-in for Whoosh's ``PostingPool``."""

    def __init__(self, tempstore, limitmb: int):
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._size = 0
        # Postings of each term as Whoosh's items give them, by (field, term bytes): document
        # numbers, weights and values.
        self._terms: dict[tuple[str, bytes], _Postings] = {}
        # Postings of full-text fields, by (field, the format's boost) and word (the analyzer's
        # strings: their hashes are kept, no key or bytes made per posting): a flat list
        # [document number, value, document number, value, ...], as one list append is cheaper
        # than filling several arrays. The weight, the number of positions times the boost, is
        # worked out from the value when the term is written. (A document with a field boost of
        # its own gives its postings as Whoosh's items: see ``SegmentWriter.add_document``.)
        self._words: dict[tuple[str, float], dict[str, list]] = {}
        self.runs: list[str] = []  # temporary files of sorted terms, oldest first

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        postings = self._terms.get((fieldname, tbytes))
        if postings is None:
            postings = self._terms[fieldname, tbytes] = (array("I"), array("d"), [])
            self._size += _TERM_BYTES + len(tbytes)
        docs, weights, values = postings
        docs.append(docnum)
        weights.append(weight)
        values.append(vbytes or b"")
        self._size += _POSTING_BYTES + _VALUE_BYTES + len(vbytes) if vbytes else _POSTING_BYTES
        if self._size > self._limit:
            self.save()

    def add_items(self, fieldname: str, docnum: int, items, fieldboost: float) -> int:
        """Add a field's postings, ``(term bytes, frequency, weight, value)`` as Whoosh's
        ``field.index()`` gives them; the sum of their frequencies."""
        total = 0
        for tbytes, freq, weight, vbytes in items:
            total += freq
            self.add((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
        return total

    def add_words(self, fieldname: str, docnum: int, words: dict, fmt: FastPositions) -> int:
        """Add a full-text field's postings from its words' positions, as Whoosh's
        ``field.index()`` makes them with ``fmt`` (a ``FastPositions``), in a document without a
        field boost of its own; the number of words."""
        key = (fieldname, fmt.field_boost)
        terms = self._words.get(key)
        if terms is None:
            terms = self._words[key] = {}
        get = terms.get
        encode = fmt.encode
        one = _ONE_POSITION
        size = _POSTING_BYTES * len(words)
        total = 0
        for word, positions in words.items():
            count = len(positions)
            total += count
            value = one.get(positions[0]) if count == 1 else None
            if value is None:
                value = encode(positions)
                if count == 1 and positions[0] < _ONE_POSITION_LIMIT:
                    one[positions[0]] = value  # most words of a text: one value per position, shared
                else:
                    size += _VALUE_BYTES + len(value)
            postings = get(word)
            if postings is None:
                terms[word] = [docnum, value]
                size += _WORD_BYTES
            else:
                postings.append(docnum)
                postings.append(value)
        self._size += size
        if self._size > self._limit:
            self.save()
        return total

    def save(self) -> None:
        """Write the terms in memory, sorted, to a new temporary file."""
        if not self._terms and not self._words:
            return
        name = f"{random_name()}.run"
        self._write_run(name, self._in_memory())
        self.runs.append(name)
        self._terms = {}
        self._words = {}
        self._size = 0

    def terms(self) -> Iterator[Term]:
        """Every term with all its postings, in (field, term) order: what is written."""
        if not self.runs:
            yield from self._in_memory()
            return
        while len(self.runs) >= MERGE_RUNS:  # too many to open at once: merge them in rounds
            merged = []
            for start in range(0, len(self.runs), MERGE_RUNS):
                group = self.runs[start : start + MERGE_RUNS]
                name = f"{random_name()}.run"
                self._write_run(name, self._merged(group, ()))
                merged.append(name)
            self.runs = merged
        yield from self._merged(self.runs, self._in_memory())

    def _merged(self, runs: list[str], memory: Iterator[Term]) -> Iterator[Term]:
        """The terms of ``runs`` (oldest first) and then of ``memory``, each term's parts joined."""
        # heapq.merge is stable: a term's parts come oldest first, so in document order
        parts = heapq.merge(*(self._read_run(name) for name in runs), memory, key=itemgetter(0, 1))
        for (fieldname, tbytes), group in groupby(parts, key=itemgetter(0, 1)):
            first, *rest = group
            if not rest:
                yield first
                continue
            docs, weights, values = array("I", first[2]), array("d", first[3]), list(first[4])
            for part in rest:
                docs += part[2]
                weights += part[3]
                values += part[4]
            yield fieldname, tbytes, docs, weights, values

    def iter_postings(self) -> Iterator[tuple]:
        """(field, term, docnum, weight, value) in Whoosh's sorted order, as ``PostingPool``'s."""
        for fieldname, tbytes, docs, weights, values in self.terms():
            for docnum, weight, value in zip(docs, weights, values, strict=True):
                yield fieldname, tbytes, docnum, weight, value

    def cleanup(self) -> None:
        for name in self.runs:
            if self._tempstore.file_exists(name):
                self._tempstore.delete_file(name)
        self.runs = []

    def _write_run(self, name: str, terms: Iterator[Term]) -> None:
        with self._tempstore.create_file(name) as f:
            for fieldname, tbytes, docs, weights, values in terms:
                marshal.dump((fieldname, tbytes, docs.tobytes(), weights.tobytes(), values), f)

    def _in_memory(self) -> Iterator[Term]:
        """The terms in memory, sorted. A word's arrays are made when it comes, and the pool lets
        go of its list then: the postings are not held twice (all of them were: 50 MB more in a
        worker at 5,000 readouts)."""
        by_field: dict[str, dict[bytes, list]] = {}
        for (fieldname, tbytes), postings in self._terms.items():
            by_field.setdefault(fieldname, {})[tbytes] = [postings]
        for key, words in self._words.items():
            terms = by_field.setdefault(key[0], {})
            for word in words:
                terms.setdefault(word.encode("utf-8"), []).append((key, word))
        for fieldname in sorted(by_field):
            terms = by_field[fieldname]
            for tbytes in sorted(terms):
                # each part: Whoosh's items' postings (three arrays), or a word's (its key, word)
                parts = [self._word_postings(*part) if len(part) == 2 else part for part in terms.pop(tbytes)]
                docs, weights, values = parts[0] if len(parts) == 1 else _joined(*parts)
                yield fieldname, tbytes, docs, weights, values

    def _word_postings(self, key: tuple[str, float], word: str) -> _Postings:
        """A word's postings, taken out of the pool: document numbers, weights and values."""
        boost = key[1]
        flat = self._words[key].pop(word)
        values = flat[1::2]
        # as Whoosh weighs a word: its positions times the format's boost (in C: a loop here cost
        # more than the rest of the term; most fields have no boost)
        weights = map(_FIRST, map(_COUNT, values))
        if boost != 1.0:
            weights = map(mul, weights, repeat(boost))
        return array("I", flat[0::2]), array("d", weights), values

    def _read_run(self, name: str) -> Iterator[Term]:
        with self._tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    fieldname, tbytes, docs, weights, values = marshal.load(f)
                except EOFError:
                    break
                yield fieldname, tbytes, _array("I", docs), _array("d", weights), values
        self._tempstore.delete_file(name)


_Postings = tuple[array, array, list]


def _joined(a: _Postings, b: _Postings) -> _Postings:
    """One term's postings from two lists of them (each in document order), in document order:
    the postings of a term added from words with different boosts, or also as Whoosh's items (a
    value that is not text)."""
    if a[0][-1] > b[0][0]:  # b first, or interleaved
        a, b = b, a
    rows = list(zip(*a, strict=True)) + list(zip(*b, strict=True))
    if a[0][-1] > b[0][0]:  # interleaved
        rows.sort(key=itemgetter(0))
    return (
        array("I", (docnum for docnum, _, _ in rows)),
        array("d", (weight for _, weight, _ in rows)),
        [value for _, _, value in rows],
    )


def _array(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)
    return values


def _write_postings(fieldwriter: W3FieldWriter, schema, lengths, terms: Iterator[Term]) -> None:
    """Write ``terms`` with ``fieldwriter`` (Whoosh 3's) as Whoosh's ``FieldWriter.add_postings`` writes the
    same postings one by one: the same calls, blocks and bytes."""
    lastfield = None
    field_lengths = None
    for fieldname, tbytes, docs, weights, values in terms:
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            fieldwriter._postwriter = CompactPostingsWriter.like(fieldwriter._postwriter)
            lastfield = fieldname
            field_lengths = lengths.field_lengths(fieldname) if lengths is not None else None
        fieldwriter.start_term(tbytes)
        doc_lengths = _lengths_of(docs, fieldname, field_lengths, lengths)
        _fill_blocks(fieldwriter._postwriter, docs, weights, values, doc_lengths)
        fieldwriter.finish_term()
    if lastfield is not None:
        fieldwriter.finish_field()


def _lengths_of(docs: array, fieldname: str, field_lengths, lengths) -> list:
    """Each posting's document length in the field, as Whoosh's writer asks for it."""
    if lengths is None or field_lengths is None:  # no lengths: Whoosh's reader answers 0
        return [0] * len(docs)
    if docs[-1] < len(field_lengths):  # the documents ascend
        return [field_lengths[d] for d in docs]
    return [lengths.doc_field_length(d, fieldname, 0) for d in docs]


def _fill_blocks(postwriter, docs: array, weights: array, values: list, doc_lengths: list) -> None:
    """Put one term's postings into ``postwriter``'s blocks as its ``add_posting`` does one at a
    time: a block is written when full and the next posting comes; the last is left for
    ``finish_postings``."""
    limit = postwriter._blocklimit
    for start in range(0, len(docs), limit):
        if start:
            postwriter._write_block()
        end = start + limit
        block_weights = weights[start:end]
        postwriter._ids = docs[start:end]
        postwriter._weights = array("f", block_weights)
        postwriter._values = [v for v in values[start:end] if v]
        top = max(block_weights)
        postwriter._maxweight = top if top > 0 else 0
        known = [n for n in doc_lengths[start:end] if n]
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0


class CompactPostingsWriter(W3PostingsWriter):
    """Whoosh 3's postings writer, writing the same blocks smaller and faster; Whoosh's reader
    reads them as it reads its own (it unpickles any protocol, and a block's header says whether
    its data is compressed).

    - Whoosh pickles a block's data (document numbers, weights, values) with protocol 2, which
      has no opcode for bytes: each value, a few bytes of positions, becomes a call to
      ``_codecs.encode`` with a latin-1 string, about 30 bytes more per posting, which zlib then
      has to squeeze out again. Protocol 3 writes bytes as bytes (and, unlike 4, adds no frame).
    - Whoosh compresses every block, also the one of a term in a single document, where zlib
      only adds bytes (it means to skip pickles under 20 bytes but overwrites that choice).
      Blocks under ``BLOCK_COMPRESS_MIN`` bytes are left as they are.
    - Pickle keeps a memo of the objects it wrote, to write a repeated one as a reference. The
      block data has no repeated object but the values the pool shares (a word's value at one
      position is one object): without the memo a block's bytes do not depend on that sharing,
      and the memo's bookkeeping (a PUT opcode after every tuple and value) is neither done nor
      written.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, BLOCK_PICKLE_PROTOCOL)
        self._pickler.fast = True  # no memo (see above)

    @classmethod
    def like(cls, postwriter: W3PostingsWriter) -> CompactPostingsWriter:
        """A compact writer with ``postwriter``'s file and settings (before its first term)."""
        return cls(
            postwriter._postfile,
            postwriter._blocklimit,
            byteids=postwriter._byteids,
            compression=postwriter._compression,
            inlinelimit=postwriter._inlinelimit,
        )

    def _pickled(self, data) -> bytes:
        """``data`` pickled with ``BLOCK_PICKLE_PROTOCOL`` and without a memo, by one pickler and
        buffer for all the blocks of this writer."""
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._pickler.dump(data)
        return buffer.getvalue()

    def _write_block(self, last=False):
        """Whoosh's ``_write_block`` with the data pickled and compressed as above."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        databytes = self._pickled((self._mini_ids(), self._mini_weights(), self._mini_values()))
        comp = self._compression if len(databytes) >= BLOCK_COMPRESS_MIN else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        # the block's header, as Whoosh writes it: its reader can skip a block without its data
        infobytes = pickle.dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                comp,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        blocklength = len(infobytes) + len(databytes)
        postfile = self._postfile
        postfile.write_int(-blocklength if last else blocklength)  # the last block's is negative
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class _LengthsReadOnce:
    """A Whoosh per-document reader whose ``doc_field_length`` reads each field's length column
    once (Whoosh's reader seeks and reads the column for each question); everything else is the
    wrapped reader's."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list | None] = {}

    def field_lengths(self, fieldname: str) -> list | None:
        """Every document's length in ``fieldname`` as Whoosh answers it (None for a length byte
        of 0), or None when the field has no lengths."""
        lengths = self._lengths.get(fieldname, False)
        if lengths is False:
            raw = length_bytes(self._reader, fieldname)
            table = [byte_to_length(b) if b else None for b in range(256)]
            lengths = self._lengths[fieldname] = None if raw is None else [table[b] for b in raw]
        return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self.field_lengths(fieldname)
        if lengths is None:
            return default
        if docnum >= len(lengths):  # Whoosh's reader: past the column, the default byte (0)
            return self._reader.doc_field_length(docnum, fieldname, default)
        return lengths[docnum]

    def __getattr__(self, name):
        return getattr(self._reader, name)
