"""``readout-archive timeline``: the chronology of a search, for scripts (the GUI's chronology twin).

Wired into :mod:`index.cli` with ``add_timeline_parser(sub)`` in ``build_parser`` and
``"timeline": cmd_timeline`` in ``_COMMANDS``. ``--format`` already filters by meeting format
(in person, video, telephone), so the table output is chosen with ``--table csv|md``.
"""

from __future__ import annotations

import argparse
import sys

from .chronology import (
    DEFAULT_GAP_DAYS,
    LANE_MODES,
    REFERENCE,
    chronology_for,
    lane_label,
    to_csv,
    to_markdown,
)
from .cli_common import add_filter_options, filters_from_args, open_archive, print_json


def add_timeline_parser(sub) -> argparse.ArgumentParser:
    """Add the ``timeline`` subcommand to ``sub`` (the parser's subparsers)."""
    p = sub.add_parser(
        "timeline",
        help="meetings and the past events they refer to, by date",
        description="The chronology of the meetings a search finds (all meetings without a query): "
        "meetings and referenced past events sorted by date, with lanes and gaps.",
    )
    p.add_argument("query", nargs="?", default="", help="search text (default: every meeting)")
    add_filter_options(p)
    p.add_argument(
        "--lanes",
        choices=LANE_MODES,
        default="type",
        help="group meetings by type, country pair or participant",
    )
    p.add_argument(
        "--gap-days",
        type=int,
        default=DEFAULT_GAP_DAYS,
        metavar="N",
        help=f"mark stretches of more than N days without meetings (default {DEFAULT_GAP_DAYS})",
    )
    p.add_argument("--no-references", action="store_true", help="leave out referenced past events")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--table", choices=("csv", "md"), help="print a CSV or Markdown table")
    return p


def cmd_timeline(args) -> int:
    if args.gap_days < 1:
        print("readout-archive: error: --gap-days must be at least 1", file=sys.stderr)
        return 2
    with open_archive(args) as archive:
        chronology = chronology_for(
            archive, args.query, filters_from_args(args), with_references=not args.no_references
        )
    if args.json:
        print_json(chronology.to_json(args.lanes, args.gap_days))
        return 0
    if args.table == "csv":
        sys.stdout.write(to_csv(chronology, args.lanes, args.gap_days))
        return 0
    if args.table == "md":
        sys.stdout.write(to_markdown(chronology, args.lanes, args.gap_days))
        return 0
    _print_text(chronology, args.lanes, args.gap_days)
    return 0


def _print_text(chronology, by: str, gap_days: int) -> None:
    layout = chronology.lanes(by)
    lane_of = {
        id(e): ", ".join(lane_label(by, k) for k in layout.lane_of(i))
        for i, e in enumerate(chronology.meetings)
    }
    gaps = list(chronology.gaps(gap_days))
    print(
        f"{len(chronology.meetings)} meeting(s), {len(chronology.references)} referenced event(s)"
        + (f", {len(chronology.undated)} without a date" if chronology.undated else "")
    )
    for event in chronology.events():
        while gaps and gaps[0].start <= event.start:
            gap = gaps.pop(0)
            print(f"{'':23}  ·· {gap.label()} ({gap.start.isoformat()} – {gap.end.isoformat()}) ··")
        if event.kind == REFERENCE:
            print(f"{event.date_label():23}  ◇ {event.title}  (mentioned in {', '.join(event.mentioned_in)})")
        else:
            print(f"{event.date_label():23}  {event.meeting_id}  [{lane_of[id(event)]}]  {event.title}")
