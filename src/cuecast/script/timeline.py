"""The compiled session: timed events, holds and chapters, in integer milliseconds.

Its JSON form (``to_json``) is the contract with ``cues.json``, tags and captions; see
``docs/timeline.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Literal

Kind = Literal["speech", "chime"]
Side = Literal["left", "right"]
Phase = Literal["intro", "announce", "setup", "hold", "reps", "switch", "rest", "outro"]
Chime = Literal["start", "end", "bell"]
Cue = Literal["intro", "announce", "timing", "purpose", "step", "begin", "breath", "halfway",
              "warning", "countdown", "count", "release", "switch", "next", "set", "outro",
              "start", "end", "bell"]
"""What an event is for: the compiler's cue kinds (a chime's cue is its name)."""

CHIME_MS: Final[dict[Chime, int]] = {"start": 600, "end": 800, "bell": 3000}
"""Length of each chime: the compiler places them so, and the chimes are made exactly so."""


@dataclass(frozen=True)
class Event:
    """One thing heard: a spoken line or a chime."""

    start_ms: int
    """Onset from the start of the file."""
    end_ms: int
    """Onset plus the clip's length."""
    kind: Kind
    """``speech`` or ``chime``."""
    text: str
    """What is said, or the chime's name (``start``, ``end``, ``bell``)."""
    exercise: str | None
    """Exercise name, or None in the intro and outro."""
    side: Side | None
    """Side of a per-side exercise while that side runs."""
    phase: Phase
    """Part of the session the event belongs to."""
    cue: Cue
    """What the line is for (``begin``, ``release``, ``breath``, ``count`` ...)."""


@dataclass(frozen=True)
class Block:
    """One timed block: from its start cue's onset to its release cue's onset."""

    exercise: str
    side: Side | None
    start_ms: int
    end_ms: int
    reps: int | None
    """Repetitions for a rep block, None for a timed hold."""


@dataclass(frozen=True)
class Chapter:
    """A chapter mark: intro, each exercise, outro; together they cover the session."""

    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Dropped:
    """A cue that did not fit (its speech would overlap a more important one)."""

    text: str
    exercise: str | None
    at_ms: int
    reason: str


@dataclass(frozen=True)
class Timeline:
    """A whole session."""

    title: str
    duration_ms: int
    events: tuple[Event, ...]
    blocks: tuple[Block, ...]
    chapters: tuple[Chapter, ...]
    dropped: tuple[Dropped, ...]

    def speech(self) -> list[Event]:
        return [e for e in self.events if e.kind == "speech"]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Timeline:
        """The timeline a :meth:`to_json` document (such as ``cues.json``) holds: an exact
        round trip. Keys beside the timeline's own (``cues.json``'s ``loudness``) are not
        part of it. Raises KeyError or TypeError for a document that is not a timeline."""
        return cls(title=str(doc["title"]), duration_ms=int(doc["duration_ms"]),
                   events=tuple(Event(**e) for e in doc["events"]),
                   blocks=tuple(Block(**b) for b in doc["blocks"]),
                   chapters=tuple(Chapter(**c) for c in doc["chapters"]),
                   dropped=tuple(Dropped(**d) for d in doc["dropped"]))

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "duration_ms": self.duration_ms,
            "events": [asdict(e) for e in self.events],
            "blocks": [asdict(h) for h in self.blocks],
            "chapters": [asdict(c) for c in self.chapters],
            "dropped": [asdict(d) for d in self.dropped],
        }


@dataclass(frozen=True)
class Loudness:
    """A session's loudness as rendered."""

    integrated_lufs: float
    """What a player decodes (the codec's loss made up for)."""
    codec_gain_db: float
    """What the MP3 codec takes away, measured with a test tone."""
    trim_db: float
    """The one gain that landed the levelled clips on the target."""


@dataclass(frozen=True)
class CuesFile:
    """A rendered session's ``cues.json``: its timeline as rendered, and what only the
    render knows. Written (:meth:`to_json`) and read (:func:`read_cues`) by this type."""

    timeline: Timeline
    customised: str
    """What the render changed in the routine as written (empty for nothing)."""
    loudness: Loudness | None
    """The loudness as rendered (None in a file that does not say)."""
    source: str = ""
    """The routine file it was rendered from: a render of another routine never takes its
    place (empty in a file that does not say)."""

    def to_json(self) -> dict[str, Any]:
        return {**self.timeline.to_json(),
                "loudness": None if self.loudness is None else asdict(self.loudness),
                "customised": self.customised, "source": self.source}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> CuesFile:
        """Raises KeyError, TypeError or ValueError when ``doc`` is not a rendered timeline."""
        loudness = doc.get("loudness")
        return cls(Timeline.from_json(doc), str(doc.get("customised") or ""),
                   Loudness(**{k: float(v) for k, v in loudness.items()}) if loudness else None,
                   str(doc.get("source") or ""))


SIDECARS: Final = (".cues.json", ".lrc", ".srt", ".vtt")
"""The files a render writes beside its MP3 (``<name>.cues.json`` ...): the timeline and
its captions."""


def cues_path(mp3: Path) -> Path:
    """Where a rendered MP3's ``cues.json`` is."""
    return mp3.with_name(mp3.stem + ".cues.json")


def read_cues(mp3: Path) -> CuesFile:
    """The ``cues.json`` beside a rendered MP3. Raises OSError when it cannot be read,
    ValueError when it is not a rendered timeline."""
    doc = json.loads(cues_path(mp3).read_text(encoding="utf-8"))
    try:
        cues = CuesFile.from_json(doc)
        json.dumps(cues.to_json(), ensure_ascii=False).encode()  # no lone surrogate
    except (KeyError, TypeError, AttributeError, UnicodeEncodeError) as exc:
        raise ValueError(f"{cues_path(mp3).name} is not a rendered timeline ({exc})") from None
    return cues


def clock(ms: int, *, tenths: bool = True) -> str:
    """``83456`` -> ``01:23.4`` (or ``1:01:23.4`` past an hour); ``01:23`` without tenths,
    to the nearest second (a session fitted to 20:00 that lasts 19:59.6 shows ``20:00``)."""
    if not tenths:
        ms = (ms + 500) // 1000 * 1000
    hours, rest = divmod(ms // 100, 36000)
    minutes, rest = divmod(rest, 600)
    seconds, tenth = divmod(rest, 10)
    core = f"{minutes:02d}:{seconds:02d}" + (f".{tenth}" if tenths else "")
    return f"{hours}:{core}" if hours else core
