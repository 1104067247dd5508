"""Smoke test of the built bundle: runs the real executable, exits non-zero on any failure.

    python build/smoke.py [BUNDLE_DIR]        # default: dist/readout-archive

Everything happens in a temporary data directory (and temporary HOME/XDG folders), so a real
profile is never touched. Checks, in order:

1. ``--version`` runs;
2. ``index`` of the sample archive shipped inside the bundle, then ``search Kamikawa --json``
   finds seed 000 (``000_3a5af91ac2344a0e.txt``), and ``show ID --json`` returns its record;
3. the CLI path loads no Qt library (glibc's LD_DEBUG lists every library the process opens);
4. an index written by the source install (when ``index`` is importable here) is searched by
   the bundle;
5. ``export --format pdf`` of seed 000 writes a PDF (skipped while there is no export command);
6. ``gui --self-test`` starts the window offscreen and exits 0;
7. nothing was written inside the bundle folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "readout-archive"
SEED_FILE = "000_3a5af91ac2344a0e.txt"
QUERY = "Kamikawa"


class SmokeFailure(Exception):
    pass


class Smoke:
    def __init__(self, bundle: Path, work: Path, timeout: float) -> None:
        self.bundle = bundle
        self.exe = bundle / NAME
        self.work = work
        self.timeout = timeout
        self.env = dict(os.environ)
        for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            folder = work / var.lower()
            folder.mkdir()
            self.env[var] = str(folder)
        self.env.pop("READOUT_ARCHIVE_DATA_DIR", None)
        self.env["QT_QPA_PLATFORM"] = "offscreen"
        self.failures: list[str] = []
        self.skipped: list[str] = []

    # -- helpers ----------------------------------------------------------------------------------

    def run(self, *args: str, data_dir: Path | None = None, env: dict | None = None, check: bool = True):
        cmd = [str(self.exe)]
        if data_dir is not None:
            cmd += ["--data-dir", str(data_dir)]
        cmd += list(args)
        started = time.monotonic()
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                env=env or self.env,
                timeout=self.timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise SmokeFailure(f"{' '.join(args)}: no exit after {self.timeout:.0f} s") from err
        elapsed = time.monotonic() - started
        print(f"  $ readout-archive {' '.join(args)}  -> {proc.returncode} in {elapsed:.2f} s")
        if check and proc.returncode != 0:
            raise SmokeFailure(
                f"{' '.join(args)} exited {proc.returncode}\n--- stdout\n{proc.stdout[-2000:]}"
                f"\n--- stderr\n{proc.stderr[-2000:]}"
            )
        return proc

    def run_json(self, *args: str, data_dir: Path):
        proc = self.run(*args, "--json", data_dir=data_dir)
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError as err:
            raise SmokeFailure(f"{' '.join(args)} --json printed no JSON: {proc.stdout[:500]!r}") from err

    def step(self, title: str, func) -> None:
        print(f"- {title}")
        try:
            func()
        except SmokeFailure as err:
            print(f"  FAIL: {err}")
            self.failures.append(f"{title}: {err}")

    def find_seed(self, data_dir: Path) -> str:
        """The id of seed 000 among the hits of ``search Kamikawa``, checked through ``show``."""
        result = self.run_json("search", QUERY, data_dir=data_dir)
        hits = result.get("hits", [])
        if not hits:
            raise SmokeFailure(f"search {QUERY} found nothing: {result}")
        for hit in hits:
            record = self.run_json("show", hit["id"], data_dir=data_dir)
            if Path(str(record.get("source", ""))).name == SEED_FILE:
                if not record.get("text") or not record.get("title"):
                    raise SmokeFailure(f"show {hit['id']} returned an empty record: {record}")
                return hit["id"]
        raise SmokeFailure(f"{SEED_FILE} not among the hits for {QUERY}: {[h['id'] for h in hits]}")

    # -- steps ------------------------------------------------------------------------------------

    def version(self) -> None:
        proc = self.run("--version")
        if NAME not in proc.stdout:
            raise SmokeFailure(f"--version printed {proc.stdout!r}")

    def index_search_show(self) -> None:
        sample = self.bundle / "_internal" / "resources" / "sample"
        if not sample.is_dir():
            raise SmokeFailure(f"no sample archive in the bundle at {sample}")
        data = self.work / "data"
        report = self.run_json("index", str(sample), data_dir=data)
        if report.get("added", 0) < 1 or report.get("skipped"):
            raise SmokeFailure(f"index report: {report}")
        seed = self.find_seed(data)
        print(f"  seed 000 is {seed}")
        self.seed_id = seed

    def cli_without_qt(self) -> None:
        env = dict(self.env, LD_DEBUG="files")
        proc = self.run("search", QUERY, data_dir=self.work / "data", env=env)
        loaded = [line for line in proc.stderr.splitlines() if "file=" in line and "libQt6" in line]
        if loaded:
            raise SmokeFailure(f"the CLI loaded Qt: {loaded[0].strip()}")
        if "file=" not in proc.stderr:
            self.skipped.append("Qt-free CLI check (LD_DEBUG not supported by this libc)")

    def source_index(self) -> None:
        probe = subprocess.run(
            [sys.executable, "-c", "import index.cli"], capture_output=True, cwd=ROOT, check=False
        )
        if probe.returncode != 0:
            self.skipped.append("index written by the source install (package not importable here)")
            print("  skipped: the source package is not importable by this Python")
            return
        data = self.work / "source-data"
        cmd = [
            sys.executable,
            "-m",
            "index.cli",
            "--data-dir",
            str(data),
            "index",
            str(ROOT / "resources" / "sample"),
            "--quiet",
        ]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, cwd=ROOT, env=self.env, check=False, timeout=self.timeout
        )
        if proc.returncode != 0:
            raise SmokeFailure(f"source install could not index: {proc.stderr[-1000:]}")
        self.find_seed(data)

    def export_pdf(self) -> None:
        if "export" not in self.run("--help").stdout:
            self.skipped.append("export --format pdf (no export command yet)")
            print("  skipped: the program has no export command yet")
            return
        out = self.work / "export.pdf"
        self.run(
            "export",
            "--format",
            "pdf",
            "--output",
            str(out),
            "--ids",
            self.seed_id,
            data_dir=self.work / "data",
        )
        if not out.is_file() or not out.read_bytes().startswith(b"%PDF"):
            raise SmokeFailure(f"export did not write a PDF at {out}")
        print(f"  wrote {out.stat().st_size} bytes of PDF")

    def gui_self_test(self) -> None:
        proc = self.run("gui", "--self-test", data_dir=self.work / "data", check=False)
        tail = (proc.stderr.strip().splitlines() or [""])[-1]
        print(f"  {tail}")
        if proc.returncode != 0:
            raise SmokeFailure(f"gui --self-test exited {proc.returncode}\n{proc.stderr[-3000:]}")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    state = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            state[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-test the built Readout Archive bundle.")
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / NAME)
    parser.add_argument("--timeout", type=float, default=120, help="seconds per command (default 120)")
    parser.add_argument("--skip-gui", action="store_true", help="leave out the GUI self-test")
    args = parser.parse_args(argv)

    bundle = args.bundle.resolve()
    if not (bundle / NAME).is_file():
        print(f"smoke: no executable at {bundle / NAME}: run python build/make.py first", file=sys.stderr)
        return 2
    before = snapshot(bundle)
    work = Path(tempfile.mkdtemp(prefix="readout-smoke-"))
    try:
        smoke = Smoke(bundle, work, args.timeout)
        smoke.step("--version", smoke.version)
        smoke.step("index the bundled sample, search, show", smoke.index_search_show)
        if hasattr(smoke, "seed_id"):
            smoke.step("the CLI loads no Qt library", smoke.cli_without_qt)
            smoke.step("export --format pdf", smoke.export_pdf)
        smoke.step("search an index written by the source install", smoke.source_index)
        if not args.skip_gui:
            smoke.step("gui --self-test (offscreen)", smoke.gui_self_test)
        changed = sorted(set(before.items()) ^ set(snapshot(bundle).items()))
        if changed:
            smoke.failures.append(f"the bundle folder changed: {sorted({p for p, _ in changed})[:10]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for note in smoke.skipped:
        print(f"skipped: {note}")
    if smoke.failures:
        print(f"smoke: {len(smoke.failures)} failure(s):", file=sys.stderr)
        for failure in smoke.failures:
            print(f"  {failure.splitlines()[0]}", file=sys.stderr)
        return 1
    print("smoke: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
