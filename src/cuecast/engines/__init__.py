"""Speech engines: one small interface and a registry. Engines return audio; callers do I/O.

Heavy dependencies (onnxruntime, requests) are imported inside each engine, only when used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from cuecast.errors import OptionError


@dataclass(frozen=True)
class Speech:
    """A synthesized clip in the session format (see :mod:`cuecast.ffmpeg`)."""

    samples: np.ndarray
    """int16 mono samples at the session rate, leading and trailing silence trimmed."""


class Engine(Protocol):
    """A text-to-speech engine."""

    name: str
    """Registry name (``piper``, ``gtts``)."""

    def identity(self) -> dict[str, Any]:
        """Everything that changes the sound besides the text (voice, settings): the cache key."""
        ...

    def synthesize(self, text: str) -> Speech:
        """Say ``text``. Raises EngineError when it cannot (and retrying will not help)."""
        ...

    def workers(self) -> int:
        """How many synthesize calls may run at once."""
        ...


def _piper(**options: Any) -> Engine:
    from cuecast.engines.piper import PiperEngine

    return PiperEngine(voice=options.get("voice"), speed=options.get("speed") or 1.0)


def _gtts(**options: Any) -> Engine:
    from cuecast.engines.gtts import GttsEngine

    return GttsEngine(lang=options.get("lang") or "en", tld=options.get("tld") or "com",
                      speed=options.get("speed") or 1.0)


ENGINES: dict[str, Callable[..., Engine]] = {"piper": _piper, "gtts": _gtts}
"""Engine name -> factory taking the command-line options."""


def get_engine(name: str, **options: Any) -> Engine:
    """Build an engine by name. Raises OptionError for an unknown name."""
    factory = ENGINES.get(name)
    if factory is None:
        raise OptionError(f"--engine must be one of {', '.join(ENGINES)}, not '{name}'")
    return factory(**options)
