"""Audio objects in the session format, and the clean-up every speech clip gets."""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from cuecast.audio.pcm import CHANNELS, RATE, WIDTH, to_float, to_int16
from cuecast.errors import RenderError

if TYPE_CHECKING:
    from pydub import AudioSegment

TRIM_THRESHOLD: Final = 0.004
"""Samples quieter than this (about -48 dBFS) at a clip's ends are silence to be trimmed."""
PEAK_LIMIT: Final = 10 ** (-3 / 20)
"""Highest sample peak a clip may have after its gain (-3 dBFS leaves room for MP3 overshoot)."""
PAD_MS: Final = 10
"""Silence kept before and after the sound, so consonants are not clipped."""


def pydub() -> type[AudioSegment]:
    """pydub's AudioSegment, imported lazily and told which ffmpeg to use.

    pydub looks for ffmpeg at import and warns when there is none on PATH; we always hand it
    ours, so that warning would only mislead users.
    """
    from cuecast.audio.ffmpeg import ffmpeg_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # pydub imports audioop (3.11, 3.12)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_path()
    return AudioSegment  # type: ignore[no-any-return]


def read_audio(source: Path | bytes, *, codec: str | None = None) -> tuple[np.ndarray, int]:
    """Audio in any format ffmpeg reads (a file, or a file's bytes) -> (mono int16 samples,
    their rate), read by pydub through our ffmpeg.

    pydub asks ffprobe which codec to decode with unless it is told, and there is no ffprobe
    here (imageio-ffmpeg ships none): ffmpeg itself names the codec instead. Raises
    RenderError when the source is not audio.
    """
    from pydub.exceptions import CouldntDecodeError

    from cuecast.audio.ffmpeg import codec_of

    codec = codec or codec_of(source)
    try:
        seg = pydub().from_file(io.BytesIO(source) if isinstance(source, bytes) else source,
                                codec=codec)
    except CouldntDecodeError as exc:
        last = str(exc).strip().splitlines()[-1:] or ["not audio"]
        raise RenderError(f"ffmpeg could not decode it: {last[0]}") from None
    seg = seg.set_channels(CHANNELS).set_sample_width(WIDTH)
    return np.frombuffer(seg.raw_data, dtype="<i2"), int(seg.frame_rate)


CLIP_VERSION: Final = 2
"""Bumped when a clip's clean-up (:func:`to_session`) changes, so cached clips are made
again (2: clips resampled by FFT)."""


def to_session(samples: np.ndarray, rate: int, *, gain_db: float = 0.0) -> np.ndarray:
    """Mono float or int16 samples at ``rate`` -> trimmed int16 at the session rate."""
    x = to_float(samples)  # changed in place below
    if rate != RATE:
        x = resample_clip(x, rate, RATE)
    x *= 10 ** (gain_db / 20)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak > PEAK_LIMIT:
        x *= PEAK_LIMIT / peak  # a louder clip is turned down, never clipped
    return to_int16(trim(x))


def trim(x: np.ndarray) -> np.ndarray:
    """Cut leading and trailing silence (keeping ``PAD_MS``) so onsets are where we place them."""
    loud = np.abs(x) > TRIM_THRESHOLD
    if not loud.any():
        return x[: RATE // 10]
    first, last = int(loud.argmax()), len(x) - 1 - int(loud[::-1].argmax())
    pad = RATE * PAD_MS // 1000
    return x[max(0, first - pad): last + pad + 1]


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Linear interpolation framed by windowed-sinc low-passes at the lower rate's Nyquist
    (before, against aliasing; after, against the images interpolation leaves)."""
    cutoff = 0.45 * min(src, dst) / max(src, dst)
    if src > dst:
        x = _lowpass(x, cutoff)
    if dst == 2 * src and len(x):  # 22.05 kHz audio: np.interp's search cost 34 ns a sample
        y = np.empty(2 * len(x))
        y[0::2] = x
        y[1:-1:2] = (x[:-1] + x[1:]) / 2
        y[-1] = x[-1]
    else:
        pos = np.arange(round(len(x) * dst / src)) * (src / dst)
        y = np.interp(pos, np.arange(len(x)), x)
    return _lowpass(y, cutoff) if dst > src else y


def resample_clip(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """A clip (seconds long) resampled through its whole spectrum: band-limited exactly at
    the lower rate's Nyquist, and cheaper for a clip than :func:`resample`'s filters (a
    session's 131 lines: 0.58 s of CPU against 0.70; a 1 kHz tone off by 3e-5 against
    7e-3). :func:`resample` serves long audio, whose whole spectrum would not fit memory.
    Zeros after the clip keep its end from wrapping round onto its start."""
    up, down = dst // math.gcd(src, dst), src // math.gcd(src, dst)
    # an FFT size with small factors only, holding the clip and its padding
    n_in = _smooth(-(-(len(x) + _WRAP_PAD) // down)) * down
    n_out = n_in // down * up
    spectrum = np.fft.rfft(x, n_in)
    kept = min(len(spectrum), n_out // 2 + 1)
    out = np.fft.irfft(spectrum[:kept], n_out) * (n_out / n_in)
    return out[: round(len(x) * dst / src)]


_WRAP_PAD: Final = 1024


def _smooth(n: int) -> int:
    """The least number of at least ``n`` with no prime factor above 5 (fast FFT sizes)."""
    best = 1 << max(n - 1, 0).bit_length()
    p3 = 1
    while p3 < best:
        p35 = p3
        while p35 < best:
            p2 = p35 << max(0, (n - 1) // p35).bit_length()  # p35 times the least 2**k >= n
            best = min(best, p2)
            p35 *= 5
        p3 *= 3
    return best


def _lowpass(x: np.ndarray, cutoff: float, taps: int = 127) -> np.ndarray:
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    return np.convolve(x, h / h.sum(), mode="same")
