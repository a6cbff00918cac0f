"""Shared fixtures: paths, a CLI runner, and phrase-duration functions for compiler tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .snippets import ROUTINE

ROOT = Path(__file__).resolve().parent.parent
ROUTINES = ROOT / "routines"
UPPER_BACK = ROUTINES / "upper-back-pain.yaml"


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's cache (where a voice's halves are kept) is the test session's own."""
    root = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root))
        yield root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()




@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clip cache for every test that renders: each phrase is synthesized once."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def routine_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("routine") / "test-session.yaml"
    path.write_text(ROUTINE, encoding="utf-8")
    return path
