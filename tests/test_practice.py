"""Practice over weeks: programme files, the plan following the person, the history database
as it fails (two writers, a killed writer, a damaged file), and the commands."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.errors import HistoryError, RoutineError
from cuecast.practice.daily import list_programmes, programme_folder
from cuecast.practice.history import FILE_NAME, MIGRATIONS, History
from cuecast.practice.programme import Done, Programme, load_programme, next_session, plan
from cuecast.script.loader import load_routine
from cuecast.script.routine import name_key

from .conftest import ROOT, ROUTINES

PROGRAMMES = sorted((ROOT / "programmes").glob("*.yaml"))


def _programme(**given: object) -> Programme:
    return Programme.model_validate({"title": "Test", "weeks": 4, "sessions_per_week": 2,
                                     "sessions": [{"routine": "upper-back-pain"}],
                                     "progression": {"hold": 5}, **given})


def test_the_shipped_programmes_are_valid_and_travel_with_the_package() -> None:
    assert programme_folder() == ROOT / "programmes"
    listed = list_programmes()
    assert {e.name for e in listed} >= {"upper-back-4-weeks", "desk-break-2-weeks",
                                        "hamstrings-and-hips-30-days"}
    assert all(e.problem is None for e in listed), [e.problem for e in listed]
    days = {e.name: e.programme.days for e in listed if e.programme}
    assert days["hamstrings-and-hips-30-days"] == 30
    assert days["desk-break-2-weeks"] == 14


@pytest.mark.parametrize(("text", "where"), [
    ("title: T\nweeks: 2\nsessions_per_week: 3\nsessions: []\n", ":4: sessions"),
    ("title: T\nweeks: 0\nsessions_per_week: 3\nsessions:\n  - routine: lower-back\n",
     ":2: weeks"),
    ("title: T\nweeks: 2\nsessions_per_week: 3\nsessions:\n  - routine: lower-back\n"
     "    compose: {focus: [neck], length: 10m}\n", ":5: sessions[0]"),
    ("title: T\nweeks: 2\nsessions_per_week: 3\nsessions:\n  - compose: {focus: [nek], "
     "length: 10m}\n", ":5: sessions[0].compose.focus[0]"),
    ("title: T\nweeks: 2\nsessions_per_week: 3\nsessions:\n  - routine: lower-back\n"
     "progression:\n  holds: 5\n", "progression.holds: unknown key; did you mean 'hold'"),
    ("title: T\nweeks: 2\nsessions_per_week: 3\nsessions:\n  - routine: lower-back\n"
     "lighter_week: 3\n", "after the last week"),
    ("- a list\n", ":1: top level is a list"),
])
def test_a_bad_programme_names_its_line_and_field(tmp_path: Path, text: str,
                                                  where: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RoutineError) as caught:
        load_programme(path)
    assert where in str(caught.value)


def test_the_schema_in_docs_is_the_model(runner: CliRunner) -> None:
    result = runner.invoke(app, ["programme", "schema"])
    assert result.exit_code == 0
    docs = (ROOT / "docs" / "programme.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.output) == json.loads(docs) == Programme.model_json_schema()


def _follow(programme: Programme, felt: list[str | None]) -> list[int]:
    """The levels the sessions are done at, one feeling after another."""
    done: list[Done] = []
    for f in felt:
        nxt = next_session(programme, done)
        assert nxt is not None
        done.append(Done(nxt.day, nxt.level, f))  # type: ignore[arg-type]
    return [d.level for d in done]


@pytest.mark.parametrize(("felt", "levels"), [
    # two sessions a week: the level is the week's, less what felt hard
    (["right"] * 8, [0, 0, 1, 1, 2, 2, 3, 3]),
    (["easy"] * 8, [0, 0, 1, 1, 2, 2, 3, 3]),
    (["right", "hard", "right", "right"], [0, 0, 0, 1]),  # hard keeps the next at its level
    (["right", "right", "hard", "hard", "right", "right", "right", "right"],
     [0, 0, 1, 1, 0, 0, 1, 1]),  # hard twice steps back a week; on from there, week by week
    (["hard"] * 6, [0, 0, 0, 0, 0, 0]),  # never below week 1
    (["right", "right", "right", "hard", "hard", "hard", "hard"],
     [0, 0, 1, 1, 1, 0, 0]),
])
def test_the_plan_follows_the_person(felt: list[str | None], levels: list[int]) -> None:
    assert _follow(_programme(), felt) == levels


def test_a_lighter_week_goes_back_to_week_one_and_the_end_is_the_end() -> None:
    programme = _programme(weeks=3, lighter_week=3)
    assert _follow(programme, ["right"] * 6) == [0, 0, 1, 1, 0, 0]
    done = [Done(d, 0, "right") for d in range(1, 7)]
    assert next_session(programme, done) is None


def test_each_session_says_what_changed_and_holds_grow_as_written() -> None:
    programme = _programme(progression={"hold": 5, "reps": 2})
    routine = load_routine(ROUTINES / "upper-back-pain.yaml")
    first = plan(programme, routine, _next(programme, 1, 0))
    second = plan(programme, routine, _next(programme, 3, 1))
    assert first.routine.introduction == "Day 1 of 8. Week 1. We start gently."
    assert second.routine.introduction is not None
    assert second.routine.introduction.startswith("Day 3 of 8. Week 2.")
    assert "2 more reps" in second.routine.introduction
    for a, b in zip(first.routine.exercises, second.routine.exercises):
        if a.timing.hold_ms is not None and a.timing.hold_ms + 5000 <= a.ceiling_ms():
            assert b.timing.hold_ms == a.timing.hold_ms + 5000 and b.sets == a.sets
        elif a.timing.hold_ms is not None:  # past the ceiling: in sets, never over it
            assert b.timing.hold_ms is not None and b.timing.hold_ms <= a.ceiling_ms()
            assert b.sets * b.timing.hold_ms >= a.timing.hold_ms + 5000
        else:
            assert b.timing.reps == (a.timing.reps or 0) + 2


def _next(programme: Programme, day: int, level: int) -> object:
    from cuecast.practice.programme import Next

    return Next(day, programme.week_of(day), level, "")


def _cli(runner: CliRunner, data: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return result.output


def test_done_moves_the_plan_on_and_history_lists_every_session(runner: CliRunner,
                                                                tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert "Started Upper Back, 4 Weeks" in _cli(runner, data, "programme", "start",
                                                 "upper-back-4-weeks")
    feelings = ["right", "easy", "hard", "right", "hard", "hard"]
    for felt in feelings:
        _cli(runner, data, "done", "--felt", felt)
    table = _cli(runner, data, "history", "--csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["felt"] for r in rows] == feelings
    assert [r["day"] for r in rows] == [str(d) for d in range(1, 7)]
    assert all(r["programme"] == "Upper Back, 4 Weeks" and r["length"] for r in rows)
    settings = json.loads(rows[0]["settings"])
    assert settings["exercises"]["Cat-Cow"]["hold_ms"] == 60_000
    # week 2 begins at day 6, but day 5 felt hard: day 6 stays at week 1's level
    with History.open(data) as history:
        levels = [s.level for s in history.sessions()]
    assert levels == [0, 0, 0, 0, 0, 0]
    stopped = _cli(runner, data, "programme", "stop")
    assert "Stopped" in stopped
    assert len(list(csv.DictReader(io.StringIO(_cli(runner, data, "history", "--csv"))))) == 6
    result = runner.invoke(app, ["done", "--data-dir", str(data)])
    assert result.exit_code == 2 and "no programme is under way" in result.output


def test_two_programmes_cannot_run_at_once(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _cli(runner, data, "programme", "start", "desk-break-2-weeks")
    result = runner.invoke(app, ["programme", "start", "upper-back-4-weeks", "--data-dir",
                                 str(data)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "stop it first" in result.output


LONG_PROGRAMME = """title: Long
weeks: 30
sessions_per_week: 7
sessions:
  - routine: neck-and-shoulders
