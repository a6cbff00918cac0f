"""Placing cues inside a timed block: the machinery, apart from the rules that choose the cues
(:mod:`cuecast.script.compiler`), as gTTS keeps its tokenizer's core apart from its cases.

Cues are placed by priority, each at its moment (or within its slack); spoken lines never
overlap and keep ``gap_ms`` apart. A cue that does not fit is dropped, with the rest of its
group, and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cuecast.script.timeline import Cue


@dataclass(frozen=True)
class Wish:
    """A line the rules would like said at a moment."""

    priority: int
    """Higher is placed first; lower gives way."""
    start_ms: int
    texts: tuple[str, ...]
    """Alternatives, longest first; the first that fits is used."""
    cue: Cue
    """What it is for (``begin``, ``breath``, ``countdown`` ...)."""
    group: str = ""
    """Cues of one group (the countdown, one breath) are placed all together or not at all."""
    slack_ms: int = 0
    """How much later the cue may start when its moment is taken (a rep's exhale may follow
    a long inhale line instead of being dropped)."""
    early_ms: int = 0
    """How much earlier it may start, right after the line before it."""
    moments: tuple[tuple[int, tuple[str, ...]], ...] = ()
    """Other moments to try, in order, when its own is taken, each with its own words (a
    warning moved a second says how long is really left)."""


@dataclass(frozen=True)
class Placed:
    """A cue given its moment and its words."""

    wish: Wish
    start_ms: int
    text: str


def place(cues: Sequence[Wish], lo: int, hi: int, duration: Callable[[str], int], *,
          gap_ms: int) -> tuple[list[Placed], list[Wish]]:
    """Place ``cues`` inside [lo, hi]: what is said, in placing order, and what was dropped."""
    taken: list[tuple[int, int]] = []
    placed: list[Placed] = []
    dropped: list[Wish] = []

    def free(a: int, b: int) -> bool:
        return lo <= a and b <= hi and all(b + gap_ms <= x or y + gap_ms <= a
                                           for x, y in taken)

    groups: dict[str, list[Wish]] = {}
    for cue in sorted(cues, key=lambda c: (-c.priority, c.start_ms)):
        groups.setdefault(cue.group or f"#{id(cue)}", []).append(cue)
    for members in groups.values():
        chosen: list[Placed] = []
        trial = list(taken)
        for cue in members:
            earliest, latest = cue.start_ms - cue.early_ms, cue.start_ms + cue.slack_ms
            # its own moment first, then right after a line that ends near it
            starts = [cue.start_ms, *sorted(y + gap_ms for _, y in taken
                                            if earliest <= y + gap_ms <= latest)]
            tries = [(at, x) for x in cue.texts for at in starts] + [
                (at, x) for at, texts in cue.moments for x in texts]
            found = next(((at, x) for at, x in tries if free(at, at + duration(x))), None)
            if found is None:
                break
            at, text = found
            chosen.append(Placed(cue, at, text))
            taken.append((at, at + duration(text)))
        if len(chosen) < len(members):
            taken[:] = trial
            dropped.extend(members)
            continue
        placed.extend(chosen)
    return placed, dropped
