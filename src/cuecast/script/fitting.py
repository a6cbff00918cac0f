"""Fitting a session to the time a person has, as a coach fills it.

Pure, like the compiler it serves: ``layout`` lays the session out for some settings (an
estimate of speaking time for previews, the real clips when rendering), so the fitted
session lasts what was asked as rendered. Reps, speech, rests and holds set one by one with
``--hold`` stay as they are; the other holds move together, in proportion to the routine's
own, between a floor and each exercise's ceiling (:meth:`Exercise.ceiling_ms`: a minute for
a stretch); time beyond the ceiling is filled with sets, as a coach would ("Second set.").
Every fitted hold is a multiple of 5 seconds, as a person sets it; the seconds that make the
length exact are silence added to the rests (:attr:`Settings.slack_ms`), never a spoken
length. The spoken lengths change with the holds ("45 seconds" is longer to say than
"1 minute"), so the fit is laid out again until it stops moving.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cuecast.errors import OptionError
from cuecast.script.notation import format_duration
from cuecast.script.resolve import Settings
from cuecast.script.routine import MAX_SETS, Routine, name_key
from cuecast.script.timeline import Timeline, clock

FLOOR_MS: Final = 10_000
"""No fitted hold (per side, where per side) goes below this: shorter is not a stretch."""
ROUND_MS: Final = 5000
"""Fitted holds move in steps of 5 s ("45 seconds", "1 minute 5 seconds")."""
TOLERANCE_MS: Final = 1000
"""A fitted session lasts what was asked within this."""
_ROUNDS: Final = 8
"""Layouts tried at most: the spoken lengths settle after two or three."""

LaidOut = Callable[[Settings], Timeline]
"""Settings -> the session laid out with them (holds as given, no fitting)."""


@dataclass(frozen=True)
class Fitted:
    """A session fitted to a length."""

    settings: Settings
    """The settings with every fitted hold and set count set one by one, the slack to
    spread, and no length left to fit."""
    timeline: Timeline
    """The session laid out with them."""


@dataclass(frozen=True)
class _Hold:
    """One fitted hold (all exercises of one name share it, as ``--hold`` does)."""

    base_ms: int
    """The routine's own length of one set: the fit keeps the holds' proportions."""
    base_sets: int
    """The routine's own sets."""
    sides: int
    """How many times one set holds it (each side counts)."""
    floor_ms: int
    ceiling_ms: int

    def at(self, scale: float) -> tuple[int, int]:
        """(hold, sets) holding ``scale`` times the routine's own time, in 5 s steps at or
        under it."""
        return coached(scale * self.base_ms * self.base_sets, floor_ms=self.floor_ms,
                       ceiling_ms=self.ceiling_ms, least_sets=self.base_sets)


def coached(total_ms: float, *, floor_ms: int, ceiling_ms: int, least_sets: int = 1,
            nearest: bool = False) -> tuple[int, int]:
    """(hold, sets) for ``total_ms`` of holding, as a coach sets it: as few sets as the
    ceiling allows (at least ``least_sets``: the routine's own), each hold in 5 s steps at
    or under its share (``nearest``: the nearest step), within the floor and the ceiling."""
    sets = min(MAX_SETS, max(least_sets, math.ceil(total_ms / ceiling_ms - 1e-9)))
    steps = total_ms / sets / ROUND_MS
    hold = (math.floor(steps + 0.5) if nearest else math.floor(steps)) * ROUND_MS
    return round(min(max(hold, floor_ms), ceiling_ms)), sets


Chosen = dict[str, tuple[int, int]]
"""Exercise key -> (hold ms, sets)."""


def fit_length(routine: Routine, settings: Settings, layout: LaidOut, *, length_ms: int,
               floor_ms: int = FLOOR_MS, ceiling_ms: int | None = None) -> Fitted:
    """The session fitted to ``length_ms`` (``ceiling_ms``: a cap under every exercise's
    own ceiling). Raises OptionError naming the shortest or the longest length possible when
    the holds cannot stretch or shrink that far."""
    holds = _free_holds(routine, settings, floor_ms, ceiling_ms)
    fixed = dataclasses.replace(settings, length_ms=None, slack_ms=0)

    def laid(chosen: Chosen, slack_ms: int = 0) -> tuple[Settings, Timeline]:
        s = dataclasses.replace(
            fixed, holds={**settings.holds, **{k: h for k, (h, _) in chosen.items()}},
            sets={**settings.sets, **{k: n for k, (_, n) in chosen.items()}},
            slack_ms=slack_ms)
        return s, layout(s)

    def held(chosen: Chosen) -> int:
        return sum(holds[k].sides * h * n for k, (h, n) in chosen.items())

    chosen: Chosen = {k: (h.base_ms, h.base_sets) for k, h in holds.items()}
    tried = laid(chosen)
    if not holds:
        if abs(tried[1].duration_ms - length_ms) > TOLERANCE_MS:
            raise OptionError(f"length {clock(length_ms, tenths=False)}: nothing to fit, "
                              "every hold is set with --hold or counted in reps")
        return Fitted(*tried)
    seen: set[tuple[tuple[str, tuple[int, int]], ...]] = set()
    under: list[tuple[Chosen, Timeline]] = []  # fitted layouts that leave room for slack
    for _ in range(_ROUNDS):  # the first layout, the routine's own holds, only measures
        budget = length_ms - (tried[1].duration_ms - held(chosen))
        _within_reach(holds, budget, length_ms, laid, floor_ms)
        again = _spread(holds, budget)
        key = tuple(sorted(again.items()))
        if key in seen:
            break
        seen.add(key)
        chosen, tried = again, laid(again)
        if tried[1].duration_ms <= length_ms:
            under.append((chosen, tried[1]))
    if not under:  # every layout ran over: shorter holds until one does not
        under.append(_shortened(holds, chosen, tried[1], length_ms, laid))
    chosen, timeline = max(under, key=lambda u: u[1].duration_ms)
    return Fitted(*_with_slack(chosen, length_ms - timeline.duration_ms, length_ms, laid))


