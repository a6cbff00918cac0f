"""Speech clips for a session: memory, then the disk cache, then the engine (in parallel)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from cuecast import stopping
from cuecast.audio import levelling
from cuecast.audio.convert import CLIP_VERSION
from cuecast.audio.pcm import Levelled, length_ms
from cuecast.engines import Engine, speakable
from cuecast.engines.registry import EngineOptions, HibariOptions, get_engine
from cuecast.errors import CuecastError
from cuecast.speech.cache import ClipCache, default_cache_dir

Progress = Callable[[int, int, int], None]
"""Called as clips become ready: (done, total, taken from cache)."""


class Clips:
    """Every phrase is synthesized at most once per cache; counts what came from where."""

    @classmethod
    def open(cls, engine: EngineOptions | None, cache_dir: Path | None) -> Clips:
        """The clips of ``engine`` (hibari's default voice if None) in ``cache_dir`` (the user
        cache dir if None)."""
        return cls(get_engine(engine or HibariOptions()), ClipCache(cache_dir or
                                                                    default_cache_dir()))

    def __init__(self, engine: Engine, cache: ClipCache) -> None:
        self.engine, self.cache = engine, cache
        self.identity = {**engine.identity(), "clip": CLIP_VERSION, "levelling": levelling.VERSION,
                         "lufs": levelling.CLIP_LUFS}
        self._mem: dict[str, Levelled] = {}
        self._lock = threading.Lock()
        self.synthesized = 0
        self.cached = 0

    def _load(self, text: str) -> Levelled:
        stopping.checkpoint()  # each clip is a safe point: a worker stops before the next
        key = self.cache.key(self.identity, text)
        clip = self.cache.get(key)
        if clip is not None:
            with self._lock:
                self.cached += 1
            return clip
        clip = levelling.level_clip(self.engine.synthesize(speakable(text)).samples)
        self.cache.put(key, clip)
        with self._lock:
            self.synthesized += 1
        return clip

    def known_ms(self, text: str) -> int | None:
        """The length of ``text``'s clip if it is made already (in memory or in the cache),
        without making it: previews use real lengths where they can."""
        found = self._mem.get(text) or self.cache.get(self.cache.key(self.identity, text))
        return None if found is None else length_ms(found.samples)

    def samples(self, text: str) -> np.ndarray:
        return self.get(text).samples

    def get(self, text: str) -> Levelled:
        found = self._mem.get(text)
        if found is None:
            found = self._mem[text] = self._load(text)
        return found

    def prefetch(self, texts: Iterable[str], progress: Progress | None = None) -> None:
        """Make every text ready, using the engine's workers for the ones not yet cached.

        Longest first: the workers finish together instead of one waiting on a long line.
        """
        todo = sorted((t for t in dict.fromkeys(texts) if t not in self._mem), key=len,
                      reverse=True)
        if todo:
            self.cache.sweep()  # leftovers of killed renders (cheap next to synthesis)
        pool = ThreadPoolExecutor(max_workers=max(1, self.engine.workers()))
        try:
            futures = {pool.submit(self._load, text): text for text in todo}
            for done, future in enumerate(as_completed(futures), 1):
                stopping.checkpoint()
                self._mem[futures[future]] = future.result()
                if progress:
                    progress(done, len(todo), self.cached)
        finally:
            # on an error (or Ctrl-C) stop at once: queued clips are not even started
            pool.shutdown(wait=True, cancel_futures=True)

    @contextmanager
    def ahead(self, texts: Iterable[str]) -> Iterator[None]:
        """Cache ``texts`` in the background while the block runs (the encoder leaves a core
        idle), and wait for them at its end. They are only a head start for later renders,
        so a failure here is ignored; an interruption stops them at once."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._mem]
        pool = ThreadPoolExecutor(max_workers=1)
        futures = [pool.submit(self._load, t) for t in sorted(todo, key=len, reverse=True)]
        try:
            yield
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        for future in futures:
            try:
                future.result()
            except CuecastError:
                pool.shutdown(wait=True, cancel_futures=True)  # e.g. gTTS went offline
                break
        pool.shutdown(wait=True)

