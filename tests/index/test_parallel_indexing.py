"""Large runs index in worker processes, each into a Whoosh segment of its own: the archive must
be the same as one indexed in this process, also after updates, a cancel or a killed worker."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import signal
from pathlib import Path

from index.archive import Archive
from tests.reliability.test_bad_input import _bad_folder

QUERIES = (
    "",
    "Kamikawa",
    "trade AND security",
    '"free and open"',
    "climate NOT china",
    "minist*",
    "kamikwa~",
)


def _snapshot(archive: Archive) -> dict:
    """Everything a user can see: every search (order, scores, snippets, facets) in each sort,
    every record, and the stored fields in document order."""
    searches = {}
    for query in QUERIES:
        for sort in ("relevance", "date", "date-asc"):
            result = archive.search(query, limit=None, sort=sort, snippets=10, facets=True)
            searches[query, sort] = (
                result.total,
                [(h.id, round(h.score, 9), h.snippet, h.snippet_highlights) for h in result.hits],
                result.facets,
            )
    records = sorted(json.dumps(archive.get(m.id).to_json(), sort_keys=True) for m in archive.meetings())
    with archive._ix.reader() as reader:
        stored = [json.dumps(fields, sort_keys=True, default=str) for fields in reader.all_stored_fields()]
    return {"searches": searches, "records": records, "stored": stored}


def _index(data_dir: Path, folder: Path, workers: int, **kwargs):
    with Archive.open(data_dir) as archive:
        archive.workers = workers
        report = archive.index_paths([folder], **kwargs)
        return report, _snapshot(archive), len(archive._ix._segments())


def _consistent(data_dir: Path) -> set[str]:
    """The ids in the index, after checking they are exactly the store's, each once."""
    with Archive.open(data_dir) as archive:
        with archive._ix.reader() as reader:
            indexed = [fields["id"] for fields in reader.all_stored_fields()]
        assert len(indexed) == len(set(indexed))
        assert set(indexed) == {m.id for m in archive.meetings()}
        assert archive.notices == []  # nothing to repair on open
        return set(indexed)


def test_worker_segments_give_the_same_archive_as_in_process(tmp_path, many):
    here, here_view, _ = _index(tmp_path / "here", many, 0)
    workers, workers_view, segments = _index(tmp_path / "workers", many, 2)
    assert workers == here and here.added == 85
    assert workers_view == here_view
    assert segments == 2  # one per worker, nothing else
    whoosh_dir = tmp_path / "workers" / "index" / "whoosh"
    with Archive.open(tmp_path / "workers") as archive:
        live = tuple(f"{seg.segment_id()}." for seg in archive._ix._segments())
    leftovers = [p.name for p in whoosh_dir.iterdir() if not p.name.startswith(live)]
    assert sorted(leftovers) == ["MAIN_WRITELOCK", "_MAIN_1.toc"]  # no temporary or stray files


def test_updates_with_workers_give_the_same_archive_as_in_process(tmp_path, many):
    views = {}
    folder = tmp_path / "changing"  # one path for both runs: meeting ids come from paths
    for workers in (0, 2):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(many, folder)
        data_dir = tmp_path / f"data-{workers}"
        _index(data_dir, folder, workers)
        files = sorted(folder.glob("*.txt"))
        for path in files[:30:3]:  # changed
            path.write_text(path.read_text("utf-8") + "\nThe ministers also discussed fisheries.\n", "utf-8")
        for path in files[40:45]:  # removed
            path.unlink()
        os.utime(files[50], ns=(0, 0))  # touched, same content
        report, views[workers], _ = _index(data_dir, folder, workers)
        assert (report.updated, report.removed, report.unchanged) == (10, 5, 70)
        _consistent(data_dir)
    assert views[2] == views[0]


def test_cancel_with_workers_leaves_a_consistent_archive(tmp_path, many):
    calls: list[int] = []
    report, _, _ = _index(
        tmp_path / "data", many, 2, cancel=lambda: len(calls) >= 10, progress=lambda d, t, p: calls.append(d)
    )
    assert report.cancelled and 10 <= report.added < 85
    assert len(_consistent(tmp_path / "data")) == report.added
    rest, view, _ = _index(tmp_path / "data", many, 2)
    assert rest.added == 85 - report.added and not rest.cancelled
    assert len(_consistent(tmp_path / "data")) == 85
    _, here_view, _ = _index(tmp_path / "here", many, 0)
    assert view["records"] == here_view["records"]
    assert {k: (v[0], sorted(v[1])) for k, v in view["searches"].items()} == {
        k: (v[0], sorted(v[1])) for k, v in here_view["searches"].items()
    }


def _killer(folder: Path, killed: list[int]):
    """A progress callback that kills worker 0 once it has sent an outcome (its share is the first
    files in path order)."""
    first = {str(path) for path in sorted(folder.glob("*.txt"))[:20]}

    def kill_first_worker(done, total, path):
        if path in first and not killed:
            for proc in multiprocessing.active_children():
                if proc.name == "readout-indexer-0":
                    os.kill(proc.pid, signal.SIGKILL)
                    killed.append(proc.pid)

    return kill_first_worker


