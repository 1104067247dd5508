#!/usr/bin/env python3
"""The window on a large archive: time to a usable list, scrolling, sorting, memory.

    python benchmarks/bench_window.py DATA_DIR [--pages 50] [--json out.json]

DATA_DIR is an archive built with ``readout-archive --data-dir DATA_DIR index FOLDER`` (for
example by benchmarks/bench.py, which leaves ``/tmp/ra-bench/ra-N``). Offscreen Qt, one process:
imports, opening the archive, building and showing the window, until the list of all meetings is
shown (its first page, then all of it) and until the facet counts are; then jumping down the
list's scroll bar in ``--pages`` steps to its end (each step makes the rows it shows, as when a
user drags the handle) and scrolling back a few lines at a time, a search typed into the box,
sorting by a column that needs every row's details, the chronology of all meetings, and the
process's peak RSS (also after each stage). Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pages", type=int, default=50, help="scroll bar jumps to the end")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.main import build_window
    from app.messages import Messages
    from app.settings import Settings
    from app.tasks import TaskRunner
    from index.archive import Archive

    app = QApplication.instance() or QApplication(sys.argv[:1])
    figures: dict[str, float] = {"imports_s": time.perf_counter() - STARTED}
    archive = Archive.open(args.data_dir)
    figures["archive_open_s"] = time.perf_counter() - STARTED
    window = build_window(
        archive, Settings(args.data_dir / "bench-settings.ini"), Messages(silent=True), TaskRunner()
    )
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    figures["window_shown_s"] = time.perf_counter() - STARTED

    def wait_for(signal, timeout_ms: int = 300_000) -> None:
        loop = QEventLoop()
        done: list[bool] = []
        signal.connect(lambda *_: (done.append(True), loop.quit()))
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        if not done:
            raise SystemExit("bench_window: timed out")

    first_page: list[float] = []
    window.searches.first_page.connect(lambda *_: first_page.append(time.perf_counter() - STARTED))
    window.search(now=True)
    wait_for(window.search_finished)
    app.processEvents()
    figures["list_shown_s"] = time.perf_counter() - STARTED
    # the top of the list, shown before the rest of a large result (= the list when it is small)
    figures["first_page_shown_s"] = first_page[0] if first_page else figures["list_shown_s"]
    figures["peak_rss_list_mb"] = peak_rss_mb()
    wait_for(window.facets_shown)
    figures["facets_shown_s"] = time.perf_counter() - STARTED
    figures["peak_rss_facets_mb"] = peak_rss_mb()
    figures["meetings"] = window.model.total

    table = window.table
    bar = table.verticalScrollBar()
    steps = []
    for k in range(1, args.pages + 1):
        t = time.perf_counter()
        # a jump down the scroll bar, as when dragging its handle: the view paints rows it has
        # not shown before (the model makes their page)
        bar.setValue(bar.maximum() * k // args.pages)
        table.viewport().repaint()
        app.processEvents()
        steps.append((time.perf_counter() - t) * 1000)
    figures["scroll_jumps"] = len(steps)
    figures["scroll_jump_ms_median"] = statistics.median(steps) if steps else 0.0
    figures["scroll_jump_ms_max"] = max(steps) if steps else 0.0
    t = time.perf_counter()
    for _ in range(20):  # line by line at the end, rows already made
        bar.setValue(bar.value() - 3)
        table.viewport().repaint()
        app.processEvents()
    figures["scroll_step_ms_median"] = (time.perf_counter() - t) * 1000 / 20
    figures["rows"] = window.model.rowCount()
    figures["rows_made"] = window.model.rows_made
    figures["peak_rss_scrolled_mb"] = peak_rss_mb()

    t = time.perf_counter()
    window.search_bar.set_text("security")
    window.search(now=True)
    wait_for(window.search_finished)
    app.processEvents()
    figures["search_security_s"] = time.perf_counter() - t

    from app.meeting_model import COLUMN_KEYS

    t = time.perf_counter()
    window.model.sort(COLUMN_KEYS.index("countries"))
    app.processEvents()
    figures["sort_by_countries_s"] = time.perf_counter() - t
    figures["sorted_rows"] = window.model.total
    figures["peak_rss_sorted_mb"] = peak_rss_mb()

    # the chronology of every meeting (the Chronology tab, with the list of all meetings)
    window.search_bar.set_text("")
    window.search(now=True)
    wait_for(window.search_finished)
    t = time.perf_counter()
    window.result_tabs.setCurrentWidget(window.chronology)
    wait_for(window.chronology.chronology_shown)
    app.processEvents()
    figures["chronology_shown_s"] = time.perf_counter() - t
    figures["chronology_meetings"] = len(window.chronology.chronology.meetings)
    figures["peak_rss_mb"] = peak_rss_mb()
    window.shutdown()
    archive.close()

    for key, value in figures.items():
        print(f"{key:24} {value:10.3f}" if isinstance(value, float) else f"{key:24} {value:10}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
