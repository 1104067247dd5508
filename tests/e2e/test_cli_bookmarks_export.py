"""The real command: bookmark, saved-search and export on the sample archive."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys

import pytest

from .cli import run

KAMIKAWA_FILE = "000_3a5af91ac2344a0e.txt"


@pytest.fixture
def readouts(tmp_path, sample_dir):
    folder = tmp_path / "readouts"
    shutil.copytree(sample_dir, folder)
    return folder


@pytest.fixture
def indexed(data_dir, readouts):
    run(data_dir, "index", str(readouts), "--json")
    listing = json.loads(run(data_dir, "list", "--json").stdout)
    return data_dir, {r["source"].rsplit("/", 1)[-1]: r["id"] for r in listing}


def test_bookmarks_survive_an_index_rebuild(indexed):
    data_dir, ids = indexed
    mid = ids[KAMIKAWA_FILE]
    out = run(data_dir, "bookmark", "add", mid, "--note", "ALPS water", "--tag", "japan", "--tag", "Energy")
    assert out.stdout.startswith(f"bookmarked {mid}")
    run(data_dir, "bookmark", "add", ids["001_aa49ef18c32ede26.txt"], "--tag", "ENERGY")

    shutil.rmtree(data_dir / "index")
    run(data_dir, "index")  # re-scans the remembered folder into a fresh index
    listing = json.loads(run(data_dir, "bookmark", "list", "--json").stdout)
    assert [(b["id"], b["missing"]) for b in listing] == [
        (mid, False),
        (ids["001_aa49ef18c32ede26.txt"], False),
    ]
    assert listing[0]["note"] == "ALPS water" and listing[0]["tags"] == ["japan", "Energy"]
    assert [
        b["id"] for b in json.loads(run(data_dir, "bookmark", "list", "--tag", "energy", "--json").stdout)
    ] == [
        mid,
        ids["001_aa49ef18c32ede26.txt"],
    ]
    human = run(data_dir, "bookmark", "list").stdout
    assert "Japan-Viet Nam Foreign Ministers' Meeting  [japan, Energy]" in human and "    ALPS water" in human
    assert "Energy" in run(data_dir, "bookmark", "tags").stdout
    assert json.loads(run(data_dir, "bookmark", "tags", "--json").stdout) == {"Energy": 2, "japan": 1}

    edited = run(data_dir, "bookmark", "edit", mid, "--note", "", "--untag", "japan", "--tag", "water")
    assert "[Energy, water]" in edited.stdout
    run(data_dir, "bookmark", "remove", mid)
    assert [b["id"] for b in json.loads(run(data_dir, "bookmark", "list", "--json").stdout)] == [
        ids["001_aa49ef18c32ede26.txt"]
    ]
    again = run(data_dir, "bookmark", "remove", mid, check=False)
    assert again.returncode == 2 and "not bookmarked" in again.stderr and "Traceback" not in again.stderr
    unknown = run(data_dir, "bookmark", "add", "ffffffffffffffff", check=False)
    assert unknown.returncode == 2 and "no meeting" in unknown.stderr


def test_bookmark_of_a_deleted_file_is_listed_as_missing(indexed, readouts):
    data_dir, ids = indexed
    mid = ids["004_44532a2dad6d2cef.txt"]
    run(data_dir, "bookmark", "add", mid, "--note", "defence")
    (readouts / "004_44532a2dad6d2cef.txt").unlink()
    assert json.loads(run(data_dir, "index", "--json").stdout)["removed"] == 1
    [entry] = json.loads(run(data_dir, "bookmark", "list", "--json").stdout)
    assert entry["id"] == mid and entry["missing"] is True and entry["note"] == "defence"
    assert entry["title"] == "Japan-Vietnam Defense Ministers’ Meeting"
    human = run(data_dir, "bookmark", "list")
    assert "MISSING" in human.stdout and "no longer in the archive" in human.stderr
    exported = run(
        data_dir, "export", "--bookmarked", "-o", str(data_dir / "b.csv"), "--format", "csv", check=False
    )
    assert exported.returncode == 2 and "nothing to export" in exported.stderr and mid in exported.stderr
    assert not (data_dir / "b.csv").exists()


def test_corrupt_bookmarks_file_is_recovered_with_a_message(indexed):
    data_dir, ids = indexed
    run(data_dir, "bookmark", "add", ids[KAMIKAWA_FILE])
    run(data_dir, "bookmark", "add", ids["001_aa49ef18c32ede26.txt"])
    (data_dir / "bookmarks.json").write_text('{"version": 1, "bookmarks": [', "utf-8")
    listed = run(data_dir, "bookmark", "list", "--json")
    assert [b["id"] for b in json.loads(listed.stdout)] == [ids[KAMIKAWA_FILE]]
    assert "moved to bookmarks.json.corrupt-" in listed.stderr and "restored" in listed.stderr
    assert len(list(data_dir.glob("bookmarks.json.corrupt-*"))) == 1


def test_saved_searches(indexed):
    data_dir, _ = indexed
    saved = run(
        data_dir, "saved-search", "add", "Video 2023", "", "--from", "2023-01-01", "--format", "video"
    )
    assert "date_from=2023-01-01" in saved.stdout
    run(data_dir, "saved-search", "add", "kamikawa", "Kamikawa", "--sort", "date")
    assert run(data_dir, "saved-search", "list").stdout.splitlines()[0].startswith("Video 2023\t")
    listing = json.loads(run(data_dir, "saved-search", "list", "--json").stdout)
    assert [s["name"] for s in listing] == ["Video 2023", "kamikawa"]
    assert listing[0]["filters"] == {"date_from": "2023-01-01", "format": "video"}

    result = json.loads(run(data_dir, "saved-search", "run", "video 2023", "--json").stdout)
    assert result["name"] == "Video 2023" and [h["meeting_date"] for h in result["hits"]] == ["2023-02-09"]
    direct = json.loads(run(data_dir, "search", "Kamikawa", "--sort", "date", "--json").stdout)
    again = json.loads(run(data_dir, "saved-search", "run", "kamikawa", "--json").stdout)
    assert [h["id"] for h in again["hits"]] == [h["id"] for h in direct["hits"]]
    assert "meeting(s)" in run(data_dir, "saved-search", "run", "kamikawa").stdout

    dup = run(data_dir, "saved-search", "add", "KAMIKAWA", "son", check=False)
    assert dup.returncode == 2 and "already" in dup.stderr
    run(data_dir, "saved-search", "add", "KAMIKAWA", "son", "--replace")
    bad = run(data_dir, "saved-search", "add", "broken", '"unclosed', check=False)
    assert bad.returncode == 2 and "quote" in bad.stderr
    run(data_dir, "saved-search", "remove", "kamikawa")
    missing = run(data_dir, "saved-search", "run", "kamikawa", check=False)
    assert missing.returncode == 2 and "no saved search" in missing.stderr


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records, current = [], {}
    for line in filter(str.strip, text.splitlines()):
        tag, value = line[:2], line[6:]
        assert line[2:6] == "  - "
        if tag == "ER":
            records.append(current)
            current = {}
        else:
            current.setdefault(tag, []).append(value)
    return records


def test_export_every_format(indexed, tmp_path):
    data_dir, ids = indexed
    mid = ids[KAMIKAWA_FILE]
    run(data_dir, "bookmark", "add", mid, "--note", "=1+1 <script>alert(1)</script>", "--tag", "asean")
    out = tmp_path / "out"
    out.mkdir()

    summary = json.loads(run(data_dir, "export", "-o", str(out / "all.csv"), "--json").stdout)
    assert summary["count"] == 5 and summary["format"] == "csv"
    rows = list(csv.DictReader(io.StringIO((out / "all.csv").read_text("utf-8-sig"), newline="")))
    assert len(rows) == 5 and [r["meeting_date"] for r in rows] == sorted(r["meeting_date"] for r in rows)
    kamikawa = next(r for r in rows if r["id"] == mid)
    assert kamikawa["note"] == "'=1+1 <script>alert(1)</script>" and kamikawa["tags"] == "asean"
    assert kamikawa["participants"] == "Kamikawa Yoko; Bui Thanh Son"

    run(data_dir, "export", "--format", "json", "-o", str(out / "k.json"), "--query", "Kamikawa")
    records = json.loads((out / "k.json").read_text("utf-8"))
    show = json.loads(run(data_dir, "show", mid, "--json").stdout)
    assert any({k: v for k, v in r.items() if k != "bookmark"} == show for r in records)

    run(data_dir, "export", "-o", str(out / "b.md"), "--bookmarked")
    md = (out / "b.md").read_text("utf-8")
    assert "## Japan-Viet Nam Foreign Ministers' Meeting" in md and "<script>" not in md

    run(data_dir, "export", "-o", str(out / "b.html"), "--tag", "ASEAN", "--title", "Kamikawa & Son")
    page = (out / "b.html").read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h1>Kamikawa &amp; Son</h1>" in page and page.count("<article") == 1

    run(data_dir, "export", "-o", str(out / "refs.ris"), "--from", "2023-01-01", "--to", "2023-12-31")
    ris = parse_ris((out / "refs.ris").read_text("utf-8"))
    assert len(ris) == 3 and all(r["TY"] == ["RPRT"] and r["PY"] == ["2023"] for r in ris)
    assert any(r.get("KW") == ["asean"] for r in ris)
    assert all(r["L1"][0].startswith("file:///") for r in ris)

    run(data_dir, "export", "-o", str(out / "refs.csl.json"), "--meeting-format", "video")
    [csl] = json.loads((out / "refs.csl.json").read_text("utf-8"))
    assert csl["type"] == "report" and csl["issued"]["date-parts"][0][:1] == [2023]

    two = [ids[KAMIKAWA_FILE], ids["001_aa49ef18c32ede26.txt"]]
    run(data_dir, "export", "-o", str(out / "two.pdf"), "--ids", *two)
    pdf = (out / "two.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) >= 2

    run(data_dir, "saved-search", "add", "video", "", "--format", "video")
    run(data_dir, "export", "-o", str(out / "saved.json"), "--saved", "video")
    assert len(json.loads((out / "saved.json").read_text("utf-8"))) == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "all.csv",
        "b.html",
        "b.md",
        "k.json",
        "refs.csl.json",
        "refs.ris",
        "saved.json",
        "two.pdf",
    ]


def test_export_refuses_to_overwrite_and_reports_bad_paths(indexed, tmp_path):
    data_dir, ids = indexed
    target = tmp_path / "out.csv"
    target.write_text("keep me", "utf-8")
    refused = run(data_dir, "export", "-o", str(target), check=False)
    assert refused.returncode == 2 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text("utf-8") == "keep me"
    run(data_dir, "export", "-o", str(target), "--force")
    assert target.read_text("utf-8-sig").startswith("id,title")

    nowhere = run(data_dir, "export", "-o", str(tmp_path / "no" / "such" / "x.csv"), check=False)
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr
    assert not (tmp_path / "no").exists()
    unknown = run(data_dir, "export", "-o", str(tmp_path / "x.docx"), check=False)
    assert unknown.returncode == 2 and "--format" in unknown.stderr
    bad_id = run(data_dir, "export", "-o", str(tmp_path / "x.json"), "--ids", "ffffffffffffffff", check=False)
    assert bad_id.returncode == 2 and "no meeting" in bad_id.stderr and not (tmp_path / "x.json").exists()
    both = run(
        data_dir, "export", "-o", str(tmp_path / "y.json"), "--saved", "x", "--query", "y", check=False
    )
    assert both.returncode == 2 and "either" in both.stderr
    for line in (refused.stderr, nowhere.stderr, unknown.stderr, bad_id.stderr):
        assert line.count("\n") == 1 and "Traceback" not in line


def test_non_pdf_export_does_not_load_qt(indexed, tmp_path):
    data_dir, _ = indexed
    script = (
        "import sys\n"
        "from index.cli import main\n"
        f"code = main(['--data-dir', {str(data_dir)!r}, 'export', '-o', {str(tmp_path / 'x.html')!r}])\n"
        "assert code == 0, code\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
