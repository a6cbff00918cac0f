"""Programmes: a plan of sessions over weeks that progresses, and the rules of following it.

A programme file (``programmes/*.yaml``) names the sessions it rotates through (a library
routine, or a compose request) and how they grow week by week. Pure: which session comes
next, at which level, and what it says about it, are functions of the programme and of the
sessions done (:class:`Done`); the history keeps those (:mod:`cuecast.practice.history`).

The plan follows the person, not the calendar: day *n* is the *n*-th session done, whenever
it is done. A session that felt hard keeps the next at the same level; hard twice in a row
steps back a week's progression; easy and right progress as written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from cuecast.errors import RoutineError
from cuecast.files import slugify
from cuecast.script.fitting import FLOOR_MS, coached
from cuecast.script.loader import read_document
from cuecast.script.notation import MAX_REPS, format_duration
from cuecast.script.options import Area, Length
from cuecast.script.routine import MAX_SETS, Exercise, Routine, Text

Feeling = Literal["easy", "right", "hard"]
"""How a session felt, as the person says it."""
FEELINGS: Final[tuple[Feeling, ...]] = ("easy", "right", "hard")


def _areas(values: tuple[str, ...]) -> tuple[str, ...]:
    if not values:
        raise ValueError("name at least one area")
    return tuple(dict.fromkeys(values))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ComposeRequest(_Model):
    """A session composed from the library (as ``cuecast compose``)."""

    focus: Annotated[tuple[Area, ...], AfterValidator(_areas)] = Field(
        description="The areas to work, e.g. [hamstrings, hips].")
    length: Length = Field(description="How long the session lasts in week 1: 10m, 10:00 "
                                       "or 600 (seconds).")


class SessionSource(_Model):
    """One session the programme rotates through: a library routine or a composed one."""

    routine: Text | None = Field(None, description="A routine of the library, by its file "
                                 "name without .yaml (e.g. upper-back-pain).")
    compose: ComposeRequest | None = Field(None, description="Or a session composed from "
                                           "the library's exercises.")
    length: Length = Field(None, description="A routine fitted to this length in week 1 "
                                             "(its holds, then sets, fill it).")

    @model_validator(mode="after")
    def _one_source(self) -> SessionSource:
        if (self.routine is None) == (self.compose is None):
            raise ValueError("give either 'routine:' or 'compose:'")
        if self.compose is not None and self.length is not None:
            raise ValueError("a composed session's length goes inside 'compose:'")
        return self


class Progression(_Model):
    """What each week adds to the one before (week 1 is the sessions as written). Holds grow
    up to their ceilings (a minute for a stretch); beyond that they are done in sets."""

    hold: float = Field(0, ge=0, le=60, description="Seconds added to every timed hold each "
                        "week, e.g. 5.")
    hold_factor: float = Field(1, ge=1, le=2, description="Every timed hold multiplied by "
                               "this each week, e.g. 1.15 (after 'hold').")
    reps: int = Field(0, ge=0, le=20, description="Reps added to every counted exercise "
                      "each week.")
    sets: int = Field(0, ge=0, le=MAX_SETS - 1, description="Sets added to every exercise "
                      "every 'sets_every' weeks.")
    sets_every: int = Field(1, ge=1, le=52, description="How many weeks between added sets.")
    length: Length = Field(None, description="Added to a fitted or composed session's length "
                           "each week, e.g. 1m (given as a length: 1m, 1:00 or 60).")


class Programme(_Model):
    """A whole programme file."""

    title: Text = Field(max_length=80, description="Its name, e.g. 'Upper Back, 4 Weeks'.")
    description: Text | None = Field(None, description="What it is for and who it suits.")
    weeks: int = Field(ge=1, le=52, description="How many weeks it lasts.")
    sessions_per_week: int = Field(ge=1, le=7, description="Sessions a week (days, if you "
                                   "do one a day).")
    sessions: tuple[SessionSource, ...] = Field(
        min_length=1, max_length=14, description="The sessions it rotates through, in order.")
    progression: Progression = Field(default_factory=Progression,
                                     description="How each week grows on the last.")
    lighter_week: int | None = Field(
        None, ge=2, description="A week done at week 1's level, to recover (e.g. the last "
                                "of four).")

    @model_validator(mode="after")
    def _lighter_inside(self) -> Programme:
        if self.lighter_week is not None and self.lighter_week > self.weeks:
            raise ValueError(f"lighter_week {self.lighter_week} is after the last week "
                             f"({self.weeks})")
        return self

    @property
    def days(self) -> int:
        """How many sessions it holds."""
        return self.weeks * self.sessions_per_week

    def week_of(self, day: int) -> int:
        """The week day ``day`` (from 1) falls in."""
        return (day - 1) // self.sessions_per_week + 1

    def level_of(self, week: int) -> int:
        """The progression steps of week ``week`` as written (0 in week 1 and a lighter
        week)."""
        return 0 if week == self.lighter_week else week - 1

    def source_of(self, day: int) -> SessionSource:
        """The session day ``day`` is."""
        return self.sessions[(day - 1) % len(self.sessions)]


def load_programme(path: str | Path) -> Programme:
    """Load and validate a programme file. Raises RoutineError (every problem in
    ``.problems``) naming the file, line and field."""
    return read_document(path, Programme, "programme")[0]


def programme_name(path: Path) -> str:
    """A programme's name: its file's stem, as the library names routines."""
    return slugify(path.stem)


@dataclass(frozen=True)
class Done:
    """A session done, as the plan needs it."""

    day: int
    level: int
    """The progression steps it was done at."""
    felt: Feeling | None


@dataclass(frozen=True)
class Next:
    """The next session of a programme: which day, at which level, and why."""

    day: int
    week: int
    level: int
    reason: str
    """Why this level, when it is not the week's as written (felt hard); else empty."""


