"""What the voice says: the cue phrases (yours to replace), the number words and the lines
built from the routine, kept apart from the layout."""

from __future__ import annotations

import string
from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from cuecast.script.notation import format_duration

TEN_LEFT: Final = "Ten seconds left."
SHORT_WORDS: Final = 8
"""Lines this short (every cue, announcement and length; not steps) are said the same clear
way every time: the voice synthesizes them without its noise (:mod:`cuecast.engines.piper`)."""


def is_short(text: str) -> bool:
    """A line of at most :data:`SHORT_WORDS` words."""
    return len(text.split()) <= SHORT_WORDS


PLACEHOLDERS: Final = {"announce": ("label", "number", "total", "name"),
                       "last": ("label", "name"), "next": ("name", "length")}
"""The placeholders each phrase may use; the others take none."""


def _phrase(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("must not be empty")
    return text


Phrase = Annotated[str, Field(max_length=200), AfterValidator(_phrase)]


class CuePhrases(BaseModel):
    """The fixed words of every session. A routine may replace any of them in its
    ``defaults: cues:``; placeholders in braces are filled in where a phrase allows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    begin: Phrase = Field("Begin.", description="Said as each hold starts.")
    release: Phrase = Field("Release.", description="Said as each hold ends.")
    relax: Phrase = Field("And relax.", description="Said as each set of reps ends.")
    halfway: Phrase = Field("Halfway.", description="Said halfway through long holds.")
    switch: Phrase = Field("Switch sides. Now the other side.",
                           description="Said between the two sides.")
    breathe_in: Phrase = Field("Breathe in.", description="Breath prompt in holds.")
    breathe_out: Phrase = Field("Breathe out.", description="Breath prompt in holds.")
    inhale: Phrase = Field("Inhale.", description="Short breath prompt for dynamic moves.")
    exhale: Phrase = Field("Exhale.", description="Short breath prompt for dynamic moves.")
    hold: Phrase = Field("Hold.", description="Breath held (4-7-8, box breathing).")
    announce: Phrase = Field("{label} {number} of {total}: {name}.",
                             description="Announces each exercise; {label} {number} {total} "
                                         "{name}.")
    last: Phrase = Field("Last {label}: {name}.",
                         description="Announces the final exercise; {label} {name}.")
    next: Phrase = Field("Rest. Next up: {name}.",
                         description="Said in the rest before an exercise; {name}, and "
                                     "{length} (else its length follows as its own line).")
    lead_in: Phrase = Field("Find a mat and a quiet space. Let's begin.",
                            description="Said after the title.")
    outro: Phrase = Field("That's the end of the session. Well done, and take a moment "
                          "before you get up.", description="Said at the end.")

    @field_validator("*")
    @classmethod
    def _placeholders(cls, value: str, info: ValidationInfo) -> str:
        allowed = PLACEHOLDERS.get(info.field_name or "", ())
        for _, name, spec, conversion in string.Formatter().parse(value):
            if name is None:
                continue
            if name not in allowed or spec or conversion:
                hint = ("use " + ", ".join(f"{{{a}}}" for a in allowed)) if allowed else \
                    "this phrase takes none"
                raise ValueError(f"unknown placeholder {{{name}}}; {hint}")
        return value

    def fill(self, phrase: str, **values: object) -> str:
        """Phrase ``phrase`` with its placeholders filled in."""
        return str(getattr(self, phrase)).format(**values)

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


def announce(cues: CuePhrases, label: str, index: int, total: int, name: str) -> str:
    """``Stretch 3 of 9: Child's Pose Side Stretch.``, or ``Last stretch: Seated Side Bend.``
    (the timing follows as its own line)."""
    if index == total and total > 1:
        return cues.fill("last", label=label.lower(), name=name)
    return cues.fill("announce", label=label, number=index, total=total, name=name)


def seconds_left(n: int) -> str:
    """The warning near a hold's end: ``Ten seconds left.`` (another number when the warning
    moves to make room for a breath, so what it says stays true)."""
    return TEN_LEFT if n == 10 else f"{number_word(n).capitalize()} seconds left."


WARNING_MOVES_S: Final = (11, 9, 12)
"""Where the warning may go, in order, when its tenth second is taken by a breath prompt."""

def fixed(cues: CuePhrases) -> list[str]:
    """Cue words any hold may need: synthesized up front so changing a hold needs no new
    clip."""
    return [cues.begin, cues.release, cues.relax, cues.halfway, cues.switch, cues.breathe_in,
            cues.breathe_out, cues.inhale, cues.exhale, cues.hold, TEN_LEFT, "Three.", "Two.",
            "One.", *(seconds_left(n) for n in WARNING_MOVES_S)]


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


def timing(hold_ms: int | None, reps: int | None, per_side: bool, sets: int = 1) -> str:
    """The announced length: ``1 minute.``, ``30 seconds each side.``, ``12 reps.``,
    ``3 sets of 45 seconds each side.``"""
    spoken = format_duration(hold_ms) if hold_ms is not None else (
        f"{reps} {'rep' if reps == 1 else 'reps'}")
    if sets > 1:
        spoken = f"{sets} sets of {spoken}"
    return f"{spoken} each side." if per_side else f"{spoken}."


_ORDINALS: Final = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")


def set_number(n: int) -> str:
    """Said as a set after the first begins: ``Second set.``"""
    return f"{_ORDINALS[n - 1]} set." if n <= len(_ORDINALS) else f"Set {n}."


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


def next_up(cues: CuePhrases, name: str, length: str) -> tuple[str, ...]:
    """The rest's lines: ``Rest. Next up: Child's Pose.`` then its length as its own line (the
    clip the announcement uses too), unless the phrase places ``{length}`` itself."""
    if "{length}" in cues.next:
        return (cues.fill("next", name=name, length=length.rstrip(".")),)
    return (cues.fill("next", name=name, length=""), length)
