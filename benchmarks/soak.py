"""Soak test: kill -9 ``readout-archive index`` at random points, N times (default 50).

After every kill the next start must open the archive (repairing it and saying so once), search
must be consistent (every hit has its record, Whoosh and the store agree), and no bookmark, note,
tag or saved search may be lost. At the end the archive must equal a fresh build of the same
folder. Uses the checks of ``tests/reliability/test_crash_recovery.py``.

    python benchmarks/soak.py [--cycles 50] [--seed 50]

Prints one line per 10 cycles and a summary; exit status 0 when every check held.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.paths import sample_archive_dir  # noqa: E402
from tests.reliability import test_crash_recovery as crash  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=crash.SOAK_CYCLES)
    parser.add_argument("--seed", type=int, default=50)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    totals = {"cycles": 0, "killed": 0, "repaired": 0}
    with tempfile.TemporaryDirectory(prefix="readout-soak-") as tmp:
        tmp_path = Path(tmp)
        data_dir, folder, keep, before = crash.prepare_crash_archive(tmp_path, sample_archive_dir())
        for block in range(0, args.cycles, 10):
            n = min(10, args.cycles - block)
            # each block of 10 continues on the same archive with its own random stream
            result = crash.soak(data_dir, folder, keep, before, sample_archive_dir(), n, args.seed + block)
            for key in totals:
                totals[key] += result[key]
            print(
                f"cycles {totals['cycles']:3}: {totals['killed']} killed mid-run, "
                f"{totals['repaired']} repaired on the next start ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        crash.assert_same_as_fresh_build(data_dir, folder, tmp_path)
        with crash.Archive.open(data_dir) as archive:
            meetings = archive.count()
    print(
        f"soak ok: {totals['cycles']} cycles, {totals['killed']} kill -9 mid-run, "
        f"{totals['repaired']} repairs told once, 0 lost bookmarks/notes/tags/saved searches, "
        f"final archive ({meetings} meetings) equal to a fresh build; {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
