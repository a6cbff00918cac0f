"""Lay clips at their timeline positions, in one pass, sample-exact, a piece at a time.

Speech lines never overlap (the compiler guarantees it); chimes may ring under them. A clip
longer than its event is an error, never silently cut (pydub's ``overlay`` would).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from cuecast.errors import RenderError
from cuecast.pcm import sample_at
from cuecast.timeline import Event, Timeline

Finish = Callable[[np.ndarray, int], None]
"""Applied to each piece in place, with the piece's first sample index (bed, fade)."""


def pieces(timeline: Timeline, audio: Callable[[Event], np.ndarray], size: int,
           finish: Finish | None = None) -> Iterator[np.ndarray]:
    """The session's int16 samples, ``size`` at a time, in order: only one piece of the
    session is ever in memory, however long it runs. ``audio(event)`` gives each event's
    samples, asked for again for each piece it sounds in, so no clip is held longer than its
    piece; every clip is checked against its slot before the first piece is made."""
    total = sample_at(timeline.duration_ms)
    lengths: dict[tuple[str, str], int] = {}
    placed: dict[int, list[Event]] = {}
    for event in timeline.events:
        key = (event.kind, event.text)
        if key not in lengths:
            lengths[key] = len(audio(event))
        length = lengths[key]
        start, room = sample_at(event.start_ms), sample_at(event.end_ms) - sample_at(
            event.start_ms)
        if length > room + 1 or start + length > total:
            raise RenderError(f"clip for {event.text[:40]!r} is {length} samples, its slot "
                              f"{room}: the timeline was not compiled with these clips")
        for k in range(start // size, (start + max(length, 1) - 1) // size + 1):
            placed.setdefault(k, []).append(event)
    for k, a in enumerate(range(0, total, size)):
        buf = np.zeros(min(size, total - a), dtype=np.int32)
        for event in placed.get(k, ()):
            clip, start = audio(event), sample_at(event.start_ms)
            # mixed, not copied: a chime may ring under speech
            lo, hi = max(a, start), min(a + len(buf), start + len(clip))
            buf[lo - a: hi - a] += clip[lo - start: hi - start]
        piece = np.clip(buf, -32768, 32767).astype(np.int16)  # saturate, never wrap around
        if finish is not None:
            finish(piece, a)
        yield piece
