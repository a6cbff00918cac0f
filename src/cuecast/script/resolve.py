"""The compiler's settings in milliseconds, from the options (:mod:`cuecast.script.options`)
over the routine's ``defaults:``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from cuecast.errors import OptionError
from cuecast.script.notation import make_timing, parse_breath
from cuecast.script.options import ChimeStyle, Customisation, SessionOptions, Verbosity
from cuecast.script.phrases import CuePhrases
from cuecast.script.routine import Exercise, Routine, name_key
from cuecast.script.timeline import clock

DEFAULTS: Final = SessionOptions()
"""The built-in settings, as declared in :mod:`cuecast.script.options`."""
LEAD_IN_MIN_MS: Final = 1000
"""Bluetooth outputs clip the first syllable of a file that starts speaking at once."""


@dataclass(frozen=True)
class Settings:
    """Everything the compiler needs besides the routine. Times in integer milliseconds."""

    scale: float = DEFAULTS.scale
    """Multiplier for every hold not set explicitly in ``holds``."""

    length_ms: int | None = None
    """The length the session is fitted to (:mod:`cuecast.script.fitting`), if any: the holds not
    in ``holds`` are then fitted instead of scaled."""

    rest_ms: int = round(DEFAULTS.rest * 1000)
    """Rest between exercises."""

    changeover_ms: int = round(DEFAULTS.changeover * 1000)
    """Time between the first side's release and the second side's start (at least the
    'switch sides' cue)."""

    inhale_ms: int = parse_breath(DEFAULTS.breath)[0]
    """Inhale length of the breathing rhythm inside holds."""

    exhale_ms: int = parse_breath(DEFAULTS.breath)[2]
    """Exhale length of the breathing rhythm inside holds."""

    after_inhale_ms: int = 0
    """Breath held after the inhale (4-7-8, box breathing); 0 for none."""

    after_exhale_ms: int = 0
    """Breath held after the exhale (box breathing); 0 for none."""

    tempo_ms: int = round(DEFAULTS.tempo * 1000)
    """Seconds per rep for exercises that give no tempo."""

    step_pause_ms: int = round(DEFAULTS.step_pause * 1000)
    """Silence after each setup step, to move into it."""

    lead_in_ms: int = round(DEFAULTS.lead_in * 1000)
    """Silence before the first word (at least a second: Bluetooth outputs clip the first
    syllable)."""

    verbosity: Verbosity = DEFAULTS.verbosity
    """``full``: purpose and steps; ``brief``: name and timing only."""

    countdown: bool = DEFAULTS.countdown
    """Count 'three, two, one' into the end of each hold."""

    chimes: ChimeStyle = DEFAULTS.chimes
    """Chimes at each hold's start and end and a bell at the end; ``off`` for none."""

    cues: CuePhrases = DEFAULTS.cues
    """The fixed phrases, as the routine words them."""

    holds: Mapping[str, int] = field(default_factory=dict)
    """Hold length per exercise (by :func:`name_key`), overriding the routine and ``scale``."""

    reps: Mapping[str, int] = field(default_factory=dict)
    """Rep count per exercise (by :func:`name_key`)."""

    skipped: frozenset[str] = frozenset()
    """Exercises left out (by :func:`name_key`)."""

    sets: Mapping[str, int] = field(default_factory=dict)
    """Set count per exercise (by :func:`name_key`), overriding the routine's ``sets:``: a
    fit fills time beyond a hold's ceiling with sets."""

    slack_ms: int = 0
    """Silence a fit adds to the rests between exercises (to the finish where there is no
    rest), so that the session lasts its length exactly while every spoken length stays
    round."""

    def kept(self, routine: Routine) -> Routine:
        """``routine`` without the exercises left out."""
        if not self.skipped:
            return routine
        return routine.model_copy(update={"exercises": tuple(
            ex for ex in routine.exercises if name_key(ex.name) not in self.skipped)})

    def as_written(self, routine: Routine) -> Routine:
        """``routine`` as these settings have it: without the exercises left out, each
        timing the customised hold or rep count (what a saved or composed copy keeps)."""
        kept = self.kept(routine)
        return kept.model_copy(update={"exercises": tuple(
            ex.model_copy(update={"timing": make_timing(
                hold_ms=self.hold_ms(ex), reps=self.rep_count(ex),
                per_side=ex.timing.per_side), "sets": self.set_count(ex)})
            for ex in kept.exercises)})

    def hold_ms(self, exercise: Exercise) -> int | None:
        """The customised hold length of a timed exercise (None for reps)."""
        base = exercise.timing.hold_ms
        if base is None:
            return None
        if name_key(exercise.name) in self.holds:
            return self.holds[name_key(exercise.name)]
        return max(1000, round(base * self.scale / 1000) * 1000)

    def set_count(self, exercise: Exercise) -> int:
        """How many times the exercise is done."""
        return self.sets.get(name_key(exercise.name), exercise.sets)

    def rep_count(self, exercise: Exercise) -> int | None:
        """The customised rep count of a rep exercise (None for holds)."""
        if exercise.timing.reps is None:
            return None
        return self.reps.get(name_key(exercise.name), exercise.timing.reps)


