"""Session mastering: one small trim lands a session of levelled clips on the target.

The clips were levelled one by one when synthesized (:mod:`cuecast.audio.levelling`). The
session's loudness is computed from their energy profiles at their places
(:mod:`cuecast.audio.loudness`), with no pass over the whole session, and a single small
gain lands it on the target; chimes are set under the voice."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from cuecast.audio import loudness
from cuecast.audio.dynamics import limit
from cuecast.audio.levelling import TARGET_LUFS
from cuecast.audio.pcm import RATE, Levelled, to_float, to_int16
from cuecast.script.timeline import Event, Timeline

CEILING: Final = 10 ** (-3.5 / 20)
"""Sample-peak ceiling, 2 dB under the -1.5 dBTP the listener gets: MP3 coding noise lifts
peaks by up to 2 dB at 64 kbps (none measurable at the default 96; see ``DEFAULT_BITRATE``)."""
CHIME_LU: Final = -8.0
"""Chime loudness (loudest 400 ms) relative to the target: clearly heard, never startling."""


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
        gain_db = target_lufs + CHIME_LU - _loudest(loudness.profile(raw))
        y = limit(raw * 10 ** (gain_db / 20), CEILING)
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
    out = to_int16(limit(y, CEILING))
    return Levelled(out, loudness.profile(out))


def _loudest(profile: np.ndarray) -> float:
    """The loudest 400 ms of a short sound (momentary loudness): how loud it strikes the ear."""
    window = min(len(profile), 40)
    sums = np.convolve(profile, np.ones(window), mode="valid")
    power = float(np.max(sums)) / (window * RATE // 100)
    return -0.691 + 10 * math.log10(max(power, 1e-12))
