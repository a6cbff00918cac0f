"""Routine snippets the tests share, in one place (not copied inline across test files)."""

from __future__ import annotations

# A short session with every kind of block: a hold, a per-side hold, a long hold, reps.
ROUTINE = """
title: Test Session
exercises:
  - name: Reach Up
    timing: 12 sec
    purpose: Wakes up the shoulders.
    steps: [Stand tall and reach up.]
  - name: Side Bend
    timing: 6 sec per side
    steps: [Lean to the right.]
  - name: Neck Hold
    timing: 20 sec
    steps: [Drop your chin.]
  - name: Knee Lifts
    timing: 3 reps
    tempo: 2
    steps: [Lift one knee.]
"""


# Every timing form the compiler knows, with breath phrasing, for layout tests.
SMALL = """
title: Small
exercises:
  - name: Neck Roll
    timing: 30 sec
    purpose: Loosens the neck.
    steps: [Sit tall., Hold for 30 seconds.]
  - name: Side Reach
    timing: 20 sec per side
    steps: [Reach your right arm over.]
    first_side: right
  - name: Cat-Cow
    timing: 5 reps
    steps: [Hands and knees.]
    breath: {inhale: "Inhale, belly down.", exhale: "Exhale, round up."}
    tempo: 4
  - name: Leg Swing
    timing: 3 reps per side
    steps: [Stand by a wall.]
  - name: Long Hold
    timing: 1:30
    steps: [Lie down.]
    breath: {inhale: "Inhale, reach.", exhale: "Exhale, soften."}
"""


# The smallest thing worth rendering: one 8-second hold.
TINY = """
title: Tiny
exercises:
  - name: Reach
    timing: 8 sec
    steps: [Reach up.]
"""


def one_exercise(*, title: str = "T", timing: str = "20 sec", defaults: str = "",
                 name: str = "A") -> str:
    """A routine of one exercise, with an optional ``defaults:`` mapping in flow style."""
    head = f"title: {title}\n" + (f"defaults: {defaults}\n" if defaults else "")
    return head + f"exercises:\n  - name: {name}\n    timing: {timing}\n    steps: [Sit.]\n"
