"""ITU-R BS.1770 integrated loudness of a session, computed from its clips and their places.

Measuring the stitched canvas would mean filtering ~50 million samples, most of them silence,
on every render. Instead each clip is K-weighted once (in the frequency domain, block by block,
exact up to a negligible tail) into a 10 ms energy profile, cached with the clip, and the
profiles are summed wherever the timeline places them. Clips overlap only where a chime rings
under speech; those cross terms are ignored (uncorrelated sounds). Tests check the result
against ffmpeg's ``ebur128`` meter.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Final

import numpy as np

from cuecast.audio.pcm import RATE, to_float

_TAIL: Final = 4096
"""Samples of filter tail kept after a clip (the 38 Hz high-pass has decayed by then)."""
_BLOCK: Final = 1 << 15
"""FFT size of the blockwise K-weighting."""
_CONTEXT: Final = 2 * _TAIL
"""Samples of the clip before each block that lead it in (the filter's memory), dropped."""
ABSOLUTE_GATE: Final = -70.0
RELATIVE_GATE: Final = -10.0


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float],
                     z1: np.ndarray) -> np.ndarray:
    z2 = z1 * z1
    return (b[0] + b[1] * z1 + b[2] * z2) / (a[0] + a[1] * z1 + a[2] * z2)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=4)
def k_weighting(n_fft: int, rate: int = RATE) -> np.ndarray:
    """The K-weighting filter's complex response on an rfft grid of ``n_fft`` points.

    The two BS.1770 stages (high shelf, then high-pass) designed for ``rate`` from their
    analogue parameters exactly as libebur128 and ffmpeg's ``ebur128`` do, so we agree with
    the meter the tests use.
    """
    z1 = np.exp(-2j * np.pi * np.arange(n_fft // 2 + 1) / n_fft)  # z^-1 on the unit circle
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = _biquad_response(
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), z1)
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = _biquad_response((1.0, -2.0, 1.0),
                                (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), z1)
    response = shelf * highpass
    response.flags.writeable = False  # cached and shared: computing it cost as much as the FFT
    return response  # type: ignore[no-any-return]


def k_weighted(samples: np.ndarray) -> np.ndarray:
    """One clip (int16, or float with full scale 1) K-weighted, its filter tail included.

    Filtered block by block (overlap-save, each block led by ``_CONTEXT`` samples of the
    clip before it), so one small response serves every clip and the working memory stays
    the same however long the clip: one FFT of a whole 25-second clip and its response had
    allocated over 100 MB (measured).
    """
    x = to_float(samples, copy=False)
    n = len(x) + _TAIL
    hop = _BLOCK - _CONTEXT
    response = k_weighting(_BLOCK)
    out = np.empty(n)
    block = np.empty(_BLOCK)
    for start in range(0, n, hop):
        block[:] = 0.0
        first, last = max(start - _CONTEXT, 0), min(start + hop, len(x))
        if last > first:
            block[first - start + _CONTEXT: last - start + _CONTEXT] = x[first:last]
        kept = min(hop, n - start)
        out[start: start + kept] = np.fft.irfft(np.fft.rfft(block) * response,
                                                _BLOCK)[_CONTEXT: _CONTEXT + kept]
    return out


BIN: Final = RATE // 100
"""Energy profiles have one value per 10 ms."""


def profile(samples: np.ndarray) -> np.ndarray:
    """A clip's K-weighted energy per 10 ms bin (its filter tail included): enough to place
    it anywhere in a session and compute the session's loudness without its samples."""
    return binned(k_weighted(samples))


def binned(weighted: np.ndarray) -> np.ndarray:
    """K-weighted samples -> energy per 10 ms bin."""
    squares = np.zeros(-(-len(weighted) // BIN) * BIN)
    squares[: len(weighted)] = weighted * weighted
    return squares.reshape(-1, BIN).sum(axis=1)  # type: ignore[no-any-return]


def integrated(placements: Iterable[tuple[int, np.ndarray]], duration_ms: int) -> float:
    """Integrated loudness (LUFS) of a session made of sounds placed at millisecond times.

    ``placements`` are ``(start_ms, profile(sound))`` pairs. Returns -inf for silence.
    """
    bins = np.zeros(duration_ms // 10 + 1)
    for start_ms, prof in placements:
        at = (start_ms + 5) // 10
        n = max(0, min(len(prof), len(bins) - at))
        bins[at: at + n] += prof[:n]
    blocks = (duration_ms // 10 - 40) // 10 + 1  # 400 ms blocks every 100 ms
    if blocks < 1:
        return -math.inf
    sums = np.concatenate(([0.0], np.cumsum(bins)))
    starts = np.arange(blocks) * 10
    power = (sums[starts + 40] - sums[starts]) / (40 * BIN)  # each block's mean square
    return gated(power)


def gated(power: np.ndarray) -> float:
    """BS.1770 gating over block mean squares: absolute -70 LUFS, then relative -10 LU."""
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(power)
    kept = power[loud > ABSOLUTE_GATE]
    if kept.size == 0:
        return -math.inf
    threshold = -0.691 + 10 * math.log10(float(kept.mean())) + RELATIVE_GATE
    kept = power[(loud > ABSOLUTE_GATE) & (loud > threshold)]
    return -0.691 + 10 * math.log10(float(kept.mean()))


def of_profile(prof: np.ndarray, n_samples: int) -> float:
    """A single clip's loudness from its profile and length: gated when it is long enough for
    400 ms blocks, else its mean over its whole length (a short word such as 'One.')."""
    ms = n_samples * 1000 // RATE
    if ms >= 400:
        return integrated([(0, prof)], ms)
    power = float(prof.sum()) / max(n_samples, 1)
    return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf
