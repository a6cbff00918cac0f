"""The routine page's form, both ways, without a server: fields from the options' one
declaration, and a submitted form read as the command line reads its options."""

from __future__ import annotations

import pytest

from cuecast.engines.registry import HibariOptions
from cuecast.errors import OptionError
from cuecast.script.loader import parse_routine
from cuecast.script.options import Customisation, settable
from cuecast.web.form import exercise_fields, fields, read_choice, session_stem

from .snippets import ROUTINE

ROUTINE_DATA = parse_routine(ROUTINE.encode(), "test.yaml")
"""Reach Up 12 s, Side Bend 6 s per side, Neck Hold 20 s, Knee Lifts 3 reps."""


@pytest.mark.parametrize(("form", "hold", "reps", "rest"), [
    ({}, {}, {}, None),
    ({"ex0": "12", "ex3": "3"}, {}, {}, None),  # as written: nothing customised
    ({"ex0": "30"}, {"Reach Up": 30}, {}, None),
    ({"ex1": "10", "ex3": "5"}, {"Side Bend": 10}, {"Knee Lifts": 5}, None),
    ({"ex2": " 45 ", "rest": "4"}, {"Neck Hold": 45}, {}, 4.0),
    ({"ex0": "1:30"}, {"Reach Up": 90}, {}, None),  # as the command line takes it
    ({"rest": ""}, {}, {}, None),  # an empty field is not given
])
def test_a_form_is_read_as_the_command_line_reads_options(
        form: dict[str, str], hold: dict[str, float], reps: dict[str, int],
        rest: float | None) -> None:
    choice = read_choice(ROUTINE_DATA, form)
    assert choice.options.hold == hold and choice.options.reps == reps
    assert choice.options.rest == (rest if rest is not None else Customisation().rest)
    assert ("rest" in choice.options.model_fields_set) == (rest is not None)
    assert choice.engine == HibariOptions() and choice.bed == "none"


@pytest.mark.parametrize(("form", "message"), [
    ({"rest": "abc"}, "--rest: must be a number, not 'abc'"),  # the options' own (test_options)
    ({"speed": "3"}, "--speed must be between 0.5 and 2, not 3"),
    ({"speed": "fast"}, "--speed: must be a number, not 'fast'"),
    ({"voice": "alloy"},  # the command line's words: `render --voice alloy`
     "--voice must be one of heart, emma, fenrir, fable, kore for --engine hibari, not 'alloy'"),
    ({"bed": "rain"}, "--bed: choose one of none, noise here, not 'rain'"),
    ({"ex0": "-3"}, "--hold 'Reach Up=-3': seconds must be above 0 and at most 1800"),
    ({"ex3": "2.5"}, "--reps 'Knee Lifts=2.5': reps must be a whole number from 1 to 500"),
])
def test_a_bad_value_is_the_command_lines_message(form: dict[str, str], message: str) -> None:
    with pytest.raises(OptionError) as caught:
        read_choice(ROUTINE_DATA, form)
    assert str(caught.value) == message


def test_every_settable_option_is_a_field_and_the_steppers_fit_their_timing() -> None:
    names = {f["name"] for f in fields(Customisation())}
    assert names == set(settable()) - {"hold", "reps", "skip"}  # per exercise: the rows
    rows = exercise_fields(ROUTINE_DATA)
    assert [(r["field"], r["value"], r["unit"]) for r in rows] == [
        ("ex0", "12", "s"), ("ex1", "6", "s per side"), ("ex2", "20", "s"),
        ("ex3", "3", "reps")]


def test_a_session_name_says_whether_it_was_customised() -> None:
    plain = read_choice(ROUTINE_DATA, {})
    longer = read_choice(ROUTINE_DATA, {"ex0": "30"})
    other_voice = read_choice(ROUTINE_DATA, {"voice": "emma"})
    assert session_stem("test-session", ROUTINE_DATA, plain) == "test-session"
    stems = {session_stem("test-session", ROUTINE_DATA, c) for c in (longer, other_voice)}
    assert len(stems) == 2 and all(s.startswith("test-session-custom-") for s in stems)
    assert session_stem("test-session", ROUTINE_DATA, longer) == \
        session_stem("test-session", ROUTINE_DATA, read_choice(ROUTINE_DATA, {"ex0": "30"}))


@pytest.mark.parametrize(("form", "skip"), [
    ({}, ()),  # a form without the boxes (an older page) leaves nothing out
    ({"includes": "1", "in0": "on", "in1": "on", "in2": "on", "in3": "on"}, ()),
    ({"includes": "1", "in0": "on", "in2": "on", "in3": "on"}, ("Side Bend",)),
    ({"includes": "1", "in3": "on"}, ("Reach Up", "Side Bend", "Neck Hold")),
])
def test_an_unticked_exercise_is_left_out(form: dict[str, str], skip: tuple[str, ...]) -> None:
    assert read_choice(ROUTINE_DATA, form).options.skip == skip


@pytest.mark.parametrize(("given", "seconds"), [("20:00", 1200), ("15m", 900), ("", None)])
def test_the_length_field_is_read_as_the_flag(given: str, seconds: int | None) -> None:
    assert read_choice(ROUTINE_DATA, {"length": given}).options.length == seconds


def test_the_length_field_starts_empty_or_as_the_routine_keeps_it() -> None:
    spec = next(f for f in fields(Customisation()) if f["name"] == "length")
    assert spec["kind"] == "text" and spec["value"] == ""
    kept = next(f for f in fields(Customisation(length="10m")) if f["name"] == "length")
    assert kept["value"] == "10:00"
    assert read_choice(ROUTINE_DATA, {"length": kept["value"]}).options.length == 600
