"""An ambient bed under the session: generated soft noise or the user's own audio, looped,
levelled, and ducked under speech with slow ramps.

The ducking follows the timeline (we know when the voice speaks), not a detector, so it never
lags or pumps: the bed dips before the first word of a passage and rises after the last, and
short pauses between lines stay ducked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np

from cuecast.audio import loudness
from cuecast.audio.convert import read_audio, resample
from cuecast.audio.dynamics import moving_mean
from cuecast.audio.pcm import RATE, to_float, to_int16
from cuecast.errors import OptionError, RenderError
from cuecast.script.timeline import Timeline

BED_LUFS: Final = -30.0
"""Bed loudness between lines: audible, 14 LU under the voice."""
DUCK_DB: Final = -12.0
"""Extra bed gain while the voice speaks."""
RAMP_MS: Final = 300
"""Duck ramps take about this long each way."""
BRIDGE_MS: Final = 1500
"""Pauses between lines shorter than this stay ducked (no pumping)."""
LOOP_FADE_MS: Final = 1000
"""Crossfade where a user's bed loops back to its start."""
NOISE_S: Final = 47
"""Length of the generated noise loop (a prime number of seconds: no audible period)."""
_STEP: Final = RATE // 100
"""The duck envelope is computed every 10 ms and interpolated."""


def noise_loop(seconds: int = NOISE_S, seed: int = 7) -> np.ndarray:
    """A seamless loop of soft noise: brown-ish below 500 Hz, gently rolled off above.

    Made in the frequency domain, so the loop is periodic by construction.
    """
    n = RATE * seconds
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    shape = 1 / np.sqrt(1 + (freqs / 120) ** 2) / np.sqrt(1 + (freqs / 2500) ** 4)
    shape[freqs < 30] = 0  # no rumble a phone speaker would only distort
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, len(freqs))
    x = np.fft.irfft(shape * np.exp(1j * phases), n)
    return x / np.max(np.abs(x))  # type: ignore[no-any-return]


def file_loop(path: Path) -> np.ndarray:
    """The user's audio file as a float loop whose end crossfades into its start."""
    if not path.is_file():
        raise OptionError(f"--bed {path}: no such file (use 'noise' or an audio file)")
    try:
        samples, rate = read_audio(path)
    except RenderError as exc:
        raise OptionError(f"--bed {path}: cannot be decoded as audio ({exc})") from None
    x = to_float(samples)
    if rate != RATE:
        x = resample(x, rate, RATE)
    fade = RATE * LOOP_FADE_MS // 1000
    if len(x) < 2 * fade or not np.any(x):
        raise OptionError(f"--bed {path}: needs at least {2 * LOOP_FADE_MS // 1000} s of sound")
    ramp = np.linspace(0, 1, fade)
    loop = x[:-fade].copy()
    loop[:fade] = x[:fade] * ramp + x[-fade:] * (1 - ramp)
    return loop  # type: ignore[no-any-return]


def level(loop: np.ndarray, lufs: float = BED_LUFS) -> np.ndarray:
    """``loop`` scaled to ``lufs`` integrated loudness."""
    now = loudness.integrated([(0, loudness.profile(loop))], len(loop) * 1000 // RATE)
    if not np.isfinite(now):
        return loop
    return loop * 10 ** ((lufs - now) / 20)


def duck_envelope(timeline: Timeline, total: int) -> np.ndarray:
    """Bed gain every 10 ms: 1 between passages, ``DUCK_DB`` under speech, ramps between."""
    steps = total // _STEP + 2
    speaking = np.zeros(steps, dtype=bool)
    lead = (RAMP_MS + 50) // 10  # fully ducked by the first syllable
    previous_end = -10 ** 9
    for e in timeline.speech():
        a, b = e.start_ms // 10, -(-e.end_ms // 10)
        if a - previous_end < BRIDGE_MS // 10:
            a = previous_end  # a short pause: stay down
        speaking[max(0, a - lead): b + lead] = True
        previous_end = b
    floor = 10 ** (DUCK_DB / 20)
    target = np.where(speaking, floor, 1.0)
    return moving_mean(target, RAMP_MS // 20)


class Bed:
    """A levelled loop, ducked under a timeline's speech, added to the session piece by
    piece (as a :data:`cuecast.audio.stitch.Finish`)."""

    def __init__(self, loop: np.ndarray, timeline: Timeline, *, fade_in_ms: int = 1000) -> None:
        self.loop = loop
        total = timeline.duration_ms * RATE // 1000 + RATE
        self.env = duck_envelope(timeline, total)
        self.grid = np.arange(len(self.env)) * _STEP
        self.fade_in = RATE * fade_in_ms // 1000

    def __call__(self, piece: np.ndarray, first: int) -> None:
        idx = np.arange(first, first + len(piece))
        bed = self.loop[idx % len(self.loop)] * np.interp(idx, self.grid, self.env)
        if first < self.fade_in:
            bed *= np.clip(idx / max(self.fade_in, 1), 0, 1)
        piece[:] = to_int16(piece / 32767.0 + bed)
