"""The podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, one item per
rendered session, with its chapters (Podcasting 2.0 JSON by address, and Podlove Simple
Chapters inline, which gPodder and others read) and transcripts (SRT and WebVTT). A
programme is a season: its days are episodes, so a podcast app's new-episode alert is the
reminder of the day's session."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Final

from cuecast.practice.daily import day_of
from cuecast.web.sessions import CHAPTERS, Session

ITUNES: Final = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST: Final = "https://podcastindex.org/namespace/1.0"
PSC: Final = "http://podlove.org/simple-chapters"
CHAPTERS_TYPE: Final = "application/json+chapters"
"""The type the Podcasting 2.0 JSON chapters spec asks for."""
TRANSCRIPTS: Final = ((".vtt", "text/vtt"), (".srt", "application/x-subrip"))

_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all (control characters, surrogates, U+FFFE, U+FFFF):
one of them in a title would make the whole feed not well-formed, and a podcast app stop."""


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot carry left out."""
    return _NOT_XML.sub("", text)


ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)
ET.register_namespace("psc", PSC)


def feed(sessions: Sequence[Session], *, link: str, url: Callable[[str], str],
         seasons: Mapping[str, tuple[int, str]] | None = None) -> bytes:
    """The feed document. ``link`` is the library page; ``url(name)`` the address of a listed
    file (with the access token, since podcast apps send no cookies); ``seasons`` the
    programmes, by their output folder: (season number, title)."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (("title", "cuecast sessions"), ("link", link), ("language", "en"),
                      ("description", "Voice-guided stretching and breathing sessions "
                                      "rendered by cuecast on this computer.")):
        ET.SubElement(channel, tag).text = text
    ET.SubElement(channel, f"{{{ITUNES}}}author").text = "cuecast"
    ET.SubElement(channel, f"{{{ITUNES}}}explicit").text = "false"
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": "Health & Fitness"})
    ET.SubElement(channel, f"{{{PODCAST}}}locked").text = "yes"
    for session in sessions:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = xml_text(session.title)
        ET.SubElement(item, "description").text = xml_text(_summary(session))
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = (
            f"cuecast-{session.stem}-{int(session.mtime)}")
        ET.SubElement(item, "pubDate").text = format_datetime(
            datetime.fromtimestamp(session.mtime, tz=timezone.utc))
        ET.SubElement(item, "enclosure", {"url": url(session.stem + ".mp3"),
                                          "length": str(session.size), "type": "audio/mpeg"})
        ET.SubElement(item, f"{{{ITUNES}}}duration").text = str(round(session.duration_ms / 1000))
        ET.SubElement(item, f"{{{PODCAST}}}chapters", {"url": url(session.stem + CHAPTERS),
                                                       "type": CHAPTERS_TYPE})
        for ext, kind in TRANSCRIPTS:
            ET.SubElement(item, f"{{{PODCAST}}}transcript", {
                "url": url(session.stem + ext), "type": kind, "rel": "captions"})
        _season(item, session, seasons or {})
        _simple_chapters(item, session)
    body: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return body


def _season(item: ET.Element, session: Session,
            seasons: Mapping[str, tuple[int, str]]) -> None:
    """A programme's day as an episode of its season (``day-09`` is episode 9)."""
    found = day_of(session.stem)
    if found is None or found[0] not in seasons:
        return
    number, title = seasons[found[0]]
    day = found[1]
    ET.SubElement(item, f"{{{PODCAST}}}season", {"name": xml_text(title)}).text = str(number)
    ET.SubElement(item, f"{{{ITUNES}}}season").text = str(number)
    ET.SubElement(item, f"{{{ITUNES}}}episode").text = str(day)
    ET.SubElement(item, f"{{{PODCAST}}}episode").text = str(day)
    ET.SubElement(item, f"{{{ITUNES}}}episodeType").text = "full"


def _simple_chapters(item: ET.Element, session: Session) -> None:
    """Podlove Simple Chapters, inline: start times as HH:MM:SS.mmm."""
    try:
        chapters = session.cues().timeline.chapters
    except (OSError, ValueError):
        return
    listed = ET.SubElement(item, f"{{{PSC}}}chapters", {"version": "1.2"})
    for c in chapters:
        hours, rest = divmod(c.start_ms, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        ET.SubElement(listed, f"{{{PSC}}}chapter", {
            "start": f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}",
            "title": xml_text(c.title)})


def _summary(session: Session) -> str:
    try:
        chapters = session.cues().timeline.chapters
    except (OSError, ValueError):
        return session.title
    names = [c.title for c in chapters[1:-1]]  # without the intro and the outro
    return f"{len(names)} exercises: " + ", ".join(names) if names else session.title
