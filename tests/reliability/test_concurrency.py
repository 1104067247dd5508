"""Two indexers at once, a stale lock, and searching while a background job commits."""

from __future__ import annotations

import threading

import pytest

from index.archive import Archive
from index.errors import IndexLocked

from .helpers import assert_consistent, make_readouts, run_cli, start_cli


def test_a_stale_lock_file_does_not_block(tmp_path, sample_dir):
    """The locks are OS file locks (flock): they die with their process. The files a dead process
    leaves behind, even with junk in them, block nobody."""
    folder = tmp_path / "readouts"
    make_readouts(folder, 6, sample_dir)
    data_dir = tmp_path / "data"
    (data_dir / "index" / "whoosh").mkdir(parents=True)
    (data_dir / "index.lock").write_text("pid 999999\n")
    (data_dir / "index" / "whoosh" / "MAIN_WRITELOCK").write_text("pid 999999\n")
    done = run_cli(data_dir, "index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "6 added" in done.stdout


def test_a_lock_held_by_a_live_process_gives_archive_in_use(tmp_path, sample_dir):
    folder = tmp_path / "readouts"
    make_readouts(folder, 6, sample_dir)
    data_dir = tmp_path / "data"
    with Archive.open(data_dir) as archive:
        archive.index_paths([folder])
        assert archive._write_lock.acquire()  # as a running indexer holds it
        try:
            done = run_cli(data_dir, "index", str(folder))
            assert done.returncode == 2
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and "in use" in lines[0] and "Traceback" not in done.stderr
            searched = run_cli(data_dir, "search", "minister")  # reading is never blocked
            assert searched.returncode == 0 and "meeting(s)" in searched.stdout
        finally:
            archive._write_lock.release()


def test_two_indexers_at_once_one_wins_the_other_says_in_use(tmp_path, sample_dir):
    folder = tmp_path / "readouts"
    make_readouts(folder, 300, sample_dir)
    data_dir = tmp_path / "data"
    assert run_cli(data_dir, "index", str(folder / "r_00000.txt")).returncode == 0  # the archive exists
    first, second = (start_cli(data_dir, "index", str(folder), "--quiet") for _ in range(2))
    outcomes = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=120)
        outcomes.append((proc.returncode, out, err))
    codes = sorted(code for code, _out, _err in outcomes)
    assert codes in ([0, 0], [0, 2]), outcomes  # [0, 0]: the first had finished before the second
    for code, _out, err in outcomes:
        assert "Traceback" not in err
        if code == 2:
            assert len(err.strip().splitlines()) == 1 and "in use" in err, err
    with Archive.open(data_dir) as archive:
        assert not archive.notices
        assert archive.count() == 300
        assert_consistent(archive)


def test_searching_while_a_background_job_commits_is_consistent(tmp_path, sample_dir):
    first, second = tmp_path / "first", tmp_path / "second"
    make_readouts(first, 40, sample_dir)
    make_readouts(second, 40, sample_dir, start=40)
    errors: list[BaseException] = []
    seen: set[tuple[int, int]] = set()
    with Archive.open(tmp_path / "data") as archive:
        archive.workers = 0
        archive.index_paths([first])
        stop = threading.Event()

        def reader():
            while not stop.is_set():
                try:
                    everything = archive.search("", limit=None, snippets=0)
                    some = archive.search("minister", limit=5, snippets=5, facets=True)
                    assert everything.total == len(everything.hits), "a hit without its record"
                    seen.add((everything.total, some.total))
                except BaseException as err:  # noqa: BLE001 - collected and asserted below
                    errors.append(err)
                    return

        threads = [threading.Thread(target=reader) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            for _ in range(3):  # add, remove, add again: several commits under the readers
                archive.index_paths([second])
                archive.forget_root(str(second))
            archive.index_paths([second])
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert not errors, errors
        assert {total for total, _ in seen} <= {40, 80}, seen
        assert_consistent(archive)


def test_indexing_from_a_second_thread_while_one_runs_gets_index_locked(tmp_path, sample_dir):
    folder = tmp_path / "readouts"
    make_readouts(folder, 20, sample_dir)
    with Archive.open(tmp_path / "data") as archive:
        archive.workers = 0
        started, release = threading.Event(), threading.Event()
        results: list[object] = []

        def slow_progress(done, total, path):
            started.set()
            release.wait(10)

        def run():
            results.append(archive.index_paths([folder], progress=slow_progress))

        thread = threading.Thread(target=run)
        thread.start()
        assert started.wait(10)
        try:
            with pytest.raises(IndexLocked):
                archive.index_paths([folder])
        finally:
            release.set()
            thread.join()
        assert archive.count() == 20
        assert_consistent(archive)
