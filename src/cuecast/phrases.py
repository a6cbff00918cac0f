"""What the voice says: every fixed phrase and the number words, kept apart from the layout."""

from __future__ import annotations

from typing import Final

from cuecast.timing import format_duration

BEGIN: Final = "Begin."
RELEASE: Final = "Release."
RELAX: Final = "And relax."
HALFWAY: Final = "Halfway."
TEN_LEFT: Final = "Ten seconds left."
SWITCH: Final = "Switch sides. Now the other side."
BREATHE_IN: Final = "Breathe in."
BREATHE_OUT: Final = "Breathe out."
INHALE: Final = "Inhale."
EXHALE: Final = "Exhale."
HOLD_BREATH: Final = "Hold."
LEAD_IN: Final = "Find a mat and a quiet space. Let's begin."
OUTRO: Final = "That's the end of the session. Well done, and take a moment before you get up."

CHAPTER_INTRO: Final = "Introduction"
CHAPTER_OUTRO: Final = "Finish"

_ONES: Final = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS: Final = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_word(n: int) -> str:
    """``21`` -> ``twenty-one``; for counts and countdowns (0..999)."""
    if n < 0 or n > 999:
        raise ValueError(f"{n} is out of range for number words")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_word(rest)}" if rest else "")


def count(n: int) -> str:
    """A spoken count, capitalised with a full stop: ``Three.``"""
    return number_word(n).capitalize() + "."


def announce(label: str, index: int, total: int, name: str) -> str:
    """``Stretch 3 of 9: Child's Pose Side Stretch.`` (the timing follows as its own line)."""
    return f"{label} {index} of {total}: {name}."


def seconds_left(n: int) -> str:
    """The warning near a hold's end: ``Ten seconds left.`` (another number when the warning
    moves to make room for a breath, so what it says stays true)."""
    return TEN_LEFT if n == 10 else f"{number_word(n).capitalize()} seconds left."


WARNING_MOVES_S: Final = (11, 9, 12)
"""Where the warning may go, in order, when its tenth second is taken by a breath prompt."""

FIXED: Final = (BEGIN, RELEASE, RELAX, HALFWAY, TEN_LEFT, SWITCH, BREATHE_IN, BREATHE_OUT,
                INHALE, EXHALE, HOLD_BREATH, "Three.", "Two.", "One.",
                *(seconds_left(n) for n in WARNING_MOVES_S))
"""Cue words any hold may need: synthesized up front so changing a hold needs no new clip."""


def title(text: str) -> str:
    """The first line: the routine's title, as a sentence."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def intro(exercises: int, minutes: int) -> str:
    """The second line: ``9 exercises, about 19 minutes.`` (its own clip, so a change of
    length re-synthesizes this short line, not the title)."""
    noun = "exercise" if exercises == 1 else "exercises"
    length = "under a minute" if minutes < 1 else (
        "about 1 minute" if minutes == 1 else f"about {minutes} minutes")
    return f"{exercises} {noun}, {length}."


def timing(hold_ms: int | None, reps: int | None, per_side: bool) -> str:
    """The announced length: ``1 minute.``, ``30 seconds each side.``, ``12 reps.``"""
    spoken = format_duration(hold_ms) if hold_ms is not None else (
        f"{reps} {'rep' if reps == 1 else 'reps'}")
    return f"{spoken} each side." if per_side else f"{spoken}."


LIKELY_HOLDS_S: Final = (10, 15, 20, 30, 45, 60, 90, 120)
"""Hold lengths people often switch to; their announcements are synthesized ahead."""
LIKELY_REPS: Final = (5, 8, 10, 12, 15, 20)


def likely(hold_sides: set[bool], rep_sides: set[bool]) -> list[str]:
    """Lengths a re-render after a small change would announce: synthesized with the first
    render, so tweaking a hold later re-renders from the cache alone (see :func:`intros`)."""
    out = [timing(s * 1000, None, side) for side in sorted(hold_sides) for s in LIKELY_HOLDS_S]
    out += [timing(None, n, side) for side in sorted(rep_sides) for n in LIKELY_REPS]
    return out


def intros(exercises: int, minutes: int) -> list[str]:
    """The intro a couple of minutes either way, for the same reason as :func:`likely`."""
    return [intro(exercises, m) for m in range(max(0, minutes - 2), minutes + 3)]


def next_up(name: str) -> str:
    return f"Rest. Next up: {name}."