def effective(routine: Routine, options: Customisation | None = None) -> Customisation:
    """The options in force: ``options`` over the routine's ``defaults:`` (what is given
    wins), over the built-in defaults. The one place they are merged."""
    return (options or Customisation()).over(routine.defaults)


def resolve_settings(routine: Routine, options: Customisation | None = None) -> Settings:
    """The compiler's settings: ``options`` over the routine's defaults over the built-in
    ones. Raises OptionError for a hold or rep count naming no exercise of the routine."""
    o = effective(routine, options)
    inhale, after_inhale, exhale, after_exhale = parse_breath(o.breath)
    return Settings(
        scale=o.scale,
        length_ms=None if o.length is None else o.length * 1000,
        rest_ms=round(o.rest * 1000),
        changeover_ms=round(o.changeover * 1000),
        inhale_ms=inhale,
        after_inhale_ms=after_inhale,
        exhale_ms=exhale,
        after_exhale_ms=after_exhale,
        tempo_ms=round(o.tempo * 1000),
        step_pause_ms=round(o.step_pause * 1000),
        lead_in_ms=max(LEAD_IN_MIN_MS, round(o.lead_in * 1000)),
        verbosity=o.verbosity,
        countdown=o.countdown,
        chimes=o.chimes,
        cues=o.cues,
        holds=_overrides(routine, o.hold, "hold"),
        reps=_overrides(routine, o.reps, "reps"),
        skipped=_skipped(routine, o.skip),
    )


def _skipped(routine: Routine, names: Sequence[str]) -> frozenset[str]:
    keys = frozenset(name_key(_exercise_named(routine, name, "skip").name) for name in names)
    if len(keys) == len({name_key(ex.name) for ex in routine.exercises}):
        raise OptionError("--skip: that leaves no exercise to do",
                          brief="Include at least one exercise.")
    return keys


def _exercise_named(routine: Routine, name: str, kind: str) -> Exercise:
    """The routine's exercise of that name (case- and punctuation-insensitive); raises
    OptionError naming the valid ones, with the closest as a suggestion."""
    by_key = {name_key(ex.name): ex for ex in routine.exercises}
    ex = by_key.get(name_key(name))
    if ex is None:
        names = ", ".join(e.name for e in routine.exercises)
        close = difflib.get_close_matches(name_key(name), list(by_key), n=1)
        hint = f"did you mean '{by_key[close[0]].name}'? " if close else ""
        raise OptionError(f"--{kind}: no exercise named '{name.strip()}'; {hint}"
                          f"valid names: {names}")
    return ex


def _overrides(routine: Routine, values: Mapping[str, float | int],
               kind: str) -> dict[str, int]:
    """Holds (seconds -> milliseconds) or rep counts by :func:`name_key`, each naming an
    exercise of the routine that is timed that way."""
    out: dict[str, int] = {}
    for name, value in values.items():
        ex = _exercise_named(routine, name, kind)
        if kind == "hold":
            if ex.timing.hold_ms is None:
                raise OptionError(f"--hold: '{ex.name}' is counted in reps; use --reps")
            out[name_key(ex.name)] = round(value * 1000)
        else:
            if ex.timing.reps is None:
                raise OptionError(f"--reps: '{ex.name}' is a timed hold; use --hold")
            out[name_key(ex.name)] = int(value)
    return out


def changes(routine: Routine, options: Customisation | None) -> str:
    """What ``options`` change in the routine as written, in a few words for a list of
    sessions: ``Cat-Cow 90 s, rest 5 s, 20:00, without Knee Rolls`` (empty for none)."""
    if options is None:
        return ""
    given = resolve_settings(routine, options)
    words = []
    for ex in given.kept(routine).exercises:
        key = name_key(ex.name)
        if key in given.holds:
            words.append(f"{ex.name} {given.holds[key] / 1000:g} s")
        elif key in given.reps:
            words.append(f"{ex.name} {given.reps[key]} reps")
    in_force, written = effective(routine, options), effective(routine)
    for name in SessionOptions.model_fields:
        value = getattr(in_force, name)
        if value == getattr(written, name) or name in ("cues", "length"):
            continue
        label = name.replace("_", " ")
        if name == "scale":
            words.append(f"holds x{value:g}")
        elif isinstance(value, bool):
            words.append(f"{label} {'on' if value else 'off'}")
        elif isinstance(value, float):
            words.append(f"{label} {value:g} s")
        else:
            words.append(f"{label} {value}")
    if given.length_ms is not None and in_force.length != written.length:
        words.append(clock(given.length_ms, tenths=False).lstrip("0") or "0")
    words += [f"without {ex.name}" for ex in routine.exercises
              if name_key(ex.name) in given.skipped]
    return ", ".join(words)
