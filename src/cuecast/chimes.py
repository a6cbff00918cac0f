"""Chimes synthesized here (no sample files of unknown licence): soft, short, level-matched.

Each chime is exactly ``CHIME_MS[name]`` long, as the compiler laid it out.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np

from cuecast.compiler import CHIME_MS
from cuecast.ffmpeg import RATE

PEAK: Final = 0.25
"""Chime peak (about -12 dBFS): present under speech without startling."""

# (frequency Hz, relative amplitude, decay time constant s, onset s) per partial
_STYLES: Final[dict[str, list[tuple[float, float, float, float]]]] = {
    # a single soft bell tone, up a fifth with a gentle octave partial
    "start": [(880.0, 1.0, 0.18, 0.0), (1760.0, 0.25, 0.08, 0.0), (1320.0, 0.3, 0.12, 0.0)],
    # two falling notes: "done"
    "end": [(784.0, 0.8, 0.12, 0.0), (1568.0, 0.2, 0.06, 0.0), (523.25, 1.0, 0.22, 0.22),
            (1046.5, 0.25, 0.1, 0.22)],
    # a singing-bowl bell: inharmonic partials, long decay
    "bell": [(392.0, 1.0, 1.1, 0.0), (1054.0, 0.45, 0.6, 0.0), (1960.0, 0.2, 0.35, 0.0),
             (2968.0, 0.08, 0.2, 0.0)],
}


@functools.cache
def chime(name: str) -> np.ndarray:
    """int16 samples of the named chime (``start``, ``end``, ``bell``) at the session rate."""
    n = RATE * CHIME_MS[name] // 1000  # type: ignore[index]
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for freq, amp, decay, onset in _STYLES[name]:
        local = np.clip(t - onset, 0, None)
        attack = np.clip(local / 0.005, 0, 1)  # 5 ms attack: no click
        out += (t >= onset) * amp * attack * np.exp(-local / decay) * np.sin(2 * np.pi * freq
                                                                              * local)
    fade = min(n, RATE // 50)  # last 20 ms fade to exact silence
    out[-fade:] *= np.linspace(1, 0, fade)
    out *= PEAK / np.max(np.abs(out))
    return np.round(out * 32767).astype(np.int16)
