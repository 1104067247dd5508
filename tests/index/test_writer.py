"""The segment writer reads field lengths once per field: the index files must be Whoosh's own."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from whoosh.writing import SegmentWriter as WhooshSegmentWriter

import index.writer
from index.archive import Archive


def _index_files(data_dir: Path, folder: Path) -> dict[str, str]:
    """Content hash of every index file (segment ids, which are random, replaced)."""
    with Archive.open(data_dir) as archive:
        archive.workers = 0
        archive.index_paths([folder])
        segments = [s.segment_id() for s in archive._ix._segments()]
    files = {}
    for path in (data_dir / "index" / "whoosh").iterdir():
        name = path.name
        for number, segment in enumerate(segments):
            name = name.replace(segment, f"segment{number}")
        if not name.endswith(".toc") and "WRITELOCK" not in name:
            files[name] = hashlib.sha1(path.read_bytes()).hexdigest()
    return files


def test_the_index_files_are_those_whooshs_writer_makes(tmp_path, corpus_dir, sample_dir, monkeypatch):
    folder = tmp_path / "files"
    shutil.copytree(sample_dir, folder)
    for path in sorted(corpus_dir.glob("*.txt"))[:30]:
        shutil.copy2(path, folder / path.name)
    ours = _index_files(tmp_path / "ours", folder)
    asked = []
    real = index.writer._LengthsReadOnce.doc_field_length
    monkeypatch.setattr(
        index.writer._LengthsReadOnce,
        "doc_field_length",
        lambda self, *args: asked.append(args) or real(self, *args),
    )
    _index_files(tmp_path / "counted", folder)
    assert len(asked) > 1000  # the wrapper answered Whoosh's questions
    monkeypatch.setattr(
        index.writer.SegmentWriter, "per_document_reader", WhooshSegmentWriter.per_document_reader
    )
    theirs = _index_files(tmp_path / "theirs", folder)
    assert ours == theirs and any(name.endswith(".pst") for name in ours)
