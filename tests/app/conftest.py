"""A real window over a temp archive holding the bundled sample readouts."""

from __future__ import annotations

import pytest

from app.main import build_window
from app.messages import Messages
from app.settings import Settings
from app.tasks import TaskRunner
from index.archive import Archive


@pytest.fixture
def archive(data_dir, sample_dir):
    archive = Archive.open(data_dir)
    archive.index_paths([sample_dir])
    yield archive
    archive.close()


@pytest.fixture
def messages(qapp):
    return Messages(silent=True)


@pytest.fixture
def settings(data_dir, qapp):
    return Settings(data_dir / "settings.ini")


@pytest.fixture
def revealed():
    return []


@pytest.fixture
def make_window(qtbot, archive, settings, messages, revealed):
    """Build (and on teardown close) windows over the shared archive and settings."""
    windows = []

    def make():
        tasks = TaskRunner()
        window = build_window(archive, settings, messages, tasks, reveal=revealed.append)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


@pytest.fixture
def window(make_window, qtbot):
    """A shown window whose first search (all meetings) has arrived."""
    window = make_window()
    # the facet counts follow the list from their own task: wait for both, so they are settled
    with qtbot.waitSignals([window.search_finished, window.facets_shown], timeout=10_000):
        window.search(now=True)
    return window


@pytest.fixture
def type_search(qtbot):
    """Type text into the window's search bar and wait for the list to show its result."""

    def type_search(window, text: str):
        window.search_bar.edit.clear()
        with qtbot.waitSignal(window.search_finished, timeout=10_000) as blocker:
            qtbot.keyClicks(window.search_bar.edit, text)
        return blocker.args[0]

    return type_search
