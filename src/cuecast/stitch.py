"""Lay clips on one canvas at their timeline positions, in one pass, sample-exact.

Speech lines never overlap (the compiler guarantees it) so they are copied in; chimes are mixed
on top. A clip longer than its event is an error, never silently cut (pydub's ``overlay`` would).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cuecast.errors import RenderError
from cuecast.ffmpeg import RATE
from cuecast.timeline import Timeline


def sample_at(ms: int) -> int:
    """The sample index of a millisecond time (exact at 44.1 kHz to within half a sample)."""
    return (ms * RATE + 500) // 1000


def stitch(timeline: Timeline, clip: Callable[[str], np.ndarray],
           chime: Callable[[str], np.ndarray]) -> np.ndarray:
    """The session's int16 samples. ``clip(text)`` / ``chime(name)`` give each event's audio."""
    total = sample_at(timeline.duration_ms)
    canvas = np.zeros(total, dtype=np.int32)
    for event in timeline.events:
        audio = clip(event.text) if event.kind == "speech" else chime(event.text)
        start, room = sample_at(event.start_ms), sample_at(event.end_ms) - sample_at(
            event.start_ms)
        if len(audio) > room + 1 or start + len(audio) > total:
            raise RenderError(f"clip for {event.text[:40]!r} is {len(audio)} samples, its slot "
                              f"{room}: the timeline was not compiled with these clips")
        canvas[start:start + len(audio)] += audio
    return np.clip(canvas, -32768, 32767).astype(np.int16)
