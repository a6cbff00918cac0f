"""Per-clip levelling: each speech clip brought to the same loudness when it is synthesized.

Each clip is brought to ``CLIP_LUFS`` (ITU-R BS.1770 gated) with its peaks limited, and cached
that way, so every voice and engine sounds equally loud and a warm render does no signal
processing beyond the session trim (:mod:`cuecast.master`).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from cuecast import loudness
from cuecast.dynamics import limiter_gain_at, peak_envelope
from cuecast.pcm import Levelled, to_float, to_int16

TARGET_LUFS: Final = -16.0
"""Integrated loudness of the session: spoken-word podcasts on phones (Apple, Spotify)."""
CLIP_LUFS: Final = TARGET_LUFS + 1.0
"""Each clip's own loudness. A little above the target because the pauses around lines pull
the session's gated loudness about 0.6 dB below its clips', and the MP3 codec takes another
0.45 dB: the session trim then lands near zero and almost never has to limit again."""
CLIP_CEILING: Final = 10 ** (-4.5 / 20)
"""A levelled clip's ceiling: 1 dB of room for the session trim before limiting again."""
VERSION: Final = 3
"""Bumped when levelling changes, so cached clips are levelled again."""


def level_clip(samples: np.ndarray, lufs: float = CLIP_LUFS) -> Levelled:
    """Bring one clip to ``lufs`` with its peaks limited to ``CLIP_CEILING``.

    Limiting takes a little loudness away, so the gain is found by a few secant steps. The
    clip is K-weighted once: the limiter's gain moves slowly next to the K-weighting, so the
    weighted clip times that gain stands in for weighting each trial again.
    """
    x = to_float(samples, copy=False)
    weighted = loudness.k_weighted(x)
    now = loudness.of_profile(loudness.binned(weighted), len(x))
    if not math.isfinite(now):
        return Levelled(to_int16(x), loudness.binned(weighted))
    gain, tried = lufs - now, (0.0, now)
    peaks = peak_envelope(x)
    for _ in range(6):
        g = 10 ** (gain / 20)
        env = g * limiter_gain_at(x, peaks, g, CLIP_CEILING)
        prof = loudness.binned(_apply(weighted, env))
        got = loudness.of_profile(prof, len(x))
        if abs(got - lufs) < 0.05:
            break
        slope = min(1.0, max(0.2, (got - tried[1]) / (gain - tried[0]))) if gain != tried[0] \
            else 1.0
        tried = (gain, got)
        gain += (lufs - got) / slope
    out = to_int16(x * env)
    # the final profile is measured on the clip as it is, not estimated: the estimate used
    # while searching runs about 0.3 dB off once the limiter works hard
    return Levelled(out, loudness.profile(out))


def _apply(weighted: np.ndarray, env: np.ndarray) -> np.ndarray:
    """``weighted`` (a clip plus its filter tail) times the clip's gain, held over the tail."""
    out = weighted.copy()
    out[: len(env)] *= env
    out[len(env):] *= env[-1]
    return out  # type: ignore[no-any-return]
