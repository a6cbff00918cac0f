"""ID3v2 tags for the MP3: title and friends, chapters (CHAP + CTOC), synced lyrics, cover.

Written with mutagen after encoding (ffmpeg's own metadata route writes no CTOC, and podcast
apps such as AntennaPod and Pocket Casts need one to show chapters).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    SYLT,
    TALB,
    TCON,
    TIT2,
    TLEN,
    TPE1,
    TSSE,
    USLT,
    CTOCFlags,
    Encoding,
    PictureType,
)

from cuecast import __version__
from cuecast.script.timeline import Timeline

ARTIST: Final = "cuecast"
ALBUM: Final = "cuecast sessions"
GENRE: Final = "Fitness"


@dataclass(frozen=True)
class TagInfo:
    """What goes into the tags besides the timeline."""

    summary: str
    """The comment: the session's exercises and their timings."""
    lyrics: str
    """Unsynchronised lyrics (the LRC text, which lyric-aware players also sync)."""
    cover: bytes | None = None
    """JPEG or PNG bytes."""
    source: str | None = None
    """Attribution of the original routine."""


def write_tags(mp3: Path, timeline: Timeline, info: TagInfo) -> None:
    """Replace ``mp3``'s ID3 tag with the session's."""
    tags = ID3()
    enc = Encoding.UTF16  # ID3v2.3 has no UTF-8; UTF-16 carries any text
    tags.add(TIT2(encoding=enc, text=timeline.title))
    tags.add(TPE1(encoding=enc, text=ARTIST))
    tags.add(TALB(encoding=enc, text=ALBUM))
    tags.add(TCON(encoding=enc, text=GENRE))
    tags.add(TLEN(encoding=enc, text=str(timeline.duration_ms)))
    tags.add(TSSE(encoding=enc, text=f"cuecast {__version__}"))
    tags.add(COMM(encoding=enc, lang="eng", desc="", text=info.summary))
    if info.source:
        tags.add(COMM(encoding=enc, lang="eng", desc="source", text=info.source))
    tags.add(USLT(encoding=enc, lang="eng", desc="", text=info.lyrics))
    tags.add(SYLT(encoding=enc, lang="eng", format=2, type=1, desc="",
                  text=[(e.text, e.start_ms) for e in timeline.speech()]))
    ids = [f"chp{i}" for i in range(len(timeline.chapters))]
    for element_id, chapter in zip(ids, timeline.chapters):
        tags.add(CHAP(element_id=element_id, start_time=chapter.start_ms,
                      end_time=chapter.end_ms, sub_frames=[TIT2(encoding=enc,
                                                                text=chapter.title)]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=ids, sub_frames=[TIT2(encoding=enc, text=timeline.title)]))
    if info.cover is not None:
        mime = "image/png" if info.cover.startswith(b"\x89PNG") else "image/jpeg"
        tags.add(APIC(encoding=enc, mime=mime, type=PictureType.COVER_FRONT, desc="Cover",
                      data=info.cover))
    tags.save(mp3, v2_version=3)
    _chapters_in_time_order(mp3)


def _chapters_in_time_order(mp3: Path) -> None:
    """Put the CHAP frames in the order of their start times. mutagen writes frames
    smallest first, and players that read chapters in file order (ffprobe among them) then
    list "Finish" before "Introduction"; the CTOC alone is not enough for them. The tag keeps
    its size: frames of the same sizes change places."""
    with mp3.open("r+b") as f:
        header = f.read(10)
        if header[:3] != b"ID3" or header[3] != 3 or header[5] & 0x40:  # v2.3, no ext. header
            return
        size = int.from_bytes(bytes(b & 0x7F for b in header[6:10]), "big")  # syncsafe
        body = f.read(size)
        frames: list[bytes] = []
        at = 0
        while at + 10 <= len(body) and body[at:at + 4].strip(b"\0"):
            length = 10 + int.from_bytes(body[at + 4:at + 8], "big")
            frames.append(body[at:at + length])
            at += length
        slots = [i for i, frame in enumerate(frames) if frame[:4] == b"CHAP"]
        timed = sorted((frames[i] for i in slots), key=_chapter_start)
        for i, frame in zip(slots, timed):
            frames[i] = frame
        f.seek(10)
        f.write(b"".join(frames))


def _chapter_start(frame: bytes) -> int:
    """A CHAP frame's start time (ms): after its element id and that id's terminating NUL."""
    end = frame.index(b"\0", 10)
    return int.from_bytes(frame[end + 1:end + 5], "big")
