"""Routine text made true to the timer: durations and rep counts in steps are rewritten."""

from __future__ import annotations

import re
from typing import Final

from cuecast.timing import format_duration

_DURATION: Final = re.compile(
    r"\b\d+(?:\.\d+)?(?:\s+|-)(?:seconds?|secs?|minutes?|mins?)\b(?:\s+(?:and\s+)?\d+\s+seconds?)?",
    re.IGNORECASE)
_REPS: Final = re.compile(r"\b\d+\s+(reps?|repetitions?|times)\b", re.IGNORECASE)


def fit_text(text: str, *, hold_ms: int | None, reps: int | None) -> str:
    """Rewrite 'for 60 seconds' / 'for 12 repetitions' to the session's actual values.

    ``hold_ms`` is the length of one hold (or of a whole rep block), ``reps`` the rep count.
    """
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


def durations_in(text: str) -> list[str]:
    """Every duration phrase in ``text`` (used by tests and ``script --check``)."""
    return [m.group(0) for m in _DURATION.finditer(text)]
