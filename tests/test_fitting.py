"""Fitting a session to a length, table-driven: every library routine at several lengths and
voice speeds lasts the length asked within a second; what cannot be fitted says the shortest
or longest possible length in one line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.errors import OptionError
from cuecast.script.compiler import compile_session, estimate_ms, fitted
from cuecast.script.fitting import FLOOR_MS, ROUND_MS, TOLERANCE_MS
from cuecast.script.loader import load_routine, parse_routine
from cuecast.script.notation import parse_length
from cuecast.script.options import customisation
from cuecast.script.resolve import Settings, resolve_settings
from cuecast.script.routine import MAX_SETS, Routine, name_key
from cuecast.script.steptext import DURATION
from cuecast.script.timeline import Timeline

from .conftest import ROUTINES, UPPER_BACK
from .snippets import SMALL
from .test_compiler import _check_invariants, _phrase_ms

VOICES: dict[str, Callable[[str], int]] = {
    "estimate": estimate_ms,
    "fast": lambda text: 100 + 20 * len(text),
    "slow": lambda text: 400 + 90 * len(text),
}


def _fit(routine: Routine, duration: Callable[[str], int], **given: object
         ) -> tuple[Settings, Timeline]:
    settings = resolve_settings(routine, customisation(given))
    return fitted(routine, settings, duration), compile_session(routine, settings, duration)


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize(("routine", "minutes"), [
    ("upper-back-pain", 19), ("upper-back-pain", 25), ("upper-back-pain", 40),
    ("neck-and-shoulders", 10), ("neck-and-shoulders", 20),
    ("lower-back", 12), ("lower-back", 30),
    ("desk-hips", 10), ("desk-hips", 20),
    ("morning-mobility", 15),
    ("bedtime-wind-down", 8), ("bedtime-wind-down", 25),
    ("box-breathing", 10),
])
def test_a_fitted_session_lasts_the_length_asked(routine: str, minutes: int,
                                                 voice: str) -> None:
    r = load_routine(ROUTINES / f"{routine}.yaml")
    settings, timeline = _fit(r, VOICES[voice], length=f"{minutes}m")
    assert abs(timeline.duration_ms - minutes * 60_000) <= TOLERANCE_MS
    assert timeline == compile_session(r, settings, VOICES[voice])  # the fit is its holds
    _check_invariants(r, settings, timeline)
    for ex in r.exercises:
        if ex.timing.reps is not None:  # reps are never fitted
            assert settings.rep_count(ex) == ex.timing.reps
        else:  # as a coach sets them: round, never over the ceiling, sets beyond it
            hold = settings.hold_ms(ex)
            assert hold is not None and hold % ROUND_MS == 0, (ex.name, hold)
            assert min(FLOOR_MS, ex.timing.hold_ms or 0) <= hold
            assert hold <= max(ex.ceiling_ms(), ex.timing.hold_ms or 0)
            assert 1 <= settings.set_count(ex) <= MAX_SETS
            sets = [b for b in timeline.blocks if b.exercise == ex.name]
            assert len(sets) == settings.set_count(ex) * (2 if ex.timing.per_side else 1)
    # the announced lengths follow the fitted holds: the words never contradict the timer
    held = {b.exercise: b.end_ms - b.start_ms for b in timeline.blocks if b.reps is None}
    for event in timeline.events:
        if event.cue in ("timing", "next") and event.exercise in held:
            spoken = [_phrase_ms(m.group(0)) for m in DURATION.finditer(event.text)]
            assert spoken == ([held[event.exercise]] if spoken or event.cue == "timing"
                              else []), event


def test_the_holds_keep_their_proportions() -> None:
    r = load_routine(UPPER_BACK)  # 60 s and 30 s per side holds
    settings, _ = _fit(r, estimate_ms, length="30m")
    by_name = {ex.name: settings.hold_ms(ex) for ex in r.exercises}
    cat_cow, double_v = by_name["Cat-Cow"], by_name["Double V"]
    assert cat_cow is not None and double_v is not None
    # each hold's whole time (over its sets) keeps the routine's proportion, in 5 s steps
    total = {ex.name: settings.hold_ms(ex) * settings.set_count(ex)  # type: ignore[operator]
             for ex in r.exercises if ex.timing.hold_ms is not None}
    assert abs(total["Cat-Cow"] - 2 * total["Double V"]) <= 4 * ROUND_MS
    fitted_holds = [h for ex in r.exercises if (h := settings.hold_ms(ex)) is not None]
    assert all(h % ROUND_MS == 0 for h in fitted_holds)  # as a person sets them


def test_holds_set_one_by_one_are_kept() -> None:
    r = load_routine(UPPER_BACK)
    settings, timeline = _fit(r, estimate_ms, length="22m", hold={"cat-cow": 45})
    cat_cow = next(b for b in timeline.blocks if b.exercise == "Cat-Cow")
    assert cat_cow.end_ms - cat_cow.start_ms == 45_000
    assert abs(timeline.duration_ms - 22 * 60_000) <= TOLERANCE_MS
    assert settings.holds[name_key("Child's Pose")] != 60_000  # the others moved


@pytest.mark.parametrize(("length", "words"), [
    ("2m", "lasts at least"),
    ("1:30:00", "lasts at most"),
])
def test_out_of_reach_says_the_shortest_or_longest_length(length: str, words: str) -> None:
    r = load_routine(UPPER_BACK)
    with pytest.raises(OptionError, match=words) as caught:
        _fit(r, estimate_ms, length=length)
    # the length it names is the routine laid out at the floors (or ceilings)
    named = re.search(r"(\d+:)?\d\d:\d\d \(", str(caught.value))
    assert named is not None
    timed = [e for e in r.exercises if e.timing.hold_ms is not None]
    shortest = "least" in words
    holds = {name_key(e.name): FLOOR_MS if shortest else e.ceiling_ms() for e in timed}
    sets = {name_key(e.name): 1 if shortest else MAX_SETS for e in timed}
    laid = compile_session(r, Settings(**{**_plain(r), "holds": holds, "sets": sets}),
                           estimate_ms)
    parts = [int(p) for p in named.group(0)[:-2].split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    assert seconds == (laid.duration_ms + 500) // 1000  # to the nearest second


def _plain(r: Routine) -> dict[str, object]:
    s = resolve_settings(r)
    return {f: getattr(s, f) for f in ("rest_ms", "changeover_ms", "step_pause_ms",
                                       "lead_in_ms", "countdown", "chimes")}


def test_nothing_to_fit_is_said() -> None:
    only_reps = parse_routine(b"""
