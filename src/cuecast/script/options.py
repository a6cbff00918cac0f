"""Every customisation option, declared once: its type, range, default and help.

The routine's ``defaults:`` block is a :class:`SessionOptions`; the command line and the web
companion build a :class:`Customisation` from what the user gave (:func:`customisation`), with
one message per bad value naming its flag. Adding an option is one field here: the CLI flags,
the routine schema, the web form and the validation all come from the field.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from cuecast.errors import OptionError
from cuecast.script.notation import (
    MAX_HOLD_MS,
    MAX_REPS,
    TimingError,
    parse_breath,
    parse_length,
    parse_timing,
)
from cuecast.script.phrases import CuePhrases

Area = Literal["neck", "shoulders", "chest", "upper-back", "lower-back", "spine", "side-body",
               "hips", "glutes", "hamstrings", "quads", "calves", "ankles", "breathing"]
"""Where an exercise works: the vocabulary ``cuecast compose --focus`` chooses from."""

Position = Literal["standing", "seated", "kneeling", "all-fours", "lying"]
"""How the body is placed, in the order a session flows towards the floor."""

AREAS: tuple[str, ...] = get_args(Area)
POSITIONS: tuple[str, ...] = get_args(Position)

ChimeStyle = Literal["soft", "bright", "off"]
"""How holds are marked: two chime styles, or none."""

Verbosity = Literal["full", "brief"]
"""``full``: purpose and steps; ``brief``: name and timing only."""

BITRATES: Final = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192)
"""MP3 bitrates (kbps) offered."""
DEFAULT_BITRATE: Final = 96
"""Mono CBR. 64 would carry the words, but its coding noise lifts speech peaks by up to 2 dB
(a session mastered to -3.5 dBFS peaks decodes at -1.9 dBTP; at 80 kbps -2.8, at 96 -3.5)."""


def _breath(value: str) -> str:
    parse_breath(value)  # its ValueError names the accepted forms
    return value.strip()


Breath = Annotated[str, AfterValidator(_breath)]
"""A breathing rhythm in seconds: ``4:6``, ``4:7:8`` or ``4:4:4:4``."""


def _length(value: object) -> int | None:
    return None if value is None else parse_length(value) // 1000


Length = Annotated[int | None, BeforeValidator(_length), WithJsonSchema({
    "anyOf": [{"type": "string", "examples": ["15m", "15:00", "1:05:00"]},
              {"type": "integer", "minimum": 60, "description": "seconds"},
              {"type": "null"}]})]
"""A session length in whole seconds, given as ``15m``, ``15:00``, ``900`` or ``1.5h``."""


HoldSeconds = Annotated[float, Field(gt=0, le=MAX_HOLD_MS / 1000)]
"""One exercise's hold, in seconds."""
RepCount = Annotated[int, Field(ge=1, le=MAX_REPS)]
"""One exercise's rep count."""


