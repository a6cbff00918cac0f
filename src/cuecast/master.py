"""Loudness: every clip levelled on its own, then one small trim for the whole session.

Each speech clip is brought to ``CLIP_LUFS`` with its peaks limited when it is synthesized,
and cached that way, so every voice and engine sounds equally loud and a warm render does no
signal processing beyond the trim. The session's loudness is then computed from the clips'
energy profiles and their places (:mod:`cuecast.loudness`), and a single small gain lands it
on the target.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from cuecast import loudness
from cuecast.dynamics import limiter_gain, limiter_gain_at, peak_envelope
from cuecast.pcm import RATE, Levelled, to_float, to_int16
from cuecast.timeline import Event, Timeline

TARGET_LUFS: Final = -16.0
"""Integrated loudness of the session: spoken-word podcasts on phones (Apple, Spotify)."""
CLIP_LUFS: Final = TARGET_LUFS + 1.0
"""Each clip's own loudness. A little above the target because the pauses around lines pull
the session's gated loudness about 0.6 dB below its clips', and the MP3 codec takes another
0.45 dB: the session trim then lands near zero and almost never has to limit again."""
CEILING: Final = 10 ** (-3.5 / 20)
"""Sample-peak ceiling; MP3 encoding and inter-sample peaks add up to about 2 dB."""
CLIP_CEILING: Final = 10 ** (-4.5 / 20)
"""A levelled clip's ceiling: 1 dB of room for the session trim before limiting again."""
CHIME_LU: Final = -8.0
"""Chime loudness (loudest 400 ms) relative to the target: clearly heard, never startling."""
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


def _gained(x: np.ndarray, gain_db: float, ceiling: float) -> np.ndarray:
    y = x * 10 ** (gain_db / 20)
    return y * limiter_gain(y, ceiling)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Mastered:
    """A session's audio, ready to stitch: every event's samples at their final level.

    The trim is applied as each event is stitched rather than to a copy of every clip up
    front: that copy was the largest allocation of the finishing stage (a session's speech).
    """

    speech: dict[str, np.ndarray]
    """Speech text -> its levelled int16 samples, before the trim."""
    limited: dict[str, np.ndarray]
    """Speech text -> final int16 samples, for the clips the trim pushed into the limiter."""
    chimes: dict[str, np.ndarray]
    """Chime name -> final int16 samples."""
    trim_db: float
    """Gain applied to every speech clip."""
    lufs: float
    """Integrated loudness of the result, computed from the clips' profiles."""

    def get(self, event: Event) -> np.ndarray:
        if event.kind == "chime":
            return self.chimes[event.text]
        done = self.limited.get(event.text)
        if done is not None:
            return done
        samples = self.speech[event.text]
        if abs(self.trim_db) < 0.01:
            return samples
        return to_int16(samples * (10 ** (self.trim_db / 20) / 32768.0))


def master(timeline: Timeline, clip: Callable[[str], Levelled],
           chime: Callable[[str], np.ndarray], *,
           target_lufs: float = TARGET_LUFS) -> Mastered:
    """Trim a session of levelled clips onto ``target_lufs``; chimes sit ``CHIME_LU`` under."""
    speech = {e.text: clip(e.text) for e in timeline.speech()}
    chimes = {}
    for name in {e.text for e in timeline.events if e.kind == "chime"}:
        raw = to_float(chime(name))
        y = _gained(raw, target_lufs + CHIME_LU - _loudest(loudness.profile(raw)), CEILING)
        chimes[name] = Levelled(to_int16(y), loudness.profile(y))

    peaks = {text: float(np.max(np.abs(c.samples))) / 32768.0 for text, c in speech.items()}

    def limited(text: str, trim: float) -> bool:
        return trim > 0 and peaks[text] * 10 ** (trim / 20) > CEILING

    def trimmed(trim: float) -> dict[str, Levelled]:
        """The clips with the trim: final samples for those it pushes past the ceiling (they
        are limited and measured again), only a scaled profile for the rest."""
        gain = 10 ** (trim / 20)
        return {text: _limited(c, gain) if limited(text, trim)
                else Levelled(c.samples, c.profile * gain * gain)
                for text, c in speech.items()}

    def measure(clips: dict[str, Levelled]) -> float:
        return loudness.integrated(
            ((e.start_ms, (clips if e.kind == "speech" else chimes)[e.text].profile)
             for e in timeline.events), timeline.duration_ms)

    trim, last = 0.0, speech
    lufs = measure(last)
    # chimes do not follow the trim, and a trim past a clip's headroom limits it, so the
    # result moves a little less than the trim: measure again until it lands
    for _ in range(4):
        if not math.isfinite(lufs) or abs(lufs - target_lufs) < 0.05:
            break
        trim += target_lufs - lufs
        last = trimmed(trim)
        lufs = measure(last)
    return Mastered(speech={text: c.samples for text, c in speech.items()},
                    limited={text: last[text].samples for text in speech
                             if limited(text, trim)},  # limited in the last measurement
                    chimes={name: c.samples for name, c in chimes.items()},
                    trim_db=trim, lufs=lufs)


def _limited(clip: Levelled, gain: float) -> Levelled:
    """``clip`` with more gain than its headroom allows: limited, and measured again."""
    y = clip.samples.astype(np.float64) * (gain / 32768.0)
    out = to_int16(y * limiter_gain(y, CEILING))
    return Levelled(out, loudness.profile(out))


def _loudest(profile: np.ndarray) -> float:
    """The loudest 400 ms of a short sound (momentary loudness): how loud it strikes the ear."""
    window = min(len(profile), 40)
    sums = np.convolve(profile, np.ones(window), mode="valid")
    power = float(np.max(sums)) / (window * RATE // 100)
    return -0.691 + 10 * math.log10(max(power, 1e-12))
