"""The ``readout-archive`` command: no subcommand opens the GUI; subcommands work without Qt."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from dateutil import parser as dateparser

from . import __version__
from .errors import ArchiveError
from .models import FORMATS, MEETING_TYPES
from .query import SORTS, SearchFilters


def _date(text: str):
    try:
        return dateparser.parse(text, default=None, dayfirst=False).date() if text else None
    except (ValueError, OverflowError) as err:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} ({err})") from None


def _add_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="meetings on or after DATE")
    g.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="meetings on or before DATE")
    g.add_argument("--type", dest="meeting_type", choices=MEETING_TYPES, help="meeting type")
    g.add_argument("--format", dest="format", choices=FORMATS, help="meeting format")
    g.add_argument("--country", help="a country taking part (any spelling: Vietnam, Viet Nam, ...)")
    g.add_argument("--person", help="a participant's name")


def _filters(args) -> SearchFilters:
    return SearchFilters(
        date_from=args.date_from,
        date_to=args.date_to,
        meeting_type=args.meeting_type,
        format=args.format,
        country=args.country,
        person=args.person,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="readout-archive",
        description="Find, read and compare diplomatic meeting readouts. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        help="where the index, bookmarks and settings live (default: the user data folder, "
        "or $READOUT_ARCHIVE_DATA_DIR)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="add or update readouts from folders or files")
    p.add_argument(
        "paths", nargs="*", help="folders (recursive) or .txt/.md/.html files; none = re-scan known ones"
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")

    p = sub.add_parser("search", help="full-text search with filters")
    p.add_argument("query", nargs="?", default="", help='search text, e.g. kamikawa AND "viet nam"')
    p.add_argument("--limit", type=int, default=20, help="how many hits (default 20)")
    p.add_argument(
        "--sort", choices=SORTS, default="relevance", help="relevance, date (newest first), date-asc"
    )
    _add_filters(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("show", help="show one meeting")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print the full record as JSON")

    p = sub.add_parser("list", help="list all meetings")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("gui", help="open the window (the default without a command)")
    p.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        from app.main import run_gui  # Qt is imported only here

        return run_gui(data_dir=args.data_dir, self_test=getattr(args, "self_test", False))
    try:
        return _COMMANDS[args.command](args)
    except ArchiveError as err:
        print(f"readout-archive: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("readout-archive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _open(args):
    from .archive import Archive

    archive = Archive.open(args.data_dir)
    for notice in archive.notices:
        print(f"readout-archive: {notice}", file=sys.stderr)
    return archive


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_index(args) -> int:
    with _open(args) as archive:
        if not args.paths and not archive.roots():
            print("readout-archive: error: nothing to index: give folders or files", file=sys.stderr)
            return 2
        show = sys.stderr.isatty() and not args.quiet and not args.json

        def progress(done: int, total: int, path: str) -> None:
            if show and total:
                sys.stderr.write(f"\rindexing {done}/{total} ")
                sys.stderr.flush()

        if args.paths:
            report = archive.index_paths(args.paths, progress=progress)
        else:
            report = archive.refresh(progress=progress)
        if show:
            sys.stderr.write("\r\033[K")
    for skipped in report.skipped:
        print(f"readout-archive: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"readout-archive: warning: {warning.path}: {warning.reason}", file=sys.stderr)
    if args.json:
        _print_json(report.to_json())
    else:
        print(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
        )
    nothing = report.added + report.updated + report.unchanged == 0
    return 1 if nothing and report.skipped else 0


def cmd_search(args) -> int:
    if args.limit < 1:
        print("readout-archive: error: --limit must be at least 1", file=sys.stderr)
        return 2
    with _open(args) as archive:
        result = archive.search(args.query, _filters(args), limit=args.limit, sort=args.sort)
    if args.json:
        _print_json(result.to_json())
        return 0
    print(
        f"{result.total} meeting(s)"
        + (f", showing {len(result.hits)}" if result.total > len(result.hits) else "")
    )
    for hit in result.hits:
        date = hit.meeting_date.isoformat() if hit.meeting_date else "????-??-??"
        print(f"{hit.id}  {date}  {hit.title}")
        if hit.snippet:
            print(f"    {hit.snippet}")
    return 0


def cmd_show(args) -> int:
    with _open(args) as archive:
        meeting = archive.get(args.id)
    if args.json:
        _print_json(meeting.to_json())
        return 0
    p = meeting.parsed
    print(p.title)
    print("=" * min(len(p.title), 100))
    rows = [
        ("Meeting date", _date_range(p.meeting_date, p.meeting_date_end)),
        ("Published", p.publication_date.isoformat() if p.publication_date else "—"),
        ("Type", p.meeting_type or "—"),
        ("Format", p.format or "—"),
        ("Duration", f"{p.duration_minutes} min" if p.duration_minutes else "—"),
        ("Location", p.location.label() if p.location else "—"),
        ("Countries", ", ".join(p.countries) or "—"),
        ("Source", meeting.source),
    ]
    for label, value in rows:
        print(f"{label + ':':14}{value}")
    for person in p.participants:
        extra = ", ".join(x for x in (person.role, person.country) if x)
        print(f"{'Participant:':14}{person.canonical}" + (f" ({extra})" if extra else ""))
    for caption in p.captions:
        print(f"{'Caption:':14}{caption}")
    print()
    print(p.text)
    return 0


def _date_range(start, end) -> str:
    if not start:
        return "—"
    return f"{start.isoformat()} – {end.isoformat()}" if end else start.isoformat()


def cmd_list(args) -> int:
    with _open(args) as archive:
        meetings = archive.meetings()
    if args.json:
        _print_json([m.to_json(with_text=False) for m in meetings])
        return 0
    for m in meetings:
        date = m.parsed.meeting_date.isoformat() if m.parsed.meeting_date else "????-??-??"
        print(f"{m.id}  {date}  {m.parsed.title}")
    return 0


_COMMANDS = {"index": cmd_index, "search": cmd_search, "show": cmd_show, "list": cmd_list}


if __name__ == "__main__":
    sys.exit(main())