def test_a_killed_worker_loses_nothing(tmp_path, many, caplog):
    killed: list[int] = []
    kill_first_worker = _killer(many, killed)

    with caplog.at_level(logging.WARNING):
        report, view, _ = _index(tmp_path / "data", many, 2, progress=kill_first_worker)
    assert killed and "indexing worker 0 failed" in caplog.text
    assert report.added == 85 and not report.skipped and not report.cancelled
    _consistent(tmp_path / "data")
    _, here_view, _ = _index(tmp_path / "here", many, 0)
    assert view["records"] == here_view["records"]
    assert {k: (v[0], sorted(v[1])) for k, v in view["searches"].items()} == {
        k: (v[0], sorted(v[1])) for k, v in here_view["searches"].items()
    }


def test_bad_files_with_workers_are_reported_as_in_process(tmp_path):
    folder = tmp_path / "bad"
    _bad_folder(folder)
    reports = {}
    for workers in (0, 2):
        with Archive.open(tmp_path / f"data-{workers}") as archive:
            archive.workers = workers
            report = archive.index_paths([folder])
            reports[workers] = (
                sorted((Path(s.path).name, s.reason) for s in report.skipped),
                sorted((Path(w.path).name, w.reason) for w in report.warnings),
                sorted(Path(m.source).name for m in archive.meetings()),
                report.added,
            )
        _consistent(tmp_path / f"data-{workers}")
    assert reports[2] == reports[0] and reports[0][0] and reports[0][3] > 2


def test_a_killed_worker_then_cancel_leaves_a_consistent_archive(tmp_path, many, caplog):
    killed: list[int] = []
    kill_first_worker = _killer(many, killed)

    with caplog.at_level(logging.WARNING):
        report, _, _ = _index(
            tmp_path / "data", many, 2, progress=kill_first_worker, cancel=lambda: bool(killed)
        )
    assert killed and "indexing worker 0 failed" in caplog.text and report.cancelled
    # what worker 0 had sent is taken back with its segment; worker 1's first files are kept
    assert len(_consistent(tmp_path / "data")) == report.added < 85
    rest, _, _ = _index(tmp_path / "data", many, 2)
    assert report.added + rest.added == 85 and len(_consistent(tmp_path / "data")) == 85


def test_workers_that_find_nothing_new_leave_no_files(tmp_path, many):
    _index(tmp_path / "data", many, 2)
    whoosh_dir = tmp_path / "data" / "index" / "whoosh"
    before = {p.name for p in whoosh_dir.iterdir()}
    for path in many.glob("*.txt"):
        os.utime(path, ns=(0, 0))  # every file looked at again: same content
    report, _, segments = _index(tmp_path / "data", many, 2)
    assert report.unchanged == 85 and segments == 2
    new = {p.name.split(".")[0] for p in whoosh_dir.iterdir()} - {name.split(".")[0] for name in before}
    assert len(new) <= 1, new  # at most the indexing process's own unused segment, not the workers'


def test_when_workers_cannot_start_the_files_are_indexed_here(tmp_path, many, monkeypatch, caplog):
    from index.pipeline import SegmentWorkers

    def no_processes(self, *args):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(SegmentWorkers, "_start", no_processes)
    with caplog.at_level(logging.WARNING):
        report, view, segments = _index(tmp_path / "data", many, 2)
    assert "could not start indexing workers" in caplog.text
    assert report.added == 85 and segments == 1
    _, here_view, _ = _index(tmp_path / "here", many, 0)
    assert view == here_view


def test_workers_index_with_the_archives_own_gazetteer(tmp_path, many):
    """An archive opened with its own name lists (or its overlay as loaded when it was opened)
    gets the same documents from the workers as from this process."""
    from index.gazetteer import Gazetteer

    overlay = tmp_path / "elsewhere.json"
    overlay.write_text(json.dumps({"countries": [{"name": "Japan", "variants": ["Nihonxq"]}]}), "utf-8")
    gazetteer = Gazetteer.load(overlay)
    found = []
    for workers in (0, 2):
        with Archive.open(tmp_path / f"data-{workers}", gazetteer=gazetteer) as archive:
            archive.workers = workers
            archive.index_paths([many])
            found.append(archive.search("nihonxq", limit=None, snippets=0).ids)
    assert found[0] == found[1] and len(found[0]) > 3


def test_workers_parse_in_batches_that_keep_progress_and_cancel_frequent():
    from index.pipeline import WORKER_BATCH, batch_size

    assert batch_size(5_000) == WORKER_BATCH  # a large share: full batches
    assert batch_size(40) == 2  # a small one is still cut into 20 batches
    assert batch_size(1) == batch_size(0) == 1


def test_shares_are_cut_by_work_not_bytes_alone():
    """Many short files cost more than their bytes say: a share of long files and one of short
    ones get about the same work (size plus a fixed cost per file), in path order."""
    from index.ingest import FoundFile
    from index.pipeline import FILE_COST_BYTES, _shares

    files = [FoundFile(Path(f"/a/{n:03}.txt"), 8_000 if n < 100 else 2_000, 0) for n in range(400)]
    first, second = _shares(files, 2)
    assert first + second == files  # contiguous, in order
    work = [sum(f.size + FILE_COST_BYTES for f in share) for share in (first, second)]
    assert abs(work[0] - work[1]) <= 8_000 + FILE_COST_BYTES
    assert len(first) < len(second) and sum(f.size for f in first) > sum(f.size for f in second)
