"""Shared fixtures: paths, a CLI runner, the clip cache, and the phone companion's test
clients (with and without its key) over a small library."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cuecast.make.render import render
from cuecast.script.options import Customisation
from cuecast.web.access import COOKIE
from cuecast.web.app import Config, create_app

from .snippets import ROUTINE

ROOT = Path(__file__).resolve().parent.parent
ROUTINES = ROOT / "routines"
UPPER_BACK = ROUTINES / "upper-back-pain.yaml"


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's cache (where a voice's halves are kept) and data folder (the practice
    history) are the test session's own."""
    root = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root))
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))
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


TOKEN = "k" * 32
ORIGIN = {"origin": "http://testserver"}


def job_ended(client: TestClient, job: str) -> dict[str, object]:
    """A render job's state once it has ended (each poll waits on the server's own progress,
    not a clock)."""
    import threading

    while True:
        state: dict[str, object] = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            return state
        threading.Event().wait(0.05)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> tuple[Path, Path]:
    """A library of two routines and an output folder holding one rendered session."""
    root = tmp_path_factory.mktemp("web")
    routines, output = root / "routines", root / "output"
    routines.mkdir()
    (routines / "test-session.yaml").write_text(ROUTINE, encoding="utf-8")
    shutil.copy(ROUTINES / "upper-back-pain.yaml", routines)
    render(path=routines / "test-session.yaml", output=output / "test-session.mp3",
           cache_dir=cache_dir, options=Customisation(rest=2, step_pause=1))
    (output / ".test-session-123-abc.part").write_bytes(b"half a file")  # never listed
    return routines, output


@pytest.fixture
def client(folders: tuple[Path, Path], cache_dir: Path) -> Iterator[TestClient]:
    routines, output = folders
    app = create_app(Config(routines=routines, output=output, cache_dir=cache_dir,
                            token=TOKEN))
    with TestClient(app) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


@pytest.fixture
def stranger(folders: tuple[Path, Path], cache_dir: Path) -> Iterator[TestClient]:
    routines, output = folders
    with TestClient(create_app(Config(routines, output, cache_dir, TOKEN))) as c:
        yield c


END_TO_END: Final = frozenset({"test_listening", "test_browser", "test_render",
                               "test_reliability", "test_serve", "test_piper", "test_output"})
"""Test modules that render with a real voice, drive a browser or transcribe speech: marked
``end_to_end``, left out by ``scripts/test --quick``."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in END_TO_END:
            item.add_marker(pytest.mark.end_to_end)
