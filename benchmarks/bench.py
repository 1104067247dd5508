#!/usr/bin/env python3
"""Readout Archive benchmark: index build, re-index, one added file, query latency, RSS, size,
side by side with SQLite FTS5 (and Recoll when installed) on the same files, in one run.

    python benchmarks/bench.py --sizes 1000 10000 [--build-runs 3] [--work /tmp/ra-bench] [--json out.json]

Corpora come from ../shared/corpus/scale/expand.py (real White House/State texts first, then
deterministic recombinations). Figures are printed and written as JSON; nothing is asserted.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXPAND = REPO.parent / "shared" / "corpus" / "scale" / "expand.py"

# A fixed mixed query set: words, AND, OR, NOT, phrases, fields, date ranges, fuzzy, wildcard.
QUERIES = [
    ("word", "president", "president"),
    ("word", "vaccines", "vaccines"),
    ("and", "japan security", "japan AND security"),
    ("and", "climate finance", "climate AND finance"),
    ("or", "taiwan OR strait", "taiwan OR strait"),
    ("not", "ukraine NOT russia", "ukraine NOT russia"),
    ("phrase", '"prime minister"', '"prime minister"'),
    ("phrase", '"indo-pacific"', '"indo pacific"'),
    ("field", "participant:blinken", None),
    ("field", "type:summit", None),
    ("date", "date:[2022-01-01 TO 2022-12-31] AND trade", None),
    ("fuzzy", "kishda~", None),
    ("wildcard", "secur*", "secur*"),
]


def _percentiles(samples_ms: list[float]) -> dict:
    s = sorted(samples_ms)

    def pct(p: float) -> float:
        return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]

    return {"p50": round(pct(0.5), 2), "p95": round(pct(0.95), 2), "max": round(s[-1], 2)}


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_rss_mb: int
    cpu_s: float  # user + system, of the command and every process below it
    out: str


def run_command(cmd: list[str]) -> Run:
    """Run one command and measure it. Its peak RSS is the larger of the command's own and the
    sum over it and every process below it (worker processes, forked by it or started by a
    forkserver), sampled every 50 ms where /proc is there; its CPU time is its own (exact, read
    when it has ended) plus the last sample of each process below it. (What ``wait4`` reports
    also holds the CPU of the children it waited for: forked workers would count twice.)"""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    tree_peak = [0]
    cpu_below: dict[int, float] = {}
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.05):
            rss_kb, cpu = _tree_sample(proc.pid)
            tree_peak[0] = max(tree_peak[0], rss_kb)
            cpu_below.update(cpu)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    own = None
    if hasattr(os, "waitid"):  # not on macOS: there wait4's figure below is taken
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # ended; left to be reaped below
        own = _own_cpu(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    sampling.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    cpu_below.pop(proc.pid, None)  # its own is exact
    if own is None:  # no /proc: its own and that of the children it waited for
        own = usage.ru_utime + usage.ru_stime
    return Run(wall, max(usage.ru_maxrss, tree_peak[0]) // 1024, own + sum(cpu_below.values()), out)


def _own_cpu(pid: int) -> float | None:
    """CPU seconds of process ``pid`` itself (not of its children), or None without /proc."""
    try:
        return _cpu_seconds(_stat_fields(Path(f"/proc/{pid}/stat").read_text()))
    except OSError:
        return None


def _stat_fields(stat: str) -> list[str]:
    """The fields of a /proc/PID/stat line after "pid (name) " (a name may hold spaces)."""
    return stat[stat.rindex(")") + 2 :].split()


def _cpu_seconds(fields: list[str]) -> float:
    """User plus system CPU seconds from ``_stat_fields``."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of one command (see ``run_command``)."""
    run = run_command(cmd)
    return run.wall_s, run.peak_rss_mb, run.out