def next_session(programme: Programme, done: Sequence[Done]) -> Next | None:
    """The session after ``done`` (in the order they were done), or None when the programme
    is complete."""
    day = len(done) + 1
    if day > programme.days:
        return None
    behind = 0  # weeks stepped back so far: the rest of the plan runs that far behind
    for i in range(len(done)):  # replayed, for the steps back
        behind = _level(programme, done[:i], behind)[1]
    level, _, reason = _level(programme, done, behind)
    return Next(day, programme.week_of(day), level, reason)


def _level(programme: Programme, done: Sequence[Done], behind: int) -> tuple[int, int, str]:
    """The level of the session after ``done``, the weeks behind after it, and why."""
    written = programme.level_of(programme.week_of(len(done) + 1))
    if not done:
        return written, behind, ""
    hard = 0
    for d in reversed(done):
        if d.felt != "hard":
            break
        hard += 1
    last = done[-1].level
    if hard and hard % 2 == 0:
        level = max(0, last - 1)
        return level, max(0, written - level), ("The last two sessions felt hard, so this "
                                                "one steps back a week.")
    if hard:
        level = min(written, last)
        return level, behind, ("The last session felt hard, so this one stays at its level."
                               if level < written else "")
    return max(0, written - behind), behind, ""


@dataclass(frozen=True)
class Plan:
    """One day's session as the progression makes it: the routine to render (its holds,
    reps and sets set, its introduction saying what changed) and the length to fit it to."""

    routine: Routine
    length_s: int | None
    """Fit the session to this many seconds (a composed or fitted session), or None."""


