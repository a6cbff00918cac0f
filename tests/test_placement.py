"""Placing cues in a block (cuecast.script.placement), table-driven: priority, groups, slack."""

from __future__ import annotations

import pytest

from cuecast.script.placement import Wish, place

GAP = 250


def length(text: str) -> int:
    return 100 * len(text)  # "abc" takes 300 ms


CASES = [
    # (cues, (lo, hi), said as (start, text), dropped texts)
    ([Wish(10, 0, ("aaaa",), "x")], (0, 5000), [(0, "aaaa")], []),
    # the higher priority keeps its moment; the lower collides and is dropped
    ([Wish(10, 1000, ("aaaa",), "x"), Wish(90, 1200, ("bb",), "y")], (0, 5000),
     [(1200, "bb")], ["aaaa"]),
    # the first alternative that fits is used
    ([Wish(90, 1000, ("bbbbbbbbbbbb", "b"), "y"), Wish(95, 2000, ("cc",), "z")], (0, 5000),
     [(2000, "cc"), (1000, "b")], []),
    # a group is placed whole or not at all
    ([Wish(95, 1000, ("cc",), "z"), Wish(40, 0, ("in",), "b", "g"),
      Wish(40, 1100, ("out",), "b", "g")], (0, 5000), [(1000, "cc")], ["in", "out"]),
    # slack: a cue whose moment is taken follows the line before it
    ([Wish(90, 0, ("aaaaa",), "x"), Wish(40, 300, ("bb",), "y", slack_ms=600)], (0, 5000),
     [(0, "aaaaa"), (750, "bb")], []),
    # outside the block: dropped
    ([Wish(10, 4900, ("aaaa",), "x")], (0, 5000), [], ["aaaa"]),
]


@pytest.mark.parametrize(("cues", "span", "said", "dropped"), CASES)
def test_place(cues: list[Wish], span: tuple[int, int], said: list[tuple[int, str]],
               dropped: list[str]) -> None:
    placed, lost = place(cues, *span, length, gap_ms=GAP)
    assert [(p.start_ms, p.text) for p in placed] == said
    assert [c.texts[-1] for c in lost] == dropped
    ends = sorted((p.start_ms, p.start_ms + length(p.text)) for p in placed)
    assert all(b + GAP <= c for (_, b), (c, _) in zip(ends, ends[1:]))  # never overlap
