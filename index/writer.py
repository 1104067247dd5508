"""The Whoosh segment writer of the index, with field lengths read once per field.

When Whoosh writes a segment's postings it asks for the length of the posting's document in the
posting's field, once per posting, and its reader answers each question with a read of the
length column (a file seek and read): a tenth of the time of indexing long readouts. Here the
lengths of a field are read in one go the first time they are asked for; the answers, and so the
index files, are Whoosh's own.
"""

from __future__ import annotations

from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

from .engine import length_bytes


class SegmentWriter(_WhooshSegmentWriter):
    def per_document_reader(self):
        return _LengthsReadOnce(super().per_document_reader())


class _LengthsReadOnce:
    """A Whoosh per-document reader whose ``doc_field_length`` reads each field's length column
    once; everything else is the wrapped reader's."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._lengths.get(fieldname, False)
        if lengths is False:
            raw = length_bytes(self._reader, fieldname)
            # as Whoosh answers: None for a length byte of 0, the length it stands for otherwise
            table = [byte_to_length(b) if b else None for b in range(256)]
            lengths = self._lengths[fieldname] = None if raw is None else [table[b] for b in raw]
        if lengths is None:
            return default
        if docnum >= len(lengths):  # Whoosh's reader: past the column, the default byte (0)
            return self._reader.doc_field_length(docnum, fieldname, default)
        return lengths[docnum]

    def __getattr__(self, name):
        return getattr(self._reader, name)