def _tree_sample(root: int) -> tuple[int, dict[int, float]]:
    """Resident KB of process ``root`` and all processes below it, and each one's CPU seconds so
    far (0 and nothing without /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            resident = int((entry / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        fields = _stat_fields(stat)
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = resident * page_kb
        cpu[pid] = _cpu_seconds(fields)
    total, below, todo = 0, {}, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        if pid in cpu:
            below[pid] = cpu[pid]
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total, below


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1_048_576, 1)


def make_corpus(n: int, work: Path) -> Path:
    target = work / f"corpus-{n}"
    if not (target.is_dir() and sum(1 for _ in target.iterdir()) >= n):
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(EXPAND), str(n), str(target), "--seed", "7"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def build_ours(corpus: Path, data: Path) -> Run:
    """A full build of ``corpus`` into an empty ``data`` folder with our command line."""
    shutil.rmtree(data, ignore_errors=True)
    return run_command([*_cli(data), "index", str(corpus), "--json", "--quiet"])


def build_recoll(corpus: Path, conf: Path) -> Run:
    """A full build of ``corpus`` with ``recollindex`` into an empty configuration folder."""
    shutil.rmtree(conf, ignore_errors=True)
    conf.mkdir(parents=True)
    (conf / "recoll.conf").write_text(f"topdirs = {corpus}\n", "utf-8")
    return run_command(["recollindex", "-c", str(conf), "-z"])


def _cli(data: Path) -> list[str]:
    return [sys.executable, "-m", "index.cli", "--data-dir", str(data)]


def bench_readout_archive(corpus: Path, work: Path, n: int) -> dict:
    data = work / f"ra-{n}"
    build = build_ours(corpus, data)
    build_s, build_rss = build.wall_s, build.peak_rss_mb
    cli = _cli(data)
    reindex_s, _, _ = run_measured([*cli, "index", str(corpus), "--json", "--quiet"])
    adding = measure_add_one(data, corpus)
    query_ms, by_kind = measure_queries(data)
    window = measure_window(data)
    return {
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build.cpu_s, 1),
        "docs_per_s": round(n / build_s, 1),
        "mb_per_s": round(dir_mb(corpus) / build_s, 2),
        "build_peak_rss_mb": build_rss,
        "reindex_unchanged_s": round(reindex_s, 2),
        **adding,
        "query_ms": query_ms,
        "query_ms_by_kind": by_kind,
        **window,
        "index_mb": dir_mb(data / "index"),
    }


def measure_add_one(data: Path, corpus: Path) -> dict:
    """One new readout until a search finds it: with two CLI runs (index, then search: each a
    new process that opens the archive), and inside one running process (as in the window).
    The file is removed again afterwards."""
    cli = _cli(data)
    text = (
        "Readout of a Benchmark Call\n\nMay 5, 2024\n\nSecretary Blinken spoke today with Foreign "
        "Minister Quuxland of Benchmarkia about {word}.\n"
    )
    extra = corpus / "zz_added_readout.txt"
    extra.write_text(text.format(word="zyzzyvas"), "utf-8")
    script = f"""
import sys, time
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from index.archive import Archive
extra = Path({str(corpus / "zz_added_again.txt")!r})
with Archive.open({str(data)!r}) as archive:
    archive.search("warm up")
    extra.write_text({text.format(word="quokkas")!r}, "utf-8")
    start = time.perf_counter()
    archive.index_paths([extra])
    found = archive.search("quokkas").total
    print(time.perf_counter() - start if found == 1 else -1)
"""
    try:
        add_s, _, _ = run_measured([*cli, "index", str(extra), "--json", "--quiet"])
        found_s, _, out = run_measured([*cli, "search", "zyzzyvas", "--json"])
        assert json.loads(out)["total"] == 1, "added file not searchable"
        _, _, out = run_measured([sys.executable, "-c", script])
        in_process_s = float(out.strip())
        assert in_process_s >= 0, "added file not searchable in process"
    finally:
        extra.unlink()
        (corpus / "zz_added_again.txt").unlink(missing_ok=True)
        run_measured([*cli, "index", str(corpus), "--json", "--quiet"])
    return {
        "add_one_file_s": round(add_s, 2),
        "add_one_then_search_s": round(add_s + found_s, 2),
        "add_one_then_search_in_process_s": round(in_process_s, 3),
    }


def measure_queries(data: Path) -> tuple[dict, dict]:
    """Latency of the query set, each with its first page of highlighted snippets: "cold" is the
    first run of each query on a freshly opened archive (postings read from disk), "warm" the
    three runs after it. A fresh Python process, so nothing is left from the build."""
    script = f"""
import json, sys, time
sys.path.insert(0, {str(REPO)!r})
sys.path.insert(0, {str(REPO / "benchmarks")!r})
from bench import QUERIES
from index.archive import Archive
out = {{"cold": {{}}, "warm": {{}}}}
with Archive.open({str(data)!r}) as archive:
    for rep in range(4):
        for kind, query, _fts in QUERIES:
            t = time.perf_counter()
            archive.search(query, limit=50, snippets=20)
            ms = (time.perf_counter() - t) * 1000
            out["cold" if rep == 0 else "warm"].setdefault(kind, []).append(ms)
