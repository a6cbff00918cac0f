"""Per-clip levelling: each speech clip brought to the same loudness when it is synthesized.

Each clip is brought to ``CLIP_LUFS`` (ITU-R BS.1770 gated) with its peaks limited, and cached
that way, so every voice and engine sounds equally loud and a warm render does no signal
processing beyond the session trim (:mod:`cuecast.audio.master`).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from cuecast.audio import loudness
from cuecast.audio.dynamics import LIMIT_RADIUS_MS, limiter_gain_at, peak_envelope
from cuecast.audio.pcm import RATE, Levelled, to_float, to_int16

TARGET_LUFS: Final = -16.0
"""Integrated loudness of the session: spoken-word podcasts on phones (Apple, Spotify)."""
CLIP_LUFS: Final = TARGET_LUFS + 1.0
"""Each clip's own loudness. A little above the target because the pauses around lines pull
the session's gated loudness about 0.6 dB below its clips', and the MP3 codec takes another
0.45 dB: the session trim then lands near zero and almost never has to limit again."""
CLIP_CEILING: Final = 10 ** (-4.5 / 20)
"""A levelled clip's ceiling: 1 dB of room for the session trim before limiting again."""
VERSION: Final = 4
"""Bumped when levelling changes, so cached clips are levelled again."""


def level_clip(samples: np.ndarray, lufs: float = CLIP_LUFS) -> Levelled:
    """Bring one clip to ``lufs`` with its peaks limited to ``CLIP_CEILING``.

    Limiting takes a little loudness away, so the gain is found by a few secant steps on an
    estimate: the clip is K-weighted once (the limiter's gain moves slowly next to the
    K-weighting, so the weighted clip times that gain stands in for weighting each trial
    again), and each trial looks at every ``SEARCH_STRIDE``-th sample only.
    """
    x = to_float(samples, copy=False)
    weighted = loudness.k_weighted(x)
    now = loudness.of_profile(loudness.binned(weighted), len(x))
    if not math.isfinite(now):
        return Levelled(to_int16(x), loudness.binned(weighted))
    peaks = peak_envelope(x)
    estimate = _Estimate(x, peaks, weighted)
    gain, tried = lufs - now, (0.0, now)
    for _ in range(6):
        got = estimate.lufs(gain)
        if abs(got - lufs) < 0.05:
            break
        slope = min(1.0, max(0.2, (got - tried[1]) / (gain - tried[0]))) if gain != tried[0] \
            else 1.0
        tried = (gain, got)
        gain += (lufs - got) / slope
    g = 10 ** (gain / 20)
    out = to_int16(x * (g * limiter_gain_at(x, peaks, g, CLIP_CEILING)))
    # the final profile is measured on the clip as it is, not estimated: the estimate used
    # while searching runs about 0.3 dB off once the limiter works hard
    return Levelled(out, loudness.profile(out))


SEARCH_STRIDE: Final = 4
"""The gain search on a clip of a second or more looks at every 4th sample: a quarter of the
work (levelling was a third of a cold render's CPU), and the clips land as close to
``CLIP_LUFS`` as with every sample (a session's 131 clips: mean -0.02 dB, worst 0.07 dB both
ways). Shorter clips are cheap and their few samples would make a coarse estimate: all of
their samples are used."""


class _Estimate:
    """A clip's loudness after gain and limiting, estimated from every ``stride``-th sample
    of the clip, its peak envelope and its K-weighted self."""

    def __init__(self, x: np.ndarray, peaks: np.ndarray, weighted: np.ndarray) -> None:
        self.n = len(x)
        stride = SEARCH_STRIDE if self.n >= RATE else 1
        self.x, self.peaks = x[::stride], peaks[::stride]
        self.energy = weighted[: self.n: stride] ** 2 * stride
        # where each 10 ms bin starts among the kept samples (a last bin of one sample may
        # hold none of them: it is left out, as silence)
        starts = -(-np.arange(0, self.n, loudness.BIN) // stride)
        self.bins = starts[starts < len(self.energy)]
        self.radius = RATE * LIMIT_RADIUS_MS // 1000 // stride

    def lufs(self, gain_db: float) -> float:
        g = 10 ** (gain_db / 20)
        env = g * limiter_gain_at(self.x, self.peaks, g, CLIP_CEILING, self.radius)
        return loudness.of_profile(np.add.reduceat(self.energy * env * env, self.bins), self.n)
