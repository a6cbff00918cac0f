"""Speech engines: one small interface and a registry. Engines return audio; callers do I/O.

Heavy dependencies (onnxruntime, requests) are imported inside each engine, only when used.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np

from cuecast.errors import OptionError

_KEEP_FORMAT: Final = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners: part of spelling in Persian, Hindi and others."""


def speakable(text: str) -> str:
    """What the voice is given for a line: emoji and other pictographs dropped (engines read
    them out as names, or choke on them), invisible format characters removed. Captions keep
    the line as written."""
    kept = "".join(" " if unicodedata.category(c) in ("So", "Sk") else c for c in text
                   if unicodedata.category(c) != "Cf" or c in _KEEP_FORMAT)
    kept = kept.replace("\u2026", "...")
    return " ".join(kept.split()) or text


@dataclass(frozen=True)
class Speech:
    """A synthesized clip in the session format (see :mod:`cuecast.ffmpeg`)."""

    samples: np.ndarray
    """int16 mono samples at the session rate, leading and trailing silence trimmed."""


class Engine(Protocol):
    """A text-to-speech engine."""

    def identity(self) -> dict[str, Any]:
        """Everything that changes the sound besides the text (voice, settings): the cache key."""
        ...

    def synthesize(self, text: str) -> Speech:
        """Say ``text``. Raises EngineError when it cannot (and retrying will not help)."""
        ...

    def workers(self) -> int:
        """How many synthesize calls may run at once."""
        ...


@dataclass(frozen=True)
class PiperOptions:
    """Options of the offline Piper engine."""

    voice: Path | None = None
    """A Piper ``.onnx`` voice with its ``.onnx.json`` beside it; None for the default voice."""

    speed: float = 1.0
    """Speaking speed, 0.5 to 2 (the inverse of Piper's length scale)."""

    jobs: int | None = None
    """Clips synthesized at once; None for one per core the process may run on, as memory
    allows."""


@dataclass(frozen=True)
class GttsOptions:
    """Options of Google Translate's online voice."""

    lang: str = "en"
    """gTTS language code."""

    tld: str = "com"
    """Google domain that picks the accent (``co.uk``, ``com.au``)."""

    speed: float = 1.0
    """Below 0.85 asks for gTTS's slow voice; it has only normal and slow."""


EngineOptions = PiperOptions | GttsOptions
"""The options of one engine, typed: what does not apply to it cannot be given."""

ENGINES: Final = ("piper", "gtts")


def engine_options(name: str, *, voice: Path | None = None, speed: float | None = None,
                   lang: str | None = None, tld: str | None = None,
                   jobs: int | None = None) -> EngineOptions:
    """The typed options of engine ``name`` from what the user gave (None = not given).
    Raises OptionError for an unknown engine or an option that does not apply to it."""
    not_for: dict[str, dict[str, object]] = {"piper": {"--lang": lang, "--tld": tld},
                                              "gtts": {"--voice": voice, "--jobs": jobs}}
    stray = not_for.get(name)
    if stray is None:
        raise OptionError(f"--engine must be one of {', '.join(ENGINES)}, not '{name}'")
    given = next((flag for flag, value in stray.items() if value is not None), None)
    if given is not None:
        raise OptionError(f"{given} does not apply to --engine {name}")
    if jobs is not None and not 1 <= jobs <= 64:
        raise OptionError(f"--jobs must be between 1 and 64, not {jobs}")
    if name == "piper":
        return PiperOptions(voice=voice, speed=1.0 if speed is None else speed, jobs=jobs)
    return GttsOptions(lang=lang or "en", tld=tld or "com", speed=1.0 if speed is None else speed)


def get_engine(options: EngineOptions) -> Engine:
    """Build the engine the options are for. Raises OptionError for a bad value."""
    if isinstance(options, PiperOptions):
        from cuecast.engines.piper import PiperEngine

        return PiperEngine(voice=options.voice, speed=options.speed, jobs=options.jobs)
    from cuecast.engines.gtts import GttsEngine

    return GttsEngine(lang=options.lang, tld=options.tld, speed=options.speed)
