"""Routine text made true to the timer: durations and rep counts in steps are rewritten."""

from __future__ import annotations

import re
from typing import Final

from cuecast.timing import format_duration

_DURATION: Final = re.compile(
    r"\b\d+(?:\.\d+)?(?:\s+|-)(?:seconds?|secs?|minutes?|mins?)\b(?:\s+(?:and\s+)?\d+\s+seconds?)?",
    re.IGNORECASE)
_REPS: Final = re.compile(r"\b\d+\s+(reps?|repetitions?|times)\b", re.IGNORECASE)


_AMOUNT: Final = (r"\d+(?:\.\d+)?(?:\s+|-)(?:seconds?|secs?|minutes?|mins?|reps?|repetitions?|"
                  r"times)\b")
_FOR_CLAUSE: Final = re.compile(rf"\s+for\s+{_AMOUNT}", re.IGNORECASE)
_AFTER_CLAUSE: Final = re.compile(rf"\bAfter\s+{_AMOUNT},?\s+(\w)", re.IGNORECASE)


def fit_text(text: str, *, hold_ms: int | None, reps: int | None) -> str:
    """Make step text agree with the timer, whatever the user customised.

    Timing clauses are dropped ('hold for 30 seconds, then switch' -> 'hold, then switch';
    'After 30 seconds, switch sides' -> 'Switch sides'): the voice announces the length and
    the countdown ends it, and step clips stay the same when only timings change. Any other
    duration or rep count left is rewritten to the actual value (``hold_ms``: one hold or a
    whole rep block; ``reps``: the rep count).
    """
    text = _FOR_CLAUSE.sub("", text)
    text = _AFTER_CLAUSE.sub(lambda m: m.group(1).upper(), text)
    if hold_ms is not None:
        text = _DURATION.sub(format_duration(hold_ms), text)
    if reps is not None:
        text = _REPS.sub(lambda m: f"{reps} {_plural(m.group(1), reps)}", text)
    return text


def _plural(word: str, n: int) -> str:
    word = word.lower()
    if word == "times":
        return "time" if n == 1 else "times"
    stem = word.rstrip("s")
    return stem if n == 1 else stem + "s"
