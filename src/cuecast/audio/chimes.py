"""Chimes synthesized here (no sample files of unknown licence): soft, short, level-matched.

Each chime is exactly ``CHIME_MS[name]`` long, as the compiler laid it out.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np

from cuecast.audio.pcm import RATE, to_int16
from cuecast.script.timeline import CHIME_MS

PEAK: Final = 0.25
"""Chime peak (about -12 dBFS): present under speech without startling."""

# (frequency Hz, relative amplitude, decay time constant s, onset s) per partial
_Partials = list[tuple[float, float, float, float]]
_STYLES: Final[dict[str, dict[str, _Partials]]] = {"soft": {
    # a single soft bell tone, up a fifth with a gentle octave partial
    "start": [(880.0, 1.0, 0.18, 0.0), (1760.0, 0.25, 0.08, 0.0), (1320.0, 0.3, 0.12, 0.0)],
    # two falling notes: "done"
    "end": [(784.0, 0.8, 0.12, 0.0), (1568.0, 0.2, 0.06, 0.0), (523.25, 1.0, 0.22, 0.22),
            (1046.5, 0.25, 0.1, 0.22)],
    # a singing-bowl bell: inharmonic partials, long decay
    "bell": [(392.0, 1.0, 1.1, 0.0), (1054.0, 0.45, 0.6, 0.0), (1960.0, 0.2, 0.35, 0.0),
             (2968.0, 0.08, 0.2, 0.0)],
}, "bright": {
    # a clear glockenspiel strike, easy to hear over a fan or traffic
    "start": [(1568.0, 1.0, 0.12, 0.0), (4186.0, 0.3, 0.03, 0.0), (3136.0, 0.2, 0.06, 0.0)],
    # the same bar struck twice, falling a fourth
    "end": [(1568.0, 1.0, 0.08, 0.0), (3136.0, 0.2, 0.04, 0.0), (1174.7, 1.0, 0.15, 0.2),
            (2349.3, 0.2, 0.06, 0.2)],
    # three rising notes of a major chord, ringing out
    "bell": [(1046.5, 1.0, 0.5, 0.0), (1318.5, 0.9, 0.5, 0.25), (1568.0, 0.9, 0.8, 0.5),
             (3136.0, 0.15, 0.3, 0.5)],
}}


@functools.cache
def chime(name: str, style: str = "soft") -> np.ndarray:
    """int16 samples of the named chime (``start``, ``end``, ``bell``) in ``style``."""
    n = RATE * CHIME_MS[name] // 1000  # type: ignore[index]
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for freq, amp, decay, onset in _STYLES[style][name]:
        local = np.clip(t - onset, 0, None)
        attack = np.clip(local / 0.005, 0, 1)  # 5 ms attack: no click
        out += (t >= onset) * amp * attack * np.exp(-local / decay) * np.sin(2 * np.pi * freq
                                                                              * local)
    fade = min(n, RATE // 50)  # last 20 ms fade to exact silence
    out[-fade:] *= np.linspace(1, 0, fade)
    out *= PEAK / np.max(np.abs(out))
    return to_int16(out)
