"""The ``readout-archive`` command: no subcommand opens the GUI; subcommands work without Qt."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__
from .cli_common import add_filter_options, filters_from_args, open_archive, print_json
from .cli_timeline import add_timeline_parser, cmd_timeline
from .errors import ArchiveError
from .models import ENTITY_KINDS
from .query import SORTS

DEBUG_ENV = "READOUT_ARCHIVE_DEBUG"  # "1": let unexpected errors show their traceback


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
    add_filter_options(p)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("show", help="show one meeting")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print the full record as JSON")

    p = sub.add_parser("list", help="list all meetings")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("entities", help="canonical entities across the archive, with counts and meetings")
    p.add_argument(
        "--kind", choices=[k for k in ENTITY_KINDS if k not in ("money", "event")], help="one kind only"
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    _add_bookmark_parsers(sub)
    _add_saved_search_parsers(sub)
    _add_export_parser(sub)

    p = sub.add_parser("gui", help="open the window (the default without a command)")
    p.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    add_timeline_parser(sub)
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
    except Exception as err:  # never a traceback: one line (the traceback on request)
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        kind = "error" if isinstance(err, OSError) else f"unexpected error ({type(err).__name__})"
        print(f"readout-archive: {kind}: {err} (set {DEBUG_ENV}=1 for details)", file=sys.stderr)
        return 2


def cmd_index(args) -> int:
    with open_archive(args) as archive:
        if not args.paths and not archive.roots():
            print("readout-archive: error: nothing to index: give folders or files", file=sys.stderr)
            return 2
        shown_notices = len(archive.notices)
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
        for notice in archive.notices[shown_notices:]:  # e.g. a malformed overlay met while indexing
            print(f"readout-archive: {notice}", file=sys.stderr)
    for skipped in report.skipped:
        print(f"readout-archive: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"readout-archive: warning: {warning.path}: {warning.reason}", file=sys.stderr)
    if args.json:
        print_json(report.to_json())
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
    with open_archive(args) as archive:
        result = archive.search(
            args.query, filters_from_args(args), limit=args.limit, sort=args.sort, facets=args.json
        )
    if args.json:
        print_json(result.to_json())
        return 0
    _print_hits(result)
    return 0


def _print_hits(result, heading: str = "") -> None:
    shown = f", showing {len(result.hits)}" if result.total > len(result.hits) else ""
    print(f"{heading}{result.total} meeting(s){shown}")
    for hit in result.hits:
        date = hit.meeting_date.isoformat() if hit.meeting_date else "????-??-??"
        print(f"{hit.id}  {date}  {hit.title}")
        if hit.snippet:
            print(f"    {hit.snippet}")


def cmd_show(args) -> int:
    with open_archive(args) as archive:
        meeting = archive.get(args.id)
    if args.json:
        print_json(meeting.to_json())
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
    for event in meeting.events:
        print(f"{'Refers to:':14}{event.date.isoformat()} ({event.date_precision})  {event.canonical}")
    print()
    print(p.text)
    return 0


def _date_range(start, end) -> str:
    if not start:
        return "—"
    return f"{start.isoformat()} – {end.isoformat()}" if end else start.isoformat()


def cmd_list(args) -> int:
    with open_archive(args) as archive:
        meetings = archive.meetings()
    if args.json:
        print_json([m.to_json(with_text=False) for m in meetings])
        return 0
    for m in meetings:
        date = m.parsed.meeting_date.isoformat() if m.parsed.meeting_date else "????-??-??"
        print(f"{m.id}  {date}  {m.parsed.title}")
    return 0


def cmd_entities(args) -> int:
    with open_archive(args) as archive:
        summaries = archive.entities(args.kind)
    if args.json:
        print_json([s.to_json() for s in summaries])
        return 0
    for summary in summaries:
        print(f"{summary.count:6}  {summary.kind:13} {summary.canonical}")
    return 0


_COMMANDS = {
    "index": cmd_index,
    "search": cmd_search,
    "show": cmd_show,
    "list": cmd_list,
    "entities": cmd_entities,
    "timeline": cmd_timeline,
}


# -- bookmarks, saved searches, export -----------------------------------------------------------


def _add_bookmark_parsers(sub) -> None:
    p = sub.add_parser("bookmark", help="bookmark meetings with a note and tags")
    bsub = p.add_subparsers(dest="bookmark_command", metavar="ACTION", required=True)
    b = bsub.add_parser("add", help="bookmark a meeting (or add a note/tags to its bookmark)")
    b.add_argument("id", help="meeting id (from search, list or show)")
    b.add_argument("--note", help="a note; replaces the existing one")
    b.add_argument(
        "--tag", dest="tags", action="append", default=[], metavar="TAG", help="a tag (repeatable)"
    )
    b = bsub.add_parser("edit", help="change the note or tags of a bookmark")
    b.add_argument("id")
    b.add_argument("--note", help='the new note ("" clears it)')
    b.add_argument("--tag", dest="tags", action="append", default=[], metavar="TAG", help="add a tag")
    b.add_argument("--untag", action="append", default=[], metavar="TAG", help="remove a tag")
    b.add_argument("--clear-tags", action="store_true", help="remove every tag first")
    b = bsub.add_parser("remove", help="remove a bookmark")
    b.add_argument("id")
    b = bsub.add_parser("list", help="list bookmarks; missing meetings are flagged")
    b.add_argument("--tag", help="only bookmarks with this tag")
    b.add_argument("--json", action="store_true", help="print JSON")
    b = bsub.add_parser("tags", help="list tags with their counts")
    b.add_argument("--json", action="store_true", help="print JSON")


def _add_saved_search_parsers(sub) -> None:
    p = sub.add_parser("saved-search", help="save named searches and run them again")
    ssub = p.add_subparsers(dest="saved_command", metavar="ACTION", required=True)
    s = ssub.add_parser("add", help="save a search with its filters")
    s.add_argument("name")
    s.add_argument("query", help='search text ("" or * for every meeting)')
    s.add_argument("--sort", choices=SORTS, default="relevance")
    s.add_argument("--replace", action="store_true", help="replace a saved search of the same name")
    add_filter_options(s)
    s = ssub.add_parser("list", help="list saved searches")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = ssub.add_parser("run", help="run a saved search")
    s.add_argument("name")
    s.add_argument("--limit", type=int, default=20, help="how many hits (default 20)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s = ssub.add_parser("remove", help="delete a saved search")
    s.add_argument("name")


def _add_export_parser(sub) -> None:
    from .export import FORMATS as EXPORT_FORMATS

    p = sub.add_parser(
        "export",
        help="write meetings to CSV, JSON, Markdown, HTML, PDF, RIS or CSL-JSON",
        description="Export every meeting, or those matching a search, bookmarks or ids (all given "
        "criteria must hold). The meeting-format filter is --meeting-format here.",
    )
    p.add_argument(
        "--format",
        dest="export_format",
        choices=EXPORT_FORMATS,
        help="file format (default: from the file name: .csv .json .md .html .pdf .ris .csl.json)",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--query", help="only meetings matching this search")
    p.add_argument("--saved", metavar="NAME", help="only meetings matching this saved search")
    p.add_argument("--sort", choices=SORTS, default="date-asc", help="order of a search (default date-asc)")
    p.add_argument("--bookmarked", action="store_true", help="only bookmarked meetings")
    p.add_argument("--tag", help="only meetings bookmarked with this tag")
    p.add_argument("--ids", nargs="+", metavar="ID", help="only these meetings")
    p.add_argument("--title", default="Readout Archive export", help="title of a report (md, html, pdf)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    add_filter_options(p, format_flag="--meeting-format")


def _print_notices(store) -> None:
    for notice in store.notices:
        print(f"readout-archive: {notice}", file=sys.stderr)


def _open_bookmarks(args):
    from .bookmarks import Bookmarks

    bookmarks = Bookmarks.open(args.data_dir)
    _print_notices(bookmarks)
    return bookmarks


def _open_saved_searches(args):
    from .bookmarks import SavedSearches

    saved = SavedSearches.open(args.data_dir)
    _print_notices(saved)
    return saved


def _bookmark_line(status) -> str:
    b = status.bookmark
    date = b.meeting_date.isoformat() if b.meeting_date else "????-??-??"
    if status.meeting is not None and status.meeting.parsed.meeting_date:
        date = status.meeting.parsed.meeting_date.isoformat()
    line = f"{b.meeting_id}  {date}  {status.title or '(untitled)'}"
    if b.tags:
        line += "  [" + ", ".join(b.tags) + "]"
    if status.missing:
        line += "  (MISSING: no longer in the archive)"
    return line


def cmd_bookmark(args) -> int:
    action = args.bookmark_command
    bookmarks = _open_bookmarks(args)
    if action == "add":
        with open_archive(args) as archive:
            meeting = archive.get(args.id)
        mark = bookmarks.add(meeting, note=args.note, tags=args.tags)
        print(f"bookmarked {mark.meeting_id}  {mark.title}")
    elif action == "edit":
        mark = bookmarks.edit(
            args.id,
            note=args.note,
            tags=[] if args.clear_tags else None,
            add_tags=args.tags,
            remove_tags=args.untag,
        )
        print(f"updated {mark.meeting_id}" + (f"  [{', '.join(mark.tags)}]" if mark.tags else ""))
    elif action == "remove":
        mark = bookmarks.remove(args.id)
        print(f"removed the bookmark of {mark.meeting_id}  {mark.title}")
    elif action == "tags":
        tags = bookmarks.tags()
        if args.json:
            print_json(tags)
            return 0
        for tag, count in tags.items():
            print(f"{count:5}  {tag}")
    else:  # list
        with open_archive(args) as archive:
            statuses = bookmarks.resolve(archive, tag=args.tag)
        if args.json:
            print_json([s.to_json() for s in statuses])
            return 0
        for status in statuses:
            print(_bookmark_line(status))
            for line in status.bookmark.note.splitlines():
                print(f"    {line}")
        missing = sum(s.missing for s in statuses)
        if missing:
            print(
                f"readout-archive: {missing} bookmarked meeting(s) are no longer in the archive "
                "(their file was moved or deleted); the bookmarks are kept",
                file=sys.stderr,
            )
    return 0


def cmd_saved_search(args) -> int:
    action = args.saved_command
    saved = _open_saved_searches(args)
    if action == "add":
        filters = filters_from_args(args)
        with open_archive(args) as archive:
            archive.search(args.query, filters, limit=1, sort=args.sort, snippets=0)  # a clear error now
        item = saved.add(args.name, args.query, filters, sort=args.sort, replace_existing=args.replace)
        print(f"saved {item.name!r}: {item.describe()}")
    elif action == "remove":
        item = saved.remove(args.name)
        print(f"removed the saved search {item.name!r}")
    elif action == "list":
        items = saved.list()
        if args.json:
            print_json([s.to_json() for s in items])
            return 0
        for item in items:
            print(f"{item.name}\t{item.describe()}")
    else:  # run
        if args.limit < 1:
            print("readout-archive: error: --limit must be at least 1", file=sys.stderr)
            return 2
        item = saved.get(args.name)
        with open_archive(args) as archive:
            result = item.run(archive, limit=args.limit)
        if args.json:
            print_json({"name": item.name, **result.to_json()})
            return 0
        _print_hits(result, heading=f"{item.name}: ")
    return 0


def cmd_export(args) -> int:
    from .errors import ExportError
    from .export import NEEDS_TEXT, Selection, check_target, export, format_for_path, iter_items, select

    fmt = args.export_format or format_for_path(args.output)
    if fmt is None:
        raise ExportError(f"cannot tell the format from the file name {args.output!r}: give --format")
    check_target(args.output, force=args.force)
    filters = filters_from_args(args)
    query, sort = args.query, args.sort
    if args.saved:
        if args.query or not filters.is_empty():
            raise ExportError("give either --saved or --query/filters, not both")
        item = _open_saved_searches(args).get(args.saved)
        query, filters, sort = item.query or "*", item.filters, item.sort
    bookmarks = _open_bookmarks(args)
    pdf_writer = None
    if fmt == "pdf":
        # The one Qt-dependent format: app.pdf is imported only here, like the GUI in main().
        from app.pdf import write_pdf as pdf_writer
    selection = Selection(
        query=query,
        filters=filters,
        sort=sort,
        ids=tuple(args.ids) if args.ids else None,
        bookmarked=args.bookmarked,
        tag=args.tag,
    )
    with open_archive(args) as archive:
        selected = select(archive, selection, bookmarks)
        missing = selected.missing_bookmarks
        if missing:
            print(
                f"readout-archive: {len(missing)} bookmarked meeting(s) are no longer in the archive and "
                f"are not exported: {', '.join(missing)}",
                file=sys.stderr,
            )
        items = iter_items(archive, selected.ids, bookmarks, with_text=fmt in NEEDS_TEXT)
        report = export(items, args.output, fmt, force=args.force, title=args.title, pdf_writer=pdf_writer)
    if args.json:
        print_json({**report.to_json(), "missing_bookmarks": missing})
    else:
        print(f"exported {report.count} meeting(s) to {report.path} ({report.format})")
    return 0


_COMMANDS.update({"bookmark": cmd_bookmark, "saved-search": cmd_saved_search, "export": cmd_export})


if __name__ == "__main__":
    sys.exit(main())
