"""File → Export…: the selected meetings, the current results or the bookmarks, in any format.

The dialog collects an ``ExportRequest``; ``run_export`` (plain Python over ``index.export``)
does the work on the task runner with progress and cancel, writing atomically. An existing
file is replaced only after the user said so. PDF goes through ``app.pdf.write_pdf``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from index.bookmarks import Bookmarks
from index.errors import Cancelled, ExportError
from index.export import FORMATS, NEEDS_TEXT, ExportItem, ExportReport, Selection, export, iter_items, select

from .pdf import write_pdf
from .tasks import Task, TaskRunner

EXPORT_TASK = "export"
SELECTED, RESULTS, BOOKMARKS = "selected", "results", "bookmarks"

FORMAT_LABELS = {
    "csv": "CSV — spreadsheets (Excel, LibreOffice)",
    "json": "JSON — full records with text",
    "md": "Markdown report",
    "html": "HTML report",
    "pdf": "PDF — one meeting per page",
    "ris": "RIS — reference managers (Zotero, EndNote)",
    "csl-json": "CSL-JSON — Zotero, citation processors",
}
EXTENSIONS = {
    "csv": ".csv",
    "json": ".json",
    "md": ".md",
    "html": ".html",
    "pdf": ".pdf",
    "ris": ".ris",
    "csl-json": ".csl.json",
}
_FILTERS = {
    "csv": "CSV files (*.csv)",
    "json": "JSON files (*.json)",
    "md": "Markdown files (*.md *.markdown)",
    "html": "HTML files (*.html *.htm)",
    "pdf": "PDF files (*.pdf)",
    "ris": "RIS files (*.ris)",
    "csl-json": "CSL-JSON files (*.csl.json *.json)",
}
_KNOWN_SUFFIXES = (
    ".csl.json",
    ".csljson",
    ".markdown",
    ".json",
    ".csv",
    ".md",
    ".html",
    ".htm",
    ".pdf",
    ".ris",
)

# (parent, caption, start path, filter) -> the chosen path, or "" when cancelled
ChoosePath = Callable[[QWidget, str, str, str], str]


def choose_save_path(parent: QWidget, caption: str, start: str, name_filter: str) -> str:
    # We ask about replacing an existing file ourselves (the same question for typed paths).
    path, _ = QFileDialog.getSaveFileName(
        parent, caption, start, name_filter, "", QFileDialog.Option.DontConfirmOverwrite
    )
    return path


def with_format(path: str, fmt: str) -> str:
    """``path`` with the extension of ``fmt`` (a known export extension is replaced)."""
    if not path.strip():
        return path
    p = Path(path)
    name = p.name
    for suffix in _KNOWN_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return str(p.with_name(name + EXTENSIONS[fmt]))


@dataclasses.dataclass(frozen=True)
class ExportRequest:
    scope: str  # SELECTED, RESULTS or BOOKMARKS
    fmt: str
    path: Path
    ids: tuple[str, ...] = ()  # the meetings of SELECTED / RESULTS, in the list's order
    tag: str | None = None  # BOOKMARKS: only this tag
    force: bool = False
    title: str = "Readout Archive export"


@dataclasses.dataclass(frozen=True)
class ExportOutcome:
    report: ExportReport
    missing_bookmarks: tuple[str, ...] = ()


def run_export(
    archive, bookmarks: Bookmarks | None, request: ExportRequest, progress, cancel
) -> ExportOutcome:
    """The export itself (runs on a worker thread): select, stream, write atomically."""
    missing: list[str] = []
    if request.scope == BOOKMARKS:
        selected = select(archive, Selection(bookmarked=True, tag=request.tag or None), bookmarks)
        ids, missing = selected.ids, selected.missing_bookmarks
    else:
        ids = list(request.ids)
    if not ids:
        raise ExportError("nothing to export: no meeting in the chosen scope")
    items = iter_items(archive, ids, bookmarks, with_text=request.fmt in NEEDS_TEXT)
    report = export(
        _watched(items, len(ids), progress, cancel),
        request.path,
        request.fmt,
        force=request.force,
        title=request.title,
        pdf_writer=write_pdf if request.fmt == "pdf" else None,
    )
    return ExportOutcome(report, tuple(missing))


def _watched(items: Iterable[ExportItem], total: int, progress, cancel) -> Iterator[ExportItem]:
    progress(0, total, "")
    for n, item in enumerate(items, 1):
        if cancel():
            raise Cancelled("export cancelled")  # the half-written temp file is removed
        yield item
        progress(n, total, item.meeting.parsed.title)


class ExportDialog(QDialog):
    """Choose what, how and where; then export in the background with progress."""

    exported = Signal(object)  # ExportOutcome
    export_failed = Signal(object)  # the exception (Cancelled when the user cancelled)

    def __init__(
        self,
        *,
        archive,
        bookmarks: Bookmarks | None,
        tasks: TaskRunner,
        messages,
        selected_ids: Sequence[str],
        result_ids: Sequence[str],
        tags: Iterable[str] = (),
        bookmark_count: int = 0,
        folder: str = "",
        fmt: str = "csv",
        choose_path: ChoosePath = choose_save_path,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Export meetings")
        self.setMinimumWidth(560)
        self._archive = archive
        self._bookmarks = bookmarks
        self._tasks = tasks
        self._messages = messages
        self._selected = tuple(selected_ids)
        self._results = tuple(result_ids)
        self._choose_path = choose_path
        self._bookmark_count = bookmark_count
        self.task: Task | None = None

        # what
        scope_box = QGroupBox("Export", self)
        self.scope_buttons = QButtonGroup(self)
        self.selected_radio = QRadioButton(f"The &selected meetings ({len(self._selected):,})", scope_box)
        self.results_radio = QRadioButton(f"The current &results ({len(self._results):,})", scope_box)
        self.bookmarks_radio = QRadioButton(f"The &bookmarks ({bookmark_count:,})", scope_box)
        for n, button in enumerate((self.selected_radio, self.results_radio, self.bookmarks_radio)):
            self.scope_buttons.addButton(button, n)
        self.selected_radio.setEnabled(bool(self._selected))
        self.results_radio.setEnabled(bool(self._results))
        self.bookmarks_radio.setEnabled(bookmark_count > 0)
        self.tag = QComboBox(scope_box)
        self.tag.setAccessibleName("Bookmark tag")
        self.tag.addItem("All bookmarks", None)
        for tag in tags:
            self.tag.addItem(f"Tag: {tag}", tag)
        self.bookmarks_radio.toggled.connect(self.tag.setEnabled)
        self.tag.setEnabled(False)
        bookmark_row = QHBoxLayout()
        bookmark_row.addWidget(self.bookmarks_radio)
        bookmark_row.addWidget(self.tag, 1)
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.addWidget(self.selected_radio)
        scope_layout.addWidget(self.results_radio)
        scope_layout.addLayout(bookmark_row)
        if len(self._selected) > 1 or (self._selected and not self._results):
            self.selected_radio.setChecked(True)
        elif self._results:
            self.results_radio.setChecked(True)
        elif bookmark_count:
            self.bookmarks_radio.setChecked(True)

        # how and where
        self.format = QComboBox(self)
        self.format.setAccessibleName("Export format")
        for name in FORMATS:
            self.format.addItem(FORMAT_LABELS.get(name, name), name)
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))
        self.title = QLineEdit("Readout Archive export", self)
        self.title.setAccessibleName("Report title")
        self.title.setToolTip("The title of a Markdown, HTML or PDF report")
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Export file")
        self.path.setPlaceholderText("File to write")
        self.path.setClearButtonEnabled(True)
        self.browse = QPushButton("&Browse…", self)
        self.browse.setToolTip("Choose the file to write")
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("&Format:", self.format)
        form.addRow("&Title:", self.title)
        file_label = QLabel("F&ile:", self)
        file_label.setBuddy(self.path)  # a row holding a layout gets no buddy by itself
        form.addRow(file_label, path_row)
        start = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        self.path.setText(str(start / ("readout-archive-export" + EXTENSIONS[self.fmt()])))

        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Export progress")
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(scope_box)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.browse.clicked.connect(self._on_browse_clicked)
        self._on_format_changed()

    # -- values ---------------------------------------------------------------------------------
    def fmt(self) -> str:
        return self.format.currentData()

    def scope(self) -> str:
        return {0: SELECTED, 1: RESULTS, 2: BOOKMARKS}.get(self.scope_buttons.checkedId(), RESULTS)

    def set_scope(self, scope: str, tag: str | None = None) -> None:
        {SELECTED: self.selected_radio, RESULTS: self.results_radio, BOOKMARKS: self.bookmarks_radio}[
            scope
        ].setChecked(True)
        if scope == BOOKMARKS:
            self.tag.setCurrentIndex(max(0, self.tag.findData(tag)))

    def set_format(self, fmt: str) -> None:
        self.format.setCurrentIndex(self.format.findData(fmt))

    def request(self, *, force: bool = False) -> ExportRequest:
        scope = self.scope()
        ids = self._selected if scope == SELECTED else self._results if scope == RESULTS else ()
        return ExportRequest(
            scope=scope,
            fmt=self.fmt(),
            path=Path(self.path.text().strip()).expanduser(),
            ids=ids,
            tag=self.tag.currentData() if scope == BOOKMARKS else None,
            force=force,
            title=self.title.text().strip() or "Readout Archive export",
        )

    @Slot()
    def _on_format_changed(self) -> None:
        fmt = self.fmt()
        self.title.setEnabled(fmt in ("md", "html", "pdf"))
        self.path.setText(with_format(self.path.text(), fmt))

    @Slot()
    def _on_browse_clicked(self) -> None:
        chosen = self._choose_path(self, "Export to", self.path.text(), _FILTERS[self.fmt()])
        if chosen:
            self.path.setText(with_format(chosen, self.fmt()) if not Path(chosen).suffix else chosen)

    # -- running --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None

    @Slot()
    def start(self) -> Task | None:
        """Check the target, ask before replacing a file, then export in the background."""
        if self.running:
            return None
        text = self.path.text().strip()
        if not text:
            self._say("Choose a file to write.")
            return None
        target = Path(text).expanduser()
        if target.suffix == "":
            target = Path(with_format(str(target), self.fmt()))
            self.path.setText(str(target))
        force = False
        if target.is_dir():
            self._say(f"{target} is a folder: give a file name.")
            return None
        if target.exists():
            if not self._messages.confirm(
                "Replace file",
                f"{target.name} already exists in {target.parent}. Replace it?",
                yes="Replace",
            ):
                self._say("Not exported: the file exists. Choose another name or agree to replace it.")
                return None
            force = True
        request = self.request(force=force)
        archive, bookmarks = self._archive, self._bookmarks
        self._set_running(True)
        self.task = self._tasks.run(
            EXPORT_TASK,
            lambda progress, cancel: run_export(archive, bookmarks, request, progress, cancel),
            progressed=self._on_task_progressed,
            succeeded=self._on_task_succeeded,
            failed=self._on_task_failed,
        )
        return self.task

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self._say("Cancelling…")
            return
        super().reject()

    def _set_running(self, on: bool) -> None:
        for widget in (self.selected_radio, self.results_radio, self.bookmarks_radio, self.format):
            widget.setEnabled(not on and (widget is self.format or self._scope_available(widget)))
        for widget in (self.title, self.path, self.browse, self.export_button):
            widget.setEnabled(not on)
        self.tag.setEnabled(not on and self.bookmarks_radio.isChecked())
        if on:
            self.title.setEnabled(False)
            self.progress.setRange(0, 0)
            self.progress.show()
            self._say("Exporting…")
        else:
            self.title.setEnabled(self.fmt() in ("md", "html", "pdf"))
            self.progress.hide()

    def _scope_available(self, button) -> bool:
        if button is self.selected_radio:
            return bool(self._selected)
        if button is self.results_radio:
            return bool(self._results)
        return self._bookmark_count > 0

    def _say(self, text: str) -> None:
        self.status.setText(text)

    @Slot(int, int, str)
    def _on_task_progressed(self, done: int, total: int, _title: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done:,} / {total:,}")

    def _on_task_succeeded(self, outcome: ExportOutcome) -> None:
        self.task = None
        self._set_running(False)
        self.exported.emit(outcome)
        self.accept()

    def _on_task_failed(self, err: Exception) -> None:
        self.task = None
        self._set_running(False)
        if isinstance(err, Cancelled):
            self._say("Export cancelled; nothing was written.")
        else:
            self._say(f"Not exported: {err}")
            self._messages.exception("Export failed", err)
        self.export_failed.emit(err)


def describe(outcome: ExportOutcome) -> str:
    r = outcome.report
    text = f"Exported {r.count:,} meeting{'s' if r.count != 1 else ''} to {r.path} ({r.format.upper()})"
    if outcome.missing_bookmarks:
        n = len(outcome.missing_bookmarks)
        text += f"; {n} bookmarked meeting{'s' if n != 1 else ''} no longer in the archive left out"
    return text + "."


class ExportCommand(QObject):
    """File → Export… for one window; remembers the folder and format in the settings."""

    def __init__(self, window, bookmarks, *, choose_path: ChoosePath = choose_save_path):
        super().__init__(window)
        self.window = window
        self.bookmarks = bookmarks  # BookmarksController
        self.choose_path = choose_path
        self.dialog: ExportDialog | None = None
        window.actions.export.triggered.connect(self.open_dialog)

    @Slot()
    def open_dialog(self) -> ExportDialog:
        w = self.window
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dialog = ExportDialog(
            archive=w.archive,
            bookmarks=self.bookmarks.store,
            tasks=w.tasks,
            messages=w.messages,
            selected_ids=w.selected_ids(),
            result_ids=w.result_ids(),
            tags=self.bookmarks.tags(),
            bookmark_count=len(self.bookmarks.marks()),
            folder=w.settings.export_folder,
            fmt=w.settings.export_format,
            choose_path=self.choose_path,
            parent=w,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exported.connect(self._on_dialog_exported)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_exported(self, outcome: ExportOutcome) -> None:
        settings = self.window.settings
        settings.export_folder = str(outcome.report.path.parent)
        settings.export_format = outcome.report.format
        self.window.statusBar().showMessage(describe(outcome), 15_000)
