"""Piper's text pieces: long sentences are said in parts (memory grows with the utterance)."""

from __future__ import annotations

import pytest

from cuecast.engines.piper import LONGEST_PIECE, pieces

LONG_COMMA = ("Inhale to lower your belly towards the floor, tilting your tailbone up and "
              "pressing your chest forward.")
LONG_AND = ("Keep your hip from lifting off the floor or block and continue side bending to "
            "feel a big stretch along the left side of your body.")


@pytest.mark.parametrize(("text", "expected"), [
    ("Begin.", ["Begin."]),
    ("Switch sides. Now the other side.", ["Switch sides. Now the other side."]),
    (LONG_COMMA, ["Inhale to lower your belly towards the floor,",
                  "tilting your tailbone up and pressing your chest forward."]),
    (LONG_AND + " Hold.", ["Keep your hip from lifting off the floor or block",
                           "and continue side bending to feel a big stretch along the left "
                           "side of your body.", "Hold."]),
    ("x" * 120 + ".", ["x" * 120 + "."]),  # no place to split: said whole
])
def test_pieces(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


def test_every_piece_fits_and_nothing_is_lost() -> None:
    text = " ".join([LONG_COMMA, LONG_AND, "Relax your shoulders, arms and hands, and hold, "
                     "breathing deeply and slowly into your back and ribs and belly."])
    got = pieces(text)
    assert all(len(p) <= LONGEST_PIECE for p in got)
    assert " ".join(got).split() == text.split()
