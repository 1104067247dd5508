"""Reading and parsing source files for the indexer, in this process or in worker processes.

Parsing (cleaning, metadata and entity extraction) is about half of indexing; the other half is
Whoosh (analysing the text, then sorting and writing the postings). For large jobs both run in
worker processes, each writing a segment of its own (as Whoosh's ``MpWriter`` with
``multisegment=True`` does); the indexing process stays the one writer of the archive: it writes
the store and commits the segments.
"""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

from . import ingest
from .entities import EntityTables, extract_entities
from .errors import UnreadableFile
from .gazetteer import Gazetteer
from .models import Meeting
from .readout import parse_readout
from .store import FileState, StoredMeeting

log = logging.getLogger(__name__)

# Below this many files workers cost more (start-up, loading the name lists, a segment each)
# than they save.
PARALLEL_MIN_FILES = 150
# What parsing and indexing a file costs beyond its text, in bytes of text that cost as much.
FILE_COST_BYTES = 4_000
# At most this many files are parsed by a worker before their documents are indexed (see
# batch_size): about half a second of work.
WORKER_BATCH = 100


@dataclass(frozen=True)
class Prepared:
    """The outcome for one file: a new meeting, an unchanged file (meeting None), or an error.
    From a worker process, a new meeting comes as its store row (a ``StoredMeeting``; its
    document is already in the worker's segment)."""

    found: ingest.FoundFile
    state: FileState | None = None
    meeting: Meeting | StoredMeeting | None = None
    warning: str | None = None
    error: str | None = None  # the reason the file was skipped


def prepare(
    found: ingest.FoundFile,
    old: FileState | None,
    gazetteer: Gazetteer,
    tables: Callable[[], EntityTables],
) -> Prepared:
    """Read, hash and (when the content changed) parse one file. Never raises."""
    try:
        text, data, decoded = ingest.read_source(found.path)
    except UnreadableFile as err:
        return Prepared(found, error=err.reason)
    sha1 = ingest.content_hash(data)
    meeting_id = ingest.meeting_id_for(found.path)
    state = FileState(str(found.path), meeting_id, found.size, found.mtime_ns, sha1)
    if old is not None and old.sha1 == sha1:
        return Prepared(found, state)
    try:
        parsed = parse_readout(text, gazetteer=gazetteer)
        mentions, events = extract_entities(parsed.text, parsed, tables=tables())
    except Exception as err:  # noqa: BLE001 - extraction must never lose a file: report it instead
        return Prepared(found, error=f"could not be parsed ({type(err).__name__}: {err})")
    meeting = Meeting(
        id=meeting_id,
        source=str(found.path),
        parsed=parsed,
        encoding=decoded.encoding,
        entities=mentions,
        events=events,
    )
    return Prepared(found, state, meeting, decoded.warning)


def _start_method() -> str:
    """How to start worker processes: "fork" on Linux when this process runs no other thread,
    else "forkserver", or "spawn" on Windows.

    A forked worker starts at once with all this process has imported and loaded; a forkserver
    first boots a new interpreter that imports the main module's modules again, and each of its
    workers imports parsing and indexing (from the command's start to the first file parsed:
    0.51 s through a forkserver, 0.31 s forked, at 1,000 files). But a child forked while
    another thread runs gets a copy of memory in which that thread may hold a lock (the
    allocator's, the import lock, one of Qt's) that nobody will ever release. The window
    indexes in a Qt pool thread, so it (and any process running a thread besides this one) uses
    a forkserver. Threads that Python did not start (Qt's) are not counted by
    ``threading.active_count()`` until they run Python code that asks for
    ``threading.current_thread()``: the kernel's count of this process's threads is asked too.
    Not on macOS, where some system frameworks are unsafe in a forked child even so.

    What a forked worker inherits and must leave alone (it ends with ``os._exit``, so no
    finalizer or exit handler of this process runs in it; ``gc.freeze`` keeps its garbage
    collections from finalizing any of our objects): the store's SQLite connections, one in a
    write transaction (never used); the files of this process's own new segment, with what
    their buffers hold (never flushed or closed there); the archive's and Whoosh's write locks
    (``flock`` locks: it closes its copies of their descriptors at once, see
    ``archive._close_inherited_locks``, so they end with this process); the reading ends of the
    workers' pipes (closed at once); this process's signal handlers (Python's defaults: the
    command line sets none)."""
    if sys.platform == "win32":
        return "spawn"
    if sys.platform.startswith("linux") and _single_threaded():
        return "fork"
    return "forkserver"


def _single_threaded() -> bool:
    """Whether this is the only thread of this process (Linux: the kernel's count)."""
    if threading.active_count() != 1 or threading.current_thread() is not threading.main_thread():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def worker_count(n_files: int) -> int:
    """How many worker processes to use for ``n_files`` (0 = parse in this process)."""
    if n_files < PARALLEL_MIN_FILES or getattr(sys, "frozen", False):
        return 0  # the frozen bundle leaves multiprocessing out
    override = os.environ.get("READOUT_ARCHIVE_WORKERS")
    if override is not None:
        return max(0, int(override))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # As many workers as cores: each parses and indexes its share into a segment of its own,
    # while the indexing process only writes the store (each worker costs a segment per run).
    return max(0, min(cpus, 4))


