"""Fitting a session to the time a person has: the timed holds scaled, everything else kept.

Pure, like the compiler it serves: ``layout`` lays the session out for some settings (an
estimate of speaking time for previews, the real clips when rendering), so the fitted
session lasts what was asked as rendered. Reps, speech, rests and holds set one by one with
``--hold`` stay as they are; the other holds move together, in proportion to the routine's
own, within a floor and a ceiling, in steps of 5 seconds as a person would set them, one
hold taking what is left to the second (the announcement says what the timer does). The
spoken lengths change with the holds ("45 seconds" is longer to say than "1 minute"), so the
fit is laid out again until it stops moving.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cuecast.errors import OptionError
from cuecast.routine import Routine, name_key
from cuecast.settings import Settings
from cuecast.timeline import Timeline, clock
from cuecast.timing import format_duration

FLOOR_MS: Final = 10_000
"""No fitted hold (per side, where per side) goes below this: shorter is not a stretch."""
CEILING_MS: Final = 300_000
"""Nor above this: five minutes is the longest hold the library's routines would ask for."""
ROUND_MS: Final = 5000
"""Fitted holds move in steps of 5 s ("45 seconds", "1 minute 5 seconds"), but for one."""
TOLERANCE_MS: Final = 1000
"""A fitted session lasts what was asked within this (holds are whole seconds)."""
_ROUNDS: Final = 8
"""Layouts tried at most: the spoken lengths settle after two or three."""

Layout = Callable[[Settings], Timeline]
"""Settings -> the session laid out with them (holds as given, no fitting)."""


@dataclass(frozen=True)
class Fitted:
    """A session fitted to a length."""

    settings: Settings
    """The settings with every fitted hold set in ``holds`` and no length left to fit."""
    timeline: Timeline
    """The session laid out with them."""


@dataclass(frozen=True)
class _Hold:
    """One fitted hold (all exercises of one name share it, as ``--hold`` does)."""

    base_ms: int
    """The routine's own length: the fit keeps the holds' proportions."""
    sides: int
    """How many times it is held in the session (each side counts)."""
    floor_ms: int
    ceiling_ms: int


def fit_length(routine: Routine, settings: Settings, layout: Layout, *, length_ms: int,
               floor_ms: int = FLOOR_MS, ceiling_ms: int = CEILING_MS) -> Fitted:
    """The session fitted to ``length_ms``. Raises OptionError naming the shortest or the
    longest length possible when the holds cannot stretch or shrink that far."""
    holds = _free_holds(routine, settings, floor_ms, ceiling_ms)
    fixed = dataclasses.replace(settings, length_ms=None)

    def laid(chosen: dict[str, int]) -> tuple[Settings, Timeline]:
        s = dataclasses.replace(fixed, holds={**settings.holds, **chosen})
        return s, layout(s)

    def miss(tried: tuple[Settings, Timeline]) -> int:
        return abs(tried[1].duration_ms - length_ms)

    chosen = {key: h.base_ms for key, h in holds.items()}
    best = tried = laid(chosen)
    for _ in range(_ROUNDS):
        if miss(tried) <= TOLERANCE_MS // 2 or not holds:
            break
        held = sum(h.sides * chosen[k] for k, h in holds.items())
        budget = length_ms - (tried[1].duration_ms - held)
        _within_reach(holds, budget, length_ms, laid, (floor_ms, ceiling_ms))
        again = _spread(holds, budget)
        if again == chosen:
            break
        chosen, tried = again, laid(again)
        best = min(best, tried, key=miss)
    if not holds and miss(best) > TOLERANCE_MS:
        raise OptionError(f"length {clock(length_ms, tenths=False)}: nothing to fit, every "
                          "hold is set with --hold or counted in reps")
    return Fitted(*_nudged(holds, best, miss, laid))


def _nudged(holds: dict[str, _Hold], best: tuple[Settings, Timeline],
            miss: Callable[[tuple[Settings, Timeline]], int],
            laid: Callable[[dict[str, int]], tuple[Settings, Timeline]]
            ) -> tuple[Settings, Timeline]:
    """Within half a second if a hold a second longer or shorter gets there: the spread
    aims at the holds' total, and the words saying the new lengths move it a little again
    (the total shown, to the second, then reads what was asked)."""
    spare = _spare(holds)  # the hold already set to the second, then the finest steps
    for key in sorted(holds, key=lambda k: (k != spare, holds[k].sides, k)):
        if miss(best) <= TOLERANCE_MS // 2:
            break
        for step in (1000, -1000):
            hold = best[0].holds[key] + step
            if holds[key].floor_ms <= hold <= holds[key].ceiling_ms:
                chosen = {k: best[0].holds[k] for k in holds}
                best = min(best, laid({**chosen, key: hold}), key=miss)
    return best


