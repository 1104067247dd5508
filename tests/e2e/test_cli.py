"""The real ``readout-archive`` console command, run as a subprocess on the sample archive."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

EXE = shutil.which("readout-archive")


def run(data_dir, *args, check=True):
    cmd = [EXE] if EXE else [sys.executable, "-m", "index.cli"]
    proc = subprocess.run(
        [*cmd, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


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
