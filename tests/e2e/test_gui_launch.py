"""Launch the real ``readout-archive`` command's window offscreen on a temp data dir."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def test_gui_self_test_exits_cleanly(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    exe = shutil.which("readout-archive")
    cmd = [exe] if exe else [sys.executable, "-m", "index.cli"]
    done = subprocess.run(
        [*cmd, "--data-dir", str(tmp_path / "data"), "gui", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "search ok" in done.stderr
    assert (tmp_path / "data" / "settings.ini").is_file()
