"""Damaged, missing or outdated index files: detected on open, rebuilt from the sources with one
visible notice; never a traceback (CLI: one line; GUI: a message through the messages helper)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from index import cli
from index.archive import INDEX_FORMAT, Archive

from .helpers import assert_consistent, run_cli


def _seg(data_dir: Path) -> Path:
    """The main file of a segment (its terms; a segment is several files, not one compound)."""
    return next((data_dir / "index" / "whoosh").glob("*.trm"))


def _part(data_dir: Path, pattern: str) -> Path:
    return next((data_dir / "index" / "whoosh").glob(pattern))


def _toc(data_dir: Path) -> Path:
    return next((data_dir / "index" / "whoosh").glob("*.toc"))


def _store(data_dir: Path) -> Path:
    return data_dir / "index" / "meetings.sqlite3"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _scribble(path: Path, start: int) -> None:
    data = bytearray(path.read_bytes())
    data[start : start + 12_000] = os.urandom(min(12_000, len(data) - start))
    path.write_bytes(bytes(data))


def _set_format(data_dir: Path, value: str) -> None:
    with sqlite3.connect(_store(data_dir)) as db:
        db.execute("UPDATE meta SET value=? WHERE key='format'", (value,))
    db.close()


DAMAGE = {
    "truncated segment": (lambda d: _truncate(_seg(d)), "damaged"),
    "empty segment": (lambda d: _seg(d).write_bytes(b""), "damaged"),
    "missing segment": (lambda d: _seg(d).unlink(), "damaged"),
    "truncated postings": (lambda d: _truncate(_part(d, "*.pst")), "damaged"),
    "missing postings": (lambda d: _part(d, "*.pst").unlink(), "damaged"),
    "missing column": (lambda d: _part(d, "*.col").unlink(), "damaged"),
    "garbage table of contents": (lambda d: _toc(d).write_bytes(b"garbage"), "damaged"),
    "truncated table of contents": (lambda d: _truncate(_toc(d)), "damaged"),
    "missing table of contents": (lambda d: _toc(d).unlink(), "missing"),
    "missing full-text folder": (lambda d: shutil.rmtree(d / "index" / "whoosh"), "missing"),
    "store not a database": (lambda d: _store(d).write_bytes(b"x" * 4096), "damaged"),
    "truncated store": (lambda d: _truncate(_store(d)), "damaged"),
    "store with garbage pages": (lambda d: _scribble(_store(d), 8192), "damaged"),
    "missing store": (lambda d: _store(d).unlink(), "missing"),
    "whole index folder missing": (lambda d: shutil.rmtree(d / "index"), "missing"),
    "wrong schema version": (lambda d: _set_format(d, "0." + INDEX_FORMAT.split(".")[1]), "another version"),
    "wrong extraction version": (
        lambda d: _set_format(d, INDEX_FORMAT.split(".")[0] + ".0"),
        "another version",
    ),
}


@pytest.fixture
def indexed(tmp_path, sample_dir):
    folder = tmp_path / "readouts"
    shutil.copytree(sample_dir, folder)
    data_dir = tmp_path / "data"
    with Archive.open(data_dir) as archive:
        archive.index_paths([folder])
        ids = sorted(m.id for m in archive.meetings())
    return data_dir, ids


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damage_is_detected_and_rebuilt_with_one_notice(indexed, damage):
    data_dir, ids = indexed
    harm, word = DAMAGE[damage]
    harm(data_dir)
    with Archive.open(data_dir) as archive:
        told = [n for n in archive.notices if "rebuilt" in n]
        assert len(told) == 1 and word in told[0], archive.notices
        assert sorted(m.id for m in archive.meetings()) == ids
        assert archive.search("Kamikawa").total >= 1
        assert_consistent(archive)
    with Archive.open(data_dir) as again:
        assert not again.notices  # told once


@pytest.mark.parametrize("damage", ["store with garbage pages", "missing segment", "wrong schema version"])
def test_cli_reports_the_rebuild_in_one_line_and_searches(indexed, damage):
    data_dir, _ids = indexed
    DAMAGE[damage][0](data_dir)
    done = run_cli(data_dir, "search", "Kamikawa")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "rebuilt" in lines[0], done.stderr
    assert "meeting(s)" in done.stdout


def test_cli_unexpected_errors_are_one_line(data_dir, monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Archive, "search", boom)
    assert cli.main(["--data-dir", str(data_dir), "search", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk on fire" in err[0] and "RuntimeError" in err[0]


def test_unrebuildable_damage_while_another_process_writes_says_in_use(indexed, monkeypatch):
    """A damaged-looking index is rebuilt only under the write lock: never under a running writer."""
    import index.archive as archive_module

    data_dir, _ids = indexed
    holder = archive_module._WriteLock(data_dir / "index.lock")
    assert holder.acquire()
    _seg(data_dir).unlink()
    monkeypatch.setattr(archive_module, "OPEN_RETRY_SECONDS", 0.01)
    monkeypatch.setattr(archive_module, "OPEN_ATTEMPTS", 2)
    try:
        with pytest.raises(archive_module.IndexLocked, match="(?i)another process"):
            Archive.open(data_dir)
        assert (data_dir / "index" / "whoosh").is_dir()  # nothing was thrown away
    finally:
        holder.release()
    with Archive.open(data_dir) as archive:
        assert archive.count() == 5


def test_gui_starts_on_a_damaged_archive_and_shows_the_notice(indexed):
    data_dir, _ids = indexed
    _scribble(_store(data_dir), 8192)
    done = run_cli(data_dir, "gui", "--self-test", timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "search ok" in done.stderr
    # run_gui passes each archive notice to Messages.info (logged in self-test mode)
    assert "info: Readout Archive: The index in" in done.stderr and "rebuilt" in done.stderr
