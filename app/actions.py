"""Every menu/toolbar action, created in one place with its shortcut and tooltip.

The F1 shortcuts dialog is generated from these, so the list can never go stale.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget


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
            self.quit,
            self.focus_search,
            self.clear_search,
            self.next_hit,
            self.previous_hit,
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
