"""Session settings: defaults, the routine's ``defaults:`` block, and command-line overrides."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast, get_args

from cuecast.errors import OptionError
from cuecast.routine import ChimeStyle, Exercise, Routine, name_key, parse_breath
from cuecast.timing import MAX_HOLD_MS, MAX_REPS, TimingError, parse_timing

Verbosity = Literal["full", "brief"]
CHIME_STYLES: Final = get_args(ChimeStyle)

DEFAULT_REST_MS: Final = 10_000
DEFAULT_CHANGEOVER_MS: Final = 5_000
DEFAULT_INHALE_MS: Final = 4_000
DEFAULT_EXHALE_MS: Final = 6_000
DEFAULT_TEMPO_MS: Final = 4_000
DEFAULT_STEP_PAUSE_MS: Final = 3_000
DEFAULT_LEAD_IN_MS: Final = 1_000


@dataclass(frozen=True)
class Settings:
    """Everything the compiler needs besides the routine. Times in integer milliseconds."""

    scale: float = 1.0
    """Multiplier for every hold not set explicitly in ``holds``."""

    rest_ms: int = DEFAULT_REST_MS
    """Rest between exercises."""

    changeover_ms: int = DEFAULT_CHANGEOVER_MS
    """Time between the first side's release and the second side's start (at least the
    'switch sides' cue)."""

    inhale_ms: int = DEFAULT_INHALE_MS
    """Inhale length of the breathing rhythm inside holds."""

    exhale_ms: int = DEFAULT_EXHALE_MS
    """Exhale length of the breathing rhythm inside holds."""

    hold_in_ms: int = 0
    """Breath held after the inhale (4-7-8, box breathing); 0 for none."""

    hold_out_ms: int = 0
    """Breath held after the exhale (box breathing); 0 for none."""

    tempo_ms: int = DEFAULT_TEMPO_MS
    """Seconds per rep for exercises that give no tempo."""

    step_pause_ms: int = DEFAULT_STEP_PAUSE_MS
    """Silence after each setup step, to move into it."""

    verbosity: Verbosity = "full"
    """``full``: purpose and steps; ``brief``: name and timing only."""

    countdown: bool = True
    """Count 'three, two, one' into the end of each hold."""

    chimes: ChimeStyle = "soft"
    """Chimes at each hold's start and end and a bell at the end; ``off`` for none."""

    lead_in_ms: int = DEFAULT_LEAD_IN_MS
    """Silence before the first word (Bluetooth outputs clip the first syllable)."""

    holds: Mapping[str, int] = field(default_factory=dict)
    """Hold length per exercise (by :func:`name_key`), overriding the routine and ``scale``."""

    reps: Mapping[str, int] = field(default_factory=dict)
    """Rep count per exercise (by :func:`name_key`)."""

    def hold_ms(self, exercise: Exercise) -> int | None:
        """The customised hold length of a timed exercise (None for reps)."""
        base = exercise.timing.hold_ms
        if base is None:
            return None
        if name_key(exercise.name) in self.holds:
            return self.holds[name_key(exercise.name)]
        return max(1000, round(base * self.scale / 1000) * 1000)

    def rep_count(self, exercise: Exercise) -> int | None:
        """The customised rep count of a rep exercise (None for holds)."""
        if exercise.timing.reps is None:
            return None
        return self.reps.get(name_key(exercise.name), exercise.timing.reps)


def _seconds(value: float | None, default: int, what: str, hi: float) -> int:
    if value is None:
        return default
    if not 0 <= value <= hi:
        raise OptionError(f"{what} must be between 0 and {hi:g} seconds, not {value:g}")
    return round(value * 1000)


