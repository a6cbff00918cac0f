"""Routine text made true to the timer: timing clauses in steps dropped or rewritten.

Articles write timings every way: digits or words ("one minute", "a minute", "half a minute",
"thirty seconds"), ranges ("30 to 60 seconds", "1-2 minutes"), hyphenated ("a 30-second
hold"), counts ("10 times", "for five breaths"). The rules are a table (:data:`RULES`), the
machinery one function, as gTTS keeps its tokenizer's cases apart from its core.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cuecast.script.notation import format_duration

NUMBER_WORDS: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60,
    "ninety": 90, "a": 1, "an": 1,
}
_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUMBER = (r"(?:\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty)[- ](?:one|two|three|four|five|six|"
           rf"seven|eight|nine)|{_WORD})")
_QUANTITY = (rf"(?:half\s+an?|an?\s+half|a\s+couple\s+of|a\s+few|several|{_NUMBER}"
             rf"(?:\s+and\s+a\s+half)?)")
_SPAN = rf"{_QUANTITY}(?:\s*(?:-|–|—|to|or)\s*{_QUANTITY})?"
_TIME_UNIT = r"(?:seconds?|secs?|minutes?|mins?)\b"
_COUNT_UNIT = r"(?:(?:deep|slow|full|long)\s+)?(?:breaths?|reps?|repetitions?|times)\b"


def _time(joint: str) -> str:
    """A length of time, its number and unit joined by ``joint`` (a space; or a hyphen too)."""
    one = rf"{_SPAN}{joint}{_TIME_UNIT}(?:\s+(?:and\s+)?{_SPAN}\s+{_TIME_UNIT})?"
    return rf"{one}(?:\s*(?:-|–|—|to|or)\s*{one})?"


_TIME = _time(r"(?:\s+|-)")
_SPACED_TIME = _time(r"\s+")
_COUNT = rf"{_SPAN}\s+{_COUNT_UNIT}"
_SIDE = r"(?:\s+(?:on\s+)?(?:each|per|every|the\s+other)\s+side)?"
_ABOUT = r"(?:(?:about|around|roughly|approximately|up\s+to|at\s+least|another)\s+)?"

DURATION: Final = re.compile(rf"\b{_TIME}", re.IGNORECASE)
"""A length of time in any of the forms above."""
_ADJECTIVE: Final = re.compile(rf"\b{_SPAN}-(?:second|minute)\b", re.IGNORECASE)
_REPS: Final = re.compile(rf"\b{_SPAN}\s+(reps?|repetitions?|times)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """One way articles write a timing clause, and what becomes of it."""

    name: str
    pattern: re.Pattern[str]
    fix: Callable[[re.Match[str], int | None, int | None], str]
    """(match, hold_ms, reps) -> the replacement text."""


def _within_a_rep(m: re.Match[str], reps: int | None) -> bool:
    """A few seconds inside a rep exercise ("hold for two seconds, then release") is part of
    the movement, not the exercise's length: it stays."""
    if reps is None:
        return False
    found = re.search(rf"({_NUMBER})[\s-]+(seconds?|secs?)\b", m.group(0), re.IGNORECASE)
    if found is None:
        return False
    number = found.group(1).lower()
    seconds = float(number) if number[0].isdigit() else NUMBER_WORDS.get(number, 99)
    return seconds < REP_MOMENT_S


REP_MOMENT_S: Final = 10
"""Shorter than this, a time in a rep exercise's steps is a moment within each rep."""


def _drop(m: re.Match[str], hold_ms: int | None, reps: int | None) -> str:
    return m.group(0) if _within_a_rep(m, reps) else ""


def _capital(m: re.Match[str], hold_ms: int | None, reps: int | None) -> str:
    return m.group(0) if _within_a_rep(m, reps) else m.group("next").upper()


def _length(m: re.Match[str], hold_ms: int | None, reps: int | None) -> str:
    if hold_ms is None or m.group(0).lower() in _IDIOMS or _within_a_rep(m, reps):
        return m.group(0)
    return format_duration(hold_ms)


_IDIOMS: Final = frozenset({"a second", "a sec", "a minute or two"})
"""Said as figures of speech ("take a second to notice"), not lengths."""


def _adjective(m: re.Match[str], hold_ms: int | None, reps: int | None) -> str:
    if hold_ms is None:
        return m.group(0)
    if hold_ms % 60_000 == 0:
        return f"{hold_ms // 60_000}-minute"
    return f"{hold_ms / 1000:g}-second"


def _count(m: re.Match[str], hold_ms: int | None, reps: int | None) -> str:
    if reps is None:
        return m.group(0)
    word = m.group(1).lower()
    if word == "times":
        return f"{reps} {'time' if reps == 1 else 'times'}"
    stem = word.rstrip("s")
    return f"{reps} {stem if reps == 1 else stem + 's'}"


RULES: Final = (
    # "Hold for 30 seconds, then switch" -> "Hold, then switch": the voice says the length
    Rule("for-clause", re.compile(rf",?\s+for\s+{_ABOUT}(?:{_TIME}|{_COUNT}){_SIDE}",
                                  re.IGNORECASE), _drop),
    # "For 30 seconds, breathe deeply" / "After 30 seconds, switch sides" -> the rest
    Rule("leading-clause", re.compile(
        rf"\b(?:for|after|once|in)\s+{_ABOUT}(?:{_TIME}|{_COUNT}){_SIDE},\s+(?P<next>\w)",
        re.IGNORECASE), _capital),
    # "a 30-second hold" -> "a 90-second hold"
    Rule("adjective", _ADJECTIVE, _adjective),
    # "Stay here 2 minutes" -> "Stay here 1 minute 30 seconds": any length left is the hold's
    Rule("length", re.compile(rf"\b{_ABOUT}{_SPACED_TIME}", re.IGNORECASE), _length),
    # "Repeat 10 times" -> "Repeat 20 times" (reps only)
    Rule("count", _REPS, _count),
)
"""Applied in order to each step and purpose."""


def fit_text(text: str, *, hold_ms: int | None, reps: int | None) -> str:
    """Make routine text agree with the timer, whatever the user customised.

    Timing clauses are dropped ('hold for 30 seconds, then switch' -> 'hold, then switch';
    'After 30 seconds, switch sides' -> 'Switch sides'): the voice announces the length and
    the countdown ends it, and step clips stay the same when only timings change. Any other
    length or rep count left is rewritten to the actual value (``hold_ms``: one hold or a
    whole rep block; ``reps``: the rep count).
    """
    for rule in RULES:
        fix = rule.fix
        text = rule.pattern.sub(lambda m: fix(m, hold_ms, reps), text)  # noqa: B023
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()
