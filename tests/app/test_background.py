"""Background tasks: results and typed errors on the GUI thread; indexing with progress and cancel."""

from __future__ import annotations

import shutil
import sys
import threading

from app.tasks import TaskRunner
from index.errors import BadQuery


def test_task_delivers_result_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen = {}

    def work(progress, cancel):
        progress(1, 2, "a")
        return threading.current_thread() is threading.main_thread()

    runner.run("t", work, succeeded=lambda r: seen.update(result=r))
    qtbot.waitUntil(lambda: "result" in seen, timeout=5_000)
    assert seen["result"] is False  # it ran off the GUI thread
    runner.shutdown()


def test_task_delivers_typed_errors(qtbot):
    runner = TaskRunner()

    def work(progress, cancel):
        raise BadQuery("unbalanced quote")

    errors = []
    task = runner.run("t", work, failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], BadQuery)
    assert task is not None
    runner.shutdown()


def test_indexing_reports_progress_and_can_be_cancelled(tmp_path, window, qtbot, sample_dir, archive):
    folder = tmp_path / "many"
    folder.mkdir()
    samples = sorted(sample_dir.glob("*.txt"))
    for i in range(300):
        src = samples[i % len(samples)]
        shutil.copy(src, folder / f"{i:04d}_{src.name}")
    before = archive.count()
    progress = []

    def on_progress(done, total):
        progress.append((done, total))
        if len(progress) == 1:
            window.cancel_indexing()  # cancel as soon as the first progress report arrives

    window.index_progressed.connect(on_progress)
    with qtbot.waitSignal(window.index_finished, timeout=60_000) as finished:
        window.index_paths([folder])
        assert window.indexing and window.progress.isVisible() is window.isVisible()
    report = finished.args[0]
    assert progress and progress[0][1] == 300
    assert report.cancelled
    assert report.added < 300
    assert not window.indexing and window.progress.isHidden()
    assert archive.count() == before + report.added


def test_the_window_indexes_a_large_folder_in_worker_processes(
    tmp_path, window, qtbot, sample_dir, archive, monkeypatch
):
    import index.pipeline

    folder = tmp_path / "many"
    folder.mkdir()
    samples = sorted(sample_dir.glob("*.txt"))
    for i in range(200):
        src = samples[i % len(samples)]
        text = src.read_text("utf-8") + f"\nReference number zq{i:04d}.\n"
        (folder / f"{i:04d}_{src.name}").write_text(text, "utf-8")
    started = []
    real_init = index.pipeline.SegmentWorkers.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append((len(self.shares), self.start_method))

    monkeypatch.setattr(index.pipeline.SegmentWorkers, "__init__", spy)
    monkeypatch.setenv("READOUT_ARCHIVE_WORKERS", "2")
    before = archive.count()
    with qtbot.waitSignal(window.index_finished, timeout=120_000) as finished:
        window.index_paths([folder])
    report = finished.args[0]
    # parsed and indexed by two worker processes, never forked from the window's process
    assert started == [(2, "spawn" if sys.platform == "win32" else "forkserver")]
    assert (report.added, report.cancelled, report.skipped) == (200, False, ())
    assert archive.count() == before + 200
    assert archive.search("zq0000 OR zq0199", limit=None).total == 2


def test_skipped_files_are_listed_for_copying(window, qtbot, tmp_path, messages):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    bad.chmod(0)
    with qtbot.waitSignal(window.index_finished, timeout=20_000) as finished:
        window.index_paths([tmp_path / "missing-folder"])
    report = finished.args[0]
    if report is not None and report.skipped:
        assert messages.shown[-1].level == "skipped"
        assert "missing-folder" in messages.shown[-1].details


def test_results_queued_before_shutdown_are_dropped(qtbot):
    from app.tasks import TaskRunner

    runner = TaskRunner()
    delivered = []
    runner.run("quick", lambda progress, cancel: 42, succeeded=delivered.append)
    assert runner.shutdown()  # the work is done; its result waits in the event queue
    qtbot.waitUntil(lambda: not runner.running())  # the queued signals have been delivered
    assert delivered == []
