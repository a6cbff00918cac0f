"""``cuecast compose`` and the library that travels with the program: table tests for the
choice, the ordering and the fitting; the same inputs give the same file; from any folder."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.errors import OptionError
from cuecast.make.compose import HOLD_RANGE_MS, compose
from cuecast.make.library import library_folder, routine_files
from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.loader import load_routine, parse_routine
from cuecast.script.options import POSITIONS, ComposeOptions, read
from cuecast.script.resolve import resolve_settings
from cuecast.script.routine import Routine, name_key

from .conftest import ROOT, ROUTINES

LIBRARY = list(routine_files(ROUTINES).values())


@functools.cache
def _library_exercises() -> dict[str, tuple[set[str], int]]:
    """Every library exercise's name key -> its areas and its longest hold (over every
    version of it)."""
    found: dict[str, tuple[set[str], int]] = {}
    for path in LIBRARY:
        for ex in load_routine(path).exercises:
            areas, longest = found.get(name_key(ex.name), (set(), 0))
            found[name_key(ex.name)] = (areas | set(ex.areas),
                                        max(longest, ex.timing.hold_ms or 0))
    return found


def _runs(routine: Routine) -> list[str]:
    """The positions in the order they come, one entry per run."""
    runs: list[str] = []
    for ex in routine.exercises:
        if ex.position and (not runs or runs[-1] != ex.position):
            runs.append(ex.position)
    return runs


@pytest.mark.parametrize(("focus", "minutes", "positions"), [
    (("neck", "upper-back"), 15, ()),
    (("neck",), 10, ()),
    (("shoulders",), 10, ()),
    (("upper-back",), 10, ()),
    (("lower-back",), 10, ()),
    (("hips",), 10, ()),
    (("hamstrings",), 10, ()),
    (("hips", "hamstrings", "lower-back"), 30, ()),
    (("spine",), 8, ("all-fours", "lying")),
    (("breathing",), 6, ()),
])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_a_composed_routine_is_what_was_asked(focus: tuple[str, ...], minutes: int,
                                              positions: tuple[str, ...], seed: int) -> None:
    request = read(ComposeOptions, {"focus": focus, "length": f"{minutes}m",
                                    "position": positions, "seed": seed})
    routine = compose(library=LIBRARY, request=request).routine
    known = _library_exercises()
    keys = [name_key(ex.name) for ex in routine.exercises]
    assert len(keys) == len(set(keys)), "an exercise twice"
    for ex in routine.exercises:
        assert name_key(ex.name) in known  # only library exercises
        assert set(ex.areas) & set(focus)
        assert not positions or ex.position in positions
        if ex.timing.hold_ms is not None:  # within the range (up to the library's own)
            own = known[name_key(ex.name)][1]
            assert HOLD_RANGE_MS[0] <= ex.timing.hold_ms <= max(HOLD_RANGE_MS[1], own)
    runs = _runs(routine)
    assert len(runs) == len(set(runs)), f"a position in two runs: {runs}"
    assert runs == sorted(runs, key=POSITIONS.index), "not flowing towards the floor"
    # the length is kept in its defaults: laid out, it lasts what was asked
    timeline = compile_session(routine, resolve_settings(routine), estimate_ms)
    assert abs(timeline.duration_ms - minutes * 60_000) <= 1000
    if len(focus) > 1:  # every area asked for is served
        assert all(any(a in ex.areas for ex in routine.exercises) for a in focus)


def test_the_seed_varies_the_choice_and_only_the_seed() -> None:
    def chosen(seed: int) -> list[str]:
        request = read(ComposeOptions, {"focus": ("hips",), "length": "12m", "seed": seed})
        return [ex.name for ex in compose(library=LIBRARY, request=request).routine.exercises]

    assert chosen(0) == chosen(0)
    assert len({tuple(chosen(seed)) for seed in range(6)}) > 1


@pytest.mark.parametrize(("mixed", "expected"), [
    (["lying", "standing", "kneeling", "seated"], ["standing", "seated", "kneeling", "lying"]),
    (["all-fours", "lying", "all-fours", "standing"], ["standing", "all-fours", "lying"]),
    (["seated", "seated", "lying", "seated"], ["seated", "lying"]),
])
def test_positions_flow_towards_the_floor(tmp_path: Path, mixed: list[str],
                                          expected: list[str]) -> None:
    exercises = [{"name": f"Stretch {i}", "timing": "30 sec", "areas": ["neck"],
                  "position": p, "steps": ["Stretch."]} for i, p in enumerate(mixed)]
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump({"title": "Mixed", "exercises": exercises}))
    request = ComposeOptions(focus=("neck",), length=6 * 60)  # more than three can fill
    routine = compose(library=[path], request=request).routine
    assert _runs(routine) == expected
    assert len(routine.exercises) == len(mixed)


@pytest.mark.parametrize(("given", "fragment"), [
    ({"focus": ["nek"], "length": "10m"}, "--focus: must be one of 'neck', "),
    ({"focus": [], "length": "10m"}, "--focus: name at least one"),
    ({"focus": ["neck"]}, "--length: is required"),
    ({"focus": ["neck"], "length": "ten"}, "--length: 'ten' is not a length"),
    ({"focus": ["neck"], "length": "10m", "position": ["upside-down"]},
     "--position: must be one of 'standing'"),
])
def test_a_bad_request_is_one_line(given: dict[str, object], fragment: str) -> None:
    with pytest.raises(OptionError, match="^" + fragment.replace("(", r"\(")):
        read(ComposeOptions, given)


def test_what_the_library_cannot_fill_is_said_and_nothing_written(
        runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "long.yaml"
    result = runner.invoke(app, ["compose", "--focus", "glutes", "--length", "90m",
                                 "-o", str(out)])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "fill at most" in lines[0], lines
    assert not out.exists() and not list(tmp_path.iterdir())


def test_compose_twice_writes_the_same_file_that_check_accepts(runner: CliRunner,
                                                              tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for out in (first, second):
        result = runner.invoke(app, ["compose", "--focus", "neck", "--focus", "upper-back",
                                     "--length", "15m", "-o", str(out)])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    assert runner.invoke(app, ["check", str(first)]).exit_code == 0
    routine = parse_routine(first.read_bytes(), str(first))
    assert routine.title == "Neck and upper back, 15 minutes"
    again = runner.invoke(app, ["compose", "--focus", "neck", "--length", "15m",
                                "-o", str(first)])
    assert again.exit_code == 2 and "--force" in again.stderr
    script = runner.invoke(app, ["script", str(first), "--json",
                                 "--cache-dir", str(tmp_path / "cache")])
    assert abs(json.loads(script.stdout)["duration_ms"] - 15 * 60_000) <= 1000


def test_every_library_exercise_is_tagged() -> None:
    for path in LIBRARY:
        for ex in load_routine(path).exercises:
            assert ex.areas and ex.position, f"{path.name}: {ex.name}"


def test_the_library_ships_with_the_package_from_routines() -> None:
    """One copy: the wheel's cuecast/routines is built from routines/ (package-dir), and
    every package under src/ is declared (setuptools is told the list, not finding it)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setup = config["setuptools"]
    assert setup["package-dir"] == {"": "src", "cuecast.routines": "routines",
                                    "cuecast.programmes": "programmes"}
    assert "*.yaml" in setup["package-data"]["cuecast.routines"]
    assert "*.yaml" in setup["package-data"]["cuecast.programmes"]
    src = ROOT / "src"
    folders = {".".join(p.relative_to(src).parts) for p in (src / "cuecast").rglob("*")
               if p.is_dir() and p.name != "__pycache__" and any(p.iterdir())}
    assert set(setup["packages"]) == {"cuecast", *folders, "cuecast.routines",
                                      "cuecast.programmes"}
    assert library_folder() == ROUTINES  # from a source tree: routines/ itself


def test_from_any_folder_the_library_is_found(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": ""}
    cuecast = [sys.executable, "-m", "cuecast"]
    listed = subprocess.run([*cuecast, "list"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, check=False)
    assert listed.returncode == 0, listed.stderr
    assert {line.split()[0] for line in listed.stdout.splitlines()} == {
        p.name for p in LIBRARY}
    made = subprocess.run([*cuecast, "compose", "--focus", "hips", "--length", "10m"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    written = tmp_path / "routines" / "hips-10-minutes.yaml"
    assert written.is_file()
    # the user's own folder is listed beside the library
    again = subprocess.run([*cuecast, "list"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, check=False)
    assert "hips-10-minutes.yaml" in again.stdout and "upper-back-pain.yaml" in again.stdout
