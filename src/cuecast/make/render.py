"""``cuecast render``: routine -> timeline with real clip lengths -> mastered clips -> one
session streamed piece by piece into the encoder -> tagged MP3, plus cues.json and captions."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from cuecast import stopping
from cuecast.audio import captions, ffmpeg
from cuecast.audio.bed import Bed, file_loop, level, noise_loop
from cuecast.audio.chimes import chime
from cuecast.audio.dynamics import fade_out
from cuecast.audio.levelling import TARGET_LUFS
from cuecast.audio.master import CEILING, master
from cuecast.audio.pcm import RATE, length_ms, sample_at
from cuecast.audio.stitch import pieces
from cuecast.audio.tags import TagInfo, write_tags
from cuecast.engines.registry import EngineOptions
from cuecast.errors import OptionError, RenderError, RoutineError
from cuecast.files import atomic, slugify, sweep
from cuecast.script import phrases
from cuecast.script.compiler import compile_session, estimate_ms, fitted
from cuecast.script.loader import load_routine, read_cover
from cuecast.script.notation import MAX_SESSION_MS, format_duration
from cuecast.script.options import BITRATES, NO_BED, Customisation, RenderOptions
from cuecast.script.resolve import changes, resolve_settings
from cuecast.script.routine import Routine
from cuecast.script.timeline import SIDECARS, CuesFile, Loudness, Timeline, clock, read_cues
from cuecast.speech.clips import Clips, Progress


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
    lufs: float
    """Integrated loudness, as computed while mastering."""


"""Files written beside the MP3, with its stem."""
PIECE: Final = RATE * 30
"""Samples handed to the encoder at a time."""
FADE_MS: Final = 2000
"""Fade at the very end (over the bell's tail and the last silence)."""


def source_of(routine_path: Path) -> str:
    """The routine file a session is rendered from, as its ``cues.json`` keeps it."""
    return str(routine_path.resolve())


def session_mp3(folder: Path, stem: str, routine_path: Path, title: str) -> Path:
    """Where a routine's session goes in ``folder``: ``<stem>.mp3``, unless that file is
    another routine's session (a library routine's and yours of the same name): then
    ``<stem>-<6 hex digits of its source>.mp3``. The same routine again replaces its own."""
    mp3 = folder / f"{stem}.mp3"
    try:
        there = read_cues(mp3)
    except (OSError, ValueError):
        return mp3
    source = source_of(routine_path)
    ours = there.source == source if there.source else there.timeline.title == title
    if ours:
        return mp3
    return folder / f"{stem}-{hashlib.sha256(source.encode()).hexdigest()[:6]}.mp3"


def output_paths(routine_path: Path, output: Path | None, title: str
                 ) -> tuple[Path, dict[str, Path]]:
    if output is None:
        mp3 = session_mp3(Path("output"), slugify(routine_path.stem), routine_path, title)
    elif "\0" in str(output):
        raise OptionError("-o: the file name contains a NUL character")
    elif output.suffix.lower() == ".mp3":
        mp3 = output
    else:
        raise OptionError(f"-o {output}: the output must be an .mp3 file")
    return mp3, {ext: mp3.with_name(mp3.stem + ext) for ext in SIDECARS}


def render(*, path: Path, output: Path | None = None, options: Customisation | None = None,
           engine: EngineOptions | None = None, cache_dir: Path | None = None,
           written: RenderOptions | None = None, progress: Progress | None = None,
           routine: Routine | None = None) -> Rendered:
    """Render a routine to MP3 and its sidecars, customised by ``options`` (over the routine's
    defaults), written as ``written`` says (bitrate, bed ...). ``routine``: the routine
    itself where it is not the file at ``path`` as written (a programme's day), ``path``
    naming where it comes from (its cover is beside it). Raises CuecastError subclasses."""
    written = written or RenderOptions()
    bitrate = written.bitrate
    if bitrate not in BITRATES:
        raise OptionError(f"--bitrate must be one of {', '.join(map(str, BITRATES))}")
    side = ThreadPoolExecutor(max_workers=1)
    codec = side.submit(ffmpeg.codec_gain_db, bitrate)  # measured while we lay out
    side.shutdown(wait=False)
    routine = load_routine(path) if routine is None else routine
    settings = resolve_settings(routine, options)
    mp3, sidecars = output_paths(path, output, routine.title)
    # Lay out once with estimates, recording every phrase the compiler may want said.
    wanted: list[str] = []

    def record(text: str) -> int:
        wanted.append(text)
        return estimate_ms(text)

    # (fitted to a length first without recording: the fit tries hold lengths it will not
    # keep, and their announcements need not be made)
    preview = compile_session(routine, fitted(routine, settings, estimate_ms), record)
    if preview.duration_ms > MAX_SESSION_MS and not written.allow_long:
        raise OptionError(f"the session would last about {preview.duration_ms // 60000} "
                          "minutes (over 3 hours); pass --allow-long if you mean it")
    bed_loop = _bed(written.bed)
    cover = _cover(path, routine)
    clips = Clips.open(engine, cache_dir)
    exercises = settings.kept(routine).exercises
    ahead = phrases.likely({e.timing.per_side for e in exercises if e.timing.reps is None},
                           {e.timing.per_side for e in exercises if e.timing.reps is not None})
    stopping.checkpoint()
    clips.prefetch([*wanted, *phrases.fixed(settings.cues)], progress)
    timeline = compile_session(routine, settings, lambda text: length_ms(clips.samples(text)))
    later = [*ahead, *phrases.intros(len(exercises), round(timeline.duration_ms / 60_000))]
    with clips.ahead(later):  # synthesized while ffmpeg encodes on the other core
        lufs = _finish(routine, timeline, clips, settings.chimes, bed_loop, cover, mp3,
                       sidecars, bitrate, codec.result(), changes(routine, options),
                       source_of(path))
    return Rendered(mp3, sidecars[".cues.json"], timeline, clips.synthesized, clips.cached,
                    lufs)


def _finish(routine: Routine, timeline: Timeline, clips: Clips, style: str,
            bed_loop: np.ndarray | None, cover: bytes | None, mp3: Path,
            sidecars: dict[str, Path], bitrate: int, codec_gain_db: float,
            customised: str, source: str) -> float:
    """Master, stitch and write the session whose clips are all ready; returns the loudness
    a player will decode."""
    # aim at what the player decodes: the codec takes a little level away
    mastered = master(timeline, clips.get, lambda name: chime(name, style),
                      target_lufs=TARGET_LUFS - codec_gain_db)
    decoded_lufs = mastered.lufs + codec_gain_db
    fade = fade_out(sample_at(timeline.duration_ms), FADE_MS)
    bed = Bed(bed_loop, timeline) if bed_loop is not None else None

    def finish(piece: np.ndarray, first: int) -> None:
        if bed is not None:
            bed(piece, first)
        fade(piece, first)

    session = pieces(timeline, mastered.get, PIECE, finish, ceiling=CEILING)
    lyrics = captions.lrc(timeline)
    cues = CuesFile(timeline, customised, Loudness(
        integrated_lufs=round(decoded_lufs, 2), codec_gain_db=round(codec_gain_db, 2),
        trim_db=round(mastered.trim_db, 2)), source)
    texts = {".cues.json": json.dumps(cues.to_json(), indent=1, ensure_ascii=False) + "\n",
             ".lrc": lyrics, ".srt": captions.srt(timeline), ".vtt": captions.vtt(timeline)}
    try:
        mp3.parent.mkdir(parents=True, exist_ok=True)
        sweep(mp3.parent)
        with ExitStack() as stack:  # every file complete before any is renamed into place
            tmp = stack.enter_context(atomic(mp3))
            # piped straight to ffmpeg as it is made (pydub's export() would write a
            # temporary WAV of the whole session first, and its + copies the whole so far)
            ffmpeg.encode_mp3((_safe(p).tobytes() for p in session), tmp,
                              bitrate_kbps=bitrate)
            write_tags(tmp, timeline, TagInfo(summary=summary(routine, timeline),
                                              lyrics=lyrics, cover=cover,
                                              source=_source(routine)))
            for ext, text in texts.items():
                stack.enter_context(atomic(sidecars[ext])).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RenderError(f"cannot write {mp3}: {exc.strerror or exc}") from None
    return decoded_lufs


def _safe(piece: np.ndarray) -> np.ndarray:
    """Each piece of the encode is a safe point to stop at (the encoder is then killed and
    its file removed)."""
    stopping.checkpoint()
    return piece


def _bed(bed: str) -> np.ndarray | None:
    if bed == NO_BED:
        return None
    return level(noise_loop() if bed == "noise" else file_loop(Path(bed)))


def _cover(path: Path, routine: Routine) -> bytes | None:
    if routine.cover is None:
        return None
    try:
        return read_cover(path.parent / routine.cover)
    except (OSError, ValueError) as exc:  # changed since it was loaded
        raise RoutineError(str(path), f"{routine.cover}: {exc}", field="cover") from None


def _source(routine: Routine) -> str | None:
    src = routine.source
    if src is None:
        return None
    return " - ".join(x for x in (src.title, src.author, src.url) if x)


def summary(routine: Routine, timeline: Timeline) -> str:
    """The tag comment: what the session holds, with the timings as rendered."""
    lines = [routine.description] if routine.description else []
    for ex in routine.exercises:
        blocks = [h for h in timeline.blocks if h.exercise == ex.name]
        if not blocks:
            continue
        first = blocks[0]
        what = (f"{first.reps} reps" if first.reps is not None
                else format_duration(first.end_ms - first.start_ms))
        lines.append(f"{ex.name}: {what}{' each side' if first.side else ''}")
    lines.append(f"Total {clock(timeline.duration_ms)}. Made with cuecast.")
    return "\n".join(lines)
