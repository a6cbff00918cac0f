"""Content-addressed clip cache: key = engine identity + levelling version + exact text.

Each clip is one ``.npz`` file (its samples and its loudness profile) written atomically
(temporary file, then rename), so concurrent renders share the cache safely. A zip member
carries a CRC-32, so a truncated or corrupted entry fails to load and is synthesized again,
never stitched in.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any, Final

import numpy as np

from cuecast.audio.pcm import Levelled

STALE_S: Final = 3600.0
"""A temporary file this old belongs to no running render."""
_READING: Final = threading.Lock()
"""One clip read at a time: ``np.load`` parses each array header with ``ast``, and CPython
3.11's AST construction is not thread-safe (python/cpython#106905: a spurious ``SystemError:
AST constructor recursion depth mismatch`` when threads parse at once; seen once in a test
render). A read takes well under a millisecond next to a clip's synthesis."""


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
        return self.root / key[:2] / f"{key}.npz"

    def get(self, key: str) -> Levelled | None:
        """The cached clip, or None when absent or damaged."""
        try:
            with _READING, np.load(self.path(key), allow_pickle=False) as data:
                samples, profile = data["samples"], data["profile"]
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile):
            return None  # missing, truncated, or a CRC mismatch
        if samples.dtype != np.int16 or samples.ndim != 1 or samples.size == 0 \
                or profile.dtype != np.float64 or profile.ndim != 1:
            return None
        return Levelled(samples, profile)

    def sweep(self, older_than_s: float = STALE_S) -> int:
        """Remove temporary files that renders killed mid-write left behind; returns how many.

        Only old ones: a render writing right now is never disturbed.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        for part in self.root.glob("*/.tmp-*.part"):
            try:
                if part.stat().st_mtime < cutoff:
                    part.unlink()
                    removed += 1
            except OSError:
                continue  # gone already, or not ours to remove
        return removed

    def put(self, key: str, clip: Levelled) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, samples=clip.samples, profile=clip.profile)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
