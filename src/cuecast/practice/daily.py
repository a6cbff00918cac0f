"""Practice over weeks: start a programme, render today's session, record it done, read the
history. The command line and the companion call these same keyword-only functions.

Today's session is a function of the programme and of the sessions done
(:func:`cuecast.practice.programme.next_session`), made from the library as any session is, and
rendered into ``output/<programme>/day-NN.mp3``; what it was rendered from is remembered, so
asking again renders nothing when nothing changed.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cuecast.engines.registry import EngineOptions, HibariOptions
from cuecast.errors import HistoryError, OptionError, RoutineError
from cuecast.make.compose import compose
from cuecast.make.library import library_folder, routine_files, shipped_folder
from cuecast.make.render import render
from cuecast.practice.history import History, Rendered, Run, SessionDone
from cuecast.practice.programme import (
    FEELINGS,
    Done,
    Feeling,
    Next,
    Plan,
    Programme,
    check_sources,
    length_at,
    load_programme,
    next_session,
    plan,
    programme_name,
)
from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.loader import load_routine
from cuecast.script.options import ComposeOptions, Customisation
from cuecast.script.resolve import resolve_settings
from cuecast.script.routine import Routine
from cuecast.script.timeline import Timeline, clock, read_cues
from cuecast.speech.clips import Progress

PLAN_VERSION: Final = 1
"""Part of every rendered day's fingerprint: bump it when the same plan would sound
different, so days rendered ahead are made again."""


DAY_PREFIX: Final = "day-"
"""A programme's day is ``output/<programme>/day-NN.mp3``."""


def programme_folder() -> Path:
    """The programmes that come with cuecast."""
    return shipped_folder("programmes")


def programme_files(*, folders: Sequence[Path] = ()) -> dict[str, Path]:
    """Programme files by name: the shipped ones, then ``./programmes`` and ``folders``
    (a later one's file of the same name wins), found as routine files are."""
    return routine_files(programme_folder(), Path("programmes"), *folders)


def day_stem(name: str, day: int) -> str:
    """The listed name of a programme's day: ``upper-back-4-weeks/day-09``."""
    return f"{name}/{DAY_PREFIX}{day:02d}"


def day_of(stem: str) -> tuple[str, int] | None:
    """A listed session's programme and day, when it is a programme's day."""
    name, sep, leaf = stem.rpartition("/")
    number = leaf.removeprefix(DAY_PREFIX)
    if not sep or leaf == number or not number.isdigit():
        return None
    return name, int(number)


@dataclass(frozen=True)
class Listed:
    """A programme file as listed."""

    name: str
    path: Path
    programme: Programme | None
    problem: str | None = None


def list_programmes(*, folders: Sequence[Path] = ()) -> list[Listed]:
    """Every programme there is, each loaded (an invalid file with its first problem)."""
    out = []
    for name, path in programme_files(folders=folders).items():
        try:
            out.append(Listed(name, path, load_programme(path)))
        except RoutineError as exc:
            out.append(Listed(name, path, None, str(exc.problems[0])))
    return out


def _find(programme: str, folders: Sequence[Path]) -> Path:
    """A programme file given by path or by name."""
    given = Path(programme)
    if given.suffix.lower() in (".yaml", ".yml") or given.exists():
        return given
    files = programme_files(folders=folders)
    if programme not in files:
        raise OptionError(f"no programme named '{programme}'; there are: "
                          + ", ".join(files))
    return files[programme]


def start(*, programme: str, data_dir: Path | None = None, folders: Sequence[Path] = (),
          routines: Sequence[Path] | None = None) -> Run:
    """Start a programme (a file, or a name from :func:`programme_files`); ``routines``: the
    folders of the routines it names (default: the library, then ./routines)."""
    path = _find(programme, folders)
    loaded = load_programme(path)
    check_sources(loaded, _routines(routines), str(path))
    with History.open(data_dir) as history:
        return history.start(name=programme_name(path), title=loaded.title,
                             source=str(path.resolve()), days=loaded.days)


def stop(*, data_dir: Path | None = None) -> Run:
    """Stop the programme under way, keeping its history."""
    with History.open(data_dir) as history:
        stopped = history.stop()
    if stopped is None:
        raise HistoryError("no programme is under way")
    return stopped