progression: {hold: 1}
"""

_WRITER = """
import sys
from pathlib import Path
from cuecast.practice.daily import done
for _ in range(int(sys.argv[2])):
    print(done(data_dir=Path(sys.argv[1]), felt="right").day, flush=True)
"""


def _writers(data: Path, count: int, each: int) -> list[subprocess.Popen[str]]:
    return [subprocess.Popen([sys.executable, "-c", _WRITER, str(data), str(each)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
            for _ in range(count)]


def _started(runner: CliRunner, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    programme = tmp_path / "long.yaml"
    programme.write_text(LONG_PROGRAMME, encoding="utf-8")
    _cli(runner, data, "programme", "start", str(programme))
    return data


def test_two_processes_recording_at_once_lose_nothing(runner: CliRunner,
                                                      tmp_path: Path) -> None:
    data = _started(runner, tmp_path)
    procs = _writers(data, 2, 50)
    days = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        days += [int(line) for line in out.split()]
    assert sorted(days) == list(range(1, 101))  # each day recorded once, by one of them
    with History.open(data) as history:
        assert [s.day for s in history.sessions()] == list(range(1, 101))


def test_a_writer_killed_mid_run_leaves_a_sound_database(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    data = _started(runner, tmp_path)
    for kills in range(3):
        (proc,) = _writers(data, 1, 150)
        assert proc.stdout is not None
        reported = [proc.stdout.readline() for _ in range(3 + kills * 2)]  # it is writing
        proc.kill()
        proc.wait(timeout=60)
        assert all(line.strip() for line in reported)
        with sqlite3.connect(data / FILE_NAME) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            recorded = [d for (d,) in db.execute("SELECT day FROM session ORDER BY day")]
        assert recorded == list(range(1, len(recorded) + 1))  # no gap, no half row
        assert recorded[-1] >= int(reported[-1])  # what it said it wrote is there


@pytest.mark.parametrize("garbage", [b"not a database at all" * 100,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_damaged_database_is_moved_aside_with_one_line(runner: CliRunner, tmp_path: Path,
                                                         garbage: bytes) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / FILE_NAME).write_bytes(garbage)
    result = runner.invoke(app, ["history", "--data-dir", str(data)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1, result.output
    assert "damaged" in result.output and "moved aside" in result.output
    kept = list(data.glob(f"{FILE_NAME}.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == garbage  # kept whole, not deleted
    # and the next command starts a new history
    assert "No session done yet" in _cli(runner, data, "history")


def test_a_newer_schema_is_refused_not_migrated(tmp_path: Path) -> None:
    with History.open(tmp_path):
        pass
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(HistoryError, match="newer cuecast"):
        History.open(tmp_path)
    assert (tmp_path / FILE_NAME).exists()


def test_the_history_follows_xdg_data_home(runner: CliRunner, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = runner.invoke(app, ["programme", "start", "desk-break-2-weeks"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xdg" / "cuecast" / FILE_NAME).is_file()


def test_the_database_is_wal_and_versioned(tmp_path: Path) -> None:
    with History.open(tmp_path):
        pass
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


@pytest.mark.end_to_end
def test_today_renders_day_one_then_week_two_grows_as_written(runner: CliRunner,
                                                              tmp_path: Path,
                                                              cache_dir: Path) -> None:
    from cuecast.script.timeline import read_cues

    from .audio_measure import decode

    data, output = tmp_path / "data", tmp_path / "output"
    _cli(runner, data, "programme", "start", "upper-back-4-weeks")
    first = _cli(runner, data, "today", "--output", str(output), "--cache-dir", str(cache_dir))
    day1 = output / "upper-back-4-weeks" / "day-01.mp3"
    assert f"Wrote: {day1}" in first and "Day 1 of 20" in first
    again = _cli(runner, data, "today", "--output", str(output), "--cache-dir", str(cache_dir))
    assert f"Ready: {day1}" in again  # nothing changed: nothing rendered
    programme = load_programme(ROOT / "programmes" / "upper-back-4-weeks.yaml")
    for _ in range(programme.sessions_per_week):  # the first week done
        _cli(runner, data, "done", "--felt", "right")
    week2 = _cli(runner, data, "today", "--output", str(output), "--cache-dir", str(cache_dir))
    day6 = output / "upper-back-4-weeks" / "day-06.mp3"
    assert f"Wrote: {day6}" in week2
    cues = read_cues(day6).timeline
    measured = len(decode(day6)) * 1000 / 44_100
    assert abs(measured - cues.duration_ms) <= 1050
    intro = [e.text for e in cues.events if e.cue == "intro"]
    assert "Day 6 of 20. Week 2. Holds are 35 seconds this week." in " ".join(intro)
    # every timed hold is the file's own plus the week's 5 s (or, past its ceiling, in sets)
    written = load_routine(ROUTINES / "neck-and-shoulders.yaml")
    for ex in written.exercises:
        blocks = [b for b in cues.blocks if name_key(b.exercise) == name_key(ex.name)]
        if ex.timing.hold_ms is not None:
            assert {b.end_ms - b.start_ms for b in blocks} == {ex.timing.hold_ms + 5000}
        else:
            assert {b.reps for b in blocks} == {(ex.timing.reps or 0) + 2}


def test_the_docs_example_is_a_valid_programme(tmp_path: Path) -> None:
    import re

    from cuecast.make.library import library_folder, routine_files
    doc = (ROOT / "docs" / "programmes.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", doc, flags=re.S) if "weeks:" in b]
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    programme = load_programme(path)
    assert programme.lighter_week == 4 and programme.days == 20
    names = routine_files(library_folder())
    assert all(s.routine in names for s in programme.sessions if s.routine)


def test_hard_twice_steps_the_plan_back_a_week(runner: CliRunner, tmp_path: Path) -> None:
    from cuecast.practice.daily import today

    data = tmp_path / "data"
    _cli(runner, data, "programme", "start", "upper-back-4-weeks")
    for felt in ["right"] * 6 + ["hard", "hard"]:  # week 1 (5 days), then week 2
        _cli(runner, data, "done", "--felt", felt)
    with History.open(data) as history:
        assert [s.level for s in history.sessions()] == [0, 0, 0, 0, 0, 1, 1, 1]
    nxt = today(data_dir=data)
    assert nxt is not None and nxt.next.day == 9 and nxt.next.level == 0
    assert nxt.plan.routine.introduction == (
        "Day 9 of 20. The last two sessions felt hard, so this one steps back a week.")
    written = load_routine(ROUTINES / "upper-back-pain.yaml")  # day 9: as in week 1
    assert [e.timing for e in nxt.plan.routine.exercises] == [e.timing for e in
                                                              written.exercises]