print(json.dumps(out))
"""
    _, _, out = run_measured([sys.executable, "-c", script])
    samples = json.loads(out)
    result = {}
    for phase in ("cold", "warm"):
        flat = [ms for values in samples[phase].values() for ms in values]
        result[phase] = _percentiles(flat)
    by_kind = {
        kind: {"cold_ms": round(samples["cold"][kind][0], 2), "warm_ms": _percentiles(samples["warm"][kind])}
        for kind in samples["cold"]
    }
    return result, by_kind


def measure_window(data: Path, runs: int = 3) -> dict:
    """Launch to usable window: the GUI's self-test opens the archive, shows the window with the
    meeting list, runs a search and quits (offscreen Qt). Median of ``runs``, and peak RSS."""
    try:
        import PySide6  # noqa: F401
    except ImportError:
        return {}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*_cli(data), "gui", "--self-test"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("gui --self-test failed")
        times.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss // 1024)
    return {"window_usable_s": round(sorted(times)[len(times) // 2], 2), "window_peak_rss_mb": max(rss)}


def bench_fts5(corpus: Path, work: Path, n: int) -> dict:
    db_path = work / f"fts5-{n}.sqlite3"
    db_path.unlink(missing_ok=True)
    t = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, title, body, tokenize='porter unicode61')"
    )
    with db:
        for path in sorted(corpus.iterdir()):
            text = path.read_text("utf-8", errors="replace")
            title, _, body = text.partition("\n")
            db.execute("INSERT INTO docs(path, title, body) VALUES (?,?,?)", (str(path), title, body))
    build_s = time.perf_counter() - t
    all_ms = []
    for _ in range(3):
        for _kind, _query, fts in QUERIES:
            if fts is None:
                continue
            t = time.perf_counter()
            rows = db.execute(
                "SELECT path, snippet(docs, 2, '[', ']', '…', 30) FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 50",
                (fts,),
            ).fetchall()
            _ = rows[:20]
            all_ms.append((time.perf_counter() - t) * 1000)
    db.close()
    return {
        "build_s": round(build_s, 2),
        "docs_per_s": round(n / build_s, 1),
        "query_ms": _percentiles(all_ms),
        "index_mb": round(db_path.stat().st_size / 1_048_576, 1),
    }


def bench_recoll(corpus: Path, work: Path, n: int) -> dict | None:
    if not shutil.which("recollindex"):
        return None
    conf = work / f"recoll-{n}"
    build = build_recoll(corpus, conf)
    build_s, rss = build.wall_s, build.peak_rss_mb
    # recollq is one process per query (start-up included): not comparable to in-process figures.
    all_ms = []
    for _kind, _query, fts in QUERIES:
        if fts is None:
            continue
        recoll_query = fts.replace(" NOT ", " -").replace(" AND ", " ")
        wall, _, _ = run_measured(["recollq", "-c", str(conf), "-n", "50", "-b", recoll_query])
        all_ms.append(wall * 1000)
    return {
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build.cpu_s, 1),
        "docs_per_s": round(n / build_s, 1),
        "build_peak_rss_mb": rss,
        "recollq_process_ms": _percentiles(all_ms),
        "index_mb": dir_mb(conf),
    }


def alternating_builds(corpus: Path, work: Path, n: int, runs: int) -> dict:
    """``runs`` more full builds of ours and of Recoll's, taking turns (ours first), each into an
    empty folder: single builds swing with the host's load, the medians of alternating runs much
    less. Wall and CPU seconds of each, their medians, and the ratio of the medians."""
    builds: dict[str, list[Run]] = {"readout_archive": [], "recoll": []}
    have_recoll = shutil.which("recollindex") is not None
    data, conf = work / f"ra-{n}-runs", work / f"recoll-{n}-runs"
    for _ in range(runs):
        builds["readout_archive"].append(build_ours(corpus, data))
        shutil.rmtree(data, ignore_errors=True)
        if have_recoll:
            builds["recoll"].append(build_recoll(corpus, conf))
            shutil.rmtree(conf, ignore_errors=True)
    figures = {
        name: {
            "wall_s": [round(r.wall_s, 2) for r in done],
            "cpu_s": [round(r.cpu_s, 1) for r in done],
            "median_wall_s": round(statistics.median(r.wall_s for r in done), 2),
            "median_cpu_s": round(statistics.median(r.cpu_s for r in done), 1),
        }
        for name, done in builds.items()
        if done
    }
    if "recoll" in figures:
        figures["ratio_of_medians"] = round(
            figures["readout_archive"]["median_wall_s"] / figures["recoll"]["median_wall_s"], 3
        )
    return figures


def compile_bytecode() -> None:
    """Compile our modules' bytecode first, as an installed copy has it (pip compiles on install;
    the bundle holds it). Where PYTHONDONTWRITEBYTECODE is set, as on some build hosts, every run
    would otherwise compile every module again: 0.1 to 0.3 s of a build at 1,000 readouts."""
    for package in ("index", "app"):
        compileall.compile_dir(str(REPO / package), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ra-bench"))
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--build-runs",
        type=int,
        default=0,
        metavar="N",
        help="also N full builds of ours and of Recoll's, taking turns, and the ratio of their medians",
    )
    parser.add_argument(
        "--measure-only",
        type=Path,
        metavar="DATA_DIR",
        help="no builds: measure adding a file, queries and the window on this existing archive "
        "(built from the corpus of the one --sizes value)",
    )
    args = parser.parse_args()
    if not EXPAND.exists():
        raise SystemExit(f"expand.py not found at {EXPAND}: ../shared must sit beside the checkout")
    args.work.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    if args.measure_only:
        corpus = make_corpus(args.sizes[0], args.work)
        query_ms, by_kind = measure_queries(args.measure_only)
        figures = {
            **measure_add_one(args.measure_only, corpus),
            "query_ms": query_ms,
            "query_ms_by_kind": by_kind,
            **measure_window(args.measure_only),
        }
        print(json.dumps(figures, indent=2))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2), "utf-8")
        return 0
    results = {}
    for n in args.sizes:
        corpus = make_corpus(n, args.work)
        ra = bench_readout_archive(corpus, args.work, n)
        fts = bench_fts5(corpus, args.work, n)
        recoll = bench_recoll(corpus, args.work, n)
        results[n] = {"readout_archive": ra, "sqlite_fts5": fts, "recoll": recoll}
        if args.build_runs:
            results[n]["build_runs"] = alternating_builds(corpus, args.work, n, args.build_runs)
        print(f"\n== {n} readouts ({dir_mb(corpus)} MB) ==")
        print(
            f"{'':28}{'Readout Archive':>18}{'SQLite FTS5':>14}{'Recoll':>10}{'RA/FTS5':>10}{'RA/Recoll':>11}"
        )
        rc_build = recoll["build_s"] if recoll else None
        print(
            f"{'full build (s)':28}{ra['build_s']:>18}{fts['build_s']:>14}{rc_build or '—':>10}"
            f"{ra['build_s'] / fts['build_s']:>10.1f}{(ra['build_s'] / rc_build) if rc_build else float('nan'):>11.2f}"
        )
        rc_cpu = recoll["build_cpu_s"] if recoll else "—"
        print(f"{'build CPU (s), all processes':28}{ra['build_cpu_s']:>18}{'':>14}{rc_cpu:>10}")
        print(
            f"{'docs/s':28}{ra['docs_per_s']:>18}{fts['docs_per_s']:>14}{recoll['docs_per_s'] if recoll else '—':>10}"
        )
        print(f"{'re-index unchanged (s)':28}{ra['reindex_unchanged_s']:>18}")
        print(f"{'add 1 file + search (s)':28}{ra['add_one_then_search_s']:>18}")
        print(f"{'  the same in one process (s)':28}{ra['add_one_then_search_in_process_s']:>18}")
        for phase in ("cold", "warm"):
            for key in ("p50", "p95", "max"):
                print(
                    f"{f'query {key} {phase} (ms)':28}{ra['query_ms'][phase][key]:>18}"
                    f"{fts['query_ms'][key]:>14}{'':>10}"
                    f"{ra['query_ms'][phase][key] / max(fts['query_ms'][key], 0.01):>10.1f}"
                )
        if "window_usable_s" in ra:
            print(f"{'window usable (s)':28}{ra['window_usable_s']:>18}")
            print(f"{'window peak RSS (MB)':28}{ra['window_peak_rss_mb']:>18}")
        if recoll:
            print(
                f"{'recollq p50/p95 (ms, process)':28}{'':>18}{'':>14}{recoll['recollq_process_ms']['p50']:>10}"
            )
        print(
            f"{'build peak RSS (MB)':28}{ra['build_peak_rss_mb']:>18}{'':>14}"
            f"{recoll['build_peak_rss_mb'] if recoll else '—':>10}"
        )
        print(f"{'index size (MB)':28}{ra['index_mb']:>18}{fts['index_mb']:>14}")
        runs = results[n].get("build_runs")
        if runs:
            print(f"builds taking turns with Recoll ({args.build_runs} each):")
            for name, label in (("readout_archive", "Readout Archive"), ("recoll", "Recoll")):
                if name in runs:
                    r = runs[name]
                    print(
                        f"  {label:16} wall {r['wall_s']} s, median {r['median_wall_s']} s; "
                        f"CPU {r['cpu_s']} s, median {r['median_cpu_s']} s"
                    )
            if "ratio_of_medians" in runs:
                print(f"  ratio of the medians (ours / Recoll): {runs['ratio_of_medians']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), "utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
