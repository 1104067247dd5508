"""The search line: text with a clear button, query-syntax help, history, and an inline error."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QVBoxLayout, QWidget

SYNTAX_HELP = """<b>Search syntax</b>
<table cellspacing="2">
<tr><td><code>kamikawa son</code></td><td>all the words</td></tr>
<tr><td><code>"free and open indo-pacific"</code></td><td>an exact phrase</td></tr>
<tr><td><code>ukraine OR russia</code>, <code>NOT china</code></td><td>AND, OR, NOT and (parentheses)</td></tr>
<tr><td><code>participant:kamikawa</code></td><td>a participant</td></tr>
<tr><td><code>type:summit</code></td><td>meeting type (summit, foreign_ministers, ...)</td></tr>
<tr><td><code>country:"viet nam"</code></td><td>a country, any spelling</td></tr>
<tr><td><code>kamikwa~</code></td><td>similar spelling</td></tr>
<tr><td><code>date:[2023-01-01 TO 2023-12-31]</code></td><td>a date range</td></tr>
</table>
Enter searches now; the list also updates as you type."""


class SearchBar(QWidget):
    text_edited = Signal(str)  # every edit (the window debounces)
    submitted = Signal(str)  # Enter

    def __init__(self, history: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText('Search readouts — e.g. kamikawa "viet nam"   (Ctrl+F)')
        self.edit.setToolTip(SYNTAX_HELP)
        self.edit.setAccessibleName("Search")
        self.edit.setAccessibleDescription("Full-text search of the meeting readouts")
        self.edit.textEdited.connect(self.text_edited)
        self.edit.returnPressed.connect(lambda: self.submitted.emit(self.edit.text()))

        self._history = QStringListModel(history or [], self)
        completer = QCompleter(self._history, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._on_completer_activated)
        self.edit.setCompleter(completer)

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Search problem")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error_label)

    def leave_shortcuts_to_window(self, sequences) -> None:
        """Let these window shortcuts work while typing: QLineEdit would otherwise take some of
        them for itself (Ctrl+D deletes a character, Ctrl+E moves to the end)."""
        self._window_keys = {QKeySequence(seq) for seq in sequences if not QKeySequence(seq).isEmpty()}
        self.edit.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.edit and event.type() == QEvent.Type.ShortcutOverride:
            if QKeySequence(event.keyCombination()) in self._window_keys:
                event.ignore()  # not overridden: the window's action gets the key
                return True
        return super().eventFilter(watched, event)

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def set_history(self, history: list[str]) -> None:
        self._history.setStringList(history)

    def history(self) -> list[str]:
        return self._history.stringList()

    def show_error(self, message: str) -> None:
        palette = self.error_label.palette()
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#c62828" if not dark else "#ff7b7b"))
        self.error_label.setPalette(palette)
        self.error_label.setText(message[:1].upper() + message[1:])
        self.error_label.show()
        self.edit.setAccessibleDescription(f"Search problem: {message}")

    def clear_error(self) -> None:
        self.error_label.hide()
        self.error_label.clear()
        self.edit.setAccessibleDescription("Full-text search of the meeting readouts")

    @property
    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def _on_completer_activated(self, text: str) -> None:
        self.submitted.emit(text)
