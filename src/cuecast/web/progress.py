"""A programme's progress as the programme page shows it: a calendar of its weeks, and a
chart of minutes per week and hold length over the weeks (drawn on the server as SVG, with
the same figures as a table for screen readers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from cuecast.practice.history import Run, SessionDone
from cuecast.practice.programme import Programme

DayState = Literal["done", "missed", "today", "upcoming", "outside"]


@dataclass(frozen=True)
class CalendarDay:
    """One date of the calendar."""

    date: date
    state: DayState
    """done (a session done that day), missed (a past day without one), today, upcoming, or
    outside the programme."""
    sessions: tuple[SessionDone, ...] = ()

    @property
    def label(self) -> str:
        """What a screen reader says of it."""
        when = self.date.strftime("%A %d %B")
        if self.state == "done":
            days = ", ".join(f"day {s.day}" + (f", felt {s.felt}" if s.felt else "")
                             for s in self.sessions)
            return f"{when}: done ({days})"
        return f"{when}: {_SAID[self.state]}"


_SAID: Final[dict[DayState, str]] = {"done": "done", "missed": "no session", "today": "today",
                                     "upcoming": "to come", "outside": "outside the programme"}


def calendar(run: Run, sessions: Sequence[SessionDone], programme: Programme,
             today: date) -> list[list[CalendarDay]]:
    """Weeks (Monday to Sunday) from the start to the day the programme would end if one
    session were done each planned day from today on."""
    start = run.started_at.astimezone().date()
    by_date: dict[date, list[SessionDone]] = {}
    for s in sessions:
        by_date.setdefault(s.done_at.astimezone().date(), []).append(s)
    left = max(0, programme.days - len(sessions))
    per_week = programme.sessions_per_week
    end = max(today, *by_date) + timedelta(days=-(-left * 7 // per_week))
    if run.stopped_at is not None:
        end = max([start, *by_date])
    first = start - timedelta(days=start.weekday())
    weeks: list[list[CalendarDay]] = []
    day = first
    while day <= end or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        done = tuple(by_date.get(day, ()))
        state: DayState = ("outside" if day < start or day > end else
                           "done" if done else "today" if day == today else
                           "missed" if day < today else "upcoming")
        weeks[-1].append(CalendarDay(day, state, done))
        day += timedelta(days=1)
    return weeks


@dataclass(frozen=True)
class WeekFigures:
    """One programme week's figures."""

    week: int
    minutes: float
    """Minutes done (as played where known, else the session's length)."""
    hold_s: float | None
    """The mean timed hold of its sessions, seconds (None: nothing done yet)."""


def figures(programme: Programme, sessions: Sequence[SessionDone]) -> list[WeekFigures]:
    out = []
    for week in range(1, programme.weeks + 1):
        done = [s for s in sessions if s.week == week]
        ms = sum((s.played_ms or s.length_ms or 0) for s in done)
        holds = [e["hold_ms"] for s in done for e in s.settings.get("exercises", {}).values()
                 if isinstance(e, dict) and e.get("hold_ms")]
        out.append(WeekFigures(week, round(ms / 60_000, 1),
                               round(sum(holds) / len(holds) / 1000, 1) if holds else None))
    return out


WIDTH: Final = 340
HEIGHT: Final = 180
_PAD: Final = 28


@dataclass(frozen=True)
class Chart:
    """The chart's geometry, in SVG user units."""

    bars: tuple[tuple[float, float, float, float, str], ...]
    """x, y, width, height, and the week's label, per week (minutes)."""
    line: str
    """The hold lengths' polyline points ("x,y x,y")."""
    dots: tuple[tuple[float, float], ...]
    most_minutes: float
    longest_hold_s: float
    width: int = WIDTH
    height: int = HEIGHT


def chart(weeks: Sequence[WeekFigures]) -> Chart:
    most = max([w.minutes for w in weeks] + [1.0])
    longest = max([w.hold_s or 0 for w in weeks] + [1.0])
    inner_w, inner_h = WIDTH - 2 * _PAD, HEIGHT - 2 * _PAD
    step = inner_w / max(1, len(weeks))
    bars, dots = [], []
    for i, w in enumerate(weeks):
        h = inner_h * w.minutes / most
        x = _PAD + i * step + step * 0.15
        bars.append((round(x, 1), round(_PAD + inner_h - h, 1), round(step * 0.7, 1),
                     round(h, 1), f"W{w.week}"))
        if w.hold_s is not None:
            dots.append((round(_PAD + i * step + step / 2, 1),
                         round(_PAD + inner_h - inner_h * w.hold_s / longest, 1)))
    return Chart(tuple(bars), " ".join(f"{x},{y}" for x, y in dots), tuple(dots), most,
                 longest)
