"""Background work: run a function off the GUI thread, with progress, a cancel token, and the
result or the error delivered back on the GUI thread (like Anki's ``QueryOp``).

    task = tasks.run(
        "index",
        lambda progress, cancel: archive.index_paths(paths, progress=progress, cancel=cancel),
        progressed=...,   # (done, total, path), throttled
        succeeded=...,    # the function's return value
        failed=...,       # the exception (ArchiveError for things the user can act on)
    )

The function receives ``progress(done, total, path)`` and ``cancel()`` (true once cancelled).
Signals are emitted from the worker thread on a QObject that lives in the GUI thread, so Qt
queues them to the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.05  # seconds between progress signals (the last one always goes out)


class CancelToken:
    """Thread-safe flag; calling it returns whether cancellation was requested."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()


class Task(QObject):
    """One unit of background work. Exactly one of ``succeeded``/``failed`` is emitted, then
    ``finished``."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, name: str, fn: Callable[..., Any], parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.fn = fn
        self.token = CancelToken()
        self.done = False
        self._last_progress = 0.0

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def _progress(self, done: int, total: int, path: str = "") -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL:
            self._last_progress = now
            self.progressed.emit(done, total, path)

    def _run(self) -> None:  # worker thread
        try:
            result = self.fn(self._progress, self.token)
        except BaseException as err:  # noqa: BLE001 - every error goes back to the GUI thread
            if not isinstance(err, Exception):
                raise
            log.debug("task %s failed", self.name, exc_info=True)
            self.failed.emit(err)
        else:
            self.succeeded.emit(result)
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task
        self.setAutoDelete(False)  # Python owns it (kept on the task until it has finished)

    def run(self) -> None:
        self.task._run()


class TaskRunner(QObject):
    """Starts tasks on a private thread pool and keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[Task] = set()
        self._runnables: dict[Task, QRunnable] = {}
        self._retired: list[QRunnable] = []  # finished; freed on the next start, when surely returned
        self._closed = False

    def run(
        self,
        name: str,
        fn: Callable[[Callable[[int, int, str], None], CancelToken], Any],
        *,
        succeeded: Callable[[Any], None] | None = None,
        failed: Callable[[Exception], None] | None = None,
        progressed: Callable[[int, int, str], None] | None = None,
    ) -> Task:
        """Start ``fn(progress, cancel)`` on the pool. Pass the handlers here: they are connected
        before the work starts, so a fast task cannot finish before anyone listens."""
        del self._retired[:-8]  # long returned from run(): safe to free
        task = Task(name, fn, self)
        if succeeded is not None:
            task.succeeded.connect(self._guarded(succeeded))
        if failed is not None:
            task.failed.connect(self._guarded(failed))
        if progressed is not None:
            task.progressed.connect(self._guarded(progressed))
        self._running.add(task)
        task.finished.connect(lambda t=task: self._finished(t))
        runnable = _Runnable(task)
        self._runnables[task] = runnable  # PySide must not collect it while the pool runs it
        self._pool.start(runnable)
        return task

    def running(self, name: str | None = None) -> list[Task]:
        return [t for t in self._running if name is None or t.name == name]

    def _finished(self, task: Task) -> None:
        task.done = True
        self._running.discard(task)
        runnable = self._runnables.pop(task, None)
        if runnable is not None:
            self._retired.append(runnable)
        task.deleteLater()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything and wait for the workers; True when all stopped in time.

        Results that finished work has already queued for the GUI thread are dropped: their
        handlers may belong to widgets that are about to be deleted."""
        self._closed = True
        for task in list(self._running):
            task.cancel()
        return self._pool.waitForDone(timeout_ms)

    def _guarded(self, handler: Callable[..., None]) -> Callable[..., None]:
        """``handler``, unless the runner has been shut down by the time the signal arrives."""

        def deliver(*args) -> None:
            if not self._closed:
                handler(*args)

        return deliver
