"""Lay clips at their timeline positions, in one pass, sample-exact, a piece at a time.

Speech lines never overlap (the compiler guarantees it); chimes may ring under them. Where
they do, the mix is limited to the ceiling: each was levelled with headroom on its own, but a
chime's peak under a line's peak adds up past it. A clip longer than its event is an error,
never silently cut (pydub's ``overlay`` would).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from cuecast.audio.dynamics import limit
from cuecast.audio.pcm import sample_at
from cuecast.errors import RenderError
from cuecast.script.timeline import Event, Timeline

Finish = Callable[[np.ndarray, int], None]
"""Applied to each piece in place, with the piece's first sample index (bed, fade)."""


def pieces(timeline: Timeline, audio: Callable[[Event], np.ndarray], size: int,
           finish: Finish | None = None, *, ceiling: float | None = None) -> Iterator[np.ndarray]:
    """The session's int16 samples, ``size`` at a time, in order: only one piece of the
    session is ever in memory, however long it runs. ``audio(event)`` gives each event's
    samples, asked for again for each piece it sounds in, so no clip is held longer than its
    piece; every clip is checked against its slot before the first piece is made. Events that
    sound together are mixed and, given a ``ceiling`` (a fraction of full scale), limited to
    it; without one the mix only saturates."""
    total = sample_at(timeline.duration_ms)
    lengths: dict[tuple[str, str], int] = {}
    groups: list[list[tuple[int, Event]]] = []  # events that sound together, with their starts
    ends: list[int] = []  # where each group's last sample ends
    for event in sorted(timeline.events, key=lambda e: e.start_ms):
        key = (event.kind, event.text)
        if key not in lengths:
            lengths[key] = len(audio(event))
        length = lengths[key]
        start, room = sample_at(event.start_ms), sample_at(event.end_ms) - sample_at(
            event.start_ms)
        if length > room + 1 or start + length > total:
            raise RenderError(f"clip for {event.text[:40]!r} is {length} samples, its slot "
                              f"{room}: the timeline was not compiled with these clips")
        if not ends or start >= ends[-1]:
            groups.append([])
            ends.append(start)
        groups[-1].append((start, event))
        ends[-1] = max(ends[-1], start + max(length, 1))
    placed: dict[int, list[list[tuple[int, Event]]]] = {}
    for group, end in zip(groups, ends):
        for k in range(group[0][0] // size, (end - 1) // size + 1):
            placed.setdefault(k, []).append(group)
    for k, a in enumerate(range(0, total, size)):
        buf = np.zeros(min(size, total - a), dtype=np.int32)
        for group in placed.get(k, ()):
            clip, start = _mixed(group, audio, ceiling), group[0][0]
            lo, hi = max(a, start), min(a + len(buf), start + len(clip))
            buf[lo - a: hi - a] += clip[lo - start: hi - start]
        piece = np.clip(buf, -32768, 32767).astype(np.int16)  # saturate, never wrap around
        if finish is not None:
            finish(piece, a)
        yield piece


def _mixed(group: list[tuple[int, Event]], audio: Callable[[Event], np.ndarray],
           ceiling: float | None) -> np.ndarray:
    """The events of one group mixed from the group's first sample (int32 or int16)."""
    if len(group) == 1:
        return audio(group[0][1])
    first = group[0][0]
    clips = [(start - first, audio(event)) for start, event in group]
    mix = np.zeros(max(offset + len(clip) for offset, clip in clips), dtype=np.int32)
    for offset, clip in clips:
        mix[offset: offset + len(clip)] += clip
    if ceiling is None:
        return mix
    return np.round(limit(mix / 32768.0, ceiling) * 32768.0).astype(np.int32)
