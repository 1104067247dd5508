"""Bookmarks in the window: Ctrl+D, the note/tags editor, the "Show" scope and the manager.

``BookmarksController`` is the window's one door to ``index.bookmarks.Bookmarks``: every change
goes through it, errors go to the message helper, and ``bookmarks_changed`` tells the list (★
column), the detail pane, the scope combo and the manager to update. Notices from the store
(a damaged file was moved aside, a newer format is read-only) are shown once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QObject, QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from index.bookmarks import Bookmark, Bookmarks, BookmarkStatus
from index.errors import ArchiveError
from index.models import Meeting

from .messages import Messages

TITLE = "Bookmarks"


def parse_tags(text: str) -> list[str]:
    """Tags typed as "a, b, c" (commas separate; whitespace around them is ignored)."""
    return [t.strip() for t in text.split(",") if t.strip()]


class BookmarksController(QObject):
    bookmarks_changed = Signal()

    def __init__(self, bookmarks: Bookmarks, archive, messages: Messages, parent: QObject | None = None):
        super().__init__(parent)
        self.store = bookmarks
        self._archive = archive
        self._messages = messages
        self._shown_notices = 0

    # -- reading --------------------------------------------------------------------------------
    def marks(self) -> dict[str, Bookmark]:
        return {b.meeting_id: b for b in self._safe(self.store.list, [])}

    def get(self, meeting_id: str | None) -> Bookmark | None:
        return self._safe(lambda: self.store.get(meeting_id), None) if meeting_id else None

    def ids(self, tag: str | None = None) -> list[str]:
        return self._safe(lambda: self.store.ids(tag), [])

    def tags(self) -> dict[str, int]:
        return self._safe(self.store.tags, {})

    def resolve(self) -> list[BookmarkStatus]:
        return self._safe(lambda: self.store.resolve(self._archive), [])

    # -- changing -------------------------------------------------------------------------------
    def toggle(self, meeting_ids: Sequence[str]) -> bool | None:
        """Bookmark every meeting of ``meeting_ids`` unless all are bookmarked already; then
        remove their bookmarks. True: bookmarked, False: removed, None: nothing happened."""
        ids = list(dict.fromkeys(meeting_ids))
        if not ids:
            return None
        if all(mid in self.store for mid in ids):
            return False if self.remove(ids) else None
        try:
            found = self._archive.records(ids)
            for mid in ids:
                if mid not in self.store:
                    self.store.add(found.get(mid) or mid)
        except ArchiveError as err:
            self._messages.exception("Cannot bookmark", err)
            return None
        finally:
            self._changed()
        return True

    def save(self, meeting_id: str, note: str, tags: Iterable[str]) -> Bookmark | None:
        """Set the note and the tags (bookmarking the meeting first if needed)."""
        tags = list(tags)
        try:
            if meeting_id not in self.store:
                meeting: Meeting | str = self._archive.records([meeting_id]).get(meeting_id) or meeting_id
                return self.store.add(meeting, note=note, tags=tags)
            return self.store.edit(meeting_id, note=note, tags=tags)
        except ArchiveError as err:
            self._messages.exception("Cannot save the bookmark", err)
            return None
        finally:
            self._changed()

    def remove(self, meeting_ids: Sequence[str], *, ask: bool = True) -> int:
        """Remove bookmarks; asks first when a note or tags would be lost. Returns how many."""
        marks = [m for m in (self.store.get(mid) for mid in meeting_ids) if m is not None]
        if not marks:
            return 0
        annotated = [m for m in marks if m.note or m.tags]
        if ask and annotated:
            n = len(marks)
            what = (
                f"the bookmark of “{marks[0].title or marks[0].meeting_id}”" if n == 1 else f"{n} bookmarks"
            )
            if not self._messages.confirm(
                "Remove bookmark" if n == 1 else "Remove bookmarks",
                f"Remove {what}? Notes and tags of {len(annotated)} bookmark(s) will be lost.",
                yes="Remove",
            ):
                return 0
        removed = 0
        try:
            for mark in marks:
                self.store.remove(mark.meeting_id)
                removed += 1
        except ArchiveError as err:
            self._messages.exception("Cannot remove the bookmark", err)
        finally:
            self._changed()
        return removed

    def show_notices(self) -> None:
        """Show the store's notices (each once) through the message helper."""
        notices = self.store.notices
        for notice in notices[self._shown_notices :]:
            self._messages.warning(TITLE, notice)
        self._shown_notices = len(notices)

    def _changed(self) -> None:
        self.show_notices()
        self.bookmarks_changed.emit()

    def _safe(self, fn, default):
        try:
            return fn()
        except ArchiveError as err:
            self._messages.exception("Cannot read the bookmarks", err)
            return default
        finally:
            if len(self.store.notices) > self._shown_notices:
                self.show_notices()