class SessionOptions(BaseModel):
    """Session settings a routine may keep in ``defaults:``; the user's options override them.

    Which fields were given is pydantic's ``model_fields_set``: an unset field falls back to the
    routine's default, then to the default here.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    scale: float = Field(1.0, gt=0, le=10, description="Multiply every hold not set with "
                                                       "--hold, e.g. 1.5.")
    length: Length = Field(None, description="Fit the session to this length: 15m, 15:00 or "
                           "900 (seconds). The timed holds you have not set yourself grow "
                           "together in 5 s steps up to a minute (breathing: five), then in "
                           "sets; speech, reps and rests stay as they are.",
                           json_schema_extra={"metavar": "DURATION"})
    rest: float = Field(10, ge=0, le=600, description="Rest between exercises, seconds.")
    changeover: float = Field(5, ge=0, le=120, description="Time to switch sides, seconds.")
    breath: Breath = Field("4:6", description="Breathing rhythm in seconds: inhale:exhale "
                           "(4:6), inhale:hold:exhale (4:7:8) or inhale:hold:exhale:hold "
                           "(box breathing, 4:4:4:4).")
    tempo: float = Field(4, ge=1, le=30, description="Seconds per rep where the routine gives "
                                                     "none.")
    step_pause: float = Field(3, ge=0, le=60, description="Pause after each setup step, "
                                                          "seconds.")
    lead_in: float = Field(1, ge=0, le=120, description="Silence before the first word, "
                                                        "seconds: time to get onto the mat.")
    verbosity: Verbosity = Field("full", description="'full' (purpose and steps) or 'brief' "
                                                     "(name and timing only).")
    countdown: bool = Field(True, description="Count down the end of each hold.")
    chimes: ChimeStyle = Field("soft", description="Chimes at each hold's start and end: "
                                                   "'soft', 'bright' or 'off'.")
    cues: CuePhrases = Field(default_factory=CuePhrases, description="Your own words for the "
                             "fixed phrases (routine files only).",
                             json_schema_extra={"cli": False})


class Customisation(SessionOptions):
    """Everything a user may change before rendering: the session settings plus per-exercise
    holds, reps and exercises left out (by exercise name, so they belong to the command line,
    not ``defaults:``)."""

    hold: dict[str, HoldSeconds] = Field(
        default_factory=dict, description="Hold length for one exercise, e.g. --hold "
        "\"cat-cow=90\". Repeatable.", json_schema_extra={"metavar": "NAME=SECONDS"})
    reps: dict[str, RepCount] = Field(
        default_factory=dict, description="Rep count for one exercise, e.g. --reps "
        "\"knee rolls=10\". Repeatable.", json_schema_extra={"metavar": "NAME=N"})

    skip: tuple[str, ...] = Field((), description="Leave one exercise out, e.g. --skip "
                                  "\"knee rolls\". Repeatable.",
                                  json_schema_extra={"metavar": "NAME"})

    def over(self, defaults: SessionOptions | None) -> Customisation:
        """These options over a routine's defaults: what is given wins."""
        base = defaults.model_dump(exclude_unset=True) if defaults else {}
        return Customisation.model_validate({**base, **self.model_dump(exclude_unset=True)})


EngineName = Literal["hibari", "piper", "gtts"]
"""The speech engines, the default first."""

ListenMode = Literal["session", "phrases", "fixed", "cues"]
"""What ``cuecast listen`` checks."""


class VoiceOptions(BaseModel):
    """How a session is spoken, as the command line takes it: each engine's typed options
    (:mod:`cuecast.engines.registry`) are built from these and check their values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: EngineName = Field("hibari", description="Speech engine: 'hibari' (offline, "
                               "default), 'piper' (offline) or 'gtts' (Google, online).")
    voice: str | None = Field(None, description="hibari: heart (default, always offline), "
                              "fenrir, emma, fable or kore (downloaded on first use); Piper: "
                              "an .onnx voice file (its .onnx.json beside it), default "
                              "en_US-joe-medium.")
    speed: float | None = Field(None, description="Speaking speed, 0.5 to 2 (gTTS: below "
                                "0.85 is 'slow').")
    seed: int | None = Field(None, description="hibari: the seed of the voice's noise "
                             "component (default 0).")
    lang: str | None = Field(None, description="gTTS language, e.g. en, fr, de.")
    tld: str | None = Field(None, description="gTTS accent by Google domain, e.g. com, co.uk, "
                            "com.au.")
    jobs: int | None = Field(None, description="Clips synthesized at once (hibari, Piper; "
                             "default: one per core, as memory allows).",
                             json_schema_extra={"synthesizing": True})


NO_BED: Final = "none"
"""No bed under the voice: the one way to say so, on the command line and the page."""
BEDS: Final = (NO_BED, "noise")
"""The beds the page offers (the command line takes an audio file too)."""


class RenderOptions(BaseModel):
    """How a render is written: what ``cuecast render`` takes besides the session."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bitrate: int = Field(DEFAULT_BITRATE, description="MP3 bitrate in kbps (mono CBR): "
                         + ", ".join(map(str, BITRATES)) + ".")
    bed: str = Field(NO_BED, description="Ambient bed under the voice, ducked while it "
                     "speaks: 'noise' (generated) or an audio file to loop (default: none).",
                     json_schema_extra={"metavar": "noise|FILE"})
    allow_long: bool = Field(False, description="Render sessions over 3 hours.")


