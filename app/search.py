"""Search-as-you-type: debounce, run the search in the background, drop stale results."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from index.archive import Archive
from index.models import SearchResult
from index.query import SearchFilters

from .tasks import TaskRunner

DEBOUNCE_MS = 150
FIRST_PAGE = 200  # hits delivered first when a result is larger (the list's first page)


@dataclass(frozen=True)
class SearchRequest:
    number: int
    text: str
    filters: SearchFilters
    sort: str


class SearchController(QObject):
    """``request()`` on every keystroke; only the newest request's outcome is emitted."""

    search_started = Signal(object)  # SearchRequest
    search_finished = Signal(object, object)  # SearchRequest, SearchResult
    search_failed = Signal(object, object)  # SearchRequest, exception (BadQuery for bad syntax)
    # SearchRequest, facet counts: computed after the list has been delivered, so the list never
    # waits for the counts (which must read every match's facet values)
    facets_counted = Signal(object, object)
    # SearchRequest, SearchResult with the exact total but only the first FIRST_PAGE hits: sent
    # before search_finished when there are more, so a large result shows its top at once
    first_page = Signal(object, object)

    def __init__(
        self,
        archive: Archive,
        tasks: TaskRunner,
        parent: QObject | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
    ):
        super().__init__(parent)
        self._archive = archive
        self._tasks = tasks
        self._latest = 0
        self._pending: tuple[str, SearchFilters, str] = ("", SearchFilters(), "relevance")
        self.last_request: SearchRequest | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start)

    def request(
        self, text: str, filters: SearchFilters, sort: str = "relevance", *, now: bool = False
    ) -> None:
        self._pending = (text, filters, sort)
        if now:
            self._timer.stop()
            self._start()
        else:
            self._timer.start()

    @property
    def latest_number(self) -> int:
        return self._latest

    def _start(self) -> None:
        self._latest += 1
        text, filters, sort = self._pending
        request = SearchRequest(self._latest, text, filters, sort)
        archive = self._archive

        def work(_progress, _cancel) -> SearchResult:
            return archive.search(text, filters, limit=FIRST_PAGE, sort=sort, snippets=0)

        self._tasks.run(
            "search",
            work,
            succeeded=lambda result, r=request: self._on_first_page(r, result),
            failed=lambda err, r=request: self._on_failed(r, err),
        )
        self.search_started.emit(request)

    def _on_first_page(self, request: SearchRequest, result: SearchResult) -> None:
        if request.number != self._latest:
            return
        if result.total <= len(result.hits):
            self._on_succeeded(request, result)  # that was all of it
            return
        self.first_page.emit(request, result)
        archive = self._archive

        def work(_progress, _cancel) -> SearchResult | None:
            if request.number != self._latest:
                return None  # typed on meanwhile
            return archive.search(request.text, request.filters, limit=None, sort=request.sort, snippets=0)

        def finished(result: SearchResult | None) -> None:
            if result is not None:
                self._on_succeeded(request, result)

        self._tasks.run(
            "search", work, succeeded=finished, failed=lambda err, r=request: self._on_failed(r, err)
        )

    def _on_succeeded(self, request: SearchRequest, result: SearchResult) -> None:
        if request.number != self._latest:
            return  # a newer request is on its way
        self.last_request = request
        self.search_finished.emit(request, result)
        self._count_facets(request)

    def _count_facets(self, request: SearchRequest) -> None:
        archive = self._archive

        def work(_progress, _cancel):
            if request.number != self._latest:
                return None  # typed on meanwhile: nobody will see these counts
            return archive.search(request.text, request.filters, limit=0, snippets=0, facets=True).facets

        def counted(facets) -> None:
            if facets is not None and request.number == self._latest:
                self.facets_counted.emit(request, facets)

        self._tasks.run(
            "facets", work, succeeded=counted, failed=lambda err, r=request: self._on_failed(r, err)
        )

    def _on_failed(self, request: SearchRequest, err: Exception) -> None:
        if request.number != self._latest:
            return
        self.search_failed.emit(request, err)