# -- the note/tags editor --------------------------------------------------------------------------


class TagCompleter(QCompleter):
    """Completes the tag after the last comma of a "a, b, c" line edit."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt API
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802 - Qt API
        done = self.widget().text().split(",")[:-1] if self.widget() is not None else []
        return ", ".join([*(t.strip() for t in done if t.strip()), str(index.data())]) + ", "


class BookmarkEditor(QDialog):
    """Note and tags of one meeting's bookmark. ``saved`` after OK."""

    def __init__(
        self,
        title: str,
        bookmark: Bookmark | None,
        known_tags: Iterable[str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Bookmark note and tags")
        self.setMinimumWidth(460)
        heading = QLabel(title, self)
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.note = QPlainTextEdit(self)
        self.note.setAccessibleName("Bookmark note")
        self.note.setPlaceholderText("Why this meeting matters, what to follow up…")
        self.note.setTabChangesFocus(True)
        self.tags = QLineEdit(self)
        self.tags.setAccessibleName("Bookmark tags")
        self.tags.setPlaceholderText("Tags, separated by commas")
        self.tags.setClearButtonEnabled(True)
        completer = TagCompleter(QStringListModel(sorted(known_tags, key=str.casefold), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tags.setCompleter(completer)
        if bookmark is not None:
            self.note.setPlainText(bookmark.note)
            self.tags.setText(", ".join(bookmark.tags))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Note:", self.note)
        form.addRow("&Tags:", self.tags)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        if bookmark is None:
            hint = QLabel("Saving bookmarks the meeting.", self)
            hint.setEnabled(False)
            layout.addWidget(hint)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, list[str]]:
        return self.note.toPlainText(), parse_tags(self.tags.text())


# -- "Show: all meetings / bookmarked / tag" -------------------------------------------------------

ALL, BOOKMARKED, TAG = "all", "bookmarked", "tag"


class ScopeCombo(QComboBox):
    """Which meetings the list shows: all, the bookmarked ones, or those with one tag."""

    scope_changed = Signal()

    def __init__(self, controller: BookmarksController, parent: QWidget | None = None):
        super().__init__(parent)
        self._controller = controller
        self.setAccessibleName("Show")
        self.setToolTip("Show every meeting, only bookmarked ones, or those with a bookmark tag")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh()
        self.currentIndexChanged.connect(lambda _i: self.scope_changed.emit())

    # Item data are strings ("all", "bookmarked", "tag:NAME"): QVariant compares Python objects
    # such as tuples by identity, so findData() would not find an equal tuple.
    @staticmethod
    def _key(kind: str, tag: str = "") -> str:
        return f"{TAG}:{tag}" if kind == TAG else kind

    def scope(self) -> tuple[str, str]:
        """(kind, tag): ("all", ""), ("bookmarked", "") or ("tag", NAME)."""
        key = self.currentData() or ALL
        kind, _, tag = key.partition(":")
        return kind, tag

    def ids(self) -> tuple[str, ...] | None:
        """The meetings to restrict the search to, or None for all."""
        kind, tag = self.scope()
        if kind == ALL:
            return None
        return tuple(self._controller.ids(tag if kind == TAG else None))

    def set_scope(self, kind: str, tag: str = "") -> None:
        self.setCurrentIndex(max(0, self.findData(self._key(kind, tag))))

    def refresh(self) -> None:
        """Rebuild the items (counts, tags) keeping the choice; a vanished tag falls back to
        "Bookmarked" (signals blocked: the window re-searches on bookmark changes itself)."""
        current = self._key(*self.scope())
        marks = self._controller.marks()
        self.blockSignals(True)
        self.clear()
        self.addItem("All meetings", ALL)
        self.addItem(f"Bookmarked ({len(marks)})", BOOKMARKED)
        for tag, count in self._controller.tags().items():
            self.addItem(f"Tag: {tag} ({count})", self._key(TAG, tag))
        index = self.findData(current)
        if index < 0:
            index = self.findData(BOOKMARKED)
        self.setCurrentIndex(index)
        self.blockSignals(False)


# -- Bookmarks → Manage bookmarks… -----------------------------------------------------------------

MANAGE_COLUMNS = ("", "Title", "Meeting date", "Tags", "Note")
MISSING = "Missing"


class ManageBookmarksDialog(QDialog):
    """Every bookmark with its meeting looked up; missing meetings are listed and flagged."""

    open_requested = Signal(str)  # meeting id
    edit_requested = Signal(str)

    def __init__(self, controller: BookmarksController, parent: QWidget | None = None):
        super().__init__(parent)
        self._controller = controller
        self.statuses: list[BookmarkStatus] = []
        self.setWindowTitle("Bookmarks")
        self.resize(980, 440)
        self.summary = QLabel(self)
        self.table = QTableWidget(0, len(MANAGE_COLUMNS), self)
        self.table.setAccessibleName("Bookmarks")
        self.table.setHorizontalHeaderLabels(MANAGE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self._on_open_clicked())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_button = QPushButton("&Open", self)
        self.open_button.setToolTip("Show the meeting in the main window")
        self.edit_button = QPushButton("&Edit…", self)
        self.edit_button.setToolTip("Change the note and tags")
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.setToolTip("Remove the selected bookmarks")
        for button in (self.open_button, self.edit_button, self.remove_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        controller.bookmarks_changed.connect(self.reload)
        self.reload()

    @Slot()
    def reload(self) -> None:
        keep = set(self.selected_ids())
        self.statuses = self._controller.resolve()
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.statuses))
        missing = 0
        for row, status in enumerate(self.statuses):
            b = status.bookmark
            date = status.meeting.parsed.meeting_date if status.meeting is not None else b.meeting_date
            values = (
                MISSING if status.missing else "★",
                status.title or b.meeting_id,
                date.isoformat() if date else "",
                ", ".join(b.tags),
                " ".join(b.note.split()),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, b.meeting_id)
                if column in (1, 4) and value:
                    item.setToolTip(b.note if column == 4 else value)
                if status.missing:
                    item.setToolTip(
                        "This meeting is no longer in the archive (its file was moved or deleted); "
                        "the bookmark is kept until you remove it."
                    )
                if status.missing:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
            missing += status.missing
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        header.resizeSection(1, min(header.sectionSize(1), 420))
        header.resizeSection(4, min(header.sectionSize(4), 260))
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) in keep:
                self.table.selectRow(row)
        n = len(self.statuses)
        text = f"{n} bookmark{'s' if n != 1 else ''}"
        if missing:
            text += f", {missing} of them missing from the archive (kept until you remove them)"
        self.summary.setText(text)
        self._update_buttons()

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def status_of(self, meeting_id: str) -> BookmarkStatus | None:
        return next((s for s in self.statuses if s.bookmark.meeting_id == meeting_id), None)

    def _update_buttons(self) -> None:
        ids = self.selected_ids()
        one = self.status_of(ids[0]) if len(ids) == 1 else None
        self.open_button.setEnabled(one is not None and not one.missing)
        self.edit_button.setEnabled(one is not None)
        self.remove_button.setEnabled(bool(ids))

    @Slot()
    def _on_open_clicked(self) -> None:
        ids = self.selected_ids()
        status = self.status_of(ids[0]) if ids else None
        if status is not None and not status.missing:
            self.open_requested.emit(status.bookmark.meeting_id)

    @Slot()
    def _on_edit_clicked(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.edit_requested.emit(ids[0])

    @Slot()
    def _on_remove_clicked(self) -> None:
        self._controller.remove(self.selected_ids())


# -- the window's bookmark commands ----------------------------------------------------------------


class BookmarkCommands(QObject):
    """Connects the bookmark actions to the window: Ctrl+D, the editor, the manager, the scope."""

    def __init__(self, window, controller: BookmarksController):
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.editor: BookmarkEditor | None = None
        self.manager: ManageBookmarksDialog | None = None
        a = window.actions
        a.toggle_bookmark.triggered.connect(self.toggle_selected)
        a.edit_bookmark.triggered.connect(self.edit_selected)
        a.manage_bookmarks.triggered.connect(self.manage)
        window.detail.bookmark_edit_requested.connect(self.edit)
        window.meeting_shown.connect(lambda _mid: self._sync_action())
        controller.bookmarks_changed.connect(self._on_controller_bookmarks_changed)
        window.scope.scope_changed.connect(self._on_scope_changed)
        window.model.set_bookmarks(controller.marks())
        self._sync_action()

    def _target_ids(self) -> list[str]:
        return self.window.selected_ids()

    @Slot()
    def toggle_selected(self) -> None:
        ids = self._target_ids()
        if not ids:
            self.window.statusBar().showMessage("Select a meeting to bookmark it.", 4000)
            self._sync_action()
            return
        done = self.controller.toggle(ids)
        n = len(ids)
        what = "the meeting" if n == 1 else f"{n} meetings"
        if done is True:
            self.window.statusBar().showMessage(f"Bookmarked {what} (Ctrl+Shift+D: note and tags).", 5000)
        elif done is False:
            self.window.statusBar().showMessage(f"Removed the bookmark of {what}.", 5000)
        self._sync_action()

    @Slot()
    def edit_selected(self) -> None:
        ids = self._target_ids()
        if ids:
            self.edit(ids[0])
        else:
            self.window.statusBar().showMessage("Select a meeting to write a note.", 4000)

    @Slot(str)
    def edit(self, meeting_id: str) -> BookmarkEditor:
        mark = self.controller.get(meeting_id)
        title = mark.title if mark is not None and mark.title else ""
        if not title:
            found = self.window.archive.records([meeting_id]).get(meeting_id)
            title = found.parsed.title if found is not None else meeting_id
        editor = BookmarkEditor(title, mark, self.controller.tags(), self.window)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(lambda: self.controller.save(meeting_id, *editor.values()))
        self.editor = editor
        editor.open()
        return editor

    @Slot()
    def manage(self) -> ManageBookmarksDialog:
        if self.manager is None:
            self.manager = ManageBookmarksDialog(self.controller, self.window)
            self.manager.open_requested.connect(self.window.open_meeting)
            self.manager.edit_requested.connect(self.edit)
        else:
            self.manager.reload()
        self.manager.show()
        self.manager.raise_()
        self.manager.activateWindow()
        return self.manager

    def _sync_action(self) -> None:
        ids = self._target_ids()
        action = self.window.actions.toggle_bookmark
        action.setChecked(bool(ids) and all(self.window.model.is_bookmarked(i) for i in ids))

    @Slot()
    def _on_controller_bookmarks_changed(self) -> None:
        w = self.window
        w.model.set_bookmarks(self.controller.marks())
        w.scope.refresh()
        shown = w.detail.meeting
        if shown is not None:
            w.detail.set_bookmark(self.controller.get(shown.id))
        self._sync_action()
        if w.scope.ids() is not None:
            w.search(now=True)

    @Slot()
    def _on_scope_changed(self) -> None:
        self.window.search(now=True)
