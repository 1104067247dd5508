"""Our segment writer (posting pool by term, postings written a block at a time, lengths read
once per field) must write the index files Whoosh's own writer writes, byte for byte, given the
same encoding of posting blocks; and our compact blocks must read back, through Whoosh's own
reader, as exactly the postings of Whoosh's stock blocks."""

from __future__ import annotations

import hashlib
import io
import pickle
import random
import shutil
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.writing import PostingPool
from whoosh.writing import SegmentWriter as WhooshSegmentWriter

import index.archive
import index.writer
from index.archive import Archive
from index.documents import entity_variants, whoosh_document
from index.entities import EntityTables
from index.gazetteer import Gazetteer
from index.ingest import FoundFile
from index.pipeline import prepare
from index.schema import build_schema
from index.writer import BLOCK_PICKLE_PROTOCOL, CompactPostingsWriter, TermPool


def _whoosh_writes_compact_blocks(monkeypatch) -> None:
    """Whoosh's own writer, with our encoding of a posting block (what the byte comparisons
    compare: how postings are pooled, ordered and put into blocks). Its blocks are pickled by a
    new pickler each (ours reuses one per field)."""
    monkeypatch.setattr(W3PostingsWriter, "_write_block", CompactPostingsWriter._write_block)
    monkeypatch.setattr(W3PostingsWriter, "_pickled", _pickled_alone, raising=False)


def _pickled_alone(self, data) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, BLOCK_PICKLE_PROTOCOL)
    pickler.fast = True
    pickler.dump(data)
    return buffer.getvalue()


def _hashes(data_dir: Path, archive: Archive) -> dict[str, str]:
    """Content hash of every index file (segment ids, which are random, replaced)."""
    segments = [s.segment_id() for s in archive._ix._segments()]
    files = {}
    for path in (data_dir / "index" / "whoosh").iterdir():
        name = path.name
        for number, segment in enumerate(segments):
            name = name.replace(segment, f"segment{number}")
        if not name.endswith(".toc") and "WRITELOCK" not in name:
            files[name] = hashlib.sha1(path.read_bytes()).hexdigest()
    return files


def _index_files(data_dir: Path, *folders: Path) -> list[dict[str, str]]:
    """Index each folder in turn (one run each); the index files after each run."""
    states = []
    with Archive.open(data_dir) as archive:
        archive.workers = 0
        for folder in folders:
            archive.index_paths([folder])
            states.append(_hashes(data_dir, archive))
    return states


@pytest.fixture
def readouts(tmp_path, corpus_dir, sample_dir) -> tuple[Path, Path]:
    """A folder of readouts, and a second state of it: some changed, some gone, some new."""
    first = tmp_path / "first"
    shutil.copytree(sample_dir, first)
    corpus = sorted(corpus_dir.glob("*.txt"))
    for path in corpus[:30]:
        shutil.copy2(path, first / path.name)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    for path in sorted(second.glob("*.txt"))[:5]:
        path.unlink()
    for path in sorted(second.glob("*.txt"))[5:10]:
        path.write_text(
            path.read_text(encoding="utf-8") + "\nThe ministers also discussed fisheries.\n", encoding="utf-8"
        )
    for path in corpus[30:40]:
        shutil.copy2(path, second / path.name)
    return first, second


@pytest.mark.parametrize("limit_mb", [index.archive.WRITER_LIMIT_MB, 0.05], ids=["in-memory", "spilled"])
def test_the_index_files_are_those_whooshs_writer_makes(tmp_path, readouts, monkeypatch, limit_mb):
    first, second = readouts
    monkeypatch.setattr(index.archive, "WRITER_LIMIT_MB", limit_mb)
    spills = []
    real_save = TermPool.save
    monkeypatch.setattr(TermPool, "save", lambda self: spills.append(1) or real_save(self))
    ours = _index_files(tmp_path / "ours", first, second)
    assert bool(spills) == (limit_mb < 1)  # the small limit really wrote temporary files
    monkeypatch.setattr(index.writer, "SegmentWriter", WhooshSegmentWriter)
    _whoosh_writes_compact_blocks(monkeypatch)
    theirs = _index_files(tmp_path / "theirs", first, second)
    # after the first run (new segment) and the second (deletions, a second segment or a merge)
    assert ours == theirs
    assert any(name.endswith(".pst") for name in ours[1]) and ours[0] != ours[1]