def resolve_settings(
    routine: Routine,
    *,
    scale: float | None = None,
    rest: float | None = None,
    changeover: float | None = None,
    breath: str | None = None,
    tempo: float | None = None,
    step_pause: float | None = None,
    verbosity: str | None = None,
    countdown: bool | None = None,
    chimes: str | None = None,
    holds: Sequence[str] = (),
    reps: Sequence[str] = (),
) -> Settings:
    """Merge routine defaults and options (options win). Raises OptionError on bad values."""
    d = routine.defaults

    def pick(option: Any, name: str) -> Any:
        return option if option is not None else (getattr(d, name) if d else None)

    scale_v = pick(scale, "scale")
    if scale_v is not None and not 0 < scale_v <= 10:
        raise OptionError(f"--scale must be above 0 and at most 10, not {scale_v:g}")
    tempo_v = pick(tempo, "tempo")
    if tempo_v is not None and not 1 <= tempo_v <= 30:
        raise OptionError(f"--tempo must be between 1 and 30 seconds per rep, not {tempo_v:g}")
    verb = pick(verbosity, "verbosity") or "full"
    if verb not in ("full", "brief"):
        raise OptionError(f"--verbosity must be 'full' or 'brief', not '{verb}'")
    breath_v = pick(breath, "breath")
    try:
        inhale, hold_in, exhale, hold_out = parse_breath(breath_v) if breath_v is not None \
            else (DEFAULT_INHALE_MS, 0, DEFAULT_EXHALE_MS, 0)
    except ValueError as exc:
        raise OptionError(f"--breath: {exc}") from None
    countdown_v = pick(countdown, "countdown")
    chimes_v = pick(chimes, "chimes") or "soft"
    if chimes_v not in CHIME_STYLES:
        raise OptionError(f"--chimes must be one of {', '.join(CHIME_STYLES)}, not '{chimes_v}'")
    return Settings(
        scale=1.0 if scale_v is None else float(scale_v),
        rest_ms=_seconds(pick(rest, "rest"), DEFAULT_REST_MS, "--rest", 600),
        changeover_ms=_seconds(pick(changeover, "changeover"), DEFAULT_CHANGEOVER_MS,
                               "--changeover", 120),
        inhale_ms=inhale,
        hold_in_ms=hold_in,
        exhale_ms=exhale,
        hold_out_ms=hold_out,
        tempo_ms=DEFAULT_TEMPO_MS if tempo_v is None else round(tempo_v * 1000),
        step_pause_ms=_seconds(pick(step_pause, "step_pause"), DEFAULT_STEP_PAUSE_MS,
                               "--step-pause", 60),
        verbosity="brief" if verb == "brief" else "full",
        countdown=True if countdown_v is None else bool(countdown_v),
        chimes=cast(ChimeStyle, chimes_v),
        holds=_overrides(routine, holds, "hold"),
        reps=_overrides(routine, reps, "reps"),
    )


def _overrides(routine: Routine, specs: Sequence[str], kind: str) -> dict[str, int]:
    by_key = {name_key(ex.name): ex for ex in routine.exercises}
    out: dict[str, int] = {}
    for spec in specs:
        name, sep, value = spec.rpartition("=")
        if not sep or not name.strip() or not value.strip():
            unit, example = ("SECONDS", "cat-cow=90") if kind == "hold" else ("N", "knee rolls=10")
            raise OptionError(f"--{kind} '{spec}': write NAME={unit}, e.g. --{kind} \"{example}\"")
        ex = by_key.get(name_key(name))
        if ex is None:
            names = ", ".join(e.name for e in routine.exercises)
            close = difflib.get_close_matches(name_key(name), list(by_key), n=1)
            hint = f"did you mean '{by_key[close[0]].name}'? " if close else ""
            raise OptionError(f"--{kind}: no exercise named '{name.strip()}'; {hint}"
                              f"valid names: {names}")
        key = name_key(ex.name)
        if kind == "hold":
            if ex.timing.hold_ms is None:
                raise OptionError(f"--hold: '{ex.name}' is counted in reps; use --reps")
            out[key] = _hold_value(spec, value.strip())
        else:
            if ex.timing.reps is None:
                raise OptionError(f"--reps: '{ex.name}' is a timed hold; use --hold")
            out[key] = _reps_value(spec, value.strip())
    return out


def _hold_value(spec: str, value: str) -> int:
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if not 0 < number <= MAX_HOLD_MS / 1000 or number * 1000 != int(number * 1000):
            raise OptionError(f"--hold '{spec}': seconds must be above 0 and at most "
                              f"{MAX_HOLD_MS // 1000}")
        return int(number * 1000)
    try:
        timing = parse_timing(value)
    except TimingError as exc:
        raise OptionError(f"--hold '{spec}': {exc}") from None
    if timing.hold_ms is None or timing.per_side:
        raise OptionError(f"--hold '{spec}': give a length such as 90 or '1:30'")
    return timing.hold_ms


def _reps_value(spec: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) <= MAX_REPS:
        raise OptionError(f"--reps '{spec}': reps must be a whole number from 1 to {MAX_REPS}")
    return int(value)
