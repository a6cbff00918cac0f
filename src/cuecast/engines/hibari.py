"""hibari: offline speech from a distillation of Kokoro-82M (the ``hibari-tts`` package).

The voice "heart" (American English, female) is inside the package, with its own text to
phoneme rules (misaki's, no espeak); the other voices are complete models of the same size,
fetched once by the package into its cache (``HIBARI_HOME``, else the user cache dir). The
model predicts a spectrum; the package's signal processing adds a noise component drawn from
a seeded generator, so the same text with the same seed gives the same audio.

Decisions: one onnxruntime session shared by the workers (it is thread-safe); the text to
phoneme step, which keeps state in pure Python, runs one line at a time under a lock (about a
millisecond a line). Each clip is levelled by measurement like every engine's
(:mod:`cuecast.audio.levelling`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import numpy as np

from cuecast.audio.convert import to_session
from cuecast.engines import Speech, auto_workers, usable_cores
from cuecast.errors import EngineError
from cuecast.script.phrases import number_word

PACKAGE: Final = "hibari-tts"
WORKER_BYTES: Final = 40_000_000
"""Memory budgeted for one more worker (an onnxruntime call's activations for a long line and
the signal processing's spectra)."""

UNSAID_MS: Final = 300
"""The silence that stands for a line with nothing the voice can read."""

CLEARER: Final = {"And relax.": "And, relax."}
"""Lines this voice says unclearly, and what it is given instead. Measured with the
listening check (Whisper base, each line alone, seeds 0 to 5): "And relax." was heard
"Relax." 5 times in 6 (the weak "and" swallowed at the start); with the comma, 0 in 6."""

SAID_AS: Final = ((r"ɪnhˈAl", "ˌɪnhˈAl"), (r"(?<!\S)ˈAt ɹˈɛps", "ˈAt, ɹˈɛps"),
                  (r"(?<!\S)stˈɑɹt ɪn(?!\S)", "stˈɑɹt ˈɪn"))
"""Phoneme rewrites (a pattern over misaki's alphabet, as the package gives the model, and
what it becomes): where this voice says a word unclearly, and what makes it clear. Measured
with the listening check (Whisper base, each line alone, four or six seeds): "Inhale." was
heard "In hell." 2 times in 6, with a secondary stress on its first syllable 0 in 6; at speed
1.15 "8 reps." was heard "It wraps." 4 times in 4, with a breath of a pause after "eight" 0
in 4 ("8 reps each side." right either way; holding the vowel instead fixed the one and broke
the other, "A wraps each side"); at speed 1.15 "Start in your child's pose position." was
heard "Starting your..." 6 times in 6, with "in" stressed 0 in 6."""

COUNT_THEN: Final = re.compile(r"^([A-Z][a-z]+(?:-[a-z]+)?), (?=\w)")
"""A rep count that opens a line of the routine's phrasing ("Two, inhale, knees up."): said
as a sentence of its own. Run on with a comma, "Two," was heard "To" 3 times in 6 (Whisper
reads the pair as "to inhale"); as "Two. Inhale, ..." 0 in 6."""


def spoken(text: str) -> str:
    """What the voice is given for a line (captions keep the line as written)."""
    text = CLEARER.get(text, text)
    match = COUNT_THEN.match(text)
    if match and _is_count(match.group(1)):
        rest = text[match.end():]
        return f"{match.group(1)}. {rest[:1].upper()}{rest[1:]}"
    return text


@functools.cache
def _counts() -> frozenset[str]:
    return frozenset(number_word(n) for n in range(1, 100))


def _is_count(word: str) -> bool:
    return word.lower() in _counts()


def pronounced(phonemes: str) -> str:
    """One sentence's phonemes with :data:`SAID_AS` applied."""
    for pattern, clearer in SAID_AS:
        phonemes = re.sub(pattern, clearer, phonemes)
    return phonemes


def voices() -> dict[str, dict[str, Any]]:
    """The package's voices by name: language, accent, gender, file, whether bundled."""
    from hibari.voices import VOICES

    return dict(VOICES)


def voice_file(name: str) -> Path:
    """Where voice ``name``'s model is (or will be, once downloaded)."""
    from hibari.voices import ASSETS, cache_dir

    entry = voices()[name]
    return Path(ASSETS if entry.get("bundled") else cache_dir()) / str(entry["file"])


def is_present(name: str) -> bool:
    """The voice can be used without a download."""
    return voice_file(name).is_file()


_HASHES: dict[tuple[str, int, int], str] = {}
_HASHING = threading.Lock()


def file_hash(path: Path) -> str:
    """The model file's sha256 (part of every clip's identity), once per file and version."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _HASHING:
        if key not in _HASHES:
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            _HASHES[key] = digest.hexdigest()
        return _HASHES[key]


class HibariEngine:
    """A hibari voice, loaded once, shared by threads."""

    def __init__(self, *, voice: str = "heart", speed: float = 1.0, seed: int = 0,
                 jobs: int | None = None, threads: int | None = None,
                 optimized: bool = True) -> None:
        self.voice, self.speed, self.seed = voice, speed, seed
        self.jobs = jobs or auto_workers(WORKER_BYTES)
        self.threads = threads
        """onnxruntime threads per call (None: the cores shared out among the workers)."""
        self.optimized = optimized
        """onnxruntime's graph optimizations (off only to hear the voice on another float
        path: the listening check's perturbed syntheses)."""
        self._tts: Any = None
        self._lock = threading.Lock()
        self._phonemizing = threading.Lock()

    def model(self) -> Path:
        """The voice's model file, downloaded by the package on first use. Raises
        EngineError naming the voice, the file and where to put it when it cannot be had."""
        from hibari.voices import BASE_URL, voice_path

        try:
            return Path(voice_path(self.voice))
        except (RuntimeError, OSError) as exc:
            where = voice_file(self.voice)
            raise MissingVoice(
                f"hibari voice '{self.voice}' is not on this computer and could not be "
                f"downloaded ({_reason(exc)}): put {where.name} from {BASE_URL} into "
                f"{where.parent}, or use --voice heart (always offline)") from None

    def identity(self) -> dict[str, Any]:
        return {"engine": "hibari", "voice": self.voice, "model": file_hash(self.model()),
                "package": metadata.version(PACKAGE), "speed": self.speed, "seed": self.seed,
                "clearer": CLEARER, "said_as": SAID_AS, "count_then": COUNT_THEN.pattern,
                "version": 1}

    def workers(self) -> int:
        return self.jobs

    def _load(self) -> Any:
        with self._lock:
            if self._tts is None:
                self._tts = _load_voice(self.model(), self.voice,
                                        self.threads or max(1, usable_cores() // self.jobs),
                                        self.optimized)
            return self._tts

    def synthesize(self, text: str) -> Speech:
        tts = self._load()
        with self._phonemizing:
            said = [pronounced(p) for p in tts.phonemize(spoken(text))]
        rng = np.random.default_rng(self.seed)
        audio = [tts.from_ids(tts.ids(p), self.speed, rng) for p in said]
        if not sum(len(a) for a in audio):
            # nothing this voice can read (its rules are English: Arabic, Japanese): a short
            # silence, the line kept in the captions
            audio = [np.zeros(tts.sample_rate * UNSAID_MS // 1000, np.float32)]
        return Speech(to_session(np.concatenate(audio), tts.sample_rate))


class MissingVoice(EngineError):
    """A voice that is neither here nor downloadable: fixed by the user, so exit 2."""

    exit_code = 2


def _reason(exc: BaseException) -> str:
    """Why a download failed, in a few words (the package wraps urllib's error)."""
    import urllib.error

    cause = exc.__cause__ or exc
    if isinstance(cause, urllib.error.HTTPError):
        return f"HTTP {cause.code}"
    if isinstance(cause, (urllib.error.URLError, TimeoutError, ConnectionError)):
        return "no connection"
    return (str(cause).splitlines() or [type(cause).__name__])[0][:120]


def _load_voice(model: Path, voice: str, threads: int, optimized: bool) -> Any:
    """The package's synthesizer on ``model``, with one onnxruntime session of our making:
    ``threads`` threads, graph optimizations on or off, and no memory arena (an arena keeps
    its largest call's buffers: 55 MB more after the longest lines of a session, against 30
    without it, at the same speed)."""
    import onnxruntime as ort
    from hibari import Hibari

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = threads
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 3
    if not optimized:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    # the model loads on a thread of its own (onnxruntime lets go of the GIL) while the text
    # rules load here: 0.28 s instead of 0.36 s before the first line can be said
    with ThreadPoolExecutor(max_workers=1) as side:
        session = side.submit(ort.InferenceSession, str(model), options,
                              providers=["CPUExecutionProvider"])
        try:
            tts = with_session(Hibari, voice, model, None)
            tts.phonemize("Ready.")  # loads the text rules now, not in the first worker's call
            tts.sess = session.result()
        except Exception as exc:  # onnxruntime and the package raise undocumented types
            raise EngineError(f"cannot load hibari voice '{voice}': "
                              f"{str(exc).splitlines()[0][:200]}") from None
    return tts


def with_session(cls: Any, voice: str, model: Path, session: Any) -> Any:
    """An instance of the package's ``Hibari`` on ``session``: what its constructor (0.2.1,
    the version pinned) sets, without the session it would load first (the model twice in
    memory for a moment). A test compares it with the constructor's."""
    import json

    from hibari.tts import ASSETS

    tts = cls.__new__(cls)
    tts.voice, tts.model_path, tts.sess, tts._g2p = voice, str(model), session, None
    with open(Path(ASSETS) / "vocab.json", encoding="utf-8") as f:
        tts.vocab = json.load(f)
    return tts
