"""The rendered sessions in an output folder, and the files the server may hand out.

A request names a file; it is looked up among the names listed here and never joined onto a
path, so nothing a request says reaches the file system.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cuecast.script.timeline import SIDECARS, CuesFile, cues_path, read_cues

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
    """The name it is listed by: the MP3's stem, after its folder's name for a programme's
    day (``upper-back-4-weeks/day-09``)."""
    mp3: Path
    title: str
    duration_ms: int
    size: int
    """MP3 size in bytes."""
    mtime: float
    """When the MP3 was written (seconds since the epoch)."""
    customised: str = ""
    """What the render changed in the routine as written (``cues.json``'s ``customised``)."""
    extra_bytes: int = 0
    """The size of the files beside the MP3 (cues, captions)."""

    def cues(self) -> CuesFile:
        """Its ``cues.json``, read now. Raises OSError or ValueError."""
        return read_cues(self.mp3)

    def path(self, ext: str) -> Path:
        return self.mp3.with_name(self.mp3.stem + ext)


def _mp3s(folder: Path) -> dict[str, Path]:
    """The MP3s listed in ``folder`` and in its subfolders (a programme's days), by the name
    they are listed by; not temporary or hidden files, nor anything through a link."""
    if not folder.is_dir():
        return {}
    found = {}
    for p in folder.iterdir():
        if p.name.startswith("."):
            continue
        if p.suffix == ".mp3" and _regular(p):
            found[p.stem] = p
        elif p.is_dir() and not p.is_symlink():
            found.update({f"{p.name}/{q.stem}": q for q in p.iterdir()
                          if q.suffix == ".mp3" and not q.name.startswith(".")
                          and _regular(q)})
    return found


def _regular(path: Path) -> bool:
    """A regular file of the folder's own: a symbolic link (to anywhere) is never listed or
    served."""
    return path.is_file() and not path.is_symlink()


def _sidecars(mp3: Path) -> list[Path]:
    return [mp3.with_name(mp3.stem + ext) for ext in SIDECARS]


def _session(stem: str, mp3: Path) -> Session | None:
    """The session of a listed MP3, or None without a readable cues.json beside it."""
    if not _regular(cues_path(mp3)):
        return None
    try:
        cues = read_cues(mp3)
        stat = mp3.stat()
        beside = sum(p.stat().st_size for p in _sidecars(mp3) if _regular(p))
        return Session(stem, mp3, cues.timeline.title, cues.timeline.duration_ms,
                       stat.st_size, stat.st_mtime, cues.customised, beside)
    except (OSError, ValueError):
        return None  # being written, or not ours


def list_sessions(folder: Path) -> list[Session]:
    """Every complete session in ``folder``, newest first."""
    found = [s for s in (_session(stem, p) for stem, p in _mp3s(folder).items())
             if s is not None]
    return sorted(found, key=lambda s: (-s.mtime, s.stem))


def damaged_sessions(folder: Path) -> list[str]:
    """The MP3s whose ``cues.json`` is there but cannot be read (edited by hand, cut short):
    listed apart, as damaged, rather than failing the page."""
    return sorted(stem for stem, mp3 in _mp3s(folder).items()
                  if _regular(cues_path(mp3)) and _session(stem, mp3) is None)


def find_session(folder: Path, stem: str) -> Session | None:
    """The session named ``stem``, found by listing: only its own cues.json is read."""
    mp3 = _mp3s(folder).get(stem)
    return None if mp3 is None else _session(stem, mp3)


def delete_session(folder: Path, stem: str) -> bool:
    """Remove a listed session: its MP3 first (from then on it is no longer listed, nor in
    the feed), then the files beside it. False when no such session is listed."""
    session = find_session(folder, stem)
    if session is None:
        return False
    session.mp3.unlink(missing_ok=True)
    for path in _sidecars(session.mp3):
        if _regular(path):
            path.unlink(missing_ok=True)
    return True


def listed_file(folder: Path, name: str) -> tuple[Session, str] | None:
    """The session and extension a requested file name stands for, if it is listed (a
    sidecar that is missing is simply not there)."""
    for ext in (".mp3", *SIDECARS, CHAPTERS):
        if name.endswith(ext):
            session = find_session(folder, name.removesuffix(ext))
            if session is not None and (ext == CHAPTERS or _regular(session.path(ext))):
                return session, ext
    return None


def json_chapters(session: Session) -> dict[str, Any]:
    """The Podcasting 2.0 JSON chapters of a session, from its cues.json."""
    timeline = session.cues().timeline
    return {"version": "1.2.0", "title": timeline.title,
            "chapters": [{"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000,
                          "title": c.title} for c in timeline.chapters]}
