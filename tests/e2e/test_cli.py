"""The real ``readout-archive`` console command, run as a subprocess on the sample archive."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from .cli import run


@pytest.fixture
def indexed(data_dir, sample_dir):
    summary = json.loads(run(data_dir, "index", str(sample_dir), "--json").stdout)
    assert summary["added"] == 5 and summary["skipped"] == []
    return data_dir


def test_index_search_show_list(indexed):
    result = json.loads(run(indexed, "search", "Kamikawa", "--json").stdout)
    assert result["query"] == "Kamikawa" and result["total"] >= 1
    top = result["hits"][0]
    assert set(top) == {
        "id",
        "title",
        "meeting_date",
        "meeting_type",
        "format",
        "score",
        "snippet",
        "snippet_highlights",
    }
    record = json.loads(run(indexed, "show", top["id"], "--json").stdout)
    assert record["id"] == top["id"] and record["source"].endswith("000_3a5af91ac2344a0e.txt")
    assert record["meeting_date"] == "2023-10-10"
    assert record["text"] and "Back to Japan-Viet Nam Relations" not in record["text"]
    listing = json.loads(run(indexed, "list", "--json").stdout)
    assert len(listing) == 5 and all("text" not in r for r in listing)
    human = run(indexed, "show", top["id"]).stdout
    assert "Meeting date:" in human and "2023-10-10" in human


def test_reindex_unchanged_and_filters(indexed, sample_dir):
    again = json.loads(run(indexed, "index", str(sample_dir), "--json").stdout)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 5)
    video = json.loads(run(indexed, "search", "--format", "video", "--json").stdout)
    assert [h["meeting_date"] for h in video["hits"]] == ["2023-02-09"]
    ranged = json.loads(
        run(
            indexed, "search", "--from", "2023-01-01", "--to", "2023-12-31", "--sort", "date-asc", "--json"
        ).stdout
    )
    dates = [h["meeting_date"] for h in ranged["hits"]]
    assert dates == sorted(dates) and all(d.startswith("2023") for d in dates) and len(dates) == 3


def test_errors_are_one_clear_line(indexed, tmp_path):
    bad = run(indexed, "search", '"unclosed', check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "quote" in bad.stderr
    missing = run(indexed, "show", "ffffffffffffffff", check=False)
    assert missing.returncode == 2 and "no meeting" in missing.stderr and "Traceback" not in missing.stderr
    nothing = run(indexed, "index", str(tmp_path / "nope"), "--json", check=False)
    assert nothing.returncode == 1 and "no such file" in nothing.stderr


def test_index_exit_status_zero_when_some_files_skipped(data_dir, tmp_path, sample_dir):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(sample_dir / "000_3a5af91ac2344a0e.txt", folder)
    (folder / "empty.txt").write_text("")
    proc = run(data_dir, "index", str(folder), "--json")
    summary = json.loads(proc.stdout)
    assert summary["added"] == 1 and summary["skipped"][0]["path"].endswith("empty.txt")
    assert "empty.txt" in proc.stderr


SEED_EXPECTATIONS = {
    "000_3a5af91ac2344a0e.txt": (
        "2023-10-10",
        None,
        "foreign_ministers",
        "in_person",
        150,
        "Hanoi",
        "Viet Nam",
    ),
    "001_aa49ef18c32ede26.txt": ("2023-02-09", None, "summit", "video", 30, None, None),
    "002_3e5eacd31963e668.txt": (
        "2020-01-06",
        None,
        "foreign_ministers",
        "in_person",
        60,
        "Hanoi",
        "Viet Nam",
    ),
    "003_b8b090782a076984.txt": ("2023-11-27", "2023-11-30", "summit", "in_person", None, None, "Japan"),
    "004_44532a2dad6d2cef.txt": ("2021-11-23", None, "defense_ministers", "in_person", 110, "Tokyo", "Japan"),
}


def test_every_seed_record_through_the_cli(indexed):
    records = {os.path.basename(r["source"]): r for r in json.loads(run(indexed, "list", "--json").stdout)}
    assert set(records) == set(SEED_EXPECTATIONS)
    for name, (start, end, mtype, fmt, minutes, city, country) in SEED_EXPECTATIONS.items():
        r = records[name]
        location = r["location"] or {"city": None, "country": None}
        assert (r["meeting_date"], r["meeting_date_end"], r["meeting_type"], r["format"]) == (
            start,
            end,
            mtype,
            fmt,
        ), name
        assert (r["duration_minutes"], location["city"], location["country"]) == (minutes, city, country), (
            name
        )
        assert set(r["countries"]) == {"Japan", "Viet Nam"}, name
    assert records["003_b8b090782a076984.txt"]["publication_date"] == "2023-12-07"
    kamikawa = records["000_3a5af91ac2344a0e.txt"]["participants"][0]
    assert kamikawa == {
        "name": "KAMIKAWA Yoko",
        "canonical": "Kamikawa Yoko",
        "role": "Minister for Foreign Affairs",
        "country": "Japan",
    }
    assert records["000_3a5af91ac2344a0e.txt"]["title"] == "Japan-Viet Nam Foreign Ministers' Meeting"


def test_duplicates_removed_and_shown_once(indexed):
    records = {os.path.basename(r["source"]): r for r in json.loads(run(indexed, "list", "--json").stdout)}
    seed = records["002_3e5eacd31963e668.txt"]
    assert seed["duplicates_removed"] == 4
    text = json.loads(run(indexed, "show", seed["id"], "--json").stdout)["text"]
    assert text.count("Deputy Prime Minister Minh welcomed that the first official guest") == 1
    assert text.count("Exchange of Notes were signed") == 1


def test_alias_search_through_the_cli(indexed):
    def files(query):
        hits = json.loads(run(indexed, "search", query, "--limit", "50", "--json").stdout)["hits"]
        return {h["id"] for h in hits}

    assert files("Vietnam") == files('"Viet Nam"') == files("Việt Nam")
    assert len(files("Vietnam")) == 5


def test_bad_input_folder_through_the_cli(data_dir, tmp_path, sample_dir):
    folder = tmp_path / "bad input"
    folder.mkdir()
    shutil.copy(sample_dir / "004_44532a2dad6d2cef.txt", folder / "good one.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4)
    (folder / "cp1252.txt").write_bytes(
        "Minister’s meeting\n\nJune 1, 2022\n\nThe ministers met in Paris.".encode("cp1252")
    )
    (folder / "utf16.txt").write_bytes(
        "Unicode talks\n\nJune 2, 2022\n\nThe ministers met in Hà Nội.".encode("utf-16")
    )
    (folder / "script.html").write_text(
        "<html><body><h1>Scripted</h1><script>document.write('pwned')</script><p>June 3, 2022</p>"
        "<p>The ministers met in Tokyo.</p></body></html>",
        "utf-8",
    )
    proc = run(data_dir, "index", str(folder), "--json")
    summary = json.loads(proc.stdout)
    assert summary["added"] == 4
    assert sorted(os.path.basename(s["path"]) for s in summary["skipped"]) == ["binary.txt", "empty.txt"]
    assert [os.path.basename(w["path"]) for w in summary["warnings"]] == ["cp1252.txt"]
    listing = {os.path.basename(r["source"]): r for r in json.loads(run(data_dir, "list", "--json").stdout)}
    script = json.loads(run(data_dir, "show", listing["script.html"]["id"], "--json").stdout)
    assert "pwned" not in script["text"] and "Tokyo" in script["text"]
    wide = json.loads(run(data_dir, "show", listing["utf16.txt"]["id"], "--json").stdout)
    assert "Hà Nội" in wide["text"]
    assert json.loads(run(data_dir, "search", "ha noi", "--json").stdout)["total"] == 1  # accents folded


def test_show_json_has_entities_with_offsets_and_referenced_events(indexed):
    records = {os.path.basename(r["source"]): r for r in json.loads(run(indexed, "list", "--json").stdout)}
    record = json.loads(run(indexed, "show", records["003_b8b090782a076984.txt"]["id"], "--json").stdout)
    text = record["text"]
    assert record["entities"], "no entities"
    for mention in record["entities"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    kinds = {m["kind"] for m in record["entities"]}
    assert {"person", "country", "organization", "initiative", "money", "event"} <= kinds
    events = {(e["date"], e["date_precision"]) for e in record["referenced_events"]}
    assert ("1973-09-21", "day") in events and ("2018-04-01", "month") in events


def test_entity_queries_facets_and_the_entities_command(indexed):
    def names(query):
        hits = json.loads(run(indexed, "search", query, "--limit", "50", "--json").stdout)["hits"]
        return {h["id"] for h in hits}

    assert names("entity:FOIP") == names('initiative:"free and open indo-pacific"') == names("FOIP")
    assert len(names("entity:FOIP")) == 4
    assert len(names("org:ASEAN")) == 5
    result = json.loads(run(indexed, "search", "Kishida", "--json").stdout)
    facets = result["facets"]
    assert {"type", "format", "country", "participant", "organization"} <= set(facets)
    participants = {f["canonical"]: f["count"] for f in facets["participant"]}
    assert participants["Kishida Fumio"] == 2
    assert sum(f["count"] for f in facets["type"]) <= result["total"]
    listing = json.loads(run(indexed, "entities", "--kind", "initiative", "--json").stdout)
    foip = next(e for e in listing if e["canonical"] == "Free and Open Indo-Pacific")
    assert (
        foip["count"] == 4 and len(foip["meetings"]) == 4 and {e["kind"] for e in listing} == {"initiative"}
    )


def test_timeline_command_sorted_with_referenced_events(indexed):
    data = json.loads(run(indexed, "timeline", "--json").stdout)
    dated = [e for e in data["events"] if e["kind"] in ("meeting", "reference")]
    assert [e["date"] for e in dated] == sorted(e["date"] for e in dated)
    assert sum(e["kind"] == "meeting" for e in dated) == 5
    assert any(e["kind"] == "reference" and e["date"] == "1973-09-21" for e in dated)
    visit = next(e for e in dated if e["kind"] == "meeting" and e["date"] == "2023-11-27")
    assert visit["end"] == "2023-11-30"
    table = run(indexed, "timeline", "--table", "csv").stdout
    assert table.splitlines()[0].startswith("date") or "Date" in table.splitlines()[0]


def test_malformed_overlay_is_reported_and_defaults_still_work(data_dir, sample_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "overlay.json").write_text('{"countries": [ {"name": ', "utf-8")
    proc = run(data_dir, "index", str(sample_dir), "--json")
    assert "overlay" in proc.stderr and json.loads(proc.stdout)["added"] == 5
    assert json.loads(run(data_dir, "search", "Vietnam", "--json").stdout)["total"] == 5


def test_overlay_adds_an_alias(data_dir, sample_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    overlay = {
        "entities": [{"canonical": "Cam Ranh Port", "kind": "place", "variants": ["Cam Ranh Bay Harbour"]}]
    }
    (data_dir / "overlay.json").write_text(json.dumps(overlay), "utf-8")
    run(data_dir, "index", str(sample_dir))
    hits = json.loads(run(data_dir, "search", '"Cam Ranh Bay Harbour"', "--json").stdout)["hits"]
    assert [h["meeting_date"] for h in hits] == ["2023-10-10"]
