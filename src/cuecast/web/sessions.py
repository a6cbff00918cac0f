"""The rendered sessions in an output folder, and the files the server may hand out.

A request names a file; it is looked up among the names listed here and never joined onto a
path, so nothing a request says reaches the file system.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cuecast.render import SIDECARS

MEDIA_TYPES: Final = {".mp3": "audio/mpeg", ".cues.json": "application/json",
                      ".lrc": "text/plain; charset=utf-8",
                      ".srt": "application/x-subrip; charset=utf-8",
                      ".vtt": "text/vtt; charset=utf-8"}
"""What each listed file is served as."""
CHAPTERS: Final = ".chapters.json"
"""Podcasting 2.0 JSON chapters, made from ``cues.json`` on request."""


@dataclass(frozen=True)
class Session:
    """One rendered session: its MP3 with a readable ``cues.json`` beside it."""

    stem: str
    """File stem shared by the MP3 and its sidecars."""
    mp3: Path
    title: str
    duration_ms: int
    size: int
    """MP3 size in bytes."""
    mtime: float
    """When the MP3 was written (seconds since the epoch)."""

    def cues(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.path(".cues.json").read_text(encoding="utf-8"))
        return doc

    def path(self, ext: str) -> Path:
        return self.mp3.with_name(self.stem + ext)


def list_sessions(folder: Path) -> list[Session]:
    """Every complete session in ``folder``, newest first (temporary and hidden files and MP3s
    without a readable cues.json are left out)."""
    if not folder.is_dir():
        return []
    found = []
    for mp3 in folder.iterdir():
        if mp3.suffix != ".mp3" or mp3.name.startswith(".") or not mp3.is_file():
            continue
        try:
            doc = json.loads(mp3.with_name(mp3.stem + ".cues.json").read_text(encoding="utf-8"))
            stat = mp3.stat()
            found.append(Session(mp3.stem, mp3, str(doc["title"]), int(doc["duration_ms"]),
                                 stat.st_size, stat.st_mtime))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written, or not ours
    return sorted(found, key=lambda s: (-s.mtime, s.stem))


def find_session(folder: Path, stem: str) -> Session | None:
    return next((s for s in list_sessions(folder) if s.stem == stem), None)


def listed_file(folder: Path, name: str) -> tuple[Session, str] | None:
    """The session and extension a requested file name stands for, if it is listed."""
    for session in list_sessions(folder):
        for ext in (".mp3", *SIDECARS, CHAPTERS):
            if name == session.stem + ext:
                return session, ext
    return None


def json_chapters(session: Session) -> dict[str, Any]:
    """The Podcasting 2.0 JSON chapters of a session, from its cues.json."""
    doc = session.cues()
    return {"version": "1.2.0", "title": doc["title"],
            "chapters": [{"startTime": c["start_ms"] / 1000, "endTime": c["end_ms"] / 1000,
                          "title": c["title"]} for c in doc["chapters"]]}