def _with_slack(chosen: Chosen, slack_ms: int, length_ms: int,
                laid: Callable[[Chosen, int], tuple[Settings, Timeline]]
                ) -> tuple[Settings, Timeline]:
    """The layout with ``slack_ms`` of silence in its rests, corrected where the intro's
    minutes moved with it."""
    result = laid(chosen, slack_ms)
    for _ in range(3):
        miss = length_ms - result[1].duration_ms
        if abs(miss) <= TOLERANCE_MS // 2 or slack_ms + miss < 0:
            break
        slack_ms += miss
        result = laid(chosen, slack_ms)
    return result


def _shortened(holds: dict[str, _Hold], chosen: Chosen, timeline: Timeline, length_ms: int,
               laid: Callable[[Chosen, int], tuple[Settings, Timeline]]
               ) -> tuple[Chosen, Timeline]:
    """``chosen`` with holds 5 s shorter, the longest first, until it lasts at most
    ``length_ms``."""
    chosen = dict(chosen)
    for _ in range(4 * len(holds)):
        if timeline.duration_ms <= length_ms:
            break
        key = max(chosen, key=lambda k: (chosen[k][0] - holds[k].floor_ms, k))
        hold, sets = chosen[key]
        if hold - ROUND_MS < holds[key].floor_ms:
            break
        chosen[key] = (hold - ROUND_MS, sets)
        timeline = laid(chosen, 0)[1]
    return chosen, timeline


def _free_holds(routine: Routine, settings: Settings, floor_ms: int,
                ceiling_ms: int | None) -> dict[str, _Hold]:
    holds: dict[str, _Hold] = {}
    for ex in routine.exercises:
        key, base = name_key(ex.name), ex.timing.hold_ms
        if base is None or key in settings.holds:
            continue
        sides = 2 if ex.timing.per_side else 1
        known = holds.get(key)
        if known is not None:
            holds[key] = dataclasses.replace(known, sides=known.sides + sides)
            continue
        ceiling = ex.ceiling_ms() if ceiling_ms is None else min(ceiling_ms, ex.ceiling_ms())
        # a hold already outside the range may stay where the routine put it
        holds[key] = _Hold(base, settings.set_count(ex), sides, min(floor_ms, base),
                           max(ceiling, base))
    return holds


def _within_reach(holds: dict[str, _Hold], budget: int, length_ms: int,
                  laid: Callable[[Chosen, int], tuple[Settings, Timeline]],
                  floor_ms: int) -> None:
    """Raise OptionError when even the floors or the ceilings miss ``length_ms``; the shortest
    or longest length is laid out to be named exactly."""
    floors = {k: (h.floor_ms, 1) for k, h in holds.items()}
    ceilings = {k: (h.ceiling_ms, MAX_SETS) for k, h in holds.items()}
    for extremes, too in (
            (floors, budget < sum(h.sides * h.floor_ms for h in holds.values())),
            (ceilings, budget > sum(h.sides * h.ceiling_ms * MAX_SETS for h in holds.values()))):
        if not too:
            continue
        extreme = laid(extremes, 0)[1].duration_ms
        if abs(extreme - length_ms) <= TOLERANCE_MS:
            return
        if extremes is floors:
            raise OptionError(
                f"length {clock(length_ms, tenths=False)}: this session lasts at least "
                f"{clock(extreme, tenths=False)} (its speech, reps and rests, with the timed "
                f"holds at {format_duration(floor_ms)} each)")
        raise OptionError(
            f"length {clock(length_ms, tenths=False)}: this session lasts at most "
            f"{clock(extreme, tenths=False)} (its speech, reps and rests, with every timed "
            f"hold at its longest, {MAX_SETS} sets each)")


def _spread(holds: dict[str, _Hold], budget: int) -> Chosen:
    """Holds and sets, in 5 s steps, that fill at most ``budget`` ms of holding (each counted
    once per side and set) in proportion to the routine's own, each within its floor and
    ceiling; what the steps leave is the slack."""
    def scaled(scale: float) -> Chosen:
        return {k: h.at(scale) for k, h in holds.items()}

    def left(chosen: Chosen) -> int:
        """What is still to fill (negative: too much)."""
        return budget - sum(holds[k].sides * h * n for k, (h, n) in chosen.items())

    low, high = 0.0, max(h.ceiling_ms * MAX_SETS / (h.base_ms * h.base_sets)
                         for h in holds.values())
    for _ in range(60):  # bisection: left() falls as the scale grows, and is cheap
        mid = (low + high) / 2
        low, high = (mid, high) if left(scaled(mid)) >= 0 else (low, mid)
    chosen = scaled(low)
    exact = {k: low * h.base_ms * h.base_sets for k, h in holds.items()}
    # the 5 s steps that still fit, each to the hold furthest under its share
    while True:
        room = left(chosen)
        growing = [k for k, (h, n) in chosen.items()
                   if h + ROUND_MS <= holds[k].ceiling_ms and holds[k].sides * n * ROUND_MS
                   <= room]
        if not growing:
            return chosen
        key = max(growing, key=lambda k: (exact[k] - chosen[k][0] * chosen[k][1], k))
        chosen[key] = (chosen[key][0] + ROUND_MS, chosen[key][1])
