"""Running the real ``readout-archive`` console command in the end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

EXE = shutil.which("readout-archive")


def run(data_dir, *args, check=True) -> subprocess.CompletedProcess:
    """``readout-archive --data-dir DATA_DIR ARGS...``; with ``check``, fail on a non-zero exit."""
    cmd = [EXE] if EXE else [sys.executable, "-m", "index.cli"]
    proc = subprocess.run(
        [*cmd, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc
