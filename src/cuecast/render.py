"""``cuecast render``: routine -> timeline with real clip lengths -> one canvas -> MP3 + cues."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cuecast import ffmpeg, phrases
from cuecast.audio import length_ms, segment
from cuecast.cache import ClipCache, default_cache_dir
from cuecast.chimes import chime
from cuecast.clips import Clips, Progress
from cuecast.compiler import compile_session, estimate_ms
from cuecast.engines import get_engine
from cuecast.errors import OptionError
from cuecast.loader import load_routine
from cuecast.settings import resolve_settings
from cuecast.stitch import stitch
from cuecast.timeline import Timeline

MAX_SESSION_MS: Final = 3 * 3600 * 1000
"""Longest session rendered without ``--allow-long``."""
BITRATES: Final = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192)
"""MP3 bitrates (kbps) offered; 64 is plenty for one voice in mono."""


@dataclass(frozen=True)
class Rendered:
    """What a render produced."""

    mp3: Path
    cues: Path
    timeline: Timeline
    synthesized: int
    """Clips made by the engine in this render."""
    cached: int
    """Clips taken from the cache."""


def slugify(name: str) -> str:
    """A safe file stem: lower-case ASCII letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]
    return slug or "session"


def output_paths(routine_path: Path, output: Path | None) -> tuple[Path, Path]:
    if output is None:
        mp3 = Path("output") / f"{slugify(routine_path.stem)}.mp3"
    elif output.suffix.lower() == ".mp3":
        mp3 = output
    else:
        raise OptionError(f"-o {output}: the output must be an .mp3 file")
    return mp3, mp3.with_name(mp3.stem + ".cues.json")


def render(*, path: Path, output: Path | None = None, engine: str = "piper",
           voice: Path | None = None, speed: float | None = None, lang: str | None = None,
           tld: str | None = None, cache_dir: Path | None = None, bitrate: int = 64,
           allow_long: bool = False, progress: Progress | None = None,
           **custom: Any) -> Rendered:
    """Render a routine to MP3 and cues.json; ``custom`` are :func:`resolve_settings`'s
    options. Raises CuecastError subclasses."""
    if bitrate not in BITRATES:
        raise OptionError(f"--bitrate must be one of {', '.join(map(str, BITRATES))}")
    routine = load_routine(path)
    settings = resolve_settings(routine, **custom)
    mp3, cues = output_paths(path, output)
    # Lay out once with estimates, recording every phrase the compiler may want said.
    wanted: list[str] = []

    def record(text: str) -> int:
        wanted.append(text)
        return estimate_ms(text)

    preview = compile_session(routine, settings, record)
    if preview.duration_ms > MAX_SESSION_MS and not allow_long:
        raise OptionError(f"the session would last about {preview.duration_ms // 60000} "
                          "minutes (over 3 hours); pass --allow-long if you mean it")
    tts = get_engine(engine, voice=voice, speed=speed, lang=lang, tld=tld)
    clips = Clips(tts, ClipCache(cache_dir or default_cache_dir()))
    clips.prefetch([*wanted, *phrases.FIXED], progress)
    timeline = compile_session(routine, settings, lambda text: length_ms(clips.get(text)))
    session = segment(stitch(timeline, clips.get, chime))
    mp3.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(mp3) as tmp:
        # piped straight to ffmpeg: pydub's export() would write a temporary WAV first
        ffmpeg.encode_mp3(session.raw_data, tmp, bitrate_kbps=bitrate)
    with _atomic(cues) as tmp:
        tmp.write_text(json.dumps(timeline.to_json(), indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    return Rendered(mp3, cues, timeline, clips.synthesized, clips.cached)


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it only when the block succeeds."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary user files
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
