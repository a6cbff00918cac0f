"""Shared fixtures: paths, a CLI runner, and phrase-duration functions for compiler tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
ROUTINES = ROOT / "routines"
UPPER_BACK = ROUTINES / "upper-back-pain.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
