"""Measuring decoded audio: envelopes, onsets, silence (test helpers, not the product)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from cuecast.audio import ffmpeg
from cuecast.audio.pcm import RATE

FRAME = 88
"""Samples per envelope frame (about 2 ms; times are converted exactly, never as 2 ms)."""


def _frame(ms: int) -> int:
    return ms * RATE // (1000 * FRAME)


def _ms(frame: int) -> int:
    return frame * FRAME * 1000 // RATE


def decode(path: Path) -> np.ndarray:
    """The MP3 decoded by ffmpeg to float samples at 44.1 kHz."""
    pcm = ffmpeg.decode_file(path)
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def envelope_db(x: np.ndarray) -> np.ndarray:
    """Peak level per frame, in dBFS."""
    n = FRAME
    frames = np.abs(x[: len(x) // n * n]).reshape(-1, n).max(axis=1)
    return 20 * np.log10(np.maximum(frames, 1e-6))


def onset_ms(env: np.ndarray, after_ms: int, threshold_db: float = -40.0) -> int | None:
    """First time at or after ``after_ms`` where the level crosses ``threshold_db``."""
    start = max(0, _frame(after_ms))
    loud = np.nonzero(env[start:] > threshold_db)[0]
    return None if loud.size == 0 else _ms(start + int(loud[0]))


def peak_db(env: np.ndarray, a_ms: int, b_ms: int) -> float:
    part = env[_frame(a_ms): _frame(b_ms)]
    return float(part.max()) if part.size else -120.0


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) of a file, by ffmpeg's ebur128 meter."""
    proc = subprocess.run([ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path),
                           "-af", "ebur128=framelog=quiet:peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    found = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert found and peak, summary
    return float(found.group(1)), float(peak.group(1))


def rms_db(x: np.ndarray) -> float:
    return 10 * float(np.log10(max(float(np.mean(x * x)), 1e-12)))


def span(x: np.ndarray, a_ms: int, b_ms: int) -> np.ndarray:
    return x[a_ms * RATE // 1000: b_ms * RATE // 1000]