def _postings(seed: int, count: int) -> list[tuple]:
    """Random postings in the order a writer adds them: by document, each term once per field."""
    rng = random.Random(seed)
    words = [f"w{n}".encode() for n in range(300)]
    items = []
    for docnum in range(count):
        for field in ("body", "title", "id"):
            for word in sorted(rng.sample(words, rng.randint(1, 20))):
                value = None if field == "id" else bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
                items.append((field, word, docnum, float(rng.randint(1, 4)), value))
    return items


@pytest.mark.parametrize(("limit_mb", "merge_runs"), [(64, 64), (0.01, 64), (0.01, 3)])
@pytest.mark.parametrize("storage", ["ram", "files"])
def test_the_term_pool_gives_back_whooshs_sorted_postings(
    tmp_path, limit_mb, merge_runs, storage, monkeypatch
):
    """Also with more temporary files than are merged at once (merged in rounds)."""
    monkeypatch.setattr(index.writer, "MERGE_RUNS", merge_runs)
    items = _postings(seed=7, count=400)
    ours = TermPool(RamStorage() if storage == "ram" else FileStorage(str(tmp_path)), limit_mb)
    theirs = PostingPool(FileStorage(str(tmp_path)), None, limitmb=limit_mb)
    for item in items:
        ours.add(item)
        theirs.add(item)
    if limit_mb < 1:
        assert len(ours.runs) > 3
    expected = [(f, t, d, w, v or b"") for f, t, d, w, v in theirs.iter_postings()]
    assert list(ours.iter_postings()) == expected == sorted((f, t, d, w, v or b"") for f, t, d, w, v in items)
    ours.cleanup()
    assert ours.runs == [] and not [name for name in ours._tempstore.list() if name.endswith(".run")]


def _segment_files(
    folder: Path, writer_class, schema, documents, setup=None, **options
) -> tuple[dict[str, str], bool]:
    """The files of one segment written by ``writer_class`` (and whether ours took its own path)."""
    from whoosh import index as whoosh_index

    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema)
    writer = writer_class(ix, compound=False, **options)
    if setup is not None:
        setup(writer)
    for document in documents:
        # fields of the schema, and boosts ("_boost", "_<field>_boost")
        writer.add_document(
            **{
                name: value
                for name, value in document.items()
                if name in writer.schema or name.startswith("_")
            }
        )
    ours = getattr(writer, "_ours", False)
    writer.commit()
    segment = ix._segments()[0].segment_id()
    files = {
        p.name.replace(segment, "segment"): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if not p.name.endswith(".toc") and "WRITELOCK" not in p.name
    }
    return files, ours


def _schemas():
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.codec.plaintext import PlainTextCodec
    from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

    def plain():
        return Schema(
            id=ID(stored=True, unique=True),
            body=TEXT(),
            tags=KEYWORD(commas=True),
            size=NUMERIC(sortable=True),
            note=STORED(),
        )

    def spelling_and_vectors():
        schema = plain()
        schema.add("words", TEXT(analyzer=StemmingAnalyzer(), spelling=True))  # spelling words apart
        schema.add("vec", TEXT(vector=True))
        return schema

    def glob_vectors():
        schema = plain()
        schema.add("*_v", TEXT(vector=True), glob=True)
        return schema

    return {
        # (schema, their path expected, writer setup, writer options)
        "plain fields": (plain, True, None, {}),
        "spelling and vectors": (spelling_and_vectors, False, None, {}),
        "glob vector fields": (glob_vectors, False, None, {}),
        "vector field added before the first document": (
            plain,
            False,
            lambda w: w.add_field("late_v", TEXT(vector=True)),
            {},
        ),
        "another codec": (plain, False, None, {"codec": PlainTextCodec()}),
    }