def prepare_all(
    todo: Sequence[ingest.FoundFile],
    states: dict[str, FileState],
    gazetteer: Gazetteer,
    tables: Callable[[], EntityTables],
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[Prepared]:
    """``Prepared`` for each file of ``todo``, in order, in this process. Stops early when
    ``cancelled()``."""
    for found in todo:
        if cancelled():
            return
        # tables() is asked for only when a file must be parsed (compiling them is a quarter of a
        # second; a re-scan of unchanged files needs none)
        yield prepare(found, states.get(str(found.path)), gazetteer, tables)


@dataclass(frozen=True)
class Lost:
    """A worker process failed (killed, crashed): its segment is gone. The outcomes it sent are
    void and ``files`` (all it was given) must be indexed again."""

    worker: int
    files: tuple[ingest.FoundFile, ...]
    reason: str


class SegmentWorkers:
    """Worker processes that each parse a contiguous share of the files and index them into their
    own new Whoosh segment (in the index directory, outside the table of contents).

    The indexing process keeps the archive's and Whoosh's write locks: it stores the records,
    deletes the old documents of changed files, and at the end adds the finished segments, in
    share order, to the index in its one commit (``finished_segments``). In share order the
    documents are numbered as an in-process run numbers them, so results (ties included) are the
    same."""

    def __init__(
        self,
        whoosh_dir: Path,
        todo: Sequence[ingest.FoundFile],
        states: dict[str, FileState],
        gazetteer: Gazetteer,
        overlay: Path | None,
        workers: int,
        limitmb: int,
        tables: EntityTables | None = None,
    ):
        """``tables``: the entity tables of the indexing process if it has them already; forked
        workers use them instead of loading their own (the same as indexing in this process)."""
        # Imported here: the frozen bundle leaves multiprocessing out (worker_count() is 0 there).
        import multiprocessing

        self.start_method = _start_method()
        context = multiprocessing.get_context(self.start_method)
        self.shares = _shares(todo, workers)
        self.segments: list = [None] * len(self.shares)
        self._stop = context.Event()
        self._procs = []
        self._conns = []
        if self.start_method != "fork":
            tables = None  # a worker of a forkserver or spawned loads its own (pickling costs more)
        try:
            self._start(context, whoosh_dir, states, gazetteer, overlay, limitmb, tables)
        except BaseException:
            self.close()
            raise
        log.debug("%d indexing workers started (%s)", len(self._procs), self.start_method)

    def _start(
        self,
        context,
        whoosh_dir: Path,
        states,
        gazetteer: Gazetteer,
        overlay: Path | None,
        limitmb: int,
        tables: EntityTables | None,
    ) -> None:
        forked = self.start_method == "fork"
        for number, share in enumerate(self.shares):
            reader, writer = context.Pipe(duplex=False)
            self._conns.append(reader)
            jobs = [(found, states.get(str(found.path))) for found in share]
            # A forked worker has copies of the reading ends of all pipes so far, its own
            # included: it closes them, so that each pipe's one reader is this process.
            inherited = tuple(self._conns) if forked else ()
            proc = context.Process(
                target=_index_in_worker,
                args=(str(whoosh_dir), jobs, gazetteer, overlay, os.getpid(), limitmb, writer, self._stop),
                kwargs={"inherited": inherited, "tables": tables},
                name=f"readout-indexer-{number}",
                daemon=True,
            )
            # Forked, the worker would otherwise walk (and so copy, page by page) every object
            # of this process in its garbage collections, and could finalize garbage of ours
            # (close files, connections) that this process has not collected yet.
            if forked:
                gc.freeze()
            try:
                proc.start()
            finally:
                if forked:
                    gc.unfreeze()
                writer.close()  # the worker holds the writing end: its end is this end's EOF
            self._procs.append(proc)

    def outcomes(self, cancelled: Callable[[], bool]) -> Iterator[tuple[int, Prepared] | Lost]:
        """(worker, outcome) as they come, and ``Lost`` for each worker that failed. On
        ``cancelled()`` the workers stop and finish their segments with what they indexed; every
        outcome sent before is still given (its document is in the segment)."""
        from multiprocessing.connection import wait

        open_conns = dict(enumerate(self._conns))
        while open_conns:
            for conn in wait(list(open_conns.values())):
                number = self._conns.index(conn)
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError) as err:
                    kind, payload = "failed", f"the worker process ended ({type(err).__name__})"
                if kind == "files":
                    for prepared in payload:
                        yield number, prepared
                        if not self._stop.is_set() and cancelled():
                            self._stop.set()
                    continue
                del open_conns[number]
                conn.close()
                if kind == "done":
                    self.segments[number] = payload
                else:
                    self._end(number)
                    yield Lost(number, tuple(self.shares[number]), payload)

    def finished_segments(self) -> list:
        """The segments the workers finished, in share order."""
        return [segment for segment in self.segments if segment is not None]

    def _end(self, number: int) -> None:
        proc = self._procs[number]
        if proc.is_alive():
            proc.kill()
        proc.join()

    def close(self) -> None:
        """Stop and end every worker (after an error in this process, or when all are done)."""
        self._stop.set()
        for conn in self._conns:
            conn.close()  # a worker blocked sending to us fails now and ends
        for number, proc in enumerate(self._procs):
            proc.join(timeout=5)
            if proc.is_alive():
                self._end(number)


