"""Content-addressed clip cache: key = engine identity + exact text.

Each clip is a small WAV file (session format) written atomically (temporary file, then
rename), so concurrent renders share the cache safely; a file that fails to read back whole is
treated as missing and synthesized again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np

from cuecast.ffmpeg import CHANNELS, RATE, WIDTH


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("cuecast")) / "clips"


class ClipCache:
    """Clips on disk under ``root``, two-level fan-out by key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def key(self, identity: dict[str, Any], text: str) -> str:
        blob = json.dumps({"id": identity, "text": text}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def get(self, key: str) -> np.ndarray | None:
        """The cached samples, or None when absent or damaged."""
        path = self.path(key)
        try:
            with wave.open(str(path), "rb") as w:
                if (w.getframerate(), w.getsampwidth(), w.getnchannels()) != (RATE, WIDTH,
                                                                              CHANNELS):
                    return None
                frames = w.getnframes()
                data = w.readframes(frames)
        except (OSError, EOFError, wave.Error):
            return None
        if frames == 0 or len(data) != frames * WIDTH:
            return None  # truncated: the header promises more than the file holds
        return np.frombuffer(data, dtype="<i2")

    def put(self, key: str, samples: np.ndarray) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
        try:
            with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
                w.setnchannels(CHANNELS)
                w.setsampwidth(WIDTH)
                w.setframerate(RATE)
                w.writeframes(samples.astype("<i2").tobytes())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