@pytest.mark.parametrize("case", list(_schemas()))
def test_any_whoosh_schema_is_written_as_whoosh_writes_it(tmp_path, corpus_dir, case, monkeypatch):
    """Fields of stock Whoosh formats take our path; spelling words, term vectors (glob fields
    and fields added late too) and other codecs take Whoosh's: the same files either way (our
    path with our block encoding). Some terms have hundreds of postings (several blocks)."""
    make_schema, ours_expected, setup, options = _schemas()[case]
    documents = _documents(corpus_dir)
    ours, took_ours = _segment_files(
        tmp_path / "ours", index.writer.SegmentWriter, make_schema(), documents, setup, **options
    )
    if ours_expected:
        _whoosh_writes_compact_blocks(monkeypatch)
    theirs, _ = _segment_files(
        tmp_path / "theirs", WhooshSegmentWriter, make_schema(), documents, setup, **options
    )
    assert took_ours == ours_expected
    assert ours == theirs and ours


def test_documents_with_boosts_of_their_own_are_written_as_whoosh_writes_them(
    tmp_path, corpus_dir, monkeypatch
):
    """Our full-text fields give the pool their words' positions, but not in a document with a
    boost of its own (``_boost``, ``_body_boost``): its postings are weighed as Whoosh's items
    (positions times the format's boost, then times the document's). The same files as Whoosh's
    writer writes (with our block encoding)."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus_dir.glob("*.txt"))[:12]]
    documents = [
        {
            "id": f"d{n}",
            "title": texts[n % len(texts)].splitlines()[0],
            "body": texts[n % len(texts)],
            **({"_boost": 1.7} if n % 5 == 0 else {}),
            **({"_body_boost": 0.3} if n % 7 == 0 else {}),
        }
        for n in range(60)
    ]
    ours, took_ours = _segment_files(tmp_path / "ours", index.writer.SegmentWriter, build_schema(), documents)
    _whoosh_writes_compact_blocks(monkeypatch)
    theirs, _ = _segment_files(tmp_path / "theirs", WhooshSegmentWriter, build_schema(), documents)
    assert took_ours
    assert ours == theirs and ours


def _documents(corpus_dir: Path) -> list[dict]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus_dir.glob("*.txt"))[:12]]
    return [
        {
            "id": f"d{n}",
            "body": texts[n % len(texts)] if n < 24 else f"common words {n} common",
            "tags": "a,b" if n % 2 else "c",
            "size": n * 37,
            "note": f"n{n}",
            "words": "running dogs ran",
            "vec": "hello world",
            "x_v": "vector words",
            "late_v": "late words",
        }
        for n in range(300)
    ]


def _postings_as_read(folder: Path, writer_class, schema, documents) -> tuple[dict, int]:
    """One segment written by ``writer_class``, read back by Whoosh's reader: every term's
    statistics and postings (document, weight, value, and the header of the posting's block);
    and the size of the postings file."""
    from whoosh import index as whoosh_index

    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema)
    writer = writer_class(ix, compound=False)
    for document in documents:
        writer.add_document(**{name: value for name, value in document.items() if name in schema})
    writer.commit()
    terms = {}
    with ix.reader() as reader:
        for fieldname, tbytes in reader.all_terms():
            info = reader.term_info(fieldname, tbytes)
            matcher = reader.postings(fieldname, tbytes)
            rows = []
            while matcher.is_active():
                rows.append(
                    (
                        matcher.id(),
                        matcher.weight(),
                        matcher.value(),
                        matcher.block_max_weight(),
                        matcher.block_min_length(),
                        matcher.block_max_length(),
                    )
                )
                matcher.next()
            stats = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
            terms[fieldname, tbytes] = (stats, info.min_id(), info.max_id(), rows)
    (postings,) = folder.glob("*.pst")
    return terms, postings.stat().st_size


def test_compact_blocks_read_back_as_whooshs_own(tmp_path, corpus_dir):
    """Our block encoding against Whoosh's stock one (protocol 2, every block compressed), on
    our schema with real readouts and on a plain schema whose terms span several blocks: the
    same postings, block headers and term statistics through Whoosh's reader, in less space."""
    gazetteer = Gazetteer.load()
    tables = EntityTables.load(gazetteer, None)
    variants = entity_variants(tables)
    readouts = []
    for path in sorted(corpus_dir.glob("*.txt")):  # 160 real readouts
        stat = path.stat()
        found = FoundFile(path, stat.st_size, stat.st_mtime_ns)
        meeting = prepare(found, None, gazetteer, lambda: tables).meeting
        readouts.append(whoosh_document(meeting, gazetteer, variants))
    cases = [
        ("readouts", build_schema, readouts),
        ("plain", _schemas()["plain fields"][0], _documents(corpus_dir)),
    ]
    for name, make_schema, documents in cases:
        ours, our_size = _postings_as_read(
            tmp_path / f"ours-{name}", index.writer.SegmentWriter, make_schema(), documents
        )
        theirs, their_size = _postings_as_read(
            tmp_path / f"theirs-{name}", WhooshSegmentWriter, make_schema(), documents
        )
        assert ours == theirs and len(ours) > 1000
        assert max(len(rows) for *_, rows in ours.values()) > 128  # several blocks
        assert our_size < 0.8 * their_size


def _one_file_a_run(data_dir: Path, folder: Path, files: list[Path]) -> tuple[list[dict[str, str]], int]:
    """Add ``files`` to ``folder`` one per run (the fourth changed in the fifth); the index files
    after each run, and the number of segments at the end."""
    folder.mkdir()
    states = []
    with Archive.open(data_dir) as archive:
        archive.workers = 0
        for k, path in enumerate(files):
            shutil.copy2(path, folder / path.name)
            if k == 4:
                changed = folder / files[3].name
                changed.write_text(
                    changed.read_text(encoding="utf-8") + "\nAlso fisheries.\n", encoding="utf-8"
                )
            archive.index_paths([folder])
            states.append(_hashes(data_dir, archive))
        return states, len(archive._ix._segments())


def test_merged_segments_are_written_as_whooshs_writer_writes_them(tmp_path, corpus_dir, monkeypatch):
    """Whoosh merges small segments at a commit (their postings come to the pool from readers)."""
    files = sorted(corpus_dir.glob("*.txt"))[:8]
    ours, segments = _one_file_a_run(tmp_path / "ours", tmp_path / "files", files)
    assert segments < len(files)  # some runs merged segments
    shutil.rmtree(tmp_path / "files")  # the same paths again (they are in the index)
    monkeypatch.setattr(index.writer, "SegmentWriter", WhooshSegmentWriter)
    _whoosh_writes_compact_blocks(monkeypatch)
    theirs, _ = _one_file_a_run(tmp_path / "theirs", tmp_path / "files", files)
    assert ours == theirs


@pytest.mark.parametrize("format_boost", [1.0, 2.0, 0.7])  # 0.7: (c * 0.7) * b is not c * (0.7 * b)
@pytest.mark.parametrize("limit_mb", [64, 0.01])
def test_words_and_whooshs_items_of_one_field_come_back_in_document_order(tmp_path, limit_mb, format_boost):
    """A full-text field's postings come as words with positions (text values) or as Whoosh's
    items (other values), in any mix and with any boosts: each term's postings in document
    order, weighed as Whoosh weighs them, as Whoosh's pool gives them."""
    from index.analysis import FastPositions

    fmt = FastPositions(field_boost=format_boost)
    rng = random.Random(3)
    ours = TermPool(FileStorage(str(tmp_path)), limit_mb)
    theirs = PostingPool(FileStorage(str(tmp_path)), None, limitmb=limit_mb)
    for docnum in range(300):
        words = {
            w: sorted(rng.sample(range(50), rng.randint(1, 5)))
            for w in rng.sample(["a", "b", "ç", "d", "e"], 3)
        }
        boost = (1.5, 1.0, 0.3)[docnum % 7 % 3]  # documents with a boost of their own
        items = [
            ("body", w.encode("utf-8"), docnum, len(p) * format_boost * boost, fmt.encode(p))
            for w, p in words.items()
        ]
        if docnum % 3 and boost == 1.0:  # text: words and their positions
            assert ours.add_words("body", docnum, words, fmt) == sum(map(len, words.values()))
        else:  # another value, or a document's own boost: Whoosh's items
            for item in items:
                ours.add(item)
        for item in items:
            theirs.add(item)
    assert list(ours.iter_postings()) == list(theirs.iter_postings())
