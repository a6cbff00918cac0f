"""The routine model: what a routine file may say, typed and immutable.

pydantic gives validation with field paths (mapped to line numbers by
:mod:`cuecast.script.loader`) and the JSON Schema that ``cuecast schema`` prints for
editors."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictStr,
    WithJsonSchema,
)

from cuecast.script.notation import Timing, TimingError, make_timing, parse_breath, parse_timing
from cuecast.script.options import Area, Position, SessionOptions

MAX_TEXT = 600
"""Longest single line of routine text; longer is not a cue anyone can follow by ear."""
MAX_SETS: Final = 6
"""Sets of one exercise at most (the usual guidance is 2 to 4 times a stretch; a long
session of few stretches may ask more)."""
STRETCH_CEILING_MS: Final = 60_000
"""A stretch's hold grows to a minute at most (ACSM: 10 to 30 s, 30 to 60 s for older
adults); longer sessions repeat it in sets instead."""
BREATHING_CEILING_MS: Final = 300_000
"""A breathing exercise may run five minutes in one go."""
MAX_CEILING_MS: Final = 300_000
"""The highest ``max_hold:`` a routine may give."""


def _clean_text(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("must not be empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"is {len(text)} characters long; keep it under {MAX_TEXT}")
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co")
                or c in _BIDI_CONTROLS), None)
    if bad is not None:
        raise ValueError(f"contains the control character U+{ord(bad):04X}")
    odd = next((c for c in text if _noncharacter(c)), None)
    if odd is not None:  # XML (the podcast feed) cannot carry U+FFFE or U+FFFF at all
        raise ValueError(f"contains the noncharacter U+{ord(odd):04X}")
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        raise ValueError("has no words to say (only symbols or punctuation)")
    return text


def _noncharacter(c: str) -> bool:
    """One of Unicode's 66 noncharacters (U+FDD0 to U+FDEF, and the last two of each plane):
    never meant for interchange."""
    code = ord(c)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Direction overrides can make a caption read differently from what is spoken."""


Text = Annotated[StrictStr, AfterValidator(_clean_text)]
"""A single line of text to be spoken or shown: trimmed, not empty, no control characters."""

COVER_SUFFIXES = (".jpg", ".jpeg", ".png")


def _cover_path(value: str) -> str:
    # a routine may come from anywhere: it names a picture beside itself, nothing else
    parts = value.replace("\\", "/").split("/")
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or ".." in parts:
        raise ValueError("must be a path inside the routine's folder (no '..', not absolute)")
    if not value.lower().endswith(COVER_SUFFIXES):
        raise ValueError("must be a .jpg, .jpeg or .png file")
    return value


CoverPath = Annotated[Text, AfterValidator(_cover_path)]


def _to_timing(value: Any) -> Timing:
    if isinstance(value, Timing):
        return value
    try:
        if isinstance(value, str):
            return parse_timing(value)
        if isinstance(value, (bool, int, float)):
            raise TimingError(f"'{value}' has no unit; write e.g. '{value} sec' or '{value} reps'")
        if isinstance(value, dict):
            return _timing_from_mapping(value)
    except TimingError as exc:
        raise ValueError(str(exc)) from None
    raise ValueError("must be text like '60 sec' or a mapping like {hold: 60}")


def _timing_from_mapping(value: dict[Any, Any]) -> Timing:
    unknown = set(value) - {"hold", "reps", "per_side"}
    if unknown:
        raise TimingError(f"unknown key '{sorted(map(str, unknown))[0]}' "
                          "(valid: hold, reps, per_side)")
    per_side = value.get("per_side", False)
    if not isinstance(per_side, bool):
        raise TimingError("per_side must be true or false")
    hold, reps = value.get("hold"), value.get("reps")
    if hold is not None:
        if isinstance(hold, str):
            return make_timing(hold_ms=parse_timing(hold).hold_ms, per_side=per_side)
        if isinstance(hold, bool) or not isinstance(hold, (int, float)):
            raise TimingError("hold must be a number of seconds")
        if hold * 1000 != int(hold * 1000):
            raise TimingError("hold must be a whole number of milliseconds")
        return make_timing(hold_ms=int(hold * 1000), reps=reps, per_side=per_side)
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int)):
        raise TimingError("reps must be a whole number")
    return make_timing(reps=reps, per_side=per_side)


TimingField = Annotated[
    Timing,
    PlainValidator(_to_timing),
    PlainSerializer(lambda t: t.describe(), return_type=str),
    WithJsonSchema({
        "anyOf": [
            {"type": "string", "examples": ["60 sec", "30 sec per side", "20 reps", "1:30"]},
            {"type": "object", "additionalProperties": False,
             "properties": {"hold": {"type": "number", "exclusiveMinimum": 0,
                                     "description": "seconds"},
                            "reps": {"type": "integer", "minimum": 1},
                            "per_side": {"type": "boolean"}}},
        ],
        "description": "How long: '60 sec', '30 sec per side', '20 reps', '10 reps per side', "
                       "'1:30', or {hold: 60} / {reps: 10, per_side: true}.",
    }),
]

