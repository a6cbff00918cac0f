"""Stitching in pieces: the same samples whatever the piece size, clips never cut, never
wrapped around; the fade and bed see every sample once."""

from __future__ import annotations

import numpy as np
import pytest

from cuecast.audio.dynamics import fade_out
from cuecast.audio.pcm import RATE, sample_at
from cuecast.audio.stitch import pieces
from cuecast.errors import RenderError
from cuecast.script.timeline import Event, Timeline


def _timeline(events: list[tuple[int, int, str, str]], duration_ms: int) -> Timeline:
    return Timeline("T", duration_ms, tuple(Event(a, b, kind, text, None, None, "hold", "x")
                                            for a, b, kind, text in events), (), (), ())


rng = np.random.default_rng(1)
CLIPS = {"a": (rng.normal(0, 8000, RATE // 2)).astype(np.int16),  # 500 ms
         "b": np.full(RATE // 4, 30000, dtype=np.int16),  # loud, 250 ms
         "start": np.full(RATE // 5, 10000, dtype=np.int16)}
TL = _timeline([(0, 500, "speech", "a"), (1000, 1250, "speech", "b"),
                (1000, 1200, "chime", "start"), (1900, 2400, "speech", "a")], 3000)


def _audio(event: Event) -> np.ndarray:
    return CLIPS[event.text]


def _reference() -> np.ndarray:
    out = np.zeros(sample_at(TL.duration_ms), dtype=np.int64)
    for e in TL.events:
        clip = CLIPS[e.text]
        out[sample_at(e.start_ms): sample_at(e.start_ms) + len(clip)] += clip
    return np.clip(out, -32768, 32767).astype(np.int16)


@pytest.mark.parametrize("size", [1, 7, 441, 22_050, RATE * 60])
def test_any_piece_size_gives_the_same_session(size: int) -> None:
    got = np.concatenate(list(pieces(TL, _audio, size)))
    assert np.array_equal(got, _reference())
    assert all(len(p) <= size for p in pieces(TL, _audio, size))


def test_chime_under_loud_speech_saturates_instead_of_wrapping() -> None:
    out = np.concatenate(list(pieces(TL, _audio, RATE)))
    at = sample_at(1000)
    assert out[at + 10] == 32767  # 30000 + 10000 clipped, not wrapped to a negative


@pytest.mark.parametrize("size", [441, RATE])
def test_a_chime_under_speech_is_limited_to_the_ceiling_and_nothing_else_changes(
        size: int) -> None:
    """Each clip is within the ceiling on its own; together they are not, and the mix is
    limited smoothly (no step) while everything that sounds alone is untouched."""
    ceiling = 10 ** (-3.5 / 20)
    t = np.arange(RATE) / RATE
    clips = {"line": np.round(0.6 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16),
             "begin": np.round(0.3 * 32767 * np.sin(2 * np.pi * 880 * t[: RATE // 2])
                               ).astype(np.int16)}
    tl = _timeline([(0, 1000, "speech", "line"), (2000, 3000, "speech", "line"),
                    (2000, 2500, "chime", "begin")], 3500)
    out = np.concatenate(list(pieces(tl, lambda e: clips[e.text], size, ceiling=ceiling)))
    plain = np.concatenate(list(pieces(tl, lambda e: clips[e.text], size)))
    together = slice(sample_at(2000), sample_at(3000))
    assert np.max(np.abs(plain[together].astype(int))) > ceiling * 32768  # it needed limiting
    assert np.max(np.abs(out.astype(int))) <= ceiling * 32768 + 1
    alone = np.ones(len(out), dtype=bool)
    alone[together] = False
    assert np.array_equal(out[alone], plain[alone])  # the first line, alone, is untouched
    # the gain ramps instead of stepping: sample to sample, the limited mix moves no more
    # than the unlimited one does (a 220 + 880 Hz mix moves at most ~2900 a sample)
    assert np.abs(np.diff(out[together].astype(int))).max() <= np.abs(
        np.diff(plain[together].astype(int))).max()


def test_clip_longer_than_its_slot_is_an_error() -> None:
    bad = _timeline([(0, 100, "speech", "a")], 1000)
    with pytest.raises(RenderError, match="its slot"):
        list(pieces(bad, _audio, RATE))


@pytest.mark.parametrize("size", [100, 4410, RATE * 60])
def test_fade_is_the_same_across_pieces(size: int) -> None:
    ones = _timeline([(0, 3000, "speech", "one")], 3000)
    flat = {"one": np.full(sample_at(3000), 20000, dtype=np.int16)}
    total = sample_at(3000)
    out = np.concatenate(list(pieces(ones, lambda e: flat[e.text], size,
                                     fade_out(total, 1000))))
    assert np.all(out[: total - RATE] == 20000)
    tail = out[total - RATE:]
    assert np.all(np.diff(tail.astype(int)) <= 0) and tail[-1] == 0


def test_a_clip_is_fetched_for_the_piece_it_sounds_in_not_held_for_the_session() -> None:
    """Each distinct clip is asked for once to check its slot, then again only while the
    pieces it sounds in are built: the session's clips are never all held at once."""
    asked: list[str] = []

    def audio(event: Event) -> np.ndarray:
        asked.append(event.text)
        return CLIPS[event.text]

    made = pieces(TL, audio, RATE // 2)  # 500 ms pieces
    first = next(made)
    assert asked == ["a", "b", "start", "a"]  # three distinct clips checked, then piece 0's
    assert np.array_equal(first, _reference()[: RATE // 2])
    asked.clear()
    next(made)  # 500-1000 ms: nothing sounds there
    assert asked == []
    rest = list(made)
    assert asked == ["b", "start", "a", "a"]  # the last "a" spans two pieces
    assert np.array_equal(np.concatenate([first, np.zeros(RATE // 2, np.int16), *rest]),
                          _reference())
