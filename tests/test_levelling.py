"""Per-clip levelling, measured: every clip lands at the clip loudness under its ceiling,
whatever its length (the gain search samples every few samples, so lengths around its stride
and its 10 ms bins are the edge cases)."""

from __future__ import annotations

import numpy as np
import pytest

from cuecast.audio import levelling, loudness
from cuecast.audio.pcm import RATE


def speechlike(n: int, seed: int) -> np.ndarray:
    """Noise shaped by syllable-rate bursts, with a few sharp peaks for the limiter."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE
    x = rng.standard_normal(n) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)) ** 2
    x[rng.integers(0, n, size=max(1, n // 5000))] *= 6
    return (np.clip(x * 2500, -32768, 32767)).astype(np.int16)


@pytest.mark.parametrize("n", [
    RATE * 3,                    # a typical line
    RATE * 25,                   # a long step
    RATE * 2 // 5 - 1,           # just under the 400 ms gating block
    44_542,                      # a last 10 ms bin holding one sample, past every 4th one
    loudness.BIN * 70 + 1,
    loudness.BIN * 70 + levelling.SEARCH_STRIDE - 1,
    loudness.BIN * 7 + 1,
    4410,                        # "One." cut short
])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_clip_lands_at_its_loudness_under_its_ceiling(n: int, seed: int) -> None:
    clip = levelling.level_clip(speechlike(n, seed))
    assert len(clip.samples) == n
    got = loudness.of_profile(loudness.profile(clip.samples), n)
    assert abs(got - levelling.CLIP_LUFS) <= 0.15, got
    assert np.abs(clip.samples.astype(float)).max() / 32768 <= levelling.CLIP_CEILING + 1e-4
    assert np.allclose(clip.profile, loudness.profile(clip.samples))


@pytest.mark.parametrize("n", [0, 1, 3])
def test_silence_and_slivers_come_back_unchanged_in_length(n: int) -> None:
    assert len(levelling.level_clip(np.zeros(n, np.int16)).samples) == n
