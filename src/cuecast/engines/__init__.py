"""Speech engines: the interface each engine implements, and the text it is given.
Engines return audio; callers do I/O. Which engines there are, with their options, is
:mod:`cuecast.engines.registry`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np

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
