"""The main window: search bar and filters above the meeting list and the detail pane."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from index.archive import Archive
from index.bookmarks import Bookmarks, SavedSearches
from index.errors import ArchiveError, BadQuery
from index.models import IndexReport, Meeting, SearchResult
from index.query import SearchFilters

from .actions import Actions
from .bookmarks_ui import BookmarkCommands, BookmarksController, ScopeCombo
from .chronology import ChronologyView
from .detail import HIT, DetailView, Span, entity_spans
from .export_dialog import ExportCommand
from .facets import ChipBar, FacetPanel
from .filters import FilterBar
from .meeting_model import BOOKMARK_COLUMN, COLUMNS, DATE_COLUMN, MeetingTableModel
from .messages import Messages
from .saved_searches_ui import SavedSearchCommands
from .search import SearchController, SearchRequest
from .search_bar import SearchBar
from .settings import Settings
from .tasks import Task, TaskRunner

log = logging.getLogger(__name__)

INDEX_TASK = "index"
TAB_ENV = "READOUT_ARCHIVE_TAB"  # "chronology": start on the chronology tab (e.g. for screenshots)


def reveal_in_file_manager(path: str) -> None:
    """Open the folder holding ``path`` in the desktop's file manager."""
    folder = Path(path).parent
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class MainWindow(QMainWindow):
    index_started = Signal()
    index_progressed = Signal(int, int)
    index_finished = Signal(object)  # IndexReport, or None when it failed
    search_finished = Signal(object)  # the SearchResult now in the list
    facets_shown = Signal()  # the facet panel shows the counts of the current result
    meeting_shown = Signal(str)  # meeting id

    def __init__(
        self,
        archive: Archive,
        settings: Settings,
        tasks: TaskRunner,
        messages: Messages,
        searches: SearchController,
        *,
        reveal: Callable[[str], None] = reveal_in_file_manager,
        bookmarks: Bookmarks | None = None,
        saved_searches: SavedSearches | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.archive = archive
        self.settings = settings
        self.tasks = tasks
        self.messages = messages
        self.searches = searches
        self._reveal = reveal
        self._index_task: Task | None = None
        self._index_queue: list[Sequence[str] | None] = []  # None = refresh every root
        self._index_started_at = 0.0
        self._sort = "relevance"
        self._shown_id: str | None = None
        self._partial_request: SearchRequest | None = None  # only its first page is in the list
        self.bookmarks = BookmarksController(
            bookmarks or Bookmarks(archive.paths.bookmarks_file), archive, messages, self
        )

        self.setWindowTitle("Readout Archive")
        self.setMinimumSize(900, 520)
        self.setAcceptDrops(True)
        self.actions = Actions(self)
        self._build_widgets()
        self._build_commands(saved_searches or SavedSearches(archive.paths.saved_searches_file))
        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._restore_settings()
        self._update_status()

    # -- construction ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.search_bar = SearchBar(self.settings.query_history, self)
        self.search_bar.edit.setAcceptDrops(False)
        self.filter_bar = FilterBar(self)
        self.filter_bar.person.setAcceptDrops(False)
        self.filter_bar.country.lineEdit().setAcceptDrops(False)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Number of meetings found")

        self.model = MeetingTableModel(self._load_details, self, load_sort_values=self.archive.sort_values)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Meetings")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        char = self.fontMetrics().averageCharWidth()
        for i, column in enumerate(COLUMNS):
            header.resizeSection(i, column.width * char + 12)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.moveSection(header.visualIndex(BOOKMARK_COLUMN), 0)  # ★ first (saved order wins)

        self.detail = DetailView(self, hidden_kinds=self.settings.hidden_entity_kinds)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(6, 6, 6, 2)
        top_layout.setSpacing(4)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_bar, 1)
        self.scope = ScopeCombo(self.bookmarks, self)
        search_row.addWidget(self.scope, 0, Qt.AlignmentFlag.AlignTop)
        search_row.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignTop)
        top_layout.addLayout(search_row)
        top_layout.addWidget(self.filter_bar)
        self.chip_bar = ChipBar(self)
        top_layout.addWidget(self.chip_bar)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self._build_result_tabs())
        self.splitter.addWidget(self.detail)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.table.setMinimumHeight(120)
        self.detail.setMinimumHeight(150)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.facet_panel = FacetPanel(self)
        self.facets_dock = QDockWidget("Facets", self)
        self.facets_dock.setObjectName("facetsDock")
        self.facets_dock.setAccessibleName("Facets")
        self.facets_dock.setWidget(self.facet_panel)
        self.facets_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.facets_dock)
        self.resizeDocks(
            [self.facets_dock], [self.fontMetrics().averageCharWidth() * 30], Qt.Orientation.Horizontal
        )

    # -- the chronology tab (list and chronology show the same result, with one selection) --------
    def _build_result_tabs(self) -> QTabWidget:
        self.result_tabs = QTabWidget(self)
        self.result_tabs.setObjectName("resultTabs")
        self.result_tabs.setDocumentMode(True)
        self.chronology = ChronologyView(self.archive, self.tasks, self)
        self.result_tabs.addTab(self.table, "List")
        self.result_tabs.addTab(self.chronology, "Chronology")
        return self.result_tabs

    def _connect_chronology(self) -> None:
        self.search_finished.connect(self.chronology.set_result)
        self.meeting_shown.connect(self.chronology.select_meeting)
        self.chronology.meeting_selected.connect(self._on_chronology_meeting_selected)
        self.index_finished.connect(lambda _report: self.chronology.forget_cache())
        self.result_tabs.currentChanged.connect(self._on_result_tabs_current_changed)
        if os.environ.get(TAB_ENV, "").strip().lower() == "chronology":  # after the splitter is restored
            QTimer.singleShot(0, lambda: self.result_tabs.setCurrentWidget(self.chronology))

    @Slot(int)
    def _on_result_tabs_current_changed(self, _index: int) -> None:
        # the timeline needs more height than the list: grow the top pane when it is too short
        sizes = self.splitter.sizes()
        want = self.chronology.sizeHint().height()
        if self.result_tabs.currentWidget() is self.chronology and len(sizes) == 2 and sizes[0] < want:
            total = sum(sizes)
            top = min(want, total - self.detail.minimumHeight())
            self.splitter.setSizes([top, total - top])

    @Slot(str)
    def _on_chronology_meeting_selected(self, meeting_id: str) -> None:
        row = self.model.row_of(meeting_id)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self._show_meeting(meeting_id)

    def _build_commands(self, saved_searches: SavedSearches) -> None:
        """Bookmarks, saved searches and export: their UI lives in their own modules."""
        self.bookmark_commands = BookmarkCommands(self, self.bookmarks)
        self.saved_searches = SavedSearchCommands(self, saved_searches)
        self.export_command = ExportCommand(self, self.bookmarks)

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([a.add_folder, a.add_files, a.refresh])
        file_menu.addSeparator()
        file_menu.addAction(a.export)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        search_menu = self.menuBar().addMenu("&Search")
        search_menu.addActions([a.focus_search, a.clear_search])
        search_menu.addSeparator()
        search_menu.addAction(a.save_search)
        search_menu.addMenu(self.saved_searches.menu)
        search_menu.addSeparator()
        search_menu.addActions([a.next_hit, a.previous_hit])
        bookmarks_menu = self.menuBar().addMenu("&Bookmarks")
        bookmarks_menu.addActions([a.toggle_bookmark, a.edit_bookmark])
        bookmarks_menu.addSeparator()
        bookmarks_menu.addAction(a.manage_bookmarks)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(a.toggle_filters)
        facets_action = self.facets_dock.toggleViewAction()
        facets_action.setText("Fa&cets")
        facets_action.setToolTip("Show or hide the facet counts of the current results")
        view_menu.addAction(facets_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(a.shortcuts)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([a.add_folder, a.add_files, a.refresh])
        toolbar.addSeparator()
        toolbar.addActions([a.toggle_bookmark, a.export])
        toolbar.addSeparator()
        toolbar.addActions([a.previous_hit, a.next_hit])

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.location_label = QLabel(self)
        self.location_label.setAccessibleName("Archive location")
        self.meetings_label = QLabel(self)
        self.meetings_label.setAccessibleName("Meetings in the archive")
        self.indexed_label = QLabel(self)
        self.indexed_label.setAccessibleName("Last indexed")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Indexing progress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress_label = QLabel(self)
        self.progress_label.setAccessibleName("Indexing time left")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop indexing (what is done so far is kept)")
        self.cancel_button.setAccessibleName("Cancel indexing")
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.hide()
        bar.addWidget(self.location_label, 1)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.meetings_label)
        bar.addPermanentWidget(self.indexed_label)

    def _connect(self) -> None:
        a = self.actions
        a.add_folder.triggered.connect(self._on_add_folder_triggered)
        a.add_files.triggered.connect(self._on_add_files_triggered)
        a.refresh.triggered.connect(self.refresh)
        a.quit.triggered.connect(self.close)
        a.focus_search.triggered.connect(self.focus_search)
        a.clear_search.triggered.connect(self.clear_search)
        a.next_hit.triggered.connect(self.detail.next_hit)
        a.previous_hit.triggered.connect(self.detail.previous_hit)
        a.toggle_filters.toggled.connect(self.filter_bar.setVisible)
        a.shortcuts.triggered.connect(self.show_shortcuts)

        self.search_bar.leave_shortcuts_to_window(action.shortcut() for action in a.all())
        self.search_bar.text_edited.connect(self._on_search_bar_text_edited)
        self.search_bar.submitted.connect(self._on_search_bar_submitted)
        self.filter_bar.filters_changed.connect(self._on_filter_bar_filters_changed)
        self.facet_panel.facet_selected.connect(self.filter_bar.add_mention)
        self.chip_bar.chip_removed.connect(self.filter_bar.remove_chip)
        self.searches.facets_counted.connect(self._on_searches_facets_counted)
        self.searches.first_page.connect(self._on_searches_first_page)
        self.searches.search_finished.connect(self._on_searches_search_finished)
        self.searches.search_failed.connect(self._on_searches_search_failed)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.activated.connect(self._on_table_activated)
        header = self.table.horizontalHeader()
        header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        self.detail.reveal_requested.connect(self._on_detail_reveal_requested)
        self.detail.entity_search_requested.connect(self._on_detail_entity_search_requested)
        self.detail.hidden_kinds_changed.connect(self._on_detail_hidden_kinds_changed)
        self.cancel_button.clicked.connect(self.cancel_indexing)
        self._connect_chronology()

    # -- settings -------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        if not s.window_geometry.isEmpty():
            self.restoreGeometry(s.window_geometry)
        else:
            screen = self.screen().availableGeometry()
            self.resize(min(1280, screen.width() * 9 // 10), min(820, screen.height() * 9 // 10))
        if not s.window_state.isEmpty():
            self.restoreState(s.window_state)
        elif self.screen().availableGeometry().width() < 1280:
            # On a small screen the list and the filter row need the width; View → Facets opens it.
            self.facets_dock.hide()
        if not s.splitter_state.isEmpty():
            self.splitter.restoreState(s.splitter_state)
        else:
            self.splitter.setSizes([300, 450])
        header = self.table.horizontalHeader()
        self._fit_title_column = s.header_state.isEmpty()
        if not s.header_state.isEmpty():
            header.blockSignals(True)
            header.restoreState(s.header_state)
            header.blockSignals(False)
        self._sort = self._sort_for(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.actions.toggle_filters.setChecked(s.filters_visible)
        self.filter_bar.setVisible(s.filters_visible)
        self.chronology.set_lanes(s.chronology_lanes)
        self.chronology.set_gap_days(s.chronology_gap_days)
        self.result_tabs.setCurrentIndex(s.result_tab if 0 <= s.result_tab < self.result_tabs.count() else 0)

    def save_settings(self) -> None:
        s = self.settings
        s.window_geometry = self.saveGeometry()
        s.window_state = self.saveState()
        s.splitter_state = self.splitter.saveState()
        s.header_state = self.table.horizontalHeader().saveState()
        s.filters_visible = self.actions.toggle_filters.isChecked()
        s.hidden_entity_kinds = sorted(self.detail.hidden_kinds)
        s.result_tab = self.result_tabs.currentIndex()
        s.chronology_lanes = self.chronology.lanes
        s.chronology_gap_days = self.chronology.gap_days
        s.sync()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._fit_title_column:  # first start: the title takes the room the other columns leave
            self._fit_title_column = False
            header = self.table.horizontalHeader()
            others = sum(header.sectionSize(i) for i in range(len(COLUMNS)) if i != 1)
            room = self.table.viewport().width() - others - 2
            header.resizeSection(1, max(room, 24 * self.fontMetrics().averageCharWidth()))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work (indexing keeps what it has committed)."""
        self._index_queue.clear()
        self.tasks.shutdown()

    # -- searching ------------------------------------------------------------------------------
    def search(self, *, now: bool = False) -> None:
        filters = dataclasses.replace(self.filter_bar.filters(), ids=self.scope.ids())  # "Show" scope
        self.searches.request(self.search_bar.text(), filters, self._sort, now=now)

    def current_filters(self) -> SearchFilters:
        return self.filter_bar.filters()

    @property
    def sort(self) -> str:
        return self._sort

    def set_search(self, text: str, filters: SearchFilters, sort: str = "relevance") -> None:
        """Put a search (a saved one) into the search bar, the filter row and the sort; run it."""
        self.search_bar.set_text(text)
        self.search_bar.clear_error()
        self.filter_bar.set_filters(filters)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        if sort == "relevance":
            header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        else:
            order = Qt.SortOrder.DescendingOrder if sort == "date" else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(DATE_COLUMN, order)
        header.blockSignals(False)
        self._sort = sort
        self.search(now=True)

    def selected_ids(self) -> list[str]:
        """The selected meetings in list order, else the meeting shown in the detail pane."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        ids = [mid for mid in (self.model.meeting_id(r) for r in rows) if mid]
        return ids or ([self._shown_id] if self._shown_id else [])

    def open_meeting(self, meeting_id: str) -> None:
        """Select the meeting in the list (paging on to it), or show it alone when not listed."""
        self._on_chronology_meeting_selected(meeting_id)

    @Slot(str)
    def _on_search_bar_text_edited(self, _text: str) -> None:
        self.search()

    @Slot(str)
    def _on_search_bar_submitted(self, text: str) -> None:
        if self.search_bar.text() != text:
            self.search_bar.set_text(text)
        self._remember_query()
        self.search(now=True)

    @Slot()
    def _on_filter_bar_filters_changed(self) -> None:
        self.chip_bar.set_chips(self.filter_bar.chips())
        self.search()

    def _remember_query(self) -> None:
        text = self.search_bar.text().strip()
        if text and not self.search_bar.error_text:
            self.search_bar.set_history(self.settings.remember_query(text))

    def _on_searches_first_page(self, request: SearchRequest, result: SearchResult) -> None:
        """The top of a large result, before the rest: shown unless the list is sorted here by
        another column than the date (that needs every hit)."""
        section = self.table.horizontalHeader().sortIndicatorSection()
        if 0 <= section < len(COLUMNS) and section != DATE_COLUMN:
            return
        shown = self.model.result
        if shown is not None and self._partial_request is None and shown.starts_with(result):
            return  # the same search again (after indexing): the list shown stays until it ends
        self._partial_request = request
        self._show_result(result)
        # The counts shown are the previous result's until this one's arrive: not clickable.
        self.facet_panel.setEnabled(False)

    def _on_searches_search_finished(self, request: SearchRequest, result: SearchResult) -> None:
        self._partial_request = None
        self._show_result(result)
        self.search_finished.emit(result)

    def result_ids(self) -> list[str]:
        """Every meeting id of the current result in list order, also while only its first page
        has arrived (then the search is run here once more, to the end)."""
        request = self._partial_request
        if request is None:
            return self.model.ids()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = self.archive.search(
                request.text, request.filters, limit=None, sort=request.sort, snippets=0
            )
        finally:
            QApplication.restoreOverrideCursor()
        return list(result.ids)

    def _show_result(self, result: SearchResult) -> None:
        self.search_bar.clear_error()
        keep = self._shown_id
        if self.model.set_result(result):
            return  # the rest of the first page shown: selection and scroll position stay
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        if 0 <= section < len(COLUMNS) and section != DATE_COLUMN:
            self.model.sort(section, header.sortIndicatorOrder())
        self._update_count()
        row = self.model.row_of(keep) if keep else None
        if row is None and self.model.rowCount() > 0:
            row = 0
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, 0))
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self._show_meeting(None)

    def _on_searches_facets_counted(self, _request: SearchRequest, facets) -> None:
        self.facet_panel.set_facets(facets)
        self.facet_panel.setEnabled(True)
        self.facets_shown.emit()

    def _on_searches_search_failed(self, request: SearchRequest, err: Exception) -> None:
        if isinstance(err, BadQuery):
            self.search_bar.show_error(str(err))
        else:
            self.messages.exception("Search failed", err)

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(f"{total:,} of {self._archive_count():,} meetings")

    def _archive_count(self) -> int:
        try:
            return self.archive.count()
        except Exception:  # noqa: BLE001 - a status label must never break the window
            return 0

    # -- sorting --------------------------------------------------------------------------------
    @staticmethod
    def _sort_for(section: int, order: Qt.SortOrder) -> str:
        if section == DATE_COLUMN:
            return "date" if order == Qt.SortOrder.DescendingOrder else "date-asc"
        return "relevance"

    @Slot(int, Qt.SortOrder)
    def _on_header_sort_indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        sort = self._sort_for(section, order)
        if sort != self._sort or section == DATE_COLUMN or section < 0:
            self._sort = sort
            self.search(now=True)
        else:
            self.model.sort(section, order)

    @Slot("QPoint")
    def _on_header_context_menu_requested(self, pos) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for i, column in enumerate(COLUMNS):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(i))
            action.setEnabled(i != 1)  # the title always stays
            action.toggled.connect(lambda on, i=i: header.setSectionHidden(i, not on))
        menu.popup(header.mapToGlobal(pos))

    # -- the selected meeting -------------------------------------------------------------------
    def _load_details(self, ids: Sequence[str]) -> dict[str, Meeting]:
        return self.archive.records(ids)

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_meeting(self.model.meeting_id(current.row()) if current.isValid() else None)

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        self._remember_query()
        self.detail.browser.setFocus()
        if self.detail.hit_count:
            self.detail.next_hit()

    def _show_meeting(self, meeting_id: str | None) -> None:
        self._shown_id = meeting_id
        if meeting_id is None:
            self.detail.show_meeting(None)
            return
        try:
            meeting = self.archive.get(meeting_id)
        except ArchiveError as err:
            self.detail.show_meeting(None)
            self.statusBar().showMessage(str(err), 5000)
            return
        self.detail.show_meeting(meeting, self._spans(meeting), self.bookmarks.get(meeting_id))
        self.meeting_shown.emit(meeting_id)

    def _spans(self, meeting: Meeting) -> list[Span]:
        spans = entity_spans(meeting)
        query = self.searches.last_request.text if self.searches.last_request else ""
        if query.strip():
            try:
                spans += [Span(HIT, a, b) for a, b in self.archive.hit_spans(meeting.id, query)]
            except ArchiveError:
                pass
        return spans

    @Slot(str)
    def _on_detail_reveal_requested(self, path: str) -> None:
        self._reveal(path)

    @Slot(str, str)
    def _on_detail_entity_search_requested(self, kind: str, label: str) -> None:
        """ "Show all meetings mentioning X": every readout whose text names the entity."""
        escaped = label.replace('"', "")
        self.search_bar.set_text(f'entity:"{escaped}"' if kind not in ("money", "event") else f'"{escaped}"')
        self.search(now=True)

    @Slot(list)
    def _on_detail_hidden_kinds_changed(self, kinds: list) -> None:
        self.settings.hidden_entity_kinds = kinds

    # -- actions --------------------------------------------------------------------------------
    @Slot()
    def focus_search(self) -> None:
        self.search_bar.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.edit.selectAll()

    @Slot()
    def clear_search(self) -> None:
        self.search_bar.set_text("")
        self.search_bar.clear_error()
        self.search(now=True)
        self.focus_search()

    @Slot()
    def show_shortcuts(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Keyboard shortcuts")
        rows = self.actions.shortcut_rows()
        table = QTableWidget(len(rows), 2, dialog)
        table.setAccessibleName("Keyboard shortcuts")
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, (keys, what) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(keys))
            table.setItem(r, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        layout.addWidget(buttons)
        dialog.resize(560, 380)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog = dialog
        dialog.open()

    @Slot()
    def _on_add_folder_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of readouts")
        if folder:
            self.index_paths([folder])

    @Slot()
    def _on_add_files_triggered(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Add readout files", "", "Readouts (*.txt *.md *.html *.htm);;All files (*)"
        )
        if files:
            self.index_paths(files)

    # -- drag and drop --------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        paths = _local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.index_paths(paths)

    # -- indexing -------------------------------------------------------------------------------
    @property
    def indexing(self) -> bool:
        return self._index_task is not None

    def index_paths(self, paths: Sequence[str | Path]) -> None:
        """Index ``paths`` in the background (queued behind a running job: one writer at a time)."""
        self._index_queue.append([str(p) for p in paths])
        self._start_next_index()

    @Slot()
    def refresh(self) -> None:
        if not self.archive.roots():
            self.statusBar().showMessage("Nothing to refresh yet: add a folder first.", 5000)
            return
        self._index_queue.append(None)
        self._start_next_index()

    @Slot()
    def cancel_indexing(self) -> None:
        self._index_queue.clear()
        if self._index_task is not None:
            self._index_task.cancel()
            self.progress_label.setText("Cancelling…")

    def _start_next_index(self) -> None:
        if self._index_task is not None or not self._index_queue:
            return
        paths = self._index_queue.pop(0)
        archive = self.archive
        if paths is None:

            def work(progress, cancel) -> IndexReport:
                return archive.refresh(progress=progress, cancel=cancel)
        else:

            def work(progress, cancel) -> IndexReport:
                return archive.index_paths(paths, progress=progress, cancel=cancel)

        self._index_started_at = time.monotonic()
        self._index_task = self.tasks.run(
            INDEX_TASK,
            work,
            progressed=self._on_index_progressed,
            succeeded=self._on_index_succeeded,
            failed=self._on_index_failed,
        )
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress_label.setText("Indexing…")
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.show()
        self.actions.refresh.setEnabled(False)
        self.index_started.emit()

    @Slot(int, int, str)
    def _on_index_progressed(self, done: int, total: int, path: str) -> None:
        if self._index_task is None:
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done:,}/{total:,}")
        if self._index_task.cancelled:
            self.progress_label.setText("Cancelling…")
        elif done and total:
            elapsed = time.monotonic() - self._index_started_at
            left = elapsed / done * (total - done)
            self.progress_label.setText(f"Indexing — about {_duration(left)} left")
        if path:
            self.progress.setToolTip(path)
        self.index_progressed.emit(done, total)

    def _on_index_succeeded(self, report: IndexReport) -> None:
        self._index_done()
        summary = (
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
        )
        self.statusBar().showMessage(
            ("Indexing cancelled: " if report.cancelled else "Indexed: ") + summary, 10_000
        )
        self.messages.index_problems(report)
        self.index_finished.emit(report)
        self._start_next_index()

    def _on_index_failed(self, err: Exception) -> None:
        self._index_done()
        self.messages.exception("Indexing failed", err)
        self.index_finished.emit(None)
        self._start_next_index()

    def _index_done(self) -> None:
        self._index_task = None
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.hide()
        self.actions.refresh.setEnabled(True)
        self._update_status()
        self.search(now=True)

    # -- status ---------------------------------------------------------------------------------
    def _update_status(self) -> None:
        root = str(self.archive.paths.root)
        self.location_label.setText(f"Archive: {root}")
        self.location_label.setToolTip(root)
        count = self._archive_count()
        self.meetings_label.setText(f"{count:,} meetings")
        last = None
        try:
            last = self.archive.last_indexed()
        except Exception:  # noqa: BLE001
            pass
        self.indexed_label.setText(f"Last indexed: {last.replace('T', ' ')}" if last else "Not indexed yet")
        self._update_count()
        self._load_countries()

    def _load_countries(self) -> None:
        """Fill the country filter and the date span from the archive, off the GUI thread."""
        archive = self.archive

        def work(_progress, _cancel):
            return archive.filter_choices()

        self.tasks.run(
            "countries",
            work,
            succeeded=self._on_archive_facets_loaded,
            failed=lambda err: log.warning("cannot list countries: %s", err),
        )

    def _on_archive_facets_loaded(self, facets) -> None:
        countries, span = facets
        self.filter_bar.set_countries(countries)
        if span is not None:
            self.filter_bar.set_date_span(*span)


def _local_paths(mime) -> list[str]:
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


__all__ = ["MainWindow"]
