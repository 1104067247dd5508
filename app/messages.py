"""The one way the window tells the user something: error, warning and info dialogs, and the
list of files that could not be indexed (with text the user can copy).

Tests construct ``Messages(silent=True)``: nothing is shown, every message is recorded in
``shown`` and emitted through ``message_shown``; questions (``confirm``) are recorded too and
answered with ``answer`` (False unless a test sets it).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from index.errors import ArchiveError
from index.models import IndexReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    level: str  # "error", "warning", "info", "skipped"
    title: str
    text: str
    details: str = ""


class Messages(QObject):
    message_shown = Signal(object)  # Message

    def __init__(self, parent: QObject | None = None, *, silent: bool = False):
        super().__init__(parent)
        self.silent = silent
        self.answer = False  # what ``confirm`` returns when silent
        self.shown: list[Message] = []
        self._window: QWidget | None = None
        self._open: list[QWidget] = []  # keep non-modal dialogs alive

    def set_window(self, window: QWidget | None) -> None:
        """The parent for dialogs (the main window once it exists)."""
        self._window = window

    # -- plain messages -------------------------------------------------------------------------
    def error(self, title: str, text: str, details: str = "") -> None:
        self._show(Message("error", title, text, details))

    def warning(self, title: str, text: str, details: str = "") -> None:
        self._show(Message("warning", title, text, details))

    def info(self, title: str, text: str, details: str = "") -> None:
        self._show(Message("info", title, text, details))

    def exception(self, title: str, err: BaseException) -> None:
        """An error from the core (a human sentence) or an unexpected one (with its traceback)."""
        if isinstance(err, ArchiveError):
            self.error(title, str(err))
            return
        details = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        log.error("%s: %s", title, details)
        self.error(title, f"Something went wrong: {type(err).__name__}: {err}", details)

    def confirm(self, title: str, text: str, *, yes: str = "Yes", no: str = "Cancel") -> bool:
        """Ask a yes/no question (modal); the safe answer ("no") is the default button."""
        message = Message("question", title, text)
        self.shown.append(message)
        log.info("question: %s: %s", title, text)
        self.message_shown.emit(message)
        if self.silent:
            return self.answer
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self._window
        )
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.RejectRole))
        box.exec()
        return box.clickedButton() is yes_button

    # -- index reports --------------------------------------------------------------------------
    def index_problems(self, report: IndexReport) -> None:
        """List skipped files (and warnings) in a dialog whose text can be selected and copied."""
        if not report.skipped and not report.warnings:
            return
        lines = [f"skipped: {s.path}: {s.reason}" for s in report.skipped]
        lines += [f"warning: {w.path}: {w.reason}" for w in report.warnings]
        n = len(report.skipped)
        text = (
            f"{n} file{'s' if n != 1 else ''} could not be indexed."
            if n
            else f"{len(report.warnings)} file(s) were indexed with warnings."
        )
        self._show(Message("skipped", "Some files were not indexed", text, "\n".join(lines)))

    # -- showing --------------------------------------------------------------------------------
    def _show(self, message: Message) -> None:
        self.shown.append(message)
        log.info("%s: %s: %s", message.level, message.title, message.text)
        self.message_shown.emit(message)
        if self.silent:
            return
        dialog = _copyable_dialog(self._window, message) if message.level == "skipped" else self._box(message)
        self._open.append(dialog)
        dialog.finished.connect(lambda _result, d=dialog: self._closed(d))
        dialog.open()

    def _box(self, message: Message) -> QMessageBox:
        icon = {
            "error": QMessageBox.Icon.Critical,
            "warning": QMessageBox.Icon.Warning,
        }.get(message.level, QMessageBox.Icon.Information)
        box = QMessageBox(icon, message.title, message.text, QMessageBox.StandardButton.Ok, self._window)
        if message.details:
            box.setDetailedText(message.details)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return box

    def _closed(self, dialog: QWidget) -> None:
        if dialog in self._open:
            self._open.remove(dialog)
        dialog.deleteLater()


def _copyable_dialog(parent: QWidget | None, message: Message) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(message.title)
    dialog.resize(720, 360)
    layout = QVBoxLayout(dialog)
    label = QLabel(message.text)
    label.setWordWrap(True)
    layout.addWidget(label)
    details = QPlainTextEdit(message.details)
    details.setReadOnly(True)
    details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    details.setAccessibleName("Files that were not indexed")
    layout.addWidget(details)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(message.details))
    buttons.rejected.connect(dialog.reject)
    buttons.accepted.connect(dialog.accept)
    layout.addWidget(buttons)
    return dialog
