"""Synced captions for the session's speech: LRC, SRT and WebVTT text (pure functions).

A phone shows the current instruction: LRC for lyric-aware music players, SRT and VTT for video
and podcast players. Times come straight from the timeline, so they match the audio exactly.
"""

from __future__ import annotations

from typing import Final

from cuecast.script.timeline import Event, Timeline

MIN_SHOW_MS: Final = 1500
"""A caption stays on screen at least this long (unless the next line starts sooner)."""


def lrc_time(ms: int) -> str:
    """``83456`` -> ``01:23.45`` (LRC counts hundredths; minutes go past 59)."""
    minutes, rest = divmod(ms // 10, 6000)
    return f"{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def lrc(timeline: Timeline) -> str:
    """An LRC file: one ``[mm:ss.xx]line`` per spoken line, in order."""
    minutes, seconds = divmod(timeline.duration_ms // 1000, 60)
    length = f"{minutes:02d}:{seconds:02d}"  # minutes go past 59, as in the time tags
    head = [f"[ti:{_one_line(timeline.title)}]", "[by:cuecast]", f"[length:{length}]"]
    body = [f"[{lrc_time(e.start_ms)}]{_one_line(e.text)}" for e in timeline.speech()]
    return "\n".join(head + body) + "\n"


def _shown(timeline: Timeline) -> list[tuple[int, int, Event]]:
    """(from, to, event) for each spoken line: shown while said, and a little after."""
    speech = timeline.speech()
    nexts = [e.start_ms for e in speech[1:]] + [timeline.duration_ms]
    return [(e.start_ms, min(nxt, max(e.end_ms, e.start_ms + MIN_SHOW_MS)), e)
            for e, nxt in zip(speech, nexts)]


def _stamp(ms: int, sep: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def srt(timeline: Timeline) -> str:
    """A SubRip file."""
    cues = [f"{i}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{_one_line(e.text)}\n"
            for i, (a, b, e) in enumerate(_shown(timeline), 1)]
    return "\n".join(cues)


def vtt(timeline: Timeline) -> str:
    """A WebVTT file."""
    cues = [f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{_one_line(e.text).replace('-->', '->')}\n"
            for a, b, e in _shown(timeline)]
    return "\n".join(["WEBVTT\n", *cues])


def _one_line(text: str) -> str:
    """Caption formats are line-based: keep each caption on one line."""
    return " ".join(text.split())
