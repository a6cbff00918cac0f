"""The routine page's form, both ways: the session options and the exercises' steppers as
fields (from the options' one declaration), and a submitted form read as the command line
reads its options, with the same one-line messages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from cuecast.engines.hibari import is_present, voices
from cuecast.engines.registry import HibariOptions
from cuecast.errors import OptionError
from cuecast.files import slugify
from cuecast.script.notation import MAX_HOLD_MS, MAX_REPS
from cuecast.script.options import (
    BEDS,
    NO_BED,
    Customisation,
    VoiceOptions,
    choices,
    customisation,
    exercise_value,
    per_exercise,
    read,
    settable,
)
from cuecast.script.resolve import effective
from cuecast.script.routine import Exercise, Routine
from cuecast.script.timeline import clock

INCLUDES: Final = "includes"
"""A form field saying the exercises' checkboxes are in the form (``in0``, ``in1``...):
an exercise whose box is not ticked is left out."""


@dataclass(frozen=True)
class Choice:
    """What the routine page's form asks for: options as the CLI's, plus the voice's."""

    options: Customisation
    engine: HibariOptions
    """The voice's options (which voice, its speed)."""
    bed: str


def fields(in_force: Customisation) -> list[dict[str, Any]]:
    """The session options as form fields, from their one declaration."""
    out = []
    for name in settable():
        field = Customisation.model_fields[name]
        if per_exercise(name):
            continue  # holds, reps, left out: the exercises' steppers and boxes
        value = getattr(in_force, name)
        spec: dict[str, Any] = {"name": name, "help": field.description, "value": value,
                                "label": name.replace("_", " ").capitalize()}
        bounds = {type(m).__name__: m for m in field.metadata}
        if field.annotation is bool:
            spec.update(kind="select", options=["on", "off"], value="on" if value else "off")
        elif field.annotation is float:
            low = bounds.get("Ge") or bounds.get("Gt")
            high = bounds.get("Le") or bounds.get("Lt")
            spec.update(kind="number", step=0.1 if name == "scale" else 1, value=f"{value:g}",
                        min=getattr(low, "ge", getattr(low, "gt", None)),
                        max=getattr(high, "le", getattr(high, "lt", None)))
        elif choices(name):
            spec.update(kind="select", options=list(choices(name)))
        elif value is None:
            spec.update(kind="text", value="")
        else:  # a length shows as a clock, as people write it (and it reads back the same)
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            spec.update(kind="text", value=clock(value * 1000, tenths=False)
                        if extra.get("metavar") == "DURATION" else value)
        out.append(spec)
    return out


def offered_voices() -> list[dict[str, str]]:
    """The voices the page offers: each with what it is, and whether it is here already."""
    return [{"name": name, "label": f"{name} ({v['accent']} {v['gender']}"
             + ("" if is_present(name) else ", downloads on first use") + ")"}
            for name, v in voices().items()]


def as_written(ex: Exercise) -> str:
    """An exercise's stepper value as the routine gives it: reps, or seconds (per side)."""
    t = ex.timing
    return str(t.reps) if t.reps is not None else f"{(t.hold_ms or 0) / 1000:g}"


def exercise_fields(routine: Routine) -> list[dict[str, Any]]:
    """Each exercise with the stepper it gets: seconds (per side) or reps."""
    rows = []
    for i, ex in enumerate(routine.exercises):
        t = ex.timing
        row = {"field": f"ex{i}", "include": f"in{i}", "name": ex.name,
               "value": as_written(ex), "timing": t.describe(), "min": 1}
        if t.reps is not None:
            row.update(unit="reps", step=1, max=MAX_REPS)
        else:
            row.update(unit="s per side" if t.per_side else "s", step=5, max=MAX_HOLD_MS // 1000)
        rows.append(row)
    return rows


def read_choice(routine: Routine, form: Any) -> Choice:
    """The form's values as the CLI would take them; raises OptionError with its message."""
    given: dict[str, Any] = {}
    for name in settable():
        if per_exercise(name):
            continue  # from the exercises' steppers and checkboxes, below
        value = form.get(name)
        if value is not None and str(value).strip() != "":
            given[name] = str(value).strip()
    changed: dict[str, dict[str, float | int]] = {"hold": {}, "reps": {}}
    # an unticked checkbox sends nothing: the form says that it has them
    ticked = form.get(INCLUDES) is not None
    skip = [ex.name for i, ex in enumerate(routine.exercises)
            if ticked and form.get(f"in{i}") is None]
    for i, ex in enumerate(routine.exercises):
        value = str(form.get(f"ex{i}") or "").strip()
        if value and value != as_written(ex):
            kind = "reps" if ex.timing.reps is not None else "hold"
            changed[kind][ex.name] = exercise_value(kind, ex.name, value)
    given.update(hold=changed["hold"], reps=changed["reps"], skip=tuple(skip))
    options = customisation(given)
    # the page speaks with hibari: its voice and speed read and checked as the CLI's are
    spoken = read(VoiceOptions, {k: str(form.get(k)).strip() for k in ("voice", "speed")
                                 if str(form.get(k) or "").strip()})
    engine = HibariOptions(**spoken.model_dump(include={"voice", "speed"},
                                               exclude_none=True))  # its checks: the CLI's
    bed = str(form.get("bed") or NO_BED)
    if bed not in BEDS:
        raise OptionError(f"--bed: choose one of {', '.join(BEDS)} here, not '{bed}'",
                          brief=f"Bed: choose one of {', '.join(BEDS)}, not '{bed}'")
    return Choice(options, engine, bed)


def session_stem(name: str, routine: Routine, choice: Choice) -> str:
    """The defaults' render keeps the routine's plain name; each customised version gets a
    name of its own, so versions never overwrite each other."""
    plain, chosen = effective(routine), effective(routine, choice.options)
    if chosen == plain and choice.engine == HibariOptions() and choice.bed == NO_BED:
        return slugify(name)
    key = json.dumps([chosen.model_dump(mode="json"), choice.engine.speed, choice.bed,
                      *([choice.engine.voice] if choice.engine.voice != HibariOptions.voice
                        else [])],
                     sort_keys=True)
    return f"{slugify(name)}-custom-{hashlib.sha256(key.encode()).hexdigest()[:6]}"