def plan(programme: Programme, routine: Routine, nxt: Next) -> Plan:
    """``routine`` (the day's session as the library has it, or as composed) grown to
    ``nxt``'s level, introduced with the day and what changed."""
    step, length_s = programme.progression, length_at(programme, nxt)
    grown = tuple(_grown(ex, step, nxt.level) for ex in routine.exercises)
    day = routine.model_copy(update={"exercises": grown})
    introduction = " ".join(x for x in (
        f"Day {nxt.day} of {programme.days}.", _what_changed(programme, routine, day, nxt,
                                                              length_s)) if x)
    return Plan(day.model_copy(update={"introduction": introduction}), length_s)


def length_at(programme: Programme, nxt: Next) -> int | None:
    """The length (seconds) the day's session is fitted or composed to, at its level; None
    for a routine as written."""
    source = programme.source_of(nxt.day)
    base = source.compose.length if source.compose else source.length
    return None if base is None else base + nxt.level * (programme.progression.length or 0)


def _grown(ex: Exercise, step: Progression, level: int) -> Exercise:
    """One exercise ``level`` weeks on: holds longer (up to the ceiling, then in sets), more
    reps, more sets."""
    timing, sets = ex.timing, ex.sets + step.sets * (level // step.sets_every)
    if timing.hold_ms is not None and (step.hold or step.hold_factor != 1) and level:
        target = (timing.hold_ms + level * step.hold * 1000) * step.hold_factor ** level
        hold, sets = coached(target * sets, floor_ms=min(FLOOR_MS, timing.hold_ms),
                             ceiling_ms=ex.ceiling_ms(),
                             least_sets=min(sets, MAX_SETS), nearest=True)
        timing = dataclasses.replace(timing, hold_ms=hold)
    elif timing.reps is not None and step.reps:
        timing = dataclasses.replace(timing, reps=min(MAX_REPS, timing.reps + level * step.reps))
    return ex.model_copy(update={"timing": timing, "sets": min(MAX_SETS, sets)})


def _what_changed(programme: Programme, before: Routine, after: Routine, nxt: Next,
                  length_s: int | None) -> str:
    """A sentence or two on this session's level: what the person does differently."""
    if nxt.reason:
        return nxt.reason
    first_of_week = (nxt.day - 1) % programme.sessions_per_week == 0
    week = f"Week {nxt.week}." if first_of_week else ""
    if nxt.level == 0:
        if nxt.week == programme.lighter_week:
            return f"Week {nxt.week}: a lighter week, to recover, as in week 1."
        return "Week 1. We start gently." if nxt.day == 1 else ""
    step, pairs = programme.progression, list(zip(before.exercises, after.exercises))
    said = [week] if week else []
    holds = {b.timing.hold_ms for _, b in pairs if b.timing.hold_ms is not None}
    if any(a.timing.hold_ms != b.timing.hold_ms for a, b in pairs):
        if len(holds) == 1:
            said.append(f"Holds are {format_duration(holds.pop())} this week.")
        elif step.hold and step.hold_factor == 1:
            said.append(f"Holds are {format_duration(round(nxt.level * step.hold * 1000))} "
                        "longer than in week 1.")
        else:
            said.append("Holds are longer than in week 1.")
    if any(a.timing.reps != b.timing.reps for a, b in pairs):
        said.append(f"{nxt.level * step.reps} more reps of each move than in week 1.")
    if any(a.sets != b.sets for a, b in pairs):
        sets = {b.sets for _, b in pairs}
        said.append(f"{sets.pop()} sets of each exercise this week." if len(sets) == 1
                    else "The longer stretches are done in sets this week.")
    if length_s is not None and step.length:
        said.append(f"The session lasts {format_duration(length_s * 1000)} this week.")
    return " ".join(said)


def check_sources(programme: Programme, routines: dict[str, Path], shown: str) -> None:
    """Every routine the programme names exists in ``routines``; raises RoutineError."""
    for i, source in enumerate(programme.sessions):
        if source.routine is not None and source.routine not in routines:
            raise RoutineError(shown, f"no routine named '{source.routine}' in the library "
                                      f"(it has {', '.join(routines)})",
                               field=f"sessions[{i}].routine")

