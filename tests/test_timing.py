"""Table-driven: every timing notation people copy from articles, and nonsense refused."""

from __future__ import annotations

import pytest

from cuecast.script.notation import Timing, TimingError, format_duration, parse_timing

GOOD = [
    # exactly as the seed article writes them
    ("60 sec", Timing(hold_ms=60_000)),
    ("30 sec per side", Timing(hold_ms=30_000, per_side=True)),
    ("20 reps", Timing(reps=20)),
    ("12 reps", Timing(reps=12)),
    # the usual variants
    ("45 seconds", Timing(hold_ms=45_000)),
    ("1 min", Timing(hold_ms=60_000)),
    ("2 minutes", Timing(hold_ms=120_000)),
    ("90s", Timing(hold_ms=90_000)),
    ("1:30", Timing(hold_ms=90_000)),
    ("0:45", Timing(hold_ms=45_000)),
    ("30 sec each side", Timing(hold_ms=30_000, per_side=True)),
    ("10 reps per side", Timing(reps=10, per_side=True)),
    ("10 reps each side", Timing(reps=10, per_side=True)),
    ("1 minute 30 seconds", Timing(hold_ms=90_000)),
    ("1 min 30 sec", Timing(hold_ms=90_000)),
    ("1.5 min", Timing(hold_ms=90_000)),
    ("2.5 sec", Timing(hold_ms=2_500)),
    ("  60   SEC ", Timing(hold_ms=60_000)),
    ("60 sec.", Timing(hold_ms=60_000)),
    ("1 rep", Timing(reps=1)),
    ("8 repetitions", Timing(reps=8)),
    ("5 times", Timing(reps=5)),
    ("30 sec/side", Timing(hold_ms=30_000, per_side=True)),
    ("1:00 per side", Timing(hold_ms=60_000, per_side=True)),
]

BAD = [
    ("0 sec", "more than zero"),
    ("-5 sec", "negative"),
    ("99999 min", "too long"),
    ("31 min", "too long"),
    ("1.5 reps", "whole number"),
    ("0 reps", "above zero"),
    ("1000 reps", "too many"),
    ("a while", "not a timing"),
    ("60", "not a timing"),
    ("sec 60", "not a timing"),
    ("60 parsecs", "not a timing"),
    ("1:75", "not a timing"),
    ("", "not a timing"),
    ("30 sec per leg per side", "not a timing"),
    ("0.0001 sec", "whole number of milliseconds"),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_notation_parses(text: str, expected: Timing) -> None:
    assert parse_timing(text) == expected


@pytest.mark.parametrize(("text", "fragment"), BAD)
def test_nonsense_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(TimingError, match=fragment):
        parse_timing(text)


def test_refusal_names_the_accepted_forms() -> None:
    with pytest.raises(TimingError, match="30 sec per side"):
        parse_timing("a bit")


@pytest.mark.parametrize(("ms", "text"), [
    (30_000, "30 seconds"), (60_000, "1 minute"), (90_000, "1 minute 30 seconds"),
    (1_000, "1 second"), (120_000, "2 minutes"), (2_500, "2.5 seconds"),
])
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text


@pytest.mark.parametrize(("timing", "text"), [
    (Timing(hold_ms=30_000, per_side=True), "30 seconds each side"),
    (Timing(reps=20), "20 reps"),
    (Timing(reps=1, per_side=True), "1 rep each side"),
])
def test_describe(timing: Timing, text: str) -> None:
    assert timing.describe() == text
