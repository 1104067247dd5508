"""The composition root: builds the application, settings, archive, helpers and the window."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from index import __version__
from index.archive import Archive
from index.errors import ArchiveError
from index.paths import DataPaths, resources_dir, sample_archive_dir

from .mainwindow import MainWindow
from .messages import Messages
from .search import SearchController
from .settings import Settings
from .tasks import TaskRunner

log = logging.getLogger(__name__)

APP_NAME = "Readout Archive"
SELF_TEST_TIMEOUT_MS = 120_000
DARK_ENV = "READOUT_ARCHIVE_DARK"  # "1": force a dark palette (to check colours on dark)


def build_window(
    archive: Archive,
    settings: Settings,
    messages: Messages,
    tasks: TaskRunner,
    **window_options,
) -> MainWindow:
    """Everything the window needs, wired together (used by ``run_gui`` and the tests)."""
    searches = SearchController(archive, tasks)
    window = MainWindow(archive, settings, tasks, messages, searches, **window_options)
    searches.setParent(window)
    messages.set_window(window)
    return window


def run_gui(data_dir: str | None = None, self_test: bool = False) -> int:
    logging.basicConfig(
        level=logging.INFO if self_test else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("readout-archive")
    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    if os.environ.get(DARK_ENV) == "1":
        apply_dark_palette(app)

    paths = DataPaths.resolve(data_dir)
    messages = Messages(silent=self_test)
    try:
        archive = Archive.open(paths.root)
    except ArchiveError as err:
        messages.silent = True
        messages.error("Cannot open the archive", str(err))
        if not self_test:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "Cannot open the archive", str(err))
        print(f"readout-archive: error: {err}", file=sys.stderr)
        return 2

    settings = Settings(paths.settings_file)
    tasks = TaskRunner()
    window = build_window(archive, settings, messages, tasks)
    window.show()

    for notice in archive.notices:
        messages.info(APP_NAME, notice)
    window.bookmarks.show_notices()
    window.saved_searches.show_notices()
    first_start = not archive.roots()
    if first_start and sample_archive_dir().is_dir():
        window.statusBar().showMessage("First start: indexing the bundled sample readouts…", 10_000)
        window.index_paths([sample_archive_dir()])
    window.search(now=True)

    exit_code = {"value": 0}
    if self_test:
        _arm_self_test(app, window, exit_code)
    try:
        code = app.exec()
    finally:
        window.shutdown()
        archive.close()
    return exit_code["value"] if self_test else code


def _arm_self_test(app: QApplication, window: MainWindow, exit_code: dict) -> None:
    """Wait for indexing (if any), run one search, quit: 0 when it returned a result list."""

    def finish(code: int, why: str) -> None:
        exit_code["value"] = code
        print(f"self-test: {why}", file=sys.stderr)
        window.close()
        app.quit()

    def search() -> None:
        window.search_finished.connect(
            lambda result: finish(
                0, f"search ok: {result.total} meeting(s), {window.model.rowCount()} row(s) shown"
            )
        )
        window.searches.search_failed.connect(lambda _req, err: finish(1, f"search failed: {err}"))
        window.search_bar.set_text("minister")
        window.search(now=True)

    def start() -> None:
        if window.indexing:
            window.index_finished.connect(lambda _report: QTimer.singleShot(0, start))
            return
        search()

    QTimer.singleShot(0, start)
    QTimer.singleShot(SELF_TEST_TIMEOUT_MS, lambda: finish(1, "timed out"))


def _app_icon() -> QIcon | None:
    # PNG first: Qt reads SVG icons only through the icon-engine plugin, which the bundle leaves out.
    for name in ("readout-archive.png", "readout-archive.svg"):
        path = resources_dir() / "icons" / name
        if path.is_file():
            return QIcon(str(path))
    return None


def apply_dark_palette(app: QGuiApplication) -> None:
    """A plain dark Fusion palette (for users and for checking colours on dark backgrounds)."""
    app.setStyle("Fusion")
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(45, 45, 48))
    p.setColor(role.WindowText, QColor(230, 230, 230))
    p.setColor(role.Base, QColor(30, 30, 32))
    p.setColor(role.AlternateBase, QColor(40, 40, 44))
    p.setColor(role.Text, QColor(230, 230, 230))
    p.setColor(role.Button, QColor(55, 55, 60))
    p.setColor(role.ButtonText, QColor(230, 230, 230))
    p.setColor(role.ToolTipBase, QColor(60, 60, 64))
    p.setColor(role.ToolTipText, QColor(230, 230, 230))
    p.setColor(role.PlaceholderText, QColor(150, 150, 150))
    p.setColor(role.Highlight, QColor(42, 130, 218))
    p.setColor(role.HighlightedText, QColor(255, 255, 255))
    p.setColor(role.Link, QColor(120, 170, 255))
    p.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(120, 120, 120))
    p.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(120, 120, 120))
    app.setPalette(p)