@dataclass(frozen=True)
class Today:
    """The next session of the programme under way."""

    run: Run
    programme: Programme
    next: Next
    plan: Plan
    title: str
    """``Upper back: day 9 of 20``."""


def today(*, data_dir: Path | None = None, history: History | None = None,
          routines: Sequence[Path] | None = None) -> Today | None:
    """The next session of the programme under way, planned (nothing rendered); None when
    no programme is under way. Raises HistoryError when it is complete."""
    if history is None:
        with History.open(data_dir) as opened:
            return today(history=opened, routines=routines)
    run = history.running()
    if run is None:
        return None
    programme = programme_of(run)
    done = history.sessions(run.id)
    nxt = next_session(programme, [Done(s.day, s.level, _felt(s.felt)) for s in done])
    if nxt is None:
        raise HistoryError(f"'{run.title}' is complete: all {programme.days} sessions done; "
                           "start another (cuecast programme start)")
    day_plan = plan(programme, _routine_of(programme, nxt, _routines(routines)), nxt)
    return Today(run, programme, nxt, day_plan,
                 f"{day_plan.routine.title}: day {nxt.day} of {programme.days}")


@dataclass(frozen=True)
class Made:
    """Today's session, rendered (or found rendered already)."""

    today: Today
    mp3: Path
    length_ms: int
    rendered: bool
    """False when the file from an earlier render was still what today's plan makes."""


def render_today(*, data_dir: Path | None = None, output: Path = Path("output"),
                 engine: EngineOptions | None = None, cache_dir: Path | None = None,
                 progress: Progress | None = None,
                 routines: Sequence[Path] | None = None) -> Made:
    """Render the next session to ``output/<programme>/day-NN.mp3`` (nothing when it is
    there already, made from the same plan and voice)."""
    with History.open(data_dir) as history:
        now = today(history=history, routines=routines)
        if now is None:
            raise HistoryError("no programme is under way; start one (cuecast programme "
                               "start NAME; cuecast programme list shows them)")
        mp3 = output / f"{day_stem(now.run.name, now.next.day)}.mp3"
        before = current_render(history, now, engine)
        if before is not None and before.mp3 == mp3:
            return Made(now, mp3, before.length_ms, rendered=False)
        result = render(path=Path(now.run.source), routine=now.plan.routine, output=mp3,
                        options=_options(now.plan), engine=engine, cache_dir=cache_dir,
                        progress=progress)
        length = result.timeline.duration_ms
        history.remember_render(run_id=now.run.id, day=now.next.day,
                                rendered=Rendered(fingerprint(now.plan, engine), mp3, length))
    return Made(now, mp3, length, rendered=True)


def done(*, data_dir: Path | None = None, felt: Feeling | None = None,
         played_ms: int | None = None, day: int | None = None,
         routines: Sequence[Path] | None = None) -> SessionDone:
    """Record the next session done (``day``: that day, as the phone names what it played;
    a day already done gets the feeling or how far it was played added). Two processes
    recording at once each record their own day."""
    with History.open(data_dir) as history:
        for _ in range(10_000):  # each miss means another process recorded a day
            run = history.running()
            if run is not None and day is not None and day <= len(history.sessions(run.id)):
                updated = history.update(run_id=run.id, day=day, felt=felt,
                                         played_ms=played_ms)  # done: nothing to plan
                if updated is None:
                    raise HistoryError(f"day {day} is not in the history")
                return updated
            now = today(history=history, routines=routines)
            if now is None:
                raise HistoryError("no programme is under way; start one (cuecast "
                                   "programme start NAME)")
            if day is not None and day != now.next.day:
                raise OptionError(f"day {day} is not the next session (day {now.next.day} "
                                  "is)")
            settings, length_ms = _as_done(history, now)
            recorded = history.record(
                run_id=now.run.id, day=now.next.day, week=now.next.week,
                level=now.next.level, routine=now.plan.routine.title, settings=settings,
                length_ms=length_ms, played_ms=played_ms, felt=felt)
            if recorded is not None:
                if now.next.day == now.programme.days:
                    history.stop()  # complete: a new programme may start
                return recorded
    raise HistoryError("could not record the session: the history kept changing")


