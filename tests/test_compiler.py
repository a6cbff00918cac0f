"""The compiler: exact holds under any voice speed, no overlaps, drops reported, golden output."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cuecast.script.compiler import GAP_MS, compile_session, estimate_ms
from cuecast.script.loader import load_routine, parse_routine
from cuecast.script.resolve import Settings, resolve_settings
from cuecast.script.routine import Routine, name_key
from cuecast.script.steptext import NUMBER_WORDS
from cuecast.script.timeline import CHIME_MS, Timeline

from .conftest import UPPER_BACK
from .snippets import SMALL

GOLDEN = Path(__file__).parent / "golden"


DURATIONS: dict[str, Callable[[str], int]] = {
    "fast": lambda text: 100 + 20 * len(text),
    "estimate": estimate_ms,
    "slow": lambda text: 400 + 90 * len(text),
    "glacial": lambda text: 1500 + 200 * len(text),  # cues must be dropped
}


def _small() -> Routine:
    return parse_routine(SMALL.encode(), "small.yaml")


SETTINGS = {
    "default": Settings(),
    "scaled": Settings(scale=1.5, rest_ms=0, changeover_ms=0, tempo_ms=3000),
    "brief": Settings(verbosity="brief", countdown=False, inhale_ms=3000, exhale_ms=3000),
    "override": Settings(holds={"neckroll": 7000}, reps={"catcow": 9}),
    "sets": Settings(sets={"neckroll": 3, "catcow": 2}, slack_ms=4321),
}


def _check_invariants(routine: Routine, settings: Settings, tl: Timeline) -> None:
    speech = tl.speech()
    for a, b in zip(speech, speech[1:]):
        assert a.end_ms <= b.start_ms, f"overlap: {a} / {b}"
    chimes = [e for e in tl.events if e.kind == "chime"]
    for a, b in zip(chimes, chimes[1:]):
        assert a.end_ms <= b.start_ms
    assert all(0 <= e.start_ms < e.end_ms <= tl.duration_ms for e in tl.events)
    # chapters cover the session without gaps
    assert tl.chapters[0].start_ms == 0 and tl.chapters[-1].end_ms == tl.duration_ms
    for a, b in zip(tl.chapters, tl.chapters[1:]):
        assert a.end_ms == b.start_ms and a.start_ms < a.end_ms
    by_name = {ex.name: ex for ex in routine.exercises}
    for hold in tl.blocks:
        ex = by_name[hold.exercise]
        expected = settings.hold_ms(ex)
        if expected is None:
            tempo = round(ex.tempo * 1000) if ex.tempo else settings.tempo_ms
            assert hold.reps == settings.rep_count(ex)
            expected = (hold.reps or 0) * tempo
        assert hold.end_ms - hold.start_ms == expected
        # a chime at the exact start and the end; the release line at the exact end
        starts = [e for e in chimes if e.start_ms == hold.start_ms and e.text == "start"]
        ends = [e for e in chimes if e.start_ms == hold.end_ms and e.text == "end"]
        assert starts and ends
        release = [e for e in speech if e.start_ms == hold.end_ms]
        assert [e.cue for e in release] == ["release"]
        inside = [e for e in speech if hold.start_ms <= e.start_ms < hold.end_ms]
        assert all(e.end_ms <= hold.end_ms - GAP_MS for e in inside)
        assert all(e.side == hold.side for e in inside)
    for ex in routine.exercises:
        blocks = [h for h in tl.blocks if h.exercise == ex.name]
        sets = settings.set_count(ex)
        assert len(blocks) == (2 if ex.timing.per_side else 1) * sets
        if ex.timing.per_side:  # every set both sides, the first side first
            for first, second in zip(blocks[::2], blocks[1::2]):
                assert first.end_ms - first.start_ms == second.end_ms - second.start_ms
                assert {first.side, second.side} == {"left", "right"}
                assert first.side == ex.first_side
        # each set after the first is announced in the rest before it
        announced = [e for e in speech if e.cue == "set" and e.exercise == ex.name]
        assert len(announced) == sets - 1
        step = 2 if ex.timing.per_side else 1
        for said, block in zip(announced, blocks[step::step]):
            assert blocks[0].start_ms < said.end_ms <= block.start_ms


@pytest.mark.parametrize("speed", DURATIONS)
@pytest.mark.parametrize("which", SETTINGS)
def test_invariants_hold_for_every_voice_speed(speed: str, which: str) -> None:
    routine, settings = _small(), SETTINGS[which]
    tl = compile_session(routine, settings, DURATIONS[speed])
    _check_invariants(routine, settings, tl)


@pytest.mark.parametrize("speed", DURATIONS)
def test_upper_back_invariants(speed: str) -> None:
    routine = load_routine(UPPER_BACK)
    tl = compile_session(routine, Settings(), DURATIONS[speed])
    _check_invariants(routine, Settings(), tl)
    assert len(tl.chapters) == 11
    assert len(tl.blocks) == 14


def test_slow_voice_drops_low_priority_cues_and_reports_them() -> None:
    routine = _small()
    fast = compile_session(routine, Settings(), DURATIONS["fast"])
    glacial = compile_session(routine, Settings(), DURATIONS["glacial"])
    # a quick voice loses a few breath prompts to the warnings, nothing else
    assert {d.text for d in fast.dropped} <= {"Breathe in.", "Breathe out.", "Inhale.",
                                              "Exhale."}
    assert len(glacial.dropped) > len(fast.dropped)
    assert any(d.text in ("Three.", "Ten seconds left.") for d in glacial.dropped)
    kept = {e.text for e in glacial.speech()}
    dropped = {d.text for d in glacial.dropped}
    # what was dropped is really absent where it was meant to be
    for d in glacial.dropped:
        assert not any(e.start_ms == d.at_ms and e.text == d.text for e in glacial.speech())
    assert "Release." in kept and "Release." not in dropped
    # the countdown goes as a whole or not at all
    for hold in glacial.blocks:
        counts = [e for e in glacial.speech() if e.cue == "countdown"
                  and hold.start_ms <= e.start_ms < hold.end_ms]
        assert len(counts) in (0, 3)


def test_countdown_ends_exactly_at_release() -> None:
    tl = compile_session(_small(), Settings(), DURATIONS["fast"])
    hold = tl.blocks[0]
    counts = [e for e in tl.speech() if e.cue == "countdown" and e.exercise == "Neck Roll"]
    assert [(e.text, hold.end_ms - e.start_ms) for e in counts] == [
        ("Three.", 3000), ("Two.", 2000), ("One.", 1000)]
    warn = [e for e in tl.speech() if e.cue == "warning" and e.exercise == "Neck Roll"]
    assert [hold.end_ms - e.start_ms for e in warn] == [10_000]


def test_reps_counted_with_phrases_first_then_counts_alone() -> None:
    tl = compile_session(_small(), Settings(), DURATIONS["fast"])
    hold = next(h for h in tl.blocks if h.exercise == "Cat-Cow")
    lines = [(e.start_ms - hold.start_ms, e.text) for e in tl.speech()
             if e.exercise == "Cat-Cow" and hold.start_ms <= e.start_ms <= hold.end_ms]
    assert lines == [
        (0, "One, inhale, belly down."), (2000, "Exhale, round up."),
        (4000, "Two, inhale, belly down."), (6000, "Exhale, round up."),
        (8000, "Three."), (12000, "Four."), (16000, "Five."), (20000, "And relax."),
    ]


@pytest.mark.parametrize(("ms_per_char", "exhale_at", "exhale"), [
    (20, 2000, "Exhale, round up."),  # short lines: the exhale is on the half beat
    (50, 2000, "Exhale, round up."),  # the inhale line ends before the half beat: it waits
    (80, 2270, "Exhale, round up."),  # it runs past the half beat: the exhale follows it
    (110, 2990, "Exhale."),  # no room for the movement's phrase: the plain word, not nothing
])
def test_rep_exhale_follows_a_long_inhale_line(ms_per_char: int, exhale_at: int,
                                               exhale: str) -> None:
    def duration(text: str) -> int:
        return 100 + ms_per_char * len(text) if "," in text else 300

    tl = compile_session(_small(), Settings(), duration)
    hold = next(h for h in tl.blocks if h.exercise == "Cat-Cow")
    first = [e for e in tl.speech() if e.exercise == "Cat-Cow"
             and hold.start_ms <= e.start_ms < hold.start_ms + 4000]
    assert [e.text for e in first] == ["One, inhale, belly down.", exhale]
    assert first[1].start_ms - hold.start_ms == exhale_at
    assert not [d for d in tl.dropped if d.exercise == "Cat-Cow"]


def test_second_side_is_not_narrated_with_first_side_steps() -> None:
    tl = compile_session(_small(), Settings(), DURATIONS["fast"])
    first, second = [h for h in tl.blocks if h.exercise == "Side Reach"]
    between = [e.text for e in tl.speech() if first.end_ms < e.start_ms < second.start_ms]
    assert between == ["Switch sides. Now the other side."]
    assert second.start_ms - first.end_ms >= Settings().changeover_ms


def test_brief_verbosity_skips_purpose_and_steps() -> None:
    full = compile_session(_small(), Settings(), DURATIONS["fast"])
    brief = compile_session(_small(), Settings(verbosity="brief"), DURATIONS["fast"])
    assert {e.cue for e in full.speech()} >= {"purpose", "step"}
    assert not {e.cue for e in brief.speech()} & {"purpose", "step"}
    assert brief.duration_ms < full.duration_ms


def test_step_durations_agree_with_the_customised_hold() -> None:
    tl = compile_session(_small(), Settings(holds={"neckroll": 45_000}), DURATIONS["fast"])
    steps = [e.text for e in tl.speech() if e.cue == "step" and e.exercise == "Neck Roll"]
    assert steps == ["Sit tall.", "Hold."]  # the timing clause is dropped, never contradicted
    timing = [e.text for e in tl.speech() if e.cue == "timing" and e.exercise == "Neck Roll"]
    assert timing == ["45 seconds."]


def test_intro_states_the_length() -> None:
    tl = compile_session(load_routine(UPPER_BACK), Settings(), DURATIONS["slow"])
    intro = tl.speech()[1].text
    minutes = int(re.search(r"about (\d+) minutes", intro).group(1))  # type: ignore[union-attr]
    assert minutes == round(tl.duration_ms / 60_000)
    assert tl.speech()[0].text == "9 Gentle Stretches to Release Upper Back Pain."
    assert intro.startswith("9 exercises, about")


def test_chime_lengths_are_the_declared_ones() -> None:
    tl = compile_session(_small(), Settings(), DURATIONS["fast"])
    for e in tl.events:
        if e.kind == "chime":
            assert e.end_ms - e.start_ms == CHIME_MS[e.text]  # type: ignore[index]


def test_golden_timeline() -> None:
    """The small routine with the 'fast' voice, pinned to the millisecond.

    Regenerate after a deliberate change with CUECAST_REGEN=1 and review the diff.
    """
    tl = compile_session(_small(), Settings(), DURATIONS["fast"])
    got = [[e.start_ms, e.end_ms, e.kind, e.phase, e.side, e.text] for e in tl.events]
    got_doc = {"duration_ms": tl.duration_ms, "events": got,
               "blocks": [[h.exercise, h.side, h.start_ms, h.end_ms, h.reps] for h in tl.blocks]}
    path = GOLDEN / "small-fast.json"
    if os.environ.get("CUECAST_REGEN"):
        rows = lambda key: ",\n".join(  # noqa: E731 (one row per event keeps diffs readable)
            "  " + json.dumps(row, ensure_ascii=False) for row in got_doc[key])
        path.write_text(f'{{"duration_ms": {tl.duration_ms},\n"events": [\n{rows("events")}\n],\n'
                        f'"blocks": [\n{rows("blocks")}\n]}}\n', encoding="utf-8")
    assert got_doc == json.loads(path.read_text(encoding="utf-8"))


# --- customising from the command line ---

def _phrase_ms(phrase: str) -> int:
    total = 0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?|[a-z]+)\s*(minute|min|second|sec)",
                                   phrase.lower()):
        value = float(number) if number[0].isdigit() else NUMBER_WORDS[number]
        total += round(value * (60_000 if unit.startswith("min") else 1000))
    return total


def test_name_key_is_case_and_punctuation_insensitive() -> None:
    assert name_key("Child’s Pose") == name_key("childs pose") == name_key("CHILD'S-POSE")


@pytest.mark.parametrize(("rhythm", "expected"), [
    (None, ["Breathe in.", "Breathe out.", "Breathe in.", "Breathe out."]),  # session 4:6
    ('"off"', []),
    ('"3:3"', ["Breathe in.", "Breathe out."] * 2),
    ('"4:7:8"', ["Breathe in.", "Hold.", "Breathe out."]),  # a 19 s breath: one fits
])
def test_exercise_rhythm(rhythm: str | None, expected: list[str]) -> None:
    text = ("title: T\nexercises:\n  - name: Rest\n    timing: 30 sec\n    steps: [Lie down.]\n"
            + (f"    rhythm: {rhythm}\n" if rhythm else ""))
    routine = parse_routine(text.encode(), "t.yaml")
    tl = compile_session(routine, Settings(countdown=False), DURATIONS["fast"])
    got = [e.text for e in tl.speech() if e.cue == "breath"]
    assert got[:len(expected)] == expected and (got == [] if not expected else True)
    starts = [e.start_ms for e in tl.speech() if e.cue == "breath"]
    if rhythm == '"4:7:8"':
        assert [b - a for a, b in zip(starts, starts[1:])] == [4000, 7000]  # in 4, hold 7
    if rhythm == '"3:3"':
        assert [b - a for a, b in zip(starts, starts[1:])][:3] == [3000, 3000, 3000]


def test_the_cue_kinds_are_the_contract_and_the_docs_list_them() -> None:
    """``Cue`` names every kind the compiler emits (a Literal: mypy holds the compiler to
    it), each is emitted by some library session, and docs/timeline.md lists exactly them;
    the compiler's own words are some of them."""
    from typing import get_args

    from cuecast.script.compiler import OWN_WORDS
    from cuecast.script.timeline import Cue

    from .conftest import ROOT, ROUTINES

    emitted = {e.cue for path in sorted(ROUTINES.glob("*.yaml"))
               for e in compile_session(load_routine(path), resolve_settings(load_routine(path)),
                                        estimate_ms).events}
    assert emitted == set(get_args(Cue))
    assert emitted > OWN_WORDS
    doc = (ROOT / "docs" / "timeline.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `events[].cue` |"))
    assert re.findall(r"`(\w+)`", row.split("|")[2]) == list(get_args(Cue))
