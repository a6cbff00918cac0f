"""What the voice says: every fixed phrase and the number words, kept apart from the layout."""

from __future__ import annotations

from typing import Final

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


FIXED: Final = (BEGIN, RELEASE, RELAX, HALFWAY, TEN_LEFT, SWITCH, BREATHE_IN, BREATHE_OUT,
                INHALE, EXHALE, "Three.", "Two.", "One.")
"""Cue words any hold may need: synthesized up front so changing a hold needs no new clip."""


def intro(title: str, exercises: int, minutes: int) -> str:
    noun = "exercise" if exercises == 1 else "exercises"
    length = "under a minute" if minutes < 1 else (
        "about 1 minute" if minutes == 1 else f"about {minutes} minutes")
    return f"{title}. {exercises} {noun}, {length}."


def next_up(name: str) -> str:
    return f"Rest. Next up: {name}."
