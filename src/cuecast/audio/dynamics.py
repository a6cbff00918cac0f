"""Gain, a look-ahead peak limiter and fades, vectorised with numpy (no per-sample loop)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from cuecast.audio.pcm import RATE

LIMIT_RADIUS_MS: Final = 8
"""The limiter's gain reaches its floor this long before a peak and recovers as long after."""


def sliding_min(x: np.ndarray, radius: int) -> np.ndarray:
    """``out[i] = min(x[i - radius : i + radius + 1])`` in O(n) (van Herk / Gil-Werman)."""
    width = 2 * radius + 1
    n = len(x)
    extra = -(n + 2 * radius) % width
    padded = np.pad(x, (radius, radius + extra), constant_values=np.inf).reshape(-1, width)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:n], prefix[width - 1: width - 1 + n])


def moving_mean(x: np.ndarray, radius: int) -> np.ndarray:
    """Centred mean over ``2 * radius + 1`` samples (edges padded with their end values)."""
    width = 2 * radius + 1
    cum = np.concatenate(([0.0], np.cumsum(np.pad(x, radius, mode="edge"))))
    return (cum[width:] - cum[:-width]) / width


def limiter_gain(x: np.ndarray, ceiling: float, radius: int | None = None) -> np.ndarray:
    """Per-sample gain (<= 1) that keeps ``|x * gain| <= ceiling`` with smooth ramps.

    The gain each sample needs is spread over ``radius`` either side (through the peak
    envelope) and then averaged over the same radius, so every sample's gain is at most what it
    needs, and gain changes take ``radius`` samples each way instead of happening at once
    (which would click).
    """
    if float(np.max(np.abs(x), initial=0.0)) <= ceiling:
        return np.ones(len(x))  # nothing to limit: skip the envelope
    return limiter_gain_at(x, peak_envelope(x, radius), 1.0, ceiling, radius)


def limit(x: np.ndarray, ceiling: float) -> np.ndarray:
    """``x`` (floats, full scale 1) with its peaks held to ``ceiling`` by the limiter."""
    out: np.ndarray = x * limiter_gain(x, ceiling)
    return out


def peak_envelope(x: np.ndarray, radius: int | None = None) -> np.ndarray:
    """``max |x|`` over ``radius`` either side of each sample: what :func:`limiter_gain`
    needs, computed once for a clip that is tried at several gains."""
    r = radius if radius is not None else RATE * LIMIT_RADIUS_MS // 1000
    return -sliding_min(-np.abs(x), r)


def limiter_gain_at(x: np.ndarray, envelope: np.ndarray, gain: float, ceiling: float,
                    radius: int | None = None) -> np.ndarray:
    """:func:`limiter_gain` of ``x * gain`` from the clip's :func:`peak_envelope`."""
    r = radius if radius is not None else RATE * LIMIT_RADIUS_MS // 1000
    if float(envelope.max(initial=0.0)) * gain <= ceiling:
        return np.ones(len(x))
    spread = np.minimum(1.0, ceiling / np.maximum(envelope * gain, 1e-12))
    need = np.minimum(1.0, ceiling / np.maximum(np.abs(x) * gain, 1e-12))
    return np.minimum(moving_mean(spread, r), need)  # type: ignore[no-any-return]


def fade_out(total: int, ms: int) -> Callable[[np.ndarray, int], None]:
    """A raised-cosine fade to silence over the last ``ms`` of a ``total``-sample session,
    applied in place to whichever pieces it reaches (a :data:`cuecast.audio.stitch.Finish`)."""
    n = min(total, RATE * ms // 1000)
    start = total - n

    def apply(piece: np.ndarray, first: int) -> None:
        lo, hi = max(first, start), first + len(piece)
        if lo >= hi or n == 0:
            return
        phase = (np.arange(lo, hi) - start) / max(n - 1, 1)
        ramp = 0.5 + 0.5 * np.cos(np.pi * phase)
        piece[lo - first:] = np.round(piece[lo - first:] * ramp).astype(np.int16)

    return apply
