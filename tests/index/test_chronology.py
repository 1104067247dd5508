"""The chronology core (no Qt): ordering, lanes, gaps, referenced events, tables and the CLI twin."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json

import pytest

from index import cli
from index.archive import Archive
from index.chronology import (
    MEETING,
    MULTILATERAL,
    NO_COUNTRY,
    OTHERS,
    REFERENCE,
    REFERENCES_LANE,
    Chronology,
    TimelineEvent,
    assign_lanes,
    build_chronology,
    chronology_for,
    country_pair,
    find_gaps,
    precision_span,
    to_csv,
    to_markdown,
    write_table,
)
from index.cli_timeline import add_timeline_parser, cmd_timeline
from index.ingest import meeting_id_for
from index.models import Meeting, ParsedReadout, Participant
from index.paths import sample_archive_dir

D = dt.date
# Meeting ids are hashes of the absolute source path: compute them for this checkout.
VISIT = meeting_id_for(
    sample_archive_dir() / "003_b8b090782a076984.txt"
)  # the state visit of 27–30 November 2023


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory):
    from index.paths import sample_archive_dir

    archive = Archive.open(tmp_path_factory.mktemp("chrono") / "data")
    archive.index_paths([sample_archive_dir()])
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def chronology(sample_archive) -> Chronology:
    return chronology_for(sample_archive)


def meeting(mid, start, end=None, *, type_=None, fmt=None, countries=(), people=()) -> Meeting:
    parsed = ParsedReadout(
        title=f"Meeting {mid}",
        text="",
        meeting_date=start,
        meeting_date_end=end,
        meeting_type=type_,
        format=fmt,
        countries=tuple(countries),
        participants=tuple(Participant(p, p) for p in people),
    )
    return Meeting(id=mid, source=f"/x/{mid}.txt", parsed=parsed)


# -- ordering -----------------------------------------------------------------------------------
def test_sample_meetings_are_sorted_by_date_with_the_visit_as_a_span(chronology):
    starts = [e.start for e in chronology.meetings]
    assert starts == sorted(starts)
    assert [e.start for e in chronology.meetings] == [
        D(2020, 1, 6),
        D(2021, 11, 23),
        D(2023, 2, 9),
        D(2023, 10, 10),
        D(2023, 11, 27),
    ]
    visit = chronology.meetings[-1]
    assert visit.meeting_id == VISIT and visit.kind == MEETING
    assert (visit.start, visit.end, visit.days) == (D(2023, 11, 27), D(2023, 11, 30), 4)
    assert visit.meeting_type == "summit" and visit.format == "in_person"
    assert all(e.days == 1 for e in chronology.meetings[:-1])
    assert chronology.undated == ()


def test_events_merge_meetings_and_references_by_date(chronology):
    events = chronology.events()
    assert [e.start for e in events] == sorted(e.start for e in events)
    assert events[0].kind == REFERENCE and events[0].start == D(1973, 9, 21)
    assert {e.kind for e in events} == {MEETING, REFERENCE}
    assert len(events) == len(chronology.meetings) + len(chronology.references)


def test_same_day_references_come_before_meetings():
    refs_of = {"a": ()}
    chron = build_chronology([meeting("a", D(2020, 5, 1))], refs_of)
    ref = TimelineEvent(REFERENCE, D(2020, 5, 1), D(2020, 5, 1), "Treaty", "a", precision="day")
    merged = Chronology(chron.meetings, (ref,)).events()
    assert [e.kind for e in merged] == [REFERENCE, MEETING]


def test_meetings_without_a_date_are_listed_as_undated():
    chron = build_chronology([meeting("b", D(2021, 1, 1)), meeting("a", None)])
    assert [e.meeting_id for e in chron.meetings] == ["b"]
    assert chron.undated == ("a",)


# -- referenced events -----------------------------------------------------------------------------
def test_referenced_events_are_spans_at_their_precision(chronology):
    by_title = {(e.title, e.precision): e for e in chronology.references}
    vision = by_title[("Joint Vision Statement on Japan-Vietnam Defense Cooperation", "month")]
    assert (vision.start, vision.end) == (D(2018, 4, 1), D(2018, 4, 30))
    assert vision.meeting_id == VISIT and vision.mentioned_in == (VISIT,)
    partnership = by_title[("Extensive Strategic Partnership", "year")]
    assert (partnership.start, partnership.end) == (D(2014, 1, 1), D(2014, 12, 31))


def test_one_event_mentioned_by_several_meetings_is_one_reference(chronology):
    relations = [e for e in chronology.references if e.title == "Establishment of diplomatic relations"]
    # "the 50th anniversary" (1973, year) folds into "September 21, 1973" (day)
    assert len(relations) == 1
    ref = relations[0]
    assert (ref.start, ref.end, ref.precision) == (D(1973, 9, 21), D(1973, 9, 21), "day")
    assert len(ref.mentioned_in) == 3 and VISIT in ref.mentioned_in
    dates = {e.meeting_id: e.start for e in chronology.meetings}
    assert ref.meeting_id == min(ref.mentioned_in, key=dates.__getitem__)  # the earliest mention


def test_precision_span_covers_whole_months_and_years():
    assert precision_span(D(2024, 2, 1), "month") == (D(2024, 2, 1), D(2024, 2, 29))
    assert precision_span(D(2023, 1, 1), "year") == (D(2023, 1, 1), D(2023, 12, 31))
    assert precision_span(D(2023, 5, 7), "day") == (D(2023, 5, 7), D(2023, 5, 7))


# -- lanes ----------------------------------------------------------------------------------------
def test_lanes_by_type_follow_the_type_order(chronology):
    layout = chronology.lanes("type")
    assert [lane.key for lane in layout.lanes] == ["summit", "foreign_ministers", "defense_ministers"]
    assert [lane.label for lane in layout.lanes] == ["Summit", "Foreign ministers", "Defence ministers"]
    assert [lane.count for lane in layout.lanes] == [2, 2, 1]
    assert layout.lane_of(len(chronology.meetings) - 1) == ("summit",)


def test_lanes_by_country_pair_sort_the_pair(chronology):
    layout = chronology.lanes("countries")
    assert [(lane.key, lane.count) for lane in layout.lanes] == [("Japan–Viet Nam", 5)]
    # the visit lists ("Viet Nam", "Japan"): the pair is still sorted
    assert chronology.meetings[-1].countries == ("Viet Nam", "Japan")
    assert chronology.meetings[-1].country_pair == "Japan–Viet Nam"


def test_country_pairs_single_none_and_multilateral():
    assert country_pair(["Viet Nam", "Japan", "Japan"]) == "Japan–Viet Nam"
    assert country_pair(["Japan"]) == "Japan"
    assert country_pair([]) == NO_COUNTRY
    assert country_pair(["United States", "Japan", "Republic of Korea"]) == MULTILATERAL


def test_lanes_by_participant_put_a_meeting_in_every_participants_lane(chronology):
    layout = chronology.lanes("participant")
    keys = [lane.key for lane in layout.lanes]
    assert keys[0] == "Kishida Fumio"  # two meetings: the largest lane first
    visit = len(chronology.meetings) - 1
    assert set(layout.lane_of(visit)) == {"Vo Van Thuong", "Kishida Fumio"}


def test_small_lanes_fold_into_others():
    meetings = [
        build_chronology([meeting(str(i), D(2020, 1, 1 + i), countries=("Japan", f"C{i}"))]).meetings[0]
        for i in range(6)
    ]
    layout = assign_lanes(meetings, "countries", max_lanes=3)
    assert [lane.key for lane in layout.lanes] == ["C0–Japan", "C1–Japan", OTHERS]
    assert layout.lanes[-1].count == 4
    assert layout.lane_of(5) == (OTHERS,)
    with pytest.raises(ValueError):
        assign_lanes(meetings, "colour")


def test_references_have_their_own_lane(chronology):
    assert all(ref.lane_keys("type") == (REFERENCES_LANE,) for ref in chronology.references)


# -- gaps -----------------------------------------------------------------------------------------
def test_gaps_longer_than_the_threshold(chronology):
    gaps = chronology.gaps(180)
    assert [(g.start, g.end) for g in gaps] == [
        (D(2020, 1, 7), D(2021, 11, 22)),
        (D(2021, 11, 24), D(2023, 2, 8)),
        (D(2023, 2, 10), D(2023, 10, 9)),
    ]
    assert gaps[0].days == 686
    assert [g.start for g in chronology.gaps(600)] == [D(2020, 1, 7)]
    assert chronology.gaps(5000) == ()


def test_a_multi_day_meeting_covers_its_days():
    chron = build_chronology(
        [
            meeting("a", D(2020, 1, 1), D(2020, 3, 31)),
            meeting("b", D(2020, 2, 1)),  # inside a: must not restart the gap count
            meeting("c", D(2020, 5, 1)),
        ]
    )
    assert [(g.start, g.end, g.days) for g in find_gaps(chron.meetings, 20)] == [
        (D(2020, 4, 1), D(2020, 4, 30), 30)
    ]
    assert find_gaps(chron.meetings, 30) == ()  # longer than 30 days only


# -- tables ---------------------------------------------------------------------------------------
def test_csv_has_one_row_per_event_sorted_by_date(chronology):
    rows = list(csv.DictReader(io.StringIO(to_csv(chronology, "countries"))))
    assert len(rows) == len(chronology.meetings) + len(chronology.references)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    visit = next(r for r in rows if r["meeting_id"] == VISIT and r["kind"] == MEETING)
    assert (visit["date"], visit["end"], visit["lane"], visit["type"]) == (
        "2023-11-27",
        "2023-11-30",
        "Japan–Viet Nam",
        "Summit",
    )


def test_tables_can_include_gap_rows(chronology):
    rows = list(csv.DictReader(io.StringIO(to_csv(chronology, "type", gap_days=180))))
    gaps = [r for r in rows if r["kind"] == "gap"]
    assert len(gaps) == 3 and gaps[0]["title"] == "No meetings for 23 months"


def test_markdown_table_escapes_pipes():
    chron = build_chronology([meeting("a|b", D(2020, 1, 1))])
    text = to_markdown(chron)
    lines = text.splitlines()
    assert lines[0].startswith("| Date | Kind |") and lines[1].startswith("|---|")
    assert "a\\|b" in lines[2] and len(lines) == 3


def test_write_table_picks_the_format_by_suffix(chronology, tmp_path):
    write_table(tmp_path / "c.csv", chronology)
    write_table(tmp_path / "c.md", chronology)
    assert (tmp_path / "c.csv").read_text("utf-8").startswith("date,end,precision")
    assert (tmp_path / "c.md").read_text("utf-8").startswith("| Date |")


def test_json_lists_lanes_events_and_gaps(chronology):
    data = chronology.to_json("type", 180)
    assert data["meetings"] == 5 and data["references"] == len(chronology.references)
    assert [lane["key"] for lane in data["lanes"]] == ["summit", "foreign_ministers", "defense_ministers"]
    assert len(data["gaps"]) == 3
    visit = next(e for e in data["events"] if e["kind"] == MEETING and e["meeting_id"] == VISIT)
    assert visit["end"] == "2023-11-30" and visit["lanes"] == ["summit"]


# -- the CLI twin ---------------------------------------------------------------------------------
def _timeline(capsys, data_dir, *args) -> tuple[int, str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "timeline" not in sub.choices:
        add_timeline_parser(sub)
    code = cmd_timeline(parser.parse_args(["--data-dir", str(data_dir), "timeline", *args]))
    return code, capsys.readouterr().out


def test_timeline_command(sample_archive, capsys):
    data_dir = sample_archive.paths.root
    code, out = _timeline(capsys, data_dir, "--json", "--lanes", "countries")
    assert code == 0
    data = json.loads(out)
    assert data["lanes_by"] == "countries" and data["meetings"] == 5
    dates = [e["date"] for e in data["events"]]
    assert dates == sorted(dates)

    code, out = _timeline(capsys, data_dir, "--type", "summit", "--table", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["kind"] for r in rows].count(MEETING) == 2

    code, out = _timeline(capsys, data_dir, "--table", "md", "--no-references")
    assert code == 0 and out.count("| meeting |") == 5 and "| reference |" not in out

    code, out = _timeline(capsys, data_dir)
    assert code == 0 and out.splitlines()[0].startswith("5 meeting(s)")
    assert "no meetings for 23 months" in out


def test_the_chronology_read_field_by_field_equals_the_one_from_whole_meetings(sample_archive, monkeypatch):
    import index.chronology
    from index.chronology import meeting_markers, referenced_events

    monkeypatch.setattr(index.chronology, "MARKERS_READ", 2)  # several reads, their order kept
    monkeypatch.setattr(index.chronology, "REFERENCES_READ", 2)

    ids = list(sample_archive.search("", limit=None).ids) + ["no-such-meeting"]
    meetings = [m for m in sample_archive.meetings() if m.id in ids]
    by_id = {m.id: m for m in (sample_archive.get(m.id) for m in meetings)}
    whole = build_chronology(meetings, {mid: m.events for mid, m in by_id.items()})
    markers, undated = meeting_markers(sample_archive, ids)
    assert chronology_for(sample_archive) == whole
    assert len(markers) + len(undated) == len(meetings) == 5 and whole.references
    cancelled = referenced_events(sample_archive, ids, cancel=lambda: True)
    assert cancelled == {}
    cache: dict = {}
    assert referenced_events(sample_archive, ids, cache=cache) == {m: by_id[m].events for m in by_id}
    assert referenced_events(sample_archive, ids[:3], cache=cache) == {m: cache[m] for m in ids[:3]}