title: Reps
exercises:
  - {name: Squats, timing: 10 reps, steps: [Stand.]}
""", "reps.yaml")
    with pytest.raises(OptionError, match="nothing to fit"):
        _fit(only_reps, estimate_ms, length="10m")


@pytest.mark.parametrize(("given", "ms"), [
    ("15m", 900_000), ("15 min", 900_000), ("15:00", 900_000), ("900", 900_000),
    (900, 900_000), ("1:05:00", 3_900_000), ("1.5h", 5_400_000), ("90s", 90_000),
    ("12.5 minutes", 750_000),
])
def test_length_notation(given: object, ms: int) -> None:
    assert parse_length(given) == ms


@pytest.mark.parametrize(("given", "fragment"), [
    ("abc", "not a length"), ("15x", "not a length"), ("1:75", "up to 59"),
    ("30", "out of range"), ("4h", "out of range"), ("-5m", "not a length"),
    (True, "not a length"),
])
def test_bad_length_notation(given: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_length(given)


def test_script_json_lasts_the_length_asked(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK), "--length", "25m", "--json",
                                 "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert abs(json.loads(result.stdout)["duration_ms"] - 25 * 60_000) <= TOLERANCE_MS


@pytest.mark.parametrize(("length", "fragment"), [
    ("2m", "lasts at least"), ("abc", "--length: 'abc' is not a length"),
])
def test_a_length_out_of_reach_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path,
                                                      length: str, fragment: str) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK), "--length", length,
                                 "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], lines


def test_a_routine_keeps_its_length_in_defaults_and_the_flag_wins(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL.replace("title: Small", "title: Small\ndefaults: {length: '6:00'}"))
    r = load_routine(path)
    assert resolve_settings(r).length_ms == 360_000
    assert abs(compile_session(r, resolve_settings(r), estimate_ms).duration_ms
               - 360_000) <= TOLERANCE_MS
    wider = resolve_settings(r, customisation({"length": "8m"}))
    assert abs(compile_session(r, wider, estimate_ms).duration_ms - 480_000) <= TOLERANCE_MS


def _announced_ms(timeline: Timeline) -> list[int]:
    """Every length the session says (announcements and rests)."""
    return [_phrase_ms(m.group(0)) for e in timeline.events if e.cue in ("timing", "next")
            for m in DURATION.finditer(e.text)]


def test_forty_minutes_of_neck_is_filled_with_sets_not_five_minute_holds(
        runner: CliRunner) -> None:
    result = runner.invoke(app, ["script", str(ROUTINES / "neck-and-shoulders.yaml"),
                                 "--length", "40m", "--json"])
    assert result.exit_code == 0, result.output
    timeline = Timeline.from_json(json.loads(result.stdout))
    assert abs(timeline.duration_ms - 40 * 60_000) <= TOLERANCE_MS
    routine = load_routine(ROUTINES / "neck-and-shoulders.yaml")
    ceilings = {ex.name: max(ex.ceiling_ms(), ex.timing.hold_ms or 0)
                for ex in routine.exercises}
    for block in timeline.blocks:
        if block.reps is None:
            assert block.end_ms - block.start_ms <= ceilings[block.exercise], block
    assert any(e.cue == "set" for e in timeline.events)  # the time beyond: sets
    assert all(ms % ROUND_MS == 0 for ms in _announced_ms(timeline))


@pytest.mark.parametrize(("focus", "minutes"), [(("neck", "upper-back"), 20),
                                                (("hips",), 12), (("hamstrings",), 30)])
def test_every_length_a_composed_session_says_is_round(focus: tuple[str, ...],
                                                       minutes: int) -> None:
    from cuecast.make.compose import compose
    from cuecast.make.library import library_folder, routine_files
    from cuecast.script.options import ComposeOptions

    composed = compose(library=list(routine_files(library_folder()).values()),
                       request=ComposeOptions(focus=focus, length=minutes * 60))  # type: ignore[arg-type]
    routine = composed.routine
    timeline = compile_session(routine, resolve_settings(routine), estimate_ms)
    assert abs(timeline.duration_ms - minutes * 60_000) <= TOLERANCE_MS
    said = _announced_ms(timeline)
    assert said and all(ms % ROUND_MS == 0 for ms in said), said