def _free_holds(routine: Routine, settings: Settings, floor_ms: int,
                ceiling_ms: int) -> dict[str, _Hold]:
    holds: dict[str, _Hold] = {}
    for ex in routine.exercises:
        key, base = name_key(ex.name), ex.timing.hold_ms
        if base is None or key in settings.holds:
            continue
        sides = 2 if ex.timing.per_side else 1
        known = holds.get(key)
        if known is not None:
            holds[key] = dataclasses.replace(known, sides=known.sides + sides)
        else:  # a hold already outside the range may stay where the routine put it
            holds[key] = _Hold(base, sides, min(floor_ms, base), max(ceiling_ms, base))
    return holds


def _within_reach(holds: dict[str, _Hold], budget: int, length_ms: int,
                  laid: Callable[[dict[str, int]], tuple[Settings, Timeline]],
                  bounds: tuple[int, int]) -> None:
    """Raise OptionError when even the floors or the ceilings miss ``length_ms``; the shortest
    or longest length is laid out to be named exactly."""
    for end, too in (("floor_ms", budget < sum(h.sides * h.floor_ms for h in holds.values())),
                     ("ceiling_ms", budget > sum(h.sides * h.ceiling_ms for h in holds.values()))):
        if not too:
            continue
        extreme = laid({k: getattr(h, end) for k, h in holds.items()})[1].duration_ms
        if abs(extreme - length_ms) <= TOLERANCE_MS:
            return
        shortest = end == "floor_ms"
        each = format_duration(bounds[0 if shortest else 1])
        raise OptionError(
            f"length {clock(length_ms, tenths=False)}: this session lasts at "
            f"{'least' if shortest else 'most'} {clock(extreme, tenths=False)} (its speech, "
            f"reps and rests, with the timed holds at {each} each)")


def _spread(holds: dict[str, _Hold], budget: int) -> dict[str, int]:
    """Hold lengths, in 5 s steps but one, that fill ``budget`` ms of holding (each counted once
    per side) in proportion to the routine's own, each within its floor and ceiling."""
    def scaled(scale: float) -> dict[str, int]:
        return {k: _within(h, scale * h.base_ms) for k, h in holds.items()}

    def left(lengths: dict[str, int]) -> int:
        """What is still to fill with these lengths (negative: too much)."""
        return budget - sum(holds[k].sides * v for k, v in lengths.items())

    low, high = 0.0, max(h.ceiling_ms / h.base_ms for h in holds.values())
    for _ in range(60):  # bisection: left() is monotonic in the scale, and cheap
        mid = (low + high) / 2
        low, high = (mid, high) if left(scaled(mid)) > 0 else (low, mid)
    exact = scaled(high)
    # round lengths, as a person would set them (5 s steps), but for one hold that takes
    # what is left to the second: the one held once that is longest, where a second's
    # difference is least heard
    spare = _spare(holds)
    chosen = {k: _within(holds[k], round(v / ROUND_MS) * ROUND_MS) for k, v in exact.items()}
    _settle(holds, exact, chosen, left(chosen), ROUND_MS, keep=spare,
            close_enough=ROUND_MS // 2 * holds[spare].sides)
    chosen[spare] = _within(holds[spare], chosen[spare]
                            + round(left(chosen) / holds[spare].sides / 1000) * 1000)
    # what the spare could not take (it reached its floor or ceiling): the others, to the
    # second
    _settle(holds, exact, chosen, left(chosen), 1000, keep=spare, close_enough=0)
    return chosen


def _settle(holds: dict[str, _Hold], exact: dict[str, int], chosen: dict[str, int],
            left: int, step: int, *, keep: str, close_enough: int) -> None:
    """Move holds (not ``keep``) by ``step`` where rounding took them furthest from their
    exact length, while each move brings ``left`` (ms still to fill) closer to nothing, until
    it is within ``close_enough``."""
    for k in sorted(chosen, key=lambda k: (-abs(exact[k] - chosen[k]), k)):
        if abs(left) <= close_enough:
            return
        change = step if left > 0 else -step
        moved = _within(holds[k], chosen[k] + change)
        if k != keep and moved != chosen[k] and abs(left - (moved - chosen[k])
                                                       * holds[k].sides) < abs(left):
            left -= (moved - chosen[k]) * holds[k].sides
            chosen[k] = moved


def _spare(holds: dict[str, _Hold]) -> str:
    """The hold that takes the remainder to the second."""
    return min(holds, key=lambda k: (holds[k].sides, -holds[k].base_ms, k))


def _within(hold: _Hold, ms: float) -> int:
    """``ms`` held to the hold's floor and ceiling."""
    return round(min(max(ms, hold.floor_ms), hold.ceiling_ms))
