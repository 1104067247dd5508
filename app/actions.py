"""Every menu/toolbar action, created in one place with its shortcut and tooltip.

The F1 shortcuts dialog is generated from these, so the list can never go stale.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QStyle, QWidget


def star_icon(size: int = 32) -> QIcon:
    """A filled star (no standard Qt pixmap has one), gold on any background."""
    import math

    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    centre, outer, inner = size / 2, size * 0.48, size * 0.2
    points = [
        QPointF(
            centre + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
            centre + 1 - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#8a6d00"))
    painter.setBrush(QColor("#f5c518"))
    painter.drawPolygon(QPolygonF(points))
    painter.end()
    return QIcon(pixmap)


class Actions:
    def __init__(self, parent: QWidget):
        style = parent.style()

        def make(
            text: str, shortcut=None, tip: str = "", icon: QStyle.StandardPixmap | None = None
        ) -> QAction:
            action = QAction(text, parent)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            if icon is not None:
                action.setIcon(style.standardIcon(icon))
            action.setToolTip(tip or text.replace("…", "").replace("&", ""))
            action.setStatusTip(action.toolTip())
            parent.addAction(action)  # shortcuts work even when menus/toolbar are hidden
            return action

        sp = QStyle.StandardPixmap
        self.add_folder = make(
            "Add &folder…",
            "Ctrl+O",
            "Index every readout in a folder (and its subfolders)",
            sp.SP_DirOpenIcon,
        )
        self.add_files = make(
            "Add f&iles…", "Ctrl+Shift+O", "Index selected readout files (.txt, .md, .html)", sp.SP_FileIcon
        )
        self.refresh = make(
            "&Refresh",
            QKeySequence.StandardKey.Refresh,
            "Re-scan every indexed folder for new, changed and deleted files",
            sp.SP_BrowserReload,
        )
        self.quit = make("&Quit", QKeySequence.StandardKey.Quit, "Close Readout Archive")
        self.focus_search = make("&Find", "Ctrl+F", "Put the cursor in the search box")
        self.clear_search = make(
            "C&lear search",
            "Ctrl+L",
            "Clear the search text and show all meetings",
            sp.SP_LineEditClearButton,
        )
        self.next_hit = make("&Next hit", "F3", "Go to the next search hit in the text", sp.SP_ArrowDown)
        self.previous_hit = make(
            "&Previous hit", "Shift+F3", "Go to the previous search hit in the text", sp.SP_ArrowUp
        )
        self.save_search = make(
            "&Save search…",
            "Ctrl+S",
            "Save the search text, filters and sort under a name",
            sp.SP_DialogSaveButton,
        )
        self.manage_saved_searches = make("&Manage saved searches…", None, "Rename or delete saved searches")
        self.export = make(
            "&Export…",
            "Ctrl+E",
            "Export the selected meetings, the current results or the bookmarks (CSV, JSON, Markdown, "
            "HTML, PDF, RIS, CSL-JSON)",
            sp.SP_DialogSaveButton,
        )
        self.toggle_bookmark = make(
            "&Bookmark", "Ctrl+D", "Bookmark the selected meeting(s), or remove the bookmark"
        )
        self.toggle_bookmark.setIcon(star_icon())
        self.toggle_bookmark.setCheckable(True)
        self.edit_bookmark = make(
            "&Edit note and tags…",
            "Ctrl+Shift+D",
            "Write a note and tags for the selected meeting's bookmark",
        )
        self.manage_bookmarks = make(
            "&Manage bookmarks…", "Ctrl+Shift+B", "List every bookmark (also those whose file is gone)"
        )
        self.toggle_filters = make("&Filters", "Ctrl+Shift+F", "Show or hide the filter row")
        self.toggle_filters.setCheckable(True)
        self.shortcuts = make(
            "&Keyboard shortcuts", "F1", "List the keyboard shortcuts", sp.SP_DialogHelpButton
        )

    def all(self) -> list[QAction]:
        return [
            self.add_folder,
            self.add_files,
            self.refresh,
            self.export,
            self.quit,
            self.focus_search,
            self.clear_search,
            self.save_search,
            self.manage_saved_searches,
            self.next_hit,
            self.previous_hit,
            self.toggle_bookmark,
            self.edit_bookmark,
            self.manage_bookmarks,
            self.toggle_filters,
            self.shortcuts,
        ]

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what) for the shortcuts dialog, including keys that are not actions."""
        rows = [
            (
                a.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                a.text().replace("&", "").rstrip("…"),
            )
            for a in self.all()
            if not a.shortcut().isEmpty()
        ]
        rows += [
            ("Enter", "Search now (in the search box) / read the selected meeting (in the list)"),
            ("Up, Down, Page Up, Page Down", "Move through the meeting list"),
            ("Tab", "Move between search, filters, list and text"),
        ]
        return rows