class ListenOptions(BaseModel):
    """What ``cuecast listen`` takes besides the session and the voice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: ListenMode = Field("session", description="'session': the MP3 transcribed whole; "
                             "'phrases': every distinct line of it on its own; 'fixed': every "
                             "fixed cue on its own; 'cues': every short line cut from the "
                             "MP3, on its own.")


def _once(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


class ComposeOptions(BaseModel):
    """What ``cuecast compose`` and the phone's compose page ask for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    focus: Annotated[tuple[Area, ...], AfterValidator(_once)] = Field(
        min_length=1, description="An area to work (repeatable): " + ", ".join(AREAS) + ".",
        json_schema_extra={"metavar": "AREA", "label": "Areas"})
    length: Length = Field(description="How long: 15m, 15:00 or 900 (seconds).",
                           json_schema_extra={"metavar": "DURATION"})
    position: Annotated[tuple[Position, ...], AfterValidator(_once)] = Field(
        (), description="Only exercises done in this position (repeatable): "
        + ", ".join(POSITIONS) + ".", json_schema_extra={"metavar": "POSITION",
                                                          "label": "Positions"})
    seed: int = Field(0, ge=0, le=2**31 - 1,
                      description="Another of the equally good choices.")

    @property
    def length_ms(self) -> int:
        if self.length is None:  # required: a model built in code must give it too
            raise OptionError("--length: give a length, e.g. 15m")
        return self.length * 1000


class ServeOptions(BaseModel):
    """Where ``cuecast serve`` listens and what it serves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("0.0.0.0", description="Address to listen on: 0.0.0.0 is reachable "
                      "from the local network; 127.0.0.1 only from this computer.")
    port: int = Field(8765, ge=0, le=65535, description="Port to listen on (0: any free "
                      "port).")
    routines: Path | None = Field(None, description="Your own routines, shown beside the "
                                  "library; customised copies and imports are saved there "
                                  "(default: ./routines).")
    output: Path = Field(Path("output"), description="Folder sessions are rendered into and "
                         "served from.")
    new_token: bool = Field(False, description="Replace the secret key in the address "
                            "(phones and feeds must scan again).")


def per_exercise(name: str) -> bool:
    """Whether an option is given exercise by exercise (holds, reps, exercises left out):
    those belong to the command line and the page, not to a routine's ``defaults:``."""
    return name in Customisation.model_fields and name not in SessionOptions.model_fields


def paired(name: str) -> bool:
    """Whether an option maps exercise names to values (``--hold NAME=SECONDS``)."""
    return get_origin(Customisation.model_fields[name].annotation) is dict


@functools.cache
def _adapter(kind: str) -> TypeAdapter[float]:
    """The validator of a per-exercise value's type, made once, on first use."""
    return TypeAdapter({"hold": HoldSeconds, "reps": RepCount}[kind])


