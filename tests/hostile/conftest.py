"""Hostile-input tests (issue 7): the generated corpus, built once per session and only when a test needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.data.hostile import make_corpus


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "big: reads the generated 60 MB CSV / 500k-row XLSX (a few seconds each)")


@pytest.fixture(scope="session")
def big_corpus() -> dict[str, Path]:
    """The big files in tests/data/hostile/generated/ (gitignored), written on first use (about 15 s)."""
    return make_corpus.generate(small=False)
