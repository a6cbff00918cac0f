"""pydub's job: reading the user's bed file in any format, and gTTS's MP3 answers, through our
ffmpeg and without ffprobe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from cuecast.audio.bed import LOOP_FADE_MS, file_loop
from cuecast.audio.convert import read_audio, resample_clip
from cuecast.audio.ffmpeg import codec_of, ffmpeg_path
from cuecast.audio.pcm import RATE
from cuecast.errors import OptionError, RenderError


@pytest.fixture(autouse=True)
def no_ffprobe(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydub must never ask ffprobe (there is none on a fresh machine)."""
    from cuecast.audio.convert import pydub as segment_class

    segment_class()  # imported as cuecast imports it: told our ffmpeg, its warnings quiet
    import pydub.audio_segment

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pydub asked ffprobe")

    monkeypatch.setattr(pydub.audio_segment, "mediainfo_json", refuse)


def _tone(path: Path, rate: int, channels: int, seconds: float = 3.0) -> None:
    t = np.arange(int(rate * seconds)) / rate
    wave = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    pcm = np.repeat(wave, channels).tobytes()
    subprocess.run([ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le",
                    "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0", str(path)],
                   input=pcm, check=True)


def _pitch(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64)))
    return float(np.argmax(spectrum) * rate / len(x))


@pytest.mark.parametrize(("name", "codec", "rate", "channels"), [
    ("tone.flac", "flac", 22_050, 2),
    ("tone.mp3", "mp3", 44_100, 1),
    ("tone.wav", "pcm_s16le", 48_000, 2),
])
def test_any_format_is_read_by_pydub_without_ffprobe(tmp_path: Path, name: str, codec: str,
                                                     rate: int, channels: int) -> None:
    path = tmp_path / name
    _tone(path, rate, channels)
    assert codec_of(path) == codec
    samples, got_rate = read_audio(path)
    assert got_rate == rate and samples.dtype == np.dtype("<i2")
    assert abs(len(samples) / rate - 3.0) < 0.1  # mono: the channels were mixed, not chained
    assert abs(_pitch(samples, rate) - 440) < 2
    # and from bytes, as gTTS's answers arrive
    from_bytes, _ = read_audio(path.read_bytes(), codec=codec)
    assert abs(len(from_bytes) - len(samples)) <= rate // 10


def test_a_bed_at_another_rate_is_brought_to_the_session_rate(tmp_path: Path) -> None:
    path = tmp_path / "bed.flac"
    _tone(path, 22_050, 2, seconds=6)
    loop = file_loop(path)
    assert abs(_pitch(loop, RATE) - 440) < 2  # not an octave off
    assert abs(len(loop) / RATE - (6 - LOOP_FADE_MS / 1000)) < 0.05  # less the crossfade


def test_what_is_not_audio_is_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a sound")
    with pytest.raises(RenderError):
        read_audio(junk)
    with pytest.raises(OptionError, match="cannot be decoded as audio"):
        file_loop(junk)


@pytest.mark.parametrize(("src", "hz"), [(24_000, 1000), (24_000, 9000), (22_050, 440),
                                         (16_000, 5000)])
def test_a_clip_is_resampled_band_limited_and_in_time(src: int, hz: int) -> None:
    """A tone resampled to the session rate is the same tone (phase included) to within
    1e-3, and as long as it was; nothing wraps round from its end onto its start."""
    x = np.sin(2 * np.pi * hz * np.arange(src) / src) * np.hanning(src)
    y = resample_clip(x, src, RATE)
    assert len(y) == RATE
    t = np.arange(RATE) / RATE
    want = np.sin(2 * np.pi * hz * t) * np.interp(t, np.arange(src) / src, np.hanning(src))
    assert np.abs(y - want).max() < 1e-3
    assert np.abs(y[:50]).max() < 1e-3  # the start is the faded start, not the end
