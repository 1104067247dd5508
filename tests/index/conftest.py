"""Fixtures of the indexing tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def many(tmp_path, corpus_dir, sample_dir) -> Path:
    """80 corpus readouts and the sample archive: enough for two workers with 40 files each."""
    target = tmp_path / "many"
    shutil.copytree(sample_dir, target)
    for path in sorted(corpus_dir.glob("*.txt"))[:80]:
        shutil.copy2(path, target / path.name)
    return target
