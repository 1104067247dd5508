"""Saved searches in the window: Search → Save search…, the "Saved searches" submenu, Manage.

A saved search is the search text, the filter row and the sort (``index.bookmarks.SavedSearch``).
Running one puts them back into the search bar and the filters and searches. The "Show" scope
(bookmarked / tag) is a view of the moment and is not saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from index.bookmarks import SavedSearch, SavedSearches
from index.errors import ArchiveError
from index.query import SearchFilters

# (parent, title, label, text) -> the name, or None when cancelled; tests inject their own
AskName = Callable[[QWidget, str, str, str], str | None]


def ask_name(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    name, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return name if ok else None


def storable(filters: SearchFilters) -> SearchFilters:
    """The filters a saved search keeps: all but the "Show" restriction (ids), a view of the moment."""
    return dataclasses.replace(filters, ids=None)


class SavedSearchCommands(QObject):
    """Save, run, rename and remove saved searches for one window."""

    saved_searches_changed = Signal()

    def __init__(self, window, store: SavedSearches, *, ask: AskName = ask_name):
        super().__init__(window)
        self.window = window
        self.store = store
        self.ask = ask
        self.manager: ManageSavedSearchesDialog | None = None
        self.menu = QMenu("Sa&ved searches", window)
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._fill_menu)
        self._fill_menu()
        window.actions.save_search.triggered.connect(self.save_current)
        window.actions.manage_saved_searches.triggered.connect(self.manage)
        self._shown_notices = 0

    def show_notices(self) -> None:
        """The store's notices (a damaged file was moved aside, ...), each shown once."""
        notices = self.store.notices
        for notice in notices[self._shown_notices :]:
            self.window.messages.warning("Saved searches", notice)
        self._shown_notices = len(notices)

    # -- the submenu ----------------------------------------------------------------------------
    def _fill_menu(self) -> None:
        self.menu.clear()
        items = self._list()
        for item in items:
            action = self.menu.addAction(item.name.replace("&", "&&"))
            action.setToolTip(item.describe())
            action.setStatusTip(item.describe())
            action.triggered.connect(lambda _checked=False, name=item.name: self.run(name))
        if not items:
            self.menu.addAction("No saved searches yet (Ctrl+S saves one)").setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction(self.window.actions.manage_saved_searches)

    def _list(self) -> list[SavedSearch]:
        try:
            return self.store.list()
        except ArchiveError as err:
            self.window.messages.exception("Cannot read the saved searches", err)
            return []

    # -- commands -------------------------------------------------------------------------------
    @Slot()
    def save_current(self) -> SavedSearch | None:
        w = self.window
        query = w.search_bar.text().strip()
        filters = storable(w.filter_bar.filters())
        name = self.ask(w, "Save search", "Name of the saved search:", query[:60])
        if name is None or not name.strip():
            return None
        try:
            try:
                saved = self.store.add(name, query, filters, sort=w.sort)
            except ArchiveError:
                wanted = " ".join(name.split()).casefold()
                existing = next((s for s in self.store.list() if s.name.casefold() == wanted), None)
                if existing is None:
                    raise
                if not w.messages.confirm(
                    "Replace saved search", f"Replace the saved search “{existing.name}”?", yes="Replace"
                ):
                    return None
                saved = self.store.add(name, query, filters, sort=w.sort, replace_existing=True)
        except ArchiveError as err:
            w.messages.exception("Cannot save the search", err)
            return None
        w.statusBar().showMessage(f"Saved the search “{saved.name}”.", 6000)
        self._changed()
        return saved

    def run(self, name: str) -> SavedSearch | None:
        try:
            item = self.store.get(name)
        except ArchiveError as err:
            self.window.messages.exception("Cannot run the saved search", err)
            return None
        scope = self.window.scope
        scope.blockSignals(True)  # a saved search is over all meetings; one search, below
        scope.set_scope("all")
        scope.blockSignals(False)
        self.window.set_search(item.query, item.filters, item.sort)
        self.window.statusBar().showMessage(f"Saved search “{item.name}”: {item.describe()}", 6000)
        return item

    def rename(self, old: str) -> SavedSearch | None:
        new = self.ask(self.window, "Rename saved search", "New name:", old)
        if new is None or not new.strip() or new.strip() == old:
            return None
        try:
            item = self.store.rename(old, new)
        except ArchiveError as err:
            self.window.messages.exception("Cannot rename the saved search", err)
            return None
        self._changed()
        return item

    def remove(self, name: str) -> None:
        try:
            self.store.remove(name)
        except ArchiveError as err:
            self.window.messages.exception("Cannot remove the saved search", err)
        self._changed()

    @Slot()
    def manage(self) -> ManageSavedSearchesDialog:
        if self.manager is None:
            self.manager = ManageSavedSearchesDialog(self, self.window)
        self.manager.reload()
        self.manager.show()
        self.manager.raise_()
        return self.manager

    def _changed(self) -> None:
        self._fill_menu()
        self.saved_searches_changed.emit()


class ManageSavedSearchesDialog(QDialog):
    def __init__(self, commands: SavedSearchCommands, parent: QWidget | None = None):
        super().__init__(parent)
        self._commands = commands
        self.setWindowTitle("Saved searches")
        self.resize(720, 360)
        self.table = QTableWidget(0, 2, self)
        self.table.setAccessibleName("Saved searches")
        self.table.setHorizontalHeaderLabels(["Name", "Search"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemDoubleClicked.connect(lambda _item: self._on_run_clicked())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel("No saved searches yet: search, then Search → Save search… (Ctrl+S).", self)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.run_button = QPushButton("&Run", self)
        self.rename_button = QPushButton("Re&name…", self)
        self.remove_button = QPushButton("&Remove", self)
        for button in (self.run_button, self.rename_button, self.remove_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        commands.saved_searches_changed.connect(self.reload)

    @Slot()
    def reload(self) -> None:
        keep = self.selected_name()
        items = self._commands._list()
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            name = QTableWidgetItem(item.name)
            name.setData(Qt.ItemDataRole.UserRole, item.name)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(item.describe()))
            if item.name == keep:
                self.table.selectRow(row)
        self.table.resizeColumnToContents(0)
        self.empty.setVisible(not items)
        self._update_buttons()

    def selected_name(self) -> str | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.table.item(min(rows), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def _update_buttons(self) -> None:
        on = self.selected_name() is not None
        for button in (self.run_button, self.rename_button, self.remove_button):
            button.setEnabled(on)

    def _on_run_clicked(self) -> None:
        name = self.selected_name()
        if name:
            self._commands.run(name)

    def _on_rename_clicked(self) -> None:
        name = self.selected_name()
        if name:
            self._commands.rename(name)

    def _on_remove_clicked(self) -> None:
        name = self.selected_name()
        if name:
            self._commands.remove(name)
