"""Reading and parsing source files for the indexer, in this process or in worker processes.

Parsing (cleaning, metadata and entity extraction) is about half of indexing; the other half is
Whoosh, which must stay in the one writing process. For large jobs the parsing runs in worker
processes while the writer indexes what is ready, in the original order.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import ingest
from .entities import EntityTables, extract_entities
from .errors import UnreadableFile
from .gazetteer import Gazetteer
from .models import Meeting
from .readout import parse_readout
from .store import FileState

log = logging.getLogger(__name__)

# Below this many files a worker pool costs more (start-up, loading the name lists) than it saves.
PARALLEL_MIN_FILES = 150
# Files each worker may be ahead of the index writer.
AHEAD_PER_WORKER = 16


@dataclass(frozen=True)
class Prepared:
    """The outcome for one file: a new meeting, an unchanged file (meeting None), or an error."""

    found: ingest.FoundFile
    state: FileState | None = None
    meeting: Meeting | None = None
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


def worker_count(n_files: int) -> int:
    """How many worker processes to use for ``n_files`` (0 = parse in this process)."""
    if n_files < PARALLEL_MIN_FILES or getattr(sys, "frozen", False):
        return 0  # the frozen bundle leaves multiprocessing out
    override = os.environ.get("READOUT_ARCHIVE_WORKERS")
    if override is not None:
        return max(0, int(override))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # As many workers as cores: the writer waits for parsed files much of the time, so on two
    # cores two workers beat one (1,000 long readouts: 14.4 s in-process, 12.5 s with one, 9.5 s
    # with two).
    return max(0, min(cpus, 4))


def prepare_all(
    todo: Sequence[ingest.FoundFile],
    states: dict[str, FileState],
    gazetteer: Gazetteer,
    tables: Callable[[], EntityTables],
    overlay: Path | None,
    *,
    workers: int,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[Prepared]:
    """``Prepared`` for each file of ``todo``, in order. Stops early when ``cancelled()``."""
    if workers <= 0:
        for found in todo:
            if cancelled():
                return
            # tables() is asked for only when a file must be parsed (compiling them is a quarter
            # of a second; a re-scan of unchanged files needs none)
            yield prepare(found, states.get(str(found.path)), gazetteer, tables)
        return
    # Imported here: the frozen bundle leaves multiprocessing out (worker_count() is 0 there).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # forkserver: never fork a process that may run GUI threads.
    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(overlay, os.getpid())
    ) as pool:
        jobs = iter([(found, states.get(str(found.path))) for found in todo])
        # Only a bounded number of files in flight: Executor.map would submit every file at
        # once, and parsed meetings would pile up in memory whenever the writer is slower.
        in_flight: deque = deque()

        def submit_next() -> None:
            job = next(jobs, None)
            if job is not None:
                in_flight.append(pool.submit(_prepare_in_worker, job))

        for _ in range(workers * AHEAD_PER_WORKER):
            submit_next()
        done = 0
        try:
            while in_flight:
                result = in_flight.popleft().result()
                submit_next()
                if cancelled():
                    return
                done += 1
                yield result
        except BrokenProcessPool:
            log.warning("parser workers failed; parsing the remaining %d files here", len(todo) - done)
        else:
            return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    yield from prepare_all(todo[done:], states, gazetteer, tables, overlay, workers=0, cancelled=cancelled)


_WORKER: tuple[Gazetteer, EntityTables] | None = None


def _init_worker(overlay: Path | None, indexer_pid: int) -> None:
    global _WORKER
    threading.Thread(target=_exit_with, args=(indexer_pid,), name="watch-indexer", daemon=True).start()
    gazetteer = Gazetteer.load(overlay)
    _WORKER = (gazetteer, EntityTables.load(gazetteer, overlay))


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


def _prepare_in_worker(job: tuple[ingest.FoundFile, FileState | None]) -> Prepared:
    found, old = job
    gazetteer, tables = _WORKER
    return prepare(found, old, gazetteer, lambda: tables)
