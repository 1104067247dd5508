#!/usr/bin/env python3
"""Chronology view benchmark: 10,000 meetings rendered offscreen.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_chronology.py [--meetings 10000] [--json out.json]

Measures, on synthetic but realistic records (25 years, six types, three formats, 40 country
pairs, 300 participants, some multi-day visits, 400 referenced events):
building the chronology (index.chronology), giving it to the view (lanes, lookups), the first
frame at "fit all" (includes stacking markers for the zoom level), a frame while panning (stacking
reused), a frame after a zoom step, and a frame at day scale. Figures are printed; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from index.chronology import build_chronology  # noqa: E402
from index.models import FORMATS, MEETING_TYPES, Meeting, ParsedReadout, Participant, ReferencedEvent  # noqa: E402

COUNTRIES = [f"Country {i:02d}" for i in range(40)] + ["Japan", "Viet Nam", "United States"]


def synthetic_meetings(n: int, seed: int = 7) -> tuple[list[Meeting], dict[str, tuple[ReferencedEvent, ...]]]:
    rng = random.Random(seed)
    first = dt.date(2000, 1, 1).toordinal()
    last = dt.date(2025, 12, 31).toordinal()
    people = [f"Person {i:03d}" for i in range(300)]
    meetings, refs = [], {}
    for i in range(n):
        start = dt.date.fromordinal(rng.randint(first, last))
        end = start + dt.timedelta(days=rng.randint(1, 4)) if rng.random() < 0.06 else None
        k = rng.choice((2, 2, 2, 2, 3, 1))
        parsed = ParsedReadout(
            title=f"Readout of meeting {i} between {rng.choice(COUNTRIES)} and {rng.choice(COUNTRIES)}",
            text="",
            meeting_date=start,
            meeting_date_end=end,
            meeting_type=rng.choice(MEETING_TYPES + (None,)),
            format=rng.choice(FORMATS + (None,)),
            countries=tuple(rng.sample(COUNTRIES, k)),
            participants=tuple(Participant(p, p) for p in rng.sample(people, 2)),
        )
        mid = f"m{i:06d}"
        meetings.append(Meeting(id=mid, source=f"/bench/{mid}.txt", parsed=parsed))
        if i % 25 == 0:
            year = rng.randint(1950, 2025)
            precision = rng.choice(("day", "month", "year"))
            date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            refs[mid] = (ReferencedEvent(date, precision, "text", f"Agreement {i % 400}", 0, 4),)
    return meetings, refs


def timed(fn, repeat: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=420)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([])
    from app.chronology import ChronologyView

    meetings, refs = synthetic_meetings(args.meetings)
    figures: dict[str, float] = {}

    chronology = None

    def build():
        nonlocal chronology
        chronology = build_chronology(meetings, refs)

    figures["build_chronology_ms"] = timed(build, 3)

    view = ChronologyView(None, None)
    view.resize(args.width, args.height)
    view.show()
    app.processEvents()
    canvas = view.canvas
    w, h = canvas.width(), canvas.height()
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)

    def frame():
        painter = QPainter(image)
        canvas.render_to(painter, float(w), float(h), vector=False)
        painter.end()

    figures["set_chronology_ms"] = timed(lambda: view.set_chronology(chronology), 1)
    figures["first_frame_fit_all_ms"] = timed(frame, 1)
    figures["frame_fit_all_ms"] = timed(frame, 5)

    results = {}
    for by in ("type", "countries", "participant"):
        view.set_lanes(by)
        canvas.fit_all()
        first = timed(frame, 1)
        pans = []
        for _ in range(20):
            canvas.pan_pixels(37)
            pans.append(timed(frame, 1))
        results[by] = (first, statistics.median(pans), max(pans))
    for by, (first, pan, worst) in results.items():
        figures[f"lanes_{by}_first_frame_ms"] = first
        figures[f"lanes_{by}_pan_frame_median_ms"] = pan
        figures[f"lanes_{by}_pan_frame_max_ms"] = worst

    view.set_lanes("type")
    canvas.fit_all()
    zooms = []
    for _ in range(10):
        canvas.zoom_in()
        zooms.append(timed(frame, 1))
    figures["zoom_step_frame_median_ms"] = statistics.median(zooms)
    figures["zoom_step_frame_max_ms"] = max(zooms)
    canvas.set_px_per_day(40)
    canvas.center_on(dt.date(2015, 6, 1).toordinal())
    figures["day_scale_first_frame_ms"] = timed(frame, 1)
    figures["day_scale_frame_ms"] = timed(frame, 5)

    print(
        f"chronology benchmark: {args.meetings:,} meetings, {len(chronology.references)} referenced events, "
        f"{w}×{h} px canvas, Qt {__import__('PySide6').__version__}, {os.environ.get('QT_QPA_PLATFORM')}"
    )
    for key, value in figures.items():
        print(f"  {key:36} {value:9.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
