"""Indexing in a fresh, single-threaded interpreter, where workers are forked (the command line's
case); the test process itself may run other threads (pytest-qt's), and then uses a forkserver.

``python -m tests.index.forked_indexer start-methods``: one JSON line, ``_start_method()`` with and
without other threads.

``python -m tests.index.forked_indexer build DATA_DIR FOLDER [--tables]``: index FOLDER with two
workers and print one JSON line: the start methods used, the thread count, the report, the
segments and the snapshot (``canonical``). ``--tables``: the archive loads its entity tables
first, and loading them anywhere after that fails (so a worker must use the inherited ones).

``python -m tests.index.forked_indexer hold DATA_DIR FOLDER``: index FOLDER with two workers,
each of which prints a JSON line (pid, parent pid, its open files and the pipes it reads) when it
is about to parse its first file and then waits until it is told to stop; the indexing process
prints one line with its own pid and pipes read. For tests that kill or interrupt the indexing
process.
"""

from __future__ import annotations

import json
import os
import select
import sys
import threading
from pathlib import Path


def canonical(view: dict) -> str:
    """A snapshot of ``test_parallel_indexing._snapshot`` as JSON text (its keys are tuples)."""
    searches = {f"{query}\x00{sort}": value for (query, sort), value in view["searches"].items()}
    return json.dumps({**view, "searches": searches}, sort_keys=True, default=str)


def read_pipes() -> list[int]:
    """The inodes of the pipes this process has open for reading."""
    inodes = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            flags = Path(f"/proc/self/fdinfo/{fd}").read_text().split("flags:")[1].split()[0]
        except (OSError, IndexError):
            continue  # the directory listing's own descriptor, closed by now
        if target.startswith("pipe:") and int(flags, 8) & os.O_ACCMODE == os.O_RDONLY:
            inodes.append(int(target[6:-1]))
    return inodes


def _open_files() -> list[str]:
    files = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            files.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return files


def _say(line: dict) -> None:
    """One JSON line on stdout in one write (the workers write at the same time)."""
    data = (json.dumps(line) + "\n").encode()
    assert len(data) <= select.PIPE_BUF, "longer lines may be interleaved with another process's"
    os.write(sys.stdout.fileno(), data)


def _spy_start_methods() -> list[str]:
    import index.pipeline

    methods: list[str] = []
    real_init = index.pipeline.SegmentWorkers.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        methods.append(self.start_method)

    index.pipeline.SegmentWorkers.__init__ = spy
    return methods


def _start_methods() -> dict:
    import _thread

    from index.pipeline import _start_method

    seen = {"alone": _start_method()}
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    seen["python thread"] = _start_method()
    release.set()
    thread.join()
    # A thread Python did not start, as Qt's: unknown to threading until it asks for itself.
    hold, started = _thread.allocate_lock(), _thread.allocate_lock()
    hold.acquire()
    started.acquire()

    def native() -> None:
        started.release()
        hold.acquire()

    _thread.start_new_thread(native, ())
    started.acquire()
    seen["native thread"] = _start_method()
    seen["threading.active_count"] = threading.active_count()
    hold.release()
    return seen


def _build(data_dir: Path, folder: Path, preload_tables: bool) -> dict:
    from index.archive import Archive
    from index.entities import EntityTables
    from tests.index.test_parallel_indexing import _snapshot

    methods = _spy_start_methods()
    lost: list[str] = []
    with Archive.open(data_dir) as archive:
        archive.workers = 2
        if preload_tables:
            archive.entity_tables  # noqa: B018 - loaded here, before the workers start

            def no_load(*args, **kwargs):
                raise AssertionError("the entity tables were loaded again")

            EntityTables.load = no_load
        threads = threading.active_count()
        import logging

        class Lost(logging.Handler):
            def emit(self, record):
                lost.append(record.getMessage())

        logging.getLogger("index.archive").addHandler(Lost(logging.WARNING))
        report = archive.index_paths([folder])
        return {
            "methods": methods,
            "threads": threads,
            "lost": lost,
            "report": [report.added, report.updated, report.removed, report.unchanged, len(report.skipped)],
            "segments": len(archive._ix._segments()),
            "view": canonical(_snapshot(archive)),
        }


def _hold(data_dir: Path, folder: Path) -> None:
    import index.pipeline
    from index.archive import Archive

    indexer = os.getpid()
    real_prepare = index.pipeline.prepare
    real_init = index.pipeline.SegmentWorkers.__init__
    real_worker = index.pipeline._index_in_worker
    stop = []  # in a worker: the event that tells it to stop

    def worker(*args, **kwargs):
        stop.append(args[-1])
        return real_worker(*args, **kwargs)

    def prepare(*args, **kwargs):
        if os.getpid() != indexer:  # in a (forked) worker: report, then wait until told to stop
            files = [name for name in _open_files() if name.startswith(str(data_dir))]
            line = {"pid": os.getpid(), "ppid": os.getppid(), "files": files, "reads": read_pipes()}
            _say(line)
            stop[0].wait()
        return real_prepare(*args, **kwargs)

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        readers = [os.fstat(conn.fileno()).st_ino for conn in self._conns]
        _say({"indexer": indexer, "method": self.start_method, "readers": readers})

    index.pipeline.prepare = prepare
    index.pipeline.SegmentWorkers.__init__ = init
    index.pipeline._index_in_worker = worker
    with Archive.open(data_dir) as archive:
        archive.workers = 2
        archive.index_paths([folder])
    _say({"finished": True})  # only if the workers did not wait


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "start-methods":
        print(json.dumps(_start_methods()))
    elif command == "build":
        print(json.dumps(_build(Path(args[0]), Path(args[1]), "--tables" in args)))
    elif command == "hold":
        _hold(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