def history_table(*, data_dir: Path | None = None, as_csv: bool = False) -> str:
    """Every session done, as a table for people or as CSV for a spreadsheet."""
    with History.open(data_dir) as history:
        sessions = history.sessions()
    rows = [[s.done_at.astimezone().strftime("%Y-%m-%d %H:%M"), s.programme, str(s.day),
             str(s.week), s.routine, _clock(s.length_ms), _clock(s.played_ms),
             s.felt or ""] for s in sessions]
    head = ["done", "programme", "day", "week", "session", "length", "played", "felt"]
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*head, "settings"])
        writer.writerows([*row, json.dumps(s.settings, sort_keys=True)]
                         for row, s in zip(rows, sessions))
        return out.getvalue()
    if not rows:
        return "No session done yet."
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in [head, *rows])


def _clock(ms: int | None) -> str:
    return "" if ms is None else clock(ms, tenths=False)


def _felt(value: str | None) -> Feeling | None:
    return value if value in FEELINGS else None


def _routines(folders: Sequence[Path] | None) -> dict[str, Path]:
    """The routines a programme may name, by name: in ``folders`` (default: the library,
    and ./routines beside it)."""
    return routine_files(*(folders if folders is not None else
                           (library_folder(), Path("routines"))))


def programme_of(run: Run) -> Programme:
    """The programme file a run was started from (found by name if it moved)."""
    path = Path(run.source)
    if not path.is_file():
        path = programme_files().get(run.name, path)
    return load_programme(path)


def _routine_of(programme: Programme, nxt: Next, routines: dict[str, Path]) -> Routine:
    """The day's session as the library has it, or as composed for its length."""
    source = programme.source_of(nxt.day)
    if source.compose is not None:
        length_s = length_at(programme, nxt)
        if length_s is None:
            raise OptionError("a composed session needs its length")
        library = list(routine_files(library_folder()).values())
        return compose(library=library, request=ComposeOptions(
            focus=source.compose.focus, length=length_s)).routine
    if source.routine not in routines:
        raise OptionError(f"the programme names a routine the library lacks: "
                          f"'{source.routine}'")
    return load_routine(routines[source.routine])


def _options(day_plan: Plan) -> Customisation | None:
    return None if day_plan.length_s is None else Customisation(length=day_plan.length_s)


def fingerprint(day_plan: Plan, engine: EngineOptions | None) -> str:
    """What a day's render is made from: the same, and its file is still today's."""
    what = [PLAN_VERSION, day_plan.routine.model_dump(mode="json"), day_plan.length_s,
            repr(engine or HibariOptions())]  # None is the default voice
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def current_render(history: History, now: Today,
                   engine: EngineOptions | None = None) -> Rendered | None:
    """The day's render, if its file is there and made from today's plan with ``engine``
    (a "hard" since may have changed the plan)."""
    rendered = history.rendered(now.run.id, now.next.day)
    if (rendered is None or rendered.fingerprint != fingerprint(now.plan, engine)
            or not rendered.mp3.is_file()):
        return None
    return rendered


def _as_done(history: History, now: Today) -> tuple[dict[str, object], int]:
    """What a session done was made with (each exercise's hold, reps and sets, as fitted) and
    how long it lasts: as rendered where its file is today's, else as planned."""
    timeline = None
    rendered = current_render(history, now)
    if rendered is not None:
        with contextlib.suppress(OSError, ValueError):
            timeline = read_cues(rendered.mp3).timeline
    if timeline is None:
        timeline = planned_timeline(now)
    exercises: dict[str, object] = {}
    for ex in now.plan.routine.exercises:
        blocks = [b for b in timeline.blocks if b.exercise == ex.name]
        if not blocks:
            continue
        first, sides = blocks[0], 2 if ex.timing.per_side else 1
        exercises[ex.name] = {
            "hold_ms": None if first.reps is not None else first.end_ms - first.start_ms,
            "reps": first.reps, "sets": len(blocks) // sides, "per_side": ex.timing.per_side}
    return {"length_s": now.plan.length_s, "exercises": exercises}, timeline.duration_ms


def planned_timeline(now: Today) -> Timeline:
    """The next session laid out with estimates (as ``cuecast script`` would say it)."""
    routine = now.plan.routine
    return compile_session(routine, resolve_settings(routine, _options(now.plan)), estimate_ms)
