"""Narration never contradicts the timer: timing clauses however articles write them, dropped
or rewritten to the customised value (table-driven, like gTTS's tokenizer cases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cuecast.make.preview import preview_timeline
from cuecast.script.options import customisation, pairs
from cuecast.script.steptext import DURATION, NUMBER_WORDS, fit_text

M90 = 90_000  # the customised hold: 1 minute 30 seconds

CASES = [
    # (as written, hold_ms, reps, as said)
    ("Hold for 30 seconds, then switch sides.", M90, None, "Hold, then switch sides."),
    ("Stay for one minute, then come back to the middle.", M90, None,
     "Stay, then come back to the middle."),
    ("Close your eyes and breathe slowly for two minutes.", 180_000, None,
     "Close your eyes and breathe slowly."),
    ("Hold this position for a minute.", M90, None, "Hold this position."),
    ("Hold for half a minute.", M90, None, "Hold."),
    ("Hold for thirty seconds.", M90, None, "Hold."),
    ("Hold for 30 to 60 seconds.", M90, None, "Hold."),
    ("Hold for 1-2 minutes.", M90, None, "Hold."),
    ("Hold for 1–2 minutes, breathing deeply.", M90, None, "Hold, breathing deeply."),
    ("Hold for 30 seconds to 1 minute.", M90, None, "Hold."),
    ("Stay here for about 45 seconds.", M90, None, "Stay here."),
    ("Hold for at least 20 seconds.", M90, None, "Hold."),
    ("Hold for 30 seconds on each side.", M90, None, "Hold."),
    ("Hold for 20 seconds per side, then release.", M90, None, "Hold, then release."),
    ("Hold for five breaths.", M90, None, "Hold."),
    ("Stay for 5 deep breaths, then lower down.", M90, None, "Stay, then lower down."),
    ("Hold for 3-5 breaths.", M90, None, "Hold."),
    ("Hold for one and a half minutes.", M90, None, "Hold."),
    ("Hold for a minute and 30 seconds.", 60_000, None, "Hold."),
    ("Hold for 1 minute 30 seconds.", 60_000, None, "Hold."),
    ("Hold for twenty-five seconds.", M90, None, "Hold."),
    ("Hold for 2 mins.", M90, None, "Hold."),
    ("Hold for 45 secs.", M90, None, "Hold."),
    ("After 30 seconds, switch sides.", M90, None, "Switch sides."),
    ("After one minute, slowly come up.", M90, None, "Slowly come up."),
    ("Once 30 seconds have passed, release.", M90, None,
     "Once 1 minute 30 seconds have passed, release."),
    ("For 30 seconds, breathe into your belly.", M90, None, "Breathe into your belly."),
    ("For two minutes, let your knees fall open.", M90, None, "Let your knees fall open."),
    ("Stay here two minutes.", M90, None, "Stay here 1 minute 30 seconds."),
    ("Remain in the pose 30 seconds.", M90, None, "Remain in the pose 1 minute 30 seconds."),
    ("This is a 30-second hold.", M90, None, "This is a 90-second hold."),
    ("Do a one-minute hold on each side.", 120_000, None, "Do a 2-minute hold on each side."),
    ("Take a second to notice your breath.", M90, None,
     "Take a second to notice your breath."),
    ("Repeat 10 times.", None, 20, "Repeat 20 times."),
    ("Repeat ten times on each side.", None, 20, "Repeat 20 times on each side."),
    ("Do 12 reps, moving slowly.", None, 8, "Do 8 reps, moving slowly."),
    ("Repeat for 10 reps.", None, 20, "Repeat."),
    ("Continue for 60 seconds.", 50_000, 10, "Continue."),
    ("Roll side to side for 20 repetitions.", None, 20, "Roll side to side."),
    ("Do 1 rep per breath.", None, 5, "Do 5 reps per breath."),
    ("Keep breathing for a few seconds.", M90, None, "Keep breathing."),
    ("Hold for several breaths.", M90, None, "Hold."),
    ("Inhale to lower your belly towards the floor.", M90, None,
     "Inhale to lower your belly towards the floor."),
    ("Sit with your legs crossed.", M90, None, "Sit with your legs crossed."),
    ("Lie down for a moment.", M90, None, "Lie down for a moment."),
    # inside a rep, a few seconds are part of the movement
    ("Hold for two seconds, then release.", 40_000, 10, "Hold for two seconds, then release."),
    ("Pause for 3 seconds at the top.", 40_000, 10, "Pause for 3 seconds at the top."),
    ("Continue for 60 seconds.", 40_000, 10, "Continue."),
]


@pytest.mark.parametrize(("text", "hold_ms", "reps", "said"), CASES)
def test_fit_text(text: str, hold_ms: int | None, reps: int | None, said: str) -> None:
    assert fit_text(text, hold_ms=hold_ms, reps=reps) == said


def test_the_table_has_forty_real_phrasings() -> None:
    assert len(CASES) >= 40


NECK = """
title: Neck Release
exercises:
  - name: Thread the Needle
    timing: 1 min
    steps:
      - Come onto your hands and knees.
      - Slide your right arm under your left and stay for one minute, then come back to the middle.
  - name: Lying Rest
    timing: 2 minutes
    steps:
      - Close your eyes and breathe slowly for two minutes.
      - After a minute, let your breath become natural; this is a two-minute rest.
"""


@pytest.mark.parametrize("holds", [[], ["thread the needle=90", "lying rest=180"]])
def test_nothing_said_disagrees_with_the_hold(tmp_path: Path, holds: list[str]) -> None:
    path = tmp_path / "neck.yaml"
    path.write_text(NECK, encoding="utf-8")
    timeline = preview_timeline(path=path, options=customisation({"hold": pairs("hold", holds)}))
    blocks = {b.exercise: b.end_ms - b.start_ms for b in timeline.blocks}
    for event in timeline.speech():
        if event.cue in ("intro", "warning"):
            continue  # the session's length; "Ten seconds left" (checked with the layout)
        for said in DURATION.finditer(event.text):
            assert event.exercise is not None, event
            assert _ms(said.group(0)) == blocks[event.exercise], event.text


def _ms(phrase: str) -> int:
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?|[a-z]+)[\s-]*(minute|min|second|sec)",
                                   phrase.lower()):
        amount = float(number) if number[0].isdigit() else NUMBER_WORDS[number]
        total += amount * (60_000 if unit.startswith("min") else 1000)
    return round(total)
