"""Shared fixtures: paths, a CLI runner, and phrase-duration functions for compiler tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

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


# A short session with every kind of block: a hold, a per-side hold, a long hold, reps.
ROUTINE = """
title: Test Session
exercises:
  - name: Reach Up
    timing: 12 sec
    purpose: Wakes up the shoulders.
    steps: [Stand tall and reach up.]
  - name: Side Bend
    timing: 6 sec per side
    steps: [Lean to the right.]
  - name: Neck Hold
    timing: 20 sec
    steps: [Drop your chin.]
  - name: Knee Lifts
    timing: 3 reps
    tempo: 2
    steps: [Lift one knee.]
"""


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clip cache for every test that renders: each phrase is synthesized once."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def routine_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("routine") / "test-session.yaml"
    path.write_text(ROUTINE, encoding="utf-8")
    return path
