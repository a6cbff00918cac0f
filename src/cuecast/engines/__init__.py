"""Speech engines: the interface each engine implements, and the text it is given.
Engines return audio; callers do I/O. Which engines there are, with their options, is
:mod:`cuecast.engines.registry`.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:  # the registry, and so the command line, start without numpy
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
    """A synthesized clip in the session format (see :mod:`cuecast.audio.ffmpeg`)."""

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


def usable_cores() -> int:
    """The cores this process may run on (``taskset`` and containers narrow them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_workers(worker_bytes: int) -> int:
    """One worker per usable core, as far as the free memory allows ``worker_bytes`` each:
    workers with one thread each scale far better than threads within one worker (measured
    with Piper: 2.2x)."""
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not a POSIX system
        free = worker_bytes * 64
    return max(1, min(usable_cores(), free // worker_bytes))
