"""Lay clips on one canvas at their timeline positions, in one pass, sample-exact.

Speech lines never overlap (the compiler guarantees it); chimes may ring under them. A clip
longer than its event is an error, never silently cut (pydub's ``overlay`` would).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cuecast.errors import RenderError
from cuecast.ffmpeg import RATE
from cuecast.timeline import Event, Timeline


def sample_at(ms: int) -> int:
    """The sample index of a millisecond time (exact at 44.1 kHz to within half a sample)."""
    return (ms * RATE + 500) // 1000


def stitch(timeline: Timeline, audio: Callable[[Event], np.ndarray]) -> np.ndarray:
    """The session's int16 samples; ``audio(event)`` gives each event's samples."""
    total = sample_at(timeline.duration_ms)
    canvas = np.zeros(total, dtype=np.int16)
    for event in timeline.events:
        clip = audio(event)
        start, room = sample_at(event.start_ms), sample_at(event.end_ms) - sample_at(
            event.start_ms)
        if len(clip) > room + 1 or start + len(clip) > total:
            raise RenderError(f"clip for {event.text[:40]!r} is {len(clip)} samples, its slot "
                              f"{room}: the timeline was not compiled with these clips")
        # mixed, not copied: a chime may ring under speech; saturate instead of wrapping
        span = slice(start, start + len(clip))
        canvas[span] = np.clip(canvas[span].astype(np.int32) + clip, -32768, 32767)
    return canvas
