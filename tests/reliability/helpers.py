"""Shared by the reliability tests: the real command, generated readouts, consistency checks.

Slow variants (50 kill cycles, 10,000 files) run only with ``READOUT_ARCHIVE_SLOW=1``; they also
carry the ``slow`` marker, so ``-m "not slow"`` deselects them explicitly.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SLOW_ENV = "READOUT_ARCHIVE_SLOW"
slow = pytest.mark.skipif(os.environ.get(SLOW_ENV) != "1", reason=f"slow: set {SLOW_ENV}=1 to run")

_EXE = shutil.which("readout-archive")
CLI = [_EXE] if _EXE else [sys.executable, "-m", "index.cli"]


def cli_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("READOUT_ARCHIVE_DEBUG", None)
    return env


def run_cli(data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(),
    )


def start_cli(data_dir: Path, *args: str) -> subprocess.Popen:
    """The command in a session of its own, so that ``leftovers`` can find its worker processes."""
    return subprocess.Popen(
        [*CLI, "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
        start_new_session=True,
    )


def leftovers(sid: int) -> list[int]:
    """Live processes of session ``sid`` (what a killed command left running)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):  # state ppid pgrp session
            pids.append(int(entry.name))
    return pids


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait (without polling) until the processes ``pids`` have ended; those still alive."""
    deadline = time.monotonic() + timeout
    alive = []
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                alive.append(pid)
        finally:
            os.close(fd)
    return alive


def end_leftovers(sid: int) -> None:
    """SIGKILL what is left of the command started in session ``sid`` (one by one, by pid)."""
    for pid in leftovers(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def assert_one_line_error(done: subprocess.CompletedProcess, *needles: str) -> None:
    """Exit status 2 and exactly one line on stderr (no traceback) holding each of ``needles``."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def make_readouts(folder: Path, count: int, sample_dir: Path, *, start: int = 0) -> list[Path]:
    """``count`` distinct readouts made from the bundled samples, each with a unique word
    ``uniqNNNNN`` in its text, named ``r_NNNNN.txt``."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(p.read_text("utf-8") for p in sample_dir.glob("0*.txt"))
    made = []
    for n in range(start, start + count):
        text = seeds[n % len(seeds)]
        title, _, rest = text.partition("\n")
        path = folder / f"r_{n:05d}.txt"
        path.write_text(f"{title} (copy {n})\n{rest}\n\nReference uniq{n:05d}.\n", "utf-8")
        made.append(path)
    return made


def assert_consistent(archive) -> None:
    """Every indexed document has its record and the other way round; totals agree."""
    everything = archive.search("", limit=None, snippets=0)
    ids = {hit.id for hit in everything.hits}
    stored = {m.id for m in archive.meetings()}
    assert everything.total == len(everything.hits), "a hit without its record"
    assert ids == stored, (len(ids), len(stored))
    assert archive.count() == len(stored)
    with archive._ix.reader() as reader:
        assert reader.doc_count() == len(stored)