def _rhythm(value: str) -> str:
    if value.strip().lower() != "off":
        parse_breath(value)  # its ValueError names the accepted forms
    return value.strip().lower()


RhythmField = Annotated[StrictStr, AfterValidator(_rhythm)]


def _distinct(values: tuple[str, ...]) -> tuple[str, ...]:
    repeated = next((v for i, v in enumerate(values) if v in values[:i]), None)
    if repeated is not None:
        raise ValueError(f"'{repeated}' is given twice")
    return values


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Model):
    """Where the routine comes from (shown in tags and the intro, never spoken verbatim)."""

    title: Text = Field(description="Title of the article or book.")
    url: Text | None = Field(None, description="Address of the original.")
    author: Text | None = Field(None, description="Author or publisher.")


class BreathCues(_Model):
    """The routine's own phrasing for the two halves of a breath in a dynamic move."""

    inhale: Text = Field(
        description="Said on each inhale, e.g. 'Inhale, belly down, chest forward'.")
    exhale: Text = Field(description="Said on each exhale, e.g. 'Exhale, round your spine'.")


class Exercise(_Model):
    """One stretch or movement of the routine."""

    name: Text = Field(max_length=80, description="Name as announced, e.g. 'Cat-Cow'.")
    timing: TimingField
    purpose: Text | None = Field(None, description="One line on why; read in full verbosity.")
    steps: tuple[Text, ...] = Field(min_length=1, max_length=30,
                                    description="Numbered setup steps, in order.")
    breath: BreathCues | None = Field(
        None, description="Breath phrasing for dynamic moves (used as breath prompts and "
                          "rep cues).")
    first_side: Literal["right", "left"] = Field(
        "right", description="Which side comes first for per-side exercises.")
    tempo: float | None = Field(None, ge=1, le=30, description="Seconds per rep.")
    rhythm: RhythmField | None = Field(
        None, description="This exercise's own breathing rhythm ('4:6', '4:7:8', '4:4:4:4'), "
                          "or 'off' for no breath prompts; otherwise the session's.")
    areas: Annotated[tuple[Area, ...], AfterValidator(_distinct)] = Field(
        (), max_length=6, description="Where it works, e.g. [neck, upper-back]: what "
                                      "'cuecast compose --focus' picks by.")
    position: Position | None = Field(
        None, description="How the body is placed: standing, seated, kneeling, all-fours or "
                          "lying ('cuecast compose' keeps each position together).")
    sets: int = Field(1, ge=1, le=MAX_SETS, description="How many times the exercise is done "
                      "(both sides each time where per side), a short rest between: "
                      "'Second set.'")
    max_hold: float | None = Field(
        None, ge=10, le=MAX_CEILING_MS / 1000,
        description="The longest this hold grows to, in seconds, when a session is fitted "
                    "to a length or a programme progresses (default 60, or 5 minutes for "
                    "breathing); time beyond it is filled with sets.")

    def ceiling_ms(self) -> int:
        """The longest a fit or a progression makes this hold (a routine's own longer hold
        stays as written)."""
        if self.max_hold is not None:
            limit = round(self.max_hold * 1000)
        else:
            limit = BREATHING_CEILING_MS if "breathing" in self.areas else STRETCH_CEILING_MS
        return max(limit, self.timing.hold_ms or 0)


class Routine(_Model):
    """A whole routine file."""

    title: Text = Field(max_length=120, description="Title, spoken in the intro.")
    label: Text = Field("Stretch", max_length=20,
                        description="Word announcing each exercise: 'Stretch 3 of 9'. "
                                    "E.g. 'Pose', 'Exercise', 'Round'.")
    description: Text | None = Field(None, description="A sentence or two about the routine.")
    introduction: Text | None = Field(
        None, description="Said after the title (a programme's day says what changed: "
                          "'Day 9 of 28. Holds are 40 seconds this week.').")
    source: Source | None = Field(None, description="Attribution of the original.")
    cover: CoverPath | None = Field(None, description="Cover image (JPEG or PNG), relative to "
                                                 "this file.")
    defaults: SessionOptions | None = Field(
        None, description="Session settings; the command line's options override them.")
    exercises: tuple[Exercise, ...] = Field(min_length=1, max_length=100,
                                            description="Exercises in order.")


def name_key(name: str) -> str:
    """Case- and punctuation-insensitive form of an exercise name (``Cat-Cow`` -> ``catcow``)."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    return "".join(c for c in folded if c.isalnum())
