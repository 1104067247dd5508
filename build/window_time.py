"""Time from launch until the main window is mapped, on a real X server (Xvfb).

    python build/window_time.py [--runs 7] [--data-dir DIR] [-- COMMAND ...]

COMMAND defaults to the bundle (dist/readout-archive/readout-archive). Needs Xvfb and xdotool
(`apt-get install xvfb xdotool`). Starts its own Xvfb display, launches COMMAND ``--data-dir DIR
gui`` with QT_QPA_PLATFORM=xcb, polls ``xdotool search --onlyvisible`` for the window title, then
closes the program. The first run is a warm-up and is not counted; the data directory should
already hold an index (otherwise the first start indexes the sample archive). Prints the median.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Readout Archive"


def start_xvfb() -> tuple[subprocess.Popen, str]:
    for number in range(91, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            display = f":{number}"
            proc = subprocess.Popen(
                ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(500):
                ready = subprocess.run(
                    ["xdotool", "getdisplaygeometry"],
                    env=dict(os.environ, DISPLAY=display),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
                if ready.returncode == 0:
                    return proc, display
                time.sleep(0.01)
            proc.kill()
    raise SystemExit("window_time: could not start Xvfb")


def window_visible(env: dict) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", TITLE],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return found.returncode == 0


def one_run(cmd: list[str], env: dict, timeout: float) -> float:
    started = time.monotonic()
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        while time.monotonic() - started < timeout:
            if window_visible(env):
                return time.monotonic() - started
            if proc.poll() is not None:
                errors.seek(0)
                raise SystemExit(
                    f"window_time: {cmd[0]} exited {proc.returncode} before showing a window:\n"
                    + errors.read().decode(errors="replace")[-3000:]
                )
            time.sleep(0.005)  # leave the CPU to the program being timed
        raise SystemExit(f"window_time: no window after {timeout} s")
    finally:
        errors.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="an indexed data directory (default: a temp one)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument(
        "command", nargs="*", default=[str(ROOT / "dist" / "readout-archive" / "readout-archive")]
    )
    args = parser.parse_args(argv)
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"window_time: {tool} not found (apt-get install xvfb xdotool)")

    temp = None
    data_dir = args.data_dir
    if data_dir is None:
        temp = tempfile.mkdtemp(prefix="readout-window-")
        data_dir = Path(temp)
    xvfb, display = start_xvfb()
    try:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        cmd = [*args.command, "--data-dir", str(data_dir), "gui"]
        times = [one_run(cmd, env, args.timeout) for _ in range(args.runs + 1)][1:]
    finally:
        xvfb.terminate()
        xvfb.wait()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    print(
        f"window shown: median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
        f"max {max(times):.3f} s over {len(times)} runs (after 1 warm-up)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
