"""ffmpeg: the one on PATH, else the binary shipped in imageio-ffmpeg. Decode and encode by pipe.

No ffprobe is needed (imageio-ffmpeg's wheel has none): audio is always decoded to a fixed
raw format we choose, so nothing has to be probed.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Final

from cuecast.audio.pcm import RATE
from cuecast.errors import RenderError


@functools.cache
def ffmpeg_path() -> str:
    """Path of the ffmpeg to use. Raises RenderError when there is none."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise RenderError(f"no ffmpeg found on PATH or in imageio-ffmpeg ({exc})") from None


def _command(args: list[str]) -> list[str]:
    return [ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]


def _failed(returncode: int, stderr: bytes) -> RenderError:
    detail = stderr.decode(errors="replace").strip().splitlines()
    return RenderError(f"ffmpeg failed: {detail[-1] if detail else returncode}")


def _run(args: list[str], data: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(_command(args), input=data, capture_output=True, check=False)
    except OSError as exc:
        raise RenderError(f"cannot run ffmpeg: {exc}") from None
    if proc.returncode != 0:
        raise _failed(proc.returncode, proc.stderr)
    return proc.stdout


def _to_pcm(source: str, rate: int) -> list[str]:
    return ["-i", source, "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(rate),
            "pipe:1"]


def codec_of(source: Path | bytes) -> str:
    """The codec of the first audio stream in a file or a file's bytes, as ffmpeg names it
    (what ffprobe would tell, from ffmpeg itself). Raises RenderError when there is none."""
    import re

    where = "pipe:0" if isinstance(source, bytes) else str(source)
    try:  # no output given: ffmpeg describes the input, then stops with an error
        proc = subprocess.run([ffmpeg_path(), "-hide_banner", "-nostdin", "-i", where],
                              input=source if isinstance(source, bytes) else None,
                              capture_output=True, check=False)
    except OSError as exc:
        raise RenderError(f"cannot run ffmpeg: {exc}") from None
    found = re.search(rb"Stream #\d+:\d+\S*: Audio: (\w+)", proc.stderr)
    if found is None:
        raise RenderError("no audio stream in it")
    return found.group(1).decode()


def decode(data: bytes, *, rate: int = RATE) -> bytes:
    """Any audio file's bytes (MP3, WAV...) -> raw mono 16-bit PCM at ``rate``."""
    return _run(_to_pcm("pipe:0", rate), data)


def decode_file(path: Path, *, rate: int = RATE) -> bytes:
    """An audio file -> raw mono 16-bit PCM at ``rate``."""
    return _run(_to_pcm(str(path), rate))


LAME_QUALITY: Final = 5
"""libmp3lame's quality level (LAME's ``-q``; 0 best and slowest, 9 fastest). The encoder is
the floor of every warm render, and this level cut it from 2.69 to 2.32 s for the upper-back
session with the same speech band (log-spectral distance to the PCM +0.04 dB, SNR the same,
session WER 0.47 against 0.40 %); level 7 took 1.68 s but lost 0.5 dB of spectral distance and
measured 1.4 % (docs/performance.md)."""


def encode_mp3(pcm: bytes | Iterable[bytes], out: Path, *, bitrate_kbps: int,
               rate: int = RATE) -> None:
    """Raw mono 16-bit PCM (whole, or in pieces) -> CBR MP3 at ``out`` (no tags; mutagen
    adds them after)."""
    args = _command(["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
                     "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
                     "-compression_level", str(LAME_QUALITY), "-id3v2_version", "0",
                     "-write_xing", "1", "-f", "mp3", "-y", str(out)])
    pieces = [pcm] if isinstance(pcm, bytes) else pcm
    try:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise RenderError(f"cannot run ffmpeg: {exc}") from None
    stdin, stderr = proc.stdin, proc.stderr
    if stdin is None or stderr is None:  # cannot happen with PIPE; keeps the types exact
        raise RenderError("ffmpeg's pipes did not open")
    # each piece is written on a thread of its own while the next one is made here: the
    # encoder and the making of the session run side by side (writing in turn kept the
    # encoder waiting for each piece, 0.3 s of a 2.4 s encode)
    writer = ThreadPoolExecutor(max_workers=1)
    try:
        writing: Future[int] | None = None
        for piece in pieces:
            if writing is not None:
                writing.result()
            writing = writer.submit(stdin.write, piece)
        if writing is not None:
            writing.result()
    except BrokenPipeError:
        pass  # ffmpeg stopped early: its message comes below
    except BaseException:
        proc.kill()  # the session could not be made (or Ctrl-C): no half-encoded file
        proc.wait()
        raise
    finally:
        writer.shutdown(wait=True)  # after a kill, a blocked write ends with a broken pipe
        with contextlib.suppress(BrokenPipeError):  # ffmpeg is gone: nothing to flush to
            stdin.close()
    err = stderr.read()
    if proc.wait() != 0:
        raise _failed(proc.returncode, err)


@functools.cache
def codec_gain_db(bitrate_kbps: int) -> float:
    """How much louder (negative: quieter) audio comes back from MP3 encoding and decoding.

    Measured, not assumed: one second of a 1 kHz tone through this ffmpeg's encoder at this
    bitrate and back (about -0.45 dB with LAME here, the same at every bitrate), so loudness
    can be aimed at what the listener's player will decode.
    """
    import tempfile

    import numpy as np

    t = np.arange(RATE * 3 // 2) / RATE
    tone = np.round(0.1 * 32767 * np.sin(2 * np.pi * 1000 * t)).astype("<i2")
    with tempfile.TemporaryDirectory(prefix="cuecast-") as tmp:
        out = Path(tmp) / "tone.mp3"
        encode_mp3(tone.tobytes(), out, bitrate_kbps=bitrate_kbps)
        back = np.frombuffer(decode_file(out), dtype="<i2").astype(np.float64)
    mid = slice(RATE // 4, RATE * 5 // 4)  # away from the encoder's start and end
    before = float(np.mean(tone[mid].astype(np.float64) ** 2))
    after = float(np.mean(back[mid] ** 2)) if len(back) >= mid.stop else 0.0
    if after <= 0:
        return 0.0
    return 10 * float(np.log10(after / before))
