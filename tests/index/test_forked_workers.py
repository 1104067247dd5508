"""On Linux a single-threaded indexing process (the command line) forks its workers instead of
starting them through a forkserver; any other thread (the window's, pytest-qt's) keeps the
forkserver, and Windows spawns. Forked workers must give the same archive, leave the archive's
locks to the indexing process and end with it."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from whoosh.util.filelock import FileLock

from index import pipeline
from index.archive import Archive
from tests.index.forked_indexer import canonical
from tests.index.test_parallel_indexing import _index
from tests.reliability.helpers import wait_gone

REPO = Path(__file__).resolve().parents[2]
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


def _fresh(*args: str, **kwargs) -> subprocess.Popen:
    """``tests/index/forked_indexer.py`` in a new interpreter (single-threaded)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.pop("READOUT_ARCHIVE_WORKERS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.index.forked_indexer", *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _free(lock: Path) -> bool:
    """Whether nobody holds the file lock ``lock`` (taken and given back at once)."""
    taken = FileLock(str(lock))
    if not taken.acquire():
        return False
    taken.release()
    return True


def _run_fresh(*args: str) -> dict:
    proc = _fresh(*args)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    return json.loads(out.splitlines()[-1])


@linux
def test_only_a_single_threaded_process_forks_its_workers():
    seen = _run_fresh("start-methods")
    assert seen == {
        "alone": "fork",
        "python thread": "forkserver",
        "native thread": "forkserver",  # unknown to threading: the kernel's count tells
        "threading.active_count": 1,
    }


def test_another_thread_here_keeps_the_forkserver():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        expected = "spawn" if sys.platform == "win32" else "forkserver"
        assert pipeline._start_method() == expected
    finally:
        release.set()
        thread.join()


def test_a_thread_other_than_the_main_one_keeps_the_forkserver():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(pipeline._start_method()))
    thread.start()
    thread.join()
    assert seen == ["spawn" if sys.platform == "win32" else "forkserver"]


@pytest.mark.parametrize(
    ("platform", "expected"), [("darwin", "forkserver"), ("win32", "spawn"), ("linux", "fork")]
)
def test_only_linux_forks(monkeypatch, platform, expected):
    monkeypatch.setattr(pipeline, "_single_threaded", lambda: True)
    monkeypatch.setattr(sys, "platform", platform)
    assert pipeline._start_method() == expected


@linux
def test_forked_workers_give_the_same_archive_as_in_process(tmp_path, many):
    forked = _run_fresh("build", str(tmp_path / "forked"), str(many))
    assert forked["methods"] == ["fork"] and forked["threads"] == 1  # the fork path really ran
    _, here_view, _ = _index(tmp_path / "here", many, 0)
    assert forked["report"] == [85, 0, 0, 0, 0] and forked["lost"] == []
    assert forked["segments"] == 2  # one per worker
    assert forked["view"] == canonical(here_view)


@linux
def test_forked_workers_use_the_entity_tables_the_indexing_process_has(tmp_path, many):
    """Loaded before the run, the tables are inherited: loading them again would fail (and the
    worker's share be indexed again here, which would be logged as lost)."""
    forked = _run_fresh("build", str(tmp_path / "forked"), str(many), "--tables")
    assert forked["methods"] == ["fork"] and forked["lost"] == []
    assert forked["report"] == [85, 0, 0, 0, 0] and forked["segments"] == 2
    _, here_view, _ = _index(tmp_path / "here", many, 0)
    assert forked["view"] == canonical(here_view)


def _lines(proc: subprocess.Popen, count: int, timeout: float) -> list[str]:
    """The first ``count`` lines ``proc`` writes, or fewer if it ends or ``timeout`` passes (a
    worker that hangs fails the test instead of hanging it)."""
    fd, data = proc.stdout.fileno(), b""
    deadline = time.monotonic() + timeout
    while data.count(b"\n") < count:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            break  # timed out
        chunk = os.read(fd, 65536)
        if not chunk:
            break  # ended
        data += chunk
    return data.decode().splitlines()[:count]


@contextmanager
def _held(data_dir: Path, folder: Path, **kwargs):
    """``forked_indexer hold`` in a session of its own: (the process, the indexing process's line,
    the two workers' lines) once both workers wait at their first file; whatever still runs at
    the end is killed."""
    proc = _fresh("hold", str(data_dir), str(folder), start_new_session=True, **kwargs)
    workers: list[dict] = []
    try:
        lines = [json.loads(line) for line in _lines(proc, 3, timeout=120)]
        indexer = next((line for line in lines if "indexer" in line), {})
        workers = [line for line in lines if "pid" in line]
        assert indexer and len(workers) == 2, lines  # else ended or hung before the workers waited
        yield proc, indexer, workers
    finally:
        for worker in workers:
            try:
                os.kill(worker["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@linux
def test_forked_workers_hold_no_lock_and_end_with_a_killed_indexer(tmp_path, many):
    data_dir = tmp_path / "data"
    locks = [data_dir / "index.lock", data_dir / "index" / "whoosh" / "MAIN_WRITELOCK"]
    with _held(data_dir, many) as (proc, indexer, workers):
        assert indexer["method"] == "fork"
        for worker in workers:
            assert worker["ppid"] == indexer["indexer"]  # forked by the indexing process itself
            # the locks' descriptors were closed in the child: the locks are the indexer's alone
            assert not {str(lock) for lock in locks} & set(worker["files"]), worker["files"]
            # and so were the reading ends of the workers' pipes: each pipe's one reader is the
            # indexing process (a worker blocked sending fails when it closes its end)
            assert not set(indexer["readers"]) & set(worker["reads"])
        assert not any(_free(lock) for lock in locks)  # held by the indexing process
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert all(_free(lock) for lock in locks)  # at once, whether the workers have ended or not
        assert wait_gone([w["pid"] for w in workers], timeout=60) == []  # they end by themselves
    with Archive.open(data_dir) as archive:  # the interrupted run is finished on open
        assert archive.count() == 85
        assert any("interrupted" in notice for notice in archive.notices)


@linux
def test_ctrl_c_stops_the_workers_without_a_traceback_of_theirs(tmp_path, many):
    """Ctrl-C in a terminal interrupts the whole process group: the indexing process stops the
    workers; they do not each print a traceback of the interruption."""
    with _held(tmp_path / "data", many, stderr=subprocess.PIPE) as (proc, _, workers):
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole group
        _, err = proc.communicate(timeout=60)
        assert "KeyboardInterrupt" in err  # the indexing process was interrupted (no handler here)
        assert "readout-indexer" not in err, err  # a worker's traceback starts "Process readout-indexer-N:"
        assert wait_gone([w["pid"] for w in workers], timeout=60) == []
