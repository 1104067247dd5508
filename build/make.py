"""Build the standalone Readout Archive bundle with PyInstaller.

    python build/make.py               # dist/readout-archive/ (one folder)
    python build/make.py --onefile     # also dist/readout-archive-onefile
    python build/make.py --wayland     # also ship Qt's native Wayland plugin (~2 MB)

PyInstaller's scratch files go to build-work/ and the result to dist/ at the repository root
(both git-ignored), never into build/. Needs `pip install -e ".[build]"` and binutils (strip,
objdump). Prints the bundle's size and file count at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "readout-archive.spec"
NAME = "readout-archive"

# Libraries the bundle may take from the running system; anything else it loads must be inside it.
# glibc, the GL/EGL driver stack and libxcb belong to the machine (PyInstaller never bundles
# them); libsystemd0, libstdc++6 and libgcc-s1 are on every Debian/Ubuntu, libexpat1 comes with
# fontconfig (SYSTEM_LIBS in the spec).
SYSTEM_SONAMES = {
    "ld-linux-x86-64.so.2",
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "libGL.so.1",
    "libEGL.so.1",
    "libxcb.so.1",
    "libsystemd.so.0",
    "libstdc++.so.6",
    "libgcc_s.so.1",
    "libexpat.so.1",
}


def bundle_stats(folder: Path) -> tuple[float, int]:
    """(size in MiB as `du -sm` counts it, number of regular files) of a bundle folder."""
    size = 0
    files = 0
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_symlink():
                continue
            files += 1
            size += path.lstat().st_blocks * 512
    return size / 2**20, files


def unresolved_libraries(folder: Path) -> dict[str, list[str]]:
    """Sonames some bundled binary needs that neither the bundle nor SYSTEM_SONAMES provide."""
    provided = {path.name for path in folder.rglob("*")}
    missing: dict[str, list[str]] = {}
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file() or not (".so" in path.name or path.name == NAME):
            continue
        out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "NEEDED" and parts[1] not in provided | SYSTEM_SONAMES:
                missing.setdefault(parts[1], []).append(str(path.relative_to(folder)))
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--onefile", action="store_true", help="also build a single-file executable")
    parser.add_argument("--wayland", action="store_true", help="include the native Wayland platform plugin")
    parser.add_argument(
        "--no-prune", action="store_true", help="keep libraries nothing loads (for debugging)"
    )
    parser.add_argument(
        "--clean", action="store_true", help="empty PyInstaller's cache and work folder first"
    )
    parser.add_argument("--max-mib", type=float, help="fail if the bundle is larger (size budget, e.g. 105)")
    parser.add_argument("--workpath", type=Path, default=ROOT / "build-work")
    parser.add_argument("--distpath", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)

    missing = [tool for tool in ("strip", "objdump") if shutil.which(tool) is None]
    if missing:
        print(f"make.py: {', '.join(missing)} not found: install binutils", file=sys.stderr)
        return 2
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print('make.py: PyInstaller is missing: pip install -e ".[build]"', file=sys.stderr)
        return 2

    spec_args = [
        flag
        for flag, on in (
            ("--onefile", args.onefile),
            ("--wayland", args.wayland),
            ("--no-prune", args.no_prune),
        )
        if on
    ]
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--workpath",
        str(args.workpath),
        "--distpath",
        str(args.distpath),
        str(SPEC),
    ]
    if args.clean:
        cmd.insert(3, "--clean")
    if spec_args:
        cmd += ["--", *spec_args]
    print("+", " ".join(cmd), flush=True)
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, check=False)
    if result.returncode:
        return result.returncode

    bundle = args.distpath / NAME
    missing = unresolved_libraries(bundle)
    if missing:
        print(
            "make.py: the bundle needs libraries this machine does not have, so they were not bundled:",
            file=sys.stderr,
        )
        for soname, users in sorted(missing.items()):
            print(f"  {soname} (needed by {users[0]})", file=sys.stderr)
        print("  install them (README: Standalone executable) and build again", file=sys.stderr)
        return 1
    size, files = bundle_stats(bundle)
    print(f"built {bundle} in {time.monotonic() - started:.0f} s: {size:.1f} MiB, {files} files")
    if args.onefile:
        onefile = args.distpath / f"{NAME}-onefile"
        print(f"built {onefile}: {onefile.stat().st_size / 2**20:.1f} MiB")
    if args.max_mib is not None and size > args.max_mib:
        print(
            f"make.py: the bundle is {size:.1f} MiB, over the budget of {args.max_mib:g} MiB", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
