"""kill -9 of ``readout-archive index`` at random points: the next start repairs the archive and
tells the user once; searches stay consistent; no bookmark, note, tag or saved search is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from index.archive import PENDING_KEY, Archive
from index.store import Store, StoreBatch

from .helpers import (
    assert_consistent,
    end_leftovers,
    leftovers,
    make_readouts,
    run_cli,
    slow,
    start_cli,
    wait_gone,
)

QUICK_CYCLES = 5
SOAK_CYCLES = 50


def _kill_index_run(data_dir: Path, rng: random.Random, longest: float) -> bool:
    """Start ``index`` (re-scan of the known folders), SIGKILL it after a random delay.
    True if it was killed before it finished."""
    proc = start_cli(data_dir, "index", "--quiet")
    try:
        proc.wait(timeout=rng.uniform(0.05, longest))
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    end_leftovers(proc.pid)  # parser workers of a killed run: see the test below
    proc.communicate()  # (leftover workers would hold the pipes open)
    return not finished


def _user_data(data_dir: Path) -> tuple[dict, dict]:
    bookmarks = run_cli(data_dir, "bookmark", "list", "--json")
    saved = run_cli(data_dir, "saved-search", "list", "--json")
    assert bookmarks.returncode == 0 and saved.returncode == 0, bookmarks.stderr + saved.stderr
    marks = {b["id"]: (b["note"], tuple(b["tags"])) for b in json.loads(bookmarks.stdout)}
    searches = {s["name"]: (s["query"], s["filters"]) for s in json.loads(saved.stdout)}
    return marks, searches


def _mutate(folder: Path, sample_dir: Path, rng: random.Random, cycle: int, keep: set[str]) -> None:
    """Give the next run work: new files, edited files, deleted files (never a bookmarked one)."""
    make_readouts(folder, 30, sample_dir, start=1000 + 30 * cycle)
    files = sorted(p for p in folder.glob("r_*.txt") if p.name not in keep)
    for path in rng.sample(files, 4):
        path.write_text(path.read_text("utf-8") + f"\n\nEdited in cycle {cycle}.\n", "utf-8")
    for path in rng.sample(files, 2):
        path.unlink(missing_ok=True)


@pytest.fixture
def crash_setup(tmp_path, sample_dir):
    return prepare_crash_archive(tmp_path, sample_dir)


def prepare_crash_archive(tmp_path: Path, sample_dir: Path):
    """An archive of 120 generated readouts, two bookmarks with notes and tags, a saved search."""
    folder = tmp_path / "readouts"
    make_readouts(folder, 120, sample_dir)
    data_dir = tmp_path / "data"
    assert run_cli(data_dir, "index", str(folder), "--quiet").returncode == 0
    with Archive.open(data_dir) as archive:
        hits = archive.search("uniq00003 OR uniq00007", limit=None).hits
    marked = {}
    for n, hit in enumerate(hits):
        done = run_cli(data_dir, "bookmark", "add", hit.id, "--note", f"note {n}\nline 2", "--tag", f"t{n}")
        assert done.returncode == 0, done.stderr
        marked[hit.id] = None
    done = run_cli(data_dir, "saved-search", "add", "ministers", "minister", "--from", "2020-01-01")
    assert done.returncode == 0, done.stderr
    keep = {"r_00003.txt", "r_00007.txt"}
    return data_dir, folder, keep, _user_data(data_dir)


def soak(data_dir, folder, keep, before, sample_dir, cycles: int, seed: int) -> dict:
    rng = random.Random(seed)
    killed = repaired = 0
    for cycle in range(cycles):
        _mutate(folder, sample_dir, rng, cycle, keep)
        was_killed = _kill_index_run(data_dir, rng, longest=1.8)
        killed += was_killed
        with Archive.open(data_dir) as archive:  # the next start
            interrupted = [n for n in archive.notices if "interrupted" in n or "rebuilt" in n]
            repaired += bool(interrupted)
            assert len(interrupted) <= 1, archive.notices
            assert_consistent(archive)
            assert archive.search("minister").total > 0
            assert archive._store.get_meta(PENDING_KEY) is None
        with Archive.open(data_dir) as again:  # told once: the next start has nothing to say
            assert not [n for n in again.notices if "interrupted" in n or "rebuilt" in n], again.notices
        assert _user_data(data_dir) == before
    return {"cycles": cycles, "killed": killed, "repaired": repaired}


def assert_same_as_fresh_build(data_dir: Path, folder: Path, tmp_path: Path) -> None:
    assert run_cli(data_dir, "index", "--quiet").returncode == 0
    reference = tmp_path / "reference"
    assert run_cli(reference, "index", str(folder), "--quiet").returncode == 0
    with Archive.open(data_dir) as survived, Archive.open(reference) as fresh:
        assert {m.source for m in survived.meetings()} == {m.source for m in fresh.meetings()}
        for query in ("minister", "uniq00003", '"Viet Nam"', "edited"):
            assert survived.search(query, limit=None).total == fresh.search(query, limit=None).total, query


def test_kill_9_during_indexing_a_few_times(crash_setup, sample_dir, tmp_path):
    data_dir, folder, keep, before = crash_setup
    result = soak(data_dir, folder, keep, before, sample_dir, QUICK_CYCLES, seed=10)
    assert result["killed"] >= 1, result
    assert_same_as_fresh_build(data_dir, folder, tmp_path)


@slow
@pytest.mark.slow
def test_kill_9_during_indexing_50_times(crash_setup, sample_dir, tmp_path):
    data_dir, folder, keep, before = crash_setup
    result = soak(data_dir, folder, keep, before, sample_dir, SOAK_CYCLES, seed=50)
    assert result["killed"] >= SOAK_CYCLES // 5, result
    assert_same_as_fresh_build(data_dir, folder, tmp_path)


# -- the dangerous instants, made deterministic ----------------------------------------------------


class _Crash(BaseException):
    """Stands for the process dying: nothing after it runs (not even ``except Exception``)."""


def _indexed(tmp_path, sample_dir, count=12):
    folder = tmp_path / "readouts"
    make_readouts(folder, count, sample_dir)
    data_dir = tmp_path / "data"
    with Archive.open(data_dir) as archive:
        archive.index_paths([folder])
    return data_dir, folder


def test_crash_between_the_full_text_commit_and_the_store_write(tmp_path, sample_dir, monkeypatch):
    data_dir, folder = _indexed(tmp_path, sample_dir)
    make_readouts(folder, 5, sample_dir, start=500)
    (folder / "r_00001.txt").unlink()

    def crash(*args, **kwargs):
        raise _Crash

    with Archive.open(data_dir) as archive:
        monkeypatch.setattr(StoreBatch, "commit", crash)
        with pytest.raises(_Crash):
            archive.index_paths([folder])
        monkeypatch.undo()
        # Whoosh has the new documents, the store not: the state a kill -9 leaves
        with archive._ix.reader() as reader:
            assert reader.doc_count() != archive.count()
    (folder / "r_00502.txt").unlink()  # deleted before the next start: its document is an orphan
    with Archive.open(data_dir) as reopened:
        assert [n for n in reopened.notices if "interrupted" in n], reopened.notices
        assert_consistent(reopened)
        assert reopened.count() == 12 - 1 + 5 - 1
        assert reopened.search("uniq00502").total == 0
        assert reopened.search("uniq00503").total == 1
    with Archive.open(data_dir) as third:
        assert not third.notices


def test_crash_while_parsing_resumes_the_run_on_the_next_start(tmp_path, sample_dir, monkeypatch):
    folder = tmp_path / "readouts"
    make_readouts(folder, 10, sample_dir)
    data_dir = tmp_path / "data"
    calls = []

    def crash_on_third(done, total, path):
        calls.append(path)
        if len(calls) == 3:
            raise _Crash

    with Archive.open(data_dir) as archive:
        with pytest.raises(_Crash):
            archive.index_paths([folder], progress=crash_on_third)
    with Archive.open(data_dir) as reopened:
        assert [n for n in reopened.notices if "interrupted" in n]
        assert reopened.count() == 10  # the run was completed from the remembered folder
        assert_consistent(reopened)


def test_a_leftover_lock_file_from_a_killed_run_does_not_block(tmp_path, sample_dir):
    data_dir, folder = _indexed(tmp_path, sample_dir)
    make_readouts(folder, 200, sample_dir, start=100)
    proc = start_cli(data_dir, "index", "--quiet")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until the run holds its lock, then kill it
        with Archive.open(data_dir) as probe:
            if not probe._write_lock.acquire():
                break
            probe._write_lock.release()
        if proc.poll() is not None:
            pytest.skip("the run finished before it could be killed")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    end_leftovers(proc.pid)
    proc.communicate()
    locks = [data_dir / "index.lock", data_dir / "index" / "whoosh" / "MAIN_WRITELOCK"]
    assert all(p.exists() for p in locks)  # the files stay; the OS released the locks
    store = Store(data_dir / "index" / "meetings.sqlite3")
    pending = store.get_meta(PENDING_KEY)  # None only if killed before the run marked itself
    store.close()
    done = run_cli(data_dir, "index", "--quiet")
    assert done.returncode == 0, done.stderr
    assert ("interrupted" in done.stderr) == (pending is not None), done.stderr  # told once
    with Archive.open(data_dir) as archive:
        assert archive.count() == 12 + 200
        assert_consistent(archive)


def test_parser_workers_do_not_outlive_a_killed_indexer(tmp_path, sample_dir):
    folder = tmp_path / "readouts"
    make_readouts(folder, 400, sample_dir)
    data_dir = tmp_path / "data"
    proc = start_cli(data_dir, "index", str(folder), "--quiet")
    try:
        deadline = time.monotonic() + 20
        while len(leftovers(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            try:
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is not None:
            pytest.skip("the run used no worker processes or finished first")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert wait_gone(leftovers(proc.pid), timeout=10) == []
    finally:
        end_leftovers(proc.pid)
        proc.communicate()
