"""Test set-up shared by every test: offscreen Qt, and never the user's real data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "readouts"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Point the default data dir and Qt's settings at a temp dir for every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("READOUT_ARCHIVE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
    yield


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def sample_dir() -> Path:
    from index.paths import sample_archive_dir

    return sample_archive_dir()


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/readouts is not beside the checkout")
    return CORPUS