def _valid(kind: str, value: float) -> bool:
    """Whether ``value`` is within the range its type declares (declared once, there)."""
    try:
        _adapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def read_hold_seconds(spec: str, value: str) -> float:
    """A hold as given (``90``, ``1:30``, ``90s``) -> seconds; ``spec`` names it in the
    message (``--hold 'cat-cow=abc': ...``)."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if not _valid("hold", number) or number * 1000 != int(number * 1000):
            raise _exercise_error("hold", spec, "seconds must be above 0 and at most "
                                  f"{MAX_HOLD_MS // 1000}")
        return number
    try:
        timing = parse_timing(value)
    except TimingError as exc:
        raise _exercise_error("hold", spec, str(exc)) from None
    if timing.hold_ms is None or timing.per_side:
        raise _exercise_error("hold", spec, "give a length such as 90 or '1:30'")
    return timing.hold_ms / 1000


def _exercise_error(name: str, spec: str, said: str) -> OptionError:
    """A bad value of one exercise: ``--hold 'cat-cow=abc': ...`` on the command line,
    ``cat-cow: ...`` on the page (where it is that exercise's stepper)."""
    return OptionError(f"--{name} '{spec}': {said}", brief=f"{spec.rpartition('=')[0]}: {said}")


def read_rep_count(spec: str, value: str) -> int:
    """A rep count as given -> the number; ``spec`` names it in the message."""
    # isdigit() alone lets "²" through, which int() refuses: ASCII digits only
    if not (value.isascii() and value.isdigit()) or not _valid("reps", int(value)):
        raise _exercise_error("reps", spec, f"reps must be a whole number from 1 to {MAX_REPS}")
    return int(value)


_VALUE: Final = {"hold": (read_hold_seconds, "SECONDS", "cat-cow=90"),
                 "reps": (read_rep_count, "N", "knee rolls=10")}
"""How each per-exercise value is read, and the example its message gives."""


def exercise_value(name: str, exercise: str, value: str) -> float | int:
    """One exercise's value of option ``name`` (``hold`` or ``reps``) as typed or sent."""
    read = _VALUE[name][0]
    return read(f"{exercise}={value}", value.strip())


def pairs(name: str, specs: Iterable[str]) -> dict[str, float | int]:
    """``--hold "cat-cow=90"`` ... as given on the command line -> ``{"cat-cow": 90.0}``:
    the one place NAME=VALUE is split. Raises OptionError naming the flag."""
    read, unit, example = _VALUE[name]
    out: dict[str, float | int] = {}
    for spec in specs:
        exercise, sep, value = spec.rpartition("=")
        if not sep or not exercise.strip() or not value.strip():
            raise OptionError(f"--{name} '{spec}': write NAME={unit}, e.g. --{name} "
                              f"\"{example}\"")
        out[exercise.strip()] = read(spec, value.strip())
    return out


def settable() -> list[str]:
    """The options a user sets one by one, on the command line or the page (the cue phrases
    live in routine files)."""
    return [n for n, f in Customisation.model_fields.items()
            if not (isinstance(f.json_schema_extra, dict)
                    and f.json_schema_extra.get("cli") is False)]


def flag(name: str) -> str:
    """The command-line flag of an option field (``step_pause`` -> ``--step-pause``)."""
    return "--" + name.replace("_", "-")


def choices(name: str) -> tuple[str, ...]:
    """The values a text option accepts, if it has a fixed set (a ``Literal``)."""
    annotation = Customisation.model_fields[name].annotation
    return tuple(get_args(annotation)) if get_origin(annotation) is Literal else ()


def customisation(given: Mapping[str, Any]) -> Customisation:
    """Validate what the user gave (``None`` = not given). Raises OptionError naming the
    flag of the first bad value, in the same words on the command line and the page."""
    return read(Customisation, given)


Model = TypeVar("Model", bound=BaseModel)


def read(model: type[Model], given: Mapping[str, Any]) -> Model:
    """Options of ``model`` from what the user gave (``None`` = not given: the model's
    default). Raises OptionError naming the flag of the first bad value, in the same words
    on the command line and the page."""
    values = {k: v for k, v in given.items() if v is not None}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "?"
        said = explain(err)
        raise OptionError(f"{flag(name)}: {said}",
                          brief=f"{label(model, name)}: {said}") from None


def label(model: type[BaseModel], name: str) -> str:
    """An option as a page names it: its field's label (``Step pause``, ``Areas``)."""
    field = model.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    given = extra.get("label") if isinstance(extra, dict) else None
    return str(given) if given else name.replace("_", " ").capitalize()


def explain(err: Mapping[str, Any]) -> str:
    """One pydantic error as the words a user reads (after the flag or field it concerns)."""
    ctx = {k: f"{v:g}" if isinstance(v, (int, float)) else v
           for k, v in (err.get("ctx") or {}).items()}
    kind, got = err["type"], err.get("input")
    shown = f"{got:g}" if isinstance(got, (int, float)) else (
        f"{float(str(got)):g}" if _numeric(got) else f"'{got}'")
    bounds = {"greater_than": f"must be above {ctx.get('gt')}",
              "greater_than_equal": f"must be at least {ctx.get('ge')}",
              "less_than": f"must be below {ctx.get('lt')}",
              "less_than_equal": f"must be at most {ctx.get('le')}",
              "literal_error": f"must be one of {ctx.get('expected')}",
              "float_parsing": "must be a number", "float_type": "must be a number",
              "finite_number": "must be a finite number",
              "bool_parsing": "must be true or false", "bool_type": "must be true or false"}
    plain = {"too_short": "name at least one", "missing": "is required"}
    if kind in plain:
        return plain[kind]
    if kind in bounds:
        return f"{bounds[kind]}, not {shown}"
    return str(err["msg"]).removeprefix("Value error, ")


def _numeric(value: object) -> bool:
    """Text a form sent for a number (the page and the CLI then show it alike)."""
    try:
        float(str(value))
    except ValueError:
        return False
    return isinstance(value, str)
