"""The session format, in one place: 44.1 kHz mono 16-bit samples, conversions to and from
float, millisecond <-> sample arithmetic, and a clip at its final level.

Everything that handles session audio imports from here; nothing here imports the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

RATE: Final = 44_100
"""Session sample rate (Hz): what phones and MP3 encoders expect; clips are resampled to it."""
WIDTH: Final = 2
"""Session sample width in bytes (16-bit)."""
CHANNELS: Final = 1
"""Session channels: mono, for voice on earbuds and phone speakers."""


def to_float(samples: np.ndarray, *, copy: bool = True) -> np.ndarray:
    """int16 or float samples -> float64 with full scale 1 (a new array unless ``copy`` is
    False and they are float64 already)."""
    x = samples.astype(np.float64, copy=copy)
    if samples.dtype == np.int16:
        x /= 32768.0  # int16 -> float64 always made a new array
    return x


def to_int16(x: np.ndarray) -> np.ndarray:
    """Float samples (full scale 1) -> int16, rounded and saturated, in one temporary."""
    y = x * 32767.0
    np.rint(y, out=y)
    np.clip(y, -32768, 32767, out=y)
    return y.astype(np.int16)


def sample_at(ms: int) -> int:
    """The sample index of a millisecond time (exact at 44.1 kHz to within half a sample)."""
    return (ms * RATE + 500) // 1000


def length_ms(samples: np.ndarray) -> int:
    """Length in whole milliseconds, rounded up so a clip always fits its event."""
    return -(-len(samples) * 1000 // RATE)


@dataclass(frozen=True)
class Levelled:
    """A clip at its final level, with what loudness needs to know about it."""

    samples: np.ndarray
    """int16 samples at the session rate."""
    profile: np.ndarray
    """K-weighted energy per 10 ms (:func:`cuecast.audio.loudness.profile`)."""
