"""What the CLI's subcommand modules share: filter options, opening the archive, JSON output."""

from __future__ import annotations

import argparse
import json
import sys

from dateutil import parser as dateparser

from .models import FORMATS, MEETING_TYPES
from .query import SearchFilters


def parse_date(text: str):
    try:
        return dateparser.parse(text, default=None, dayfirst=False).date() if text else None
    except (ValueError, OverflowError) as err:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} ({err})") from None


def add_filter_options(p: argparse.ArgumentParser, *, format_flag: str = "--format") -> None:
    g = p.add_argument_group("filters")
    g.add_argument(
        "--from", dest="date_from", type=parse_date, metavar="DATE", help="meetings on or after DATE"
    )
    g.add_argument("--to", dest="date_to", type=parse_date, metavar="DATE", help="meetings on or before DATE")
    g.add_argument("--type", dest="meeting_type", choices=MEETING_TYPES, help="meeting type")
    g.add_argument(format_flag, dest="format", choices=FORMATS, help="meeting format")
    g.add_argument("--country", help="a country taking part (any spelling: Vietnam, Viet Nam, ...)")
    g.add_argument("--person", help="a participant's name")


def filters_from_args(args) -> SearchFilters:
    return SearchFilters(
        date_from=args.date_from,
        date_to=args.date_to,
        meeting_type=args.meeting_type,
        format=args.format,
        country=args.country,
        person=args.person,
    )


def open_archive(args):
    from .archive import Archive

    archive = Archive.open(args.data_dir)
    for notice in archive.notices:
        print(f"readout-archive: {notice}", file=sys.stderr)
    return archive


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