def _shares(todo: Sequence[ingest.FoundFile], workers: int) -> list[list[ingest.FoundFile]]:
    """``todo`` cut into ``workers`` contiguous parts of about the same work: a file costs
    about as much as ``FILE_COST_BYTES`` of text more than it holds (measured: about 2 ms a file
    and 0.5 ms a KB). Cut by bytes alone, 100,000 files, long real readouts first and short
    ones after, gave one worker 28,000 files and the other 72,000 and 65 % more work."""
    weights = [found.size + FILE_COST_BYTES for found in todo]
    total = sum(weights) or 1
    shares: list[list[ingest.FoundFile]] = [[] for _ in range(workers)]
    seen = 0
    for found, weight in zip(todo, weights, strict=True):
        shares[min(workers - 1, seen * workers // total)].append(found)
        seen += weight
    return [share for share in shares if share]


def batch_size(files: int) -> int:
    """How many files a worker parses before it adds their documents to its segment and sends
    their outcomes: parsing and indexing a batch each in one go keeps each one's code and data
    in the processor's caches (8 % less time a readout than taking turns file by file), and
    sends fewer messages. A share is cut into at least 20 batches, so that progress and cancel
    still come often."""
    return max(1, min(WORKER_BATCH, files // 20))


def _index_in_worker(
    whoosh_dir, jobs, gazetteer, overlay, indexer_pid, limitmb, conn, stop, *, inherited=(), tables=None
) -> None:
    """Parse ``jobs`` in order, a batch at a time (``batch_size``), and add each meeting to a new
    segment of this process; send each batch's outcomes after their documents are added, then
    ("done", segment), or ("failed", reason). The ``gazetteer`` is the archive's (as loaded when it
    was opened), as for in-process indexing; so are ``tables`` when given (else loaded here).
    ``inherited``: connections of the indexing process a forked worker has copies of, to close."""
    for other in inherited:
        other.close()  # this process's copy only: the indexing process keeps its own
    # Ctrl-C in a terminal interrupts the whole process group. The indexing process handles it
    # (it stops the workers, and they end with it); here it would only print a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(indexer_pid,), name="watch-indexer", daemon=True).start()
    try:
        from whoosh import index as windex

        from .documents import entity_variants, whoosh_document
        from .writer import SegmentWriter

        if tables is None:
            tables = EntityTables.load(gazetteer, overlay)
        variants = entity_variants(tables)
        # _lk=False: the indexing process holds the index's write lock for all of us.
        writer = SegmentWriter(windex.open_dir(whoosh_dir), _lk=False, limitmb=limitmb, compound=False)
        size = batch_size(len(jobs))
        for start in range(0, len(jobs), size):
            batch = []
            for found, old in jobs[start : start + size]:
                if stop.is_set():
                    break
                batch.append(prepare(found, old, gazetteer, lambda: tables))
            for number, prepared in enumerate(batch):
                if prepared.meeting is not None:
                    writer.add_document(**whoosh_document(prepared.meeting, gazetteer, variants))
                    batch[number] = replace(prepared, meeting=StoredMeeting.of(prepared.meeting))
            if batch:
                conn.send(("files", batch))
            if stop.is_set():
                break
        if writer._added:
            segment = writer._finalize_segment()
        else:  # nothing new (unchanged files, errors, cancelled at once): leave no empty segment
            writer._close_segment()
            prefix = f"{writer.newsegment.segment_id()}."
            for name in writer.storage.list():
                if name.startswith(prefix):
                    with suppress(OSError):
                        writer.storage.delete_file(name)
            segment = None
        # Not writer._finish(): it would empty the temporary folder the other writers share.
        conn.send(("done", segment))
    except Exception as err:  # noqa: BLE001 - reported to the indexing process, which redoes the share
        with suppress(OSError):  # the indexing process may have gone (closed its end)
            conn.send(("failed", f"{type(err).__name__}: {err}"))
    finally:
        conn.close()


def _exit_with(indexer_pid: int) -> None:
    """End this worker as soon as the indexing process is gone (killed, crashed): nobody would
    read its results, and it must not keep parsing in the background."""
    try:
        fd = os.pidfd_open(indexer_pid)
    except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): poll instead
        while True:
            time.sleep(1.0)
            try:
                os.kill(indexer_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
    select.select([fd], [], [])  # readable when the process has ended
    os._exit(0)
