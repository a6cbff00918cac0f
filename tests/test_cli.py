"""The command line as a person types it: options read, applied and refused in one line,
over the script it prints (cuecast script)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.script.loader import load_routine
from cuecast.script.options import Customisation
from cuecast.script.resolve import resolve_settings
from cuecast.script.steptext import DURATION

from .conftest import UPPER_BACK
from .snippets import SMALL
from .test_compiler import _phrase_ms


def _script_json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["script", str(UPPER_BACK), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_hold_and_scale_from_the_command_line(runner: CliRunner) -> None:
    doc = _script_json(runner, "--hold", "cat-cow=90", "--scale", "1.5")
    routine = load_routine(UPPER_BACK)
    article = {ex.name: ex.timing for ex in routine.exercises}
    for hold in doc["blocks"]:
        length = hold["end_ms"] - hold["start_ms"]
        timing = article[hold["exercise"]]
        if hold["exercise"] == "Cat-Cow":
            assert length == 90_000
        elif timing.hold_ms is not None:
            assert length == timing.hold_ms * 1.5
        else:
            assert hold["reps"] == timing.reps
    # every duration phrase that is spoken agrees with the timeline
    holds = {h["exercise"]: h["end_ms"] - h["start_ms"] for h in doc["blocks"]}
    for event in doc["events"]:
        if event["kind"] != "speech":
            continue
        for phrase in (m.group(0) for m in DURATION.finditer(event["text"])):
            if event["cue"] == "intro":
                continue  # "about N minutes", checked in test_intro_states_the_length
            ms = _phrase_ms(phrase)
            if event["cue"] == "warning":
                hold = next(h for h in doc["blocks"] if h["start_ms"] <= event["start_ms"]
                            < h["end_ms"])
                assert hold["end_ms"] - event["start_ms"] == ms
            else:
                assert ms == holds[event["exercise"]], (phrase, event)


def test_reps_override_and_defaults_in_file(tmp_path: Path, runner: CliRunner) -> None:
    doc = _script_json(runner, "--reps", "KNEE ROLLS=10", "--rest", "0")
    knee = next(h for h in doc["blocks"] if h["exercise"] == "Knee Rolls")
    assert knee["reps"] == 10 and knee["end_ms"] - knee["start_ms"] == 50_000
    assert not [e for e in doc["events"] if e["phase"] == "rest"]
    # routine defaults apply, and command-line options win over them
    text = SMALL.replace("title: Small", "title: Small\ndefaults: {scale: 2, rest: 3}")
    path = tmp_path / "d.yaml"
    path.write_text(text)
    routine = load_routine(path)
    assert resolve_settings(routine).scale == 2
    assert resolve_settings(routine, Customisation(scale=0.5)).scale == 0.5
    assert resolve_settings(routine).rest_ms == 3000


@pytest.mark.parametrize(("args", "fragment"), [
    (["--hold", "nonsense=10"], "no exercise named 'nonsense'"),
    (["--hold", "cat-cow=-3"], "--hold 'cat-cow=-3'"),
    (["--hold", "cat-cow"], "write NAME=SECONDS"),
    (["--hold", "knee rolls=30"], "counted in reps"),
    (["--reps", "cat-cow=3"], "timed hold"),
    (["--reps", "knee rolls=2.5"], "whole number"),
    (["--scale", "0"], "--scale"),
    (["--breath", "0:0"], "--breath"),
    (["--breath", "fast"], "--breath"),
    (["--rest", "-1"], "--rest"),
    (["--verbosity", "loud"], "--verbosity"),
])
def test_bad_options_exit_2_with_one_line(runner: CliRunner, args: list[str],
                                          fragment: str) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK), *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], lines


def test_unknown_name_lists_valid_names(runner: CliRunner) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK), "--hold", "cat cwo=30"])
    assert "did you mean 'Cat-Cow'" in result.stderr and "Seated Side Bend" in result.stderr


def test_text_script_lists_lines_and_total(runner: CliRunner) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK)])
    assert result.exit_code == 0
    assert "Stretch 3 of 9: Child’s Pose Side Stretch." in result.stdout
    assert "30 seconds each side." in result.stdout
    assert "Total " in result.stdout


def test_an_exercise_left_out_is_not_said_counted_or_announced(runner: CliRunner) -> None:
    doc = _script_json(runner, "--skip", "KNEE ROLLS", "--skip", "double v")
    assert {b["exercise"] for b in doc["blocks"]} >= {"Cat-Cow"}
    assert not {"Knee Rolls", "Double V"} & {b["exercise"] for b in doc["blocks"]}
    assert not any("Knee Rolls" in e["text"] or "Double V" in e["text"]
                   for e in doc["events"])
    intro = [e["text"] for e in doc["events"] if e["cue"] == "intro"]
    assert intro[1].startswith("7 exercises, about "), intro
    announced = [e["text"] for e in doc["events"] if e["cue"] == "announce"]
    assert announced[0] == "Stretch 1 of 7: Cat-Cow." and len(announced) == 7


@pytest.mark.parametrize(("args", "fragment"), [
    (["--skip", "knee roll"], "--skip: no exercise named 'knee roll'; did you mean 'Knee Rolls'?"),
    ([arg for name in ("Cat-Cow", "Child's Pose", "Child's Pose Side Stretch", "Double V",
                       "Knee Rolls", "Arm Slide on Wall", "Upper Trap-Neck Stretch",
                       "Seated Twist", "Seated Side Bend") for arg in ("--skip", name)],
     "--skip: that leaves no exercise to do"),
])
def test_a_bad_skip_is_one_line(runner: CliRunner, args: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK), *args])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], lines

