"""``cuecast compose``: a routine made of library exercises for the areas a person asks for,
fitted to the time they have.

The choice is a pure function of the library, the request and the seed: exercises that work
one of the focus areas (those working more of them first, the areas taken in turn so that
each is served), none twice, as many as the length needs with holds between
``HOLD_RANGE_MS``; then ordered so that each position is one run, flowing towards the floor.
The routine written keeps each exercise's steps, breath phrasing and tags, and its
``defaults:`` keep the length, so that it renders to that length with the real voice.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cuecast.errors import OptionError, RoutineError
from cuecast.files import slugify
from cuecast.make.library import library_folder, routine_files
from cuecast.make.writing import library_names, write_routine
from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.fitting import TOLERANCE_MS, fit_length
from cuecast.script.loader import load_routine
from cuecast.script.options import POSITIONS, ComposeOptions
from cuecast.script.resolve import resolve_settings
from cuecast.script.routine import MAX_SETS, Exercise, Routine, name_key
from cuecast.script.timeline import clock

TITLE_MAX: Final = 80
"""A composed title names its areas up to this long (a routine's title may have 120)."""
HOLD_RANGE_MS: Final = (20_000, 90_000)
"""A composed session's holds: long enough to stretch, short enough to stay with."""


@dataclass(frozen=True)
class Composed:
    """A composed routine, ready to be written as YAML."""

    routine: Routine
    """The routine, its holds fitted by the speaking-time estimate and its length kept in
    ``defaults:`` (a render fits the holds again with the real voice)."""
    sources: tuple[str, ...]
    """The library files its exercises come from."""


def compose(*, library: Sequence[Path], request: ComposeOptions) -> Composed:
    """Compose a routine from the routine files ``library``. Raises OptionError when the
    library cannot fill the length with the areas and positions asked."""
    candidates = _candidates(library, request)
    if not candidates:
        raise OptionError(f"no library exercise works {_areas(request.focus)}"
                          + (f" {_positions(request.position)}" if request.position else ""))
    ranked = _ranked(candidates, request)
    chosen: list[tuple[Exercise, str]] = []
    for pick in ranked:
        chosen.append(pick)
        routine = _routine(chosen, request)
        if _lasts_ms(routine, HOLD_RANGE_MS[1]) < request.length_ms - TOLERANCE_MS:
            continue  # not enough yet, even at the longest holds: take the next one too
        if _lasts_ms(routine, HOLD_RANGE_MS[0]) > request.length_ms + TOLERANCE_MS:
            chosen.pop()  # this one does not fit in: try the next
            continue
        fits = _fits(routine, request.length_ms)
        if fits is not None:
            return Composed(fits, tuple(dict.fromkeys(source for _, source in chosen)))
    # every exercise there is, and still short at single sets: the time beyond, in sets
    fits = _fits(_routine(chosen, request), request.length_ms) if chosen else None
    if fits is not None:
        return Composed(fits, tuple(dict.fromkeys(source for _, source in chosen)))
    longest = _lasts_ms(_routine(chosen, request), HOLD_RANGE_MS[1], MAX_SETS) if chosen else 0
    said = (f"the library's exercises for {_areas(request.focus)} fill at most "
            f"{clock(longest, tenths=False)} with holds up to {HOLD_RANGE_MS[1] // 1000} s "
            f"and {MAX_SETS} sets; ask for less, or add an area")
    length = clock(request.length_ms, tenths=False)
    raise OptionError(f"--length {length}: {said}", brief=f"{length}: {said}")


def _candidates(library: Sequence[Path], request: ComposeOptions) -> list[tuple[Exercise, str]]:
    """Library exercises working a focus area, each name once (the timed version where a
    name is both timed and counted: a hold can be fitted)."""
    found: dict[str, tuple[Exercise, str]] = {}
    for path in sorted(library):
        try:
            routine = load_routine(path)
        except RoutineError:
            continue  # an invalid file is listed as such by 'cuecast list', not composed
        for ex in routine.exercises:
            if not set(ex.areas) & set(request.focus):
                continue
            if request.position and ex.position not in request.position:
                continue
            key = name_key(ex.name)
            known = found.get(key)
            if known is None or (known[0].timing.hold_ms is None
                                 and ex.timing.hold_ms is not None):
                found[key] = (ex, path.name)
    return list(found.values())


def _ranked(candidates: list[tuple[Exercise, str]],
            request: ComposeOptions) -> list[tuple[Exercise, str]]:
    """Candidates in the order they are taken: the areas in turn, and for each area the
    exercises working most of the focus first, ties broken by the seed."""
    shuffled = sorted(candidates, key=lambda c: name_key(c[0].name))
    random.Random(request.seed).shuffle(shuffled)
    order = sorted(shuffled, key=lambda c: -len(set(c[0].areas) & set(request.focus)))
    queues = [[c for c in order if area in c[0].areas] for area in request.focus]
    ranked: list[tuple[Exercise, str]] = []
    while any(queues):
        for queue in queues:
            while queue and queue[0] in ranked:
                queue.pop(0)
            if queue:
                ranked.append(queue.pop(0))
    return ranked


def _routine(chosen: list[tuple[Exercise, str]], request: ComposeOptions) -> Routine:
    """The chosen exercises as a routine: one run per position, towards the floor."""
    def place(pick: tuple[Exercise, str]) -> int:
        position = pick[0].position
        return POSITIONS.index(position) if position else len(POSITIONS)

    ordered = [ex for ex, _ in sorted(chosen, key=place)]  # stable: the ranking within a run
    minutes = round(request.length_ms / 60_000)
    title = f"{_areas(request.focus).capitalize()}, {minutes} minutes"
    if len(title) > TITLE_MAX:  # many areas: the routine format's titles are short
        title = f"{len(request.focus)} areas, {minutes} minutes"
    runs = list(dict.fromkeys(ex.position for ex in ordered if ex.position))
    flow = ", then ".join(runs)
    return Routine.model_validate({
        "title": title,
        "description": f"{len(ordered)} exercises from the cuecast library for "
                       f"{_areas(request.focus)}" + (f": {flow}." if flow else "."),
        "defaults": {"length": request.length_ms // 1000},
        "exercises": [ex.model_dump(exclude_none=True) for ex in ordered],
    })


def _fits(routine: Routine, length_ms: int) -> Routine | None:
    """``routine`` with its holds fitted to ``length_ms`` within the composed range, or None
    when it cannot be."""
    settings = resolve_settings(routine)
    try:
        fitted = fit_length(routine, settings,
                            lambda s: compile_session(routine, s, estimate_ms),
                            length_ms=length_ms, floor_ms=HOLD_RANGE_MS[0],
                            ceiling_ms=HOLD_RANGE_MS[1])
    except OptionError:
        return None
    if abs(fitted.timeline.duration_ms - length_ms) > TOLERANCE_MS:
        return None
    return fitted.settings.as_written(routine)


def _lasts_ms(routine: Routine, hold_ms: int, sets: int = 1) -> int:
    """How long ``routine`` lasts with every timed hold at ``hold_ms`` (at most its
    ceiling), ``sets`` times."""
    timed = [ex for ex in routine.exercises if ex.timing.hold_ms is not None]
    holds = {name_key(ex.name): min(hold_ms, ex.ceiling_ms()) if sets > 1 else hold_ms
             for ex in timed}
    settings = dataclasses.replace(resolve_settings(routine), length_ms=None, holds=holds,
                                   sets={name_key(ex.name): sets for ex in timed})
    return compile_session(routine, settings, estimate_ms).duration_ms


def _areas(areas: Sequence[str]) -> str:
    """``("neck", "upper-back")`` -> ``neck and upper back``."""
    words = [a.replace("-", " ") for a in areas]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _positions(positions: Sequence[str]) -> str:
    return "in " + " or ".join(p.replace("-", " ") for p in positions) + " positions"


def composed_yaml(composed: Composed) -> str:
    """The routine file: a comment naming its sources, then the routine as ``check`` reads
    it."""
    import yaml

    data: dict[str, Any] = composed.routine.model_dump(mode="json", exclude_none=True)
    # the length as a person writes it ("15:00"), the one default a composed routine sets
    data["defaults"] = {"length": clock(data["defaults"]["length"] * 1000, tenths=False)}
    for ex in data["exercises"]:
        for name, value in list(ex.items()):
            if value in ((), [], None) or (name, value) in (("first_side", "right"),
                                                            ("sets", 1)):
                del ex[name]
    return (f"# {composed.routine.title}: composed by cuecast from "
            + ", ".join(composed.sources) + ".\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96))


def write_composed(*, request: ComposeOptions, output: Path | None = None, force: bool = False,
                   folder: Path = Path("routines"), library: Path | None = None,
                   rename: bool = False) -> tuple[Composed, Path]:
    """Compose from the library (``library``: its folder, default the one cuecast comes
    with) and write the routine to ``output`` (default ``folder/<title>.yaml``) through
    :func:`cuecast.make.writing.write_routine`: checked as ``cuecast check`` would, never
    under a library routine's name; a different routine of that name is replaced with
    ``force`` (kept as a backup), or the new one named apart with ``rename``. Returns it and
    where it is."""
    shelf = library or library_folder()
    files = list(routine_files(shelf).values())
    composed = compose(library=files, request=request)
    target = output or folder / f"{slugify(composed.routine.title)}.yaml"
    written = write_routine(body=composed_yaml(composed), target=target, replace=force,
                            rename=rename, library=library_names(shelf, target.parent),
                            shown=composed.routine.title)
    return composed, written
