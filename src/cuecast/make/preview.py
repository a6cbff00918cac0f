"""``cuecast script``: the compiled timeline, as text or JSON, with estimated phrase lengths."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

from cuecast.engines.registry import EngineOptions
from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.loader import load_routine
from cuecast.script.options import Customisation
from cuecast.script.resolve import resolve_settings
from cuecast.script.routine import Routine
from cuecast.script.timeline import Timeline, clock
from cuecast.speech.clips import Clips


def preview(*, path: Path, options: Customisation | None = None,
            engine: EngineOptions | None = None, cache_dir: Path | None = None,
            as_json: bool = False) -> str:
    """The script of ``path`` customised by ``options``, as text or JSON: timed with the real
    clips of ``engine`` where the cache has them (so after a render it is that render), and
    with estimates for the rest."""
    timeline = preview_timeline(path=path, options=options,
                                lengths=cached_lengths(engine, cache_dir))
    if as_json:
        return json.dumps(timeline.to_json(), indent=2, ensure_ascii=False)
    return format_script(timeline)


Lengths = Callable[[str], int | None]
"""Phrase -> the length of its clip if one is made, else None."""


def cached_lengths(engine: EngineOptions | None, cache_dir: Path | None) -> Lengths:
    """The lengths of the clips ``engine`` has already made (looked up, never synthesized)."""
    return Clips.open(engine, cache_dir).known_ms


def preview_timeline(*, path: Path, options: Customisation | None = None,
                     lengths: Lengths | None = None) -> Timeline:
    """The session of the routine at ``path`` laid out without synthesizing anything."""
    return preview_routine(load_routine(path), options, lengths)


def preview_routine(routine: Routine, options: Customisation | None = None,
           lengths: Lengths | None = None) -> Timeline:
    """A loaded routine laid out without synthesizing anything: real clip lengths where
    ``lengths`` knows them, estimates for the rest."""

    @functools.cache  # the layout asks for each line in every pass (a cache read each)
    def duration(text: str) -> int:
        known = lengths(text) if lengths is not None else None
        return known if known is not None else estimate_ms(text)

    return compile_session(routine, resolve_settings(routine, options), duration)


def format_script(timeline: Timeline) -> str:
    """Readable script: one line per event, then the length and anything dropped."""
    lines = [f"{timeline.title}", ""]
    for e in timeline.events:
        what = f"[{e.text} chime]" if e.kind == "chime" else e.text
        side = f" ({e.side})" if e.side else ""
        lines.append(f"{clock(e.start_ms)}  {e.phase + side:<15} {what}")
    lines += ["", f"Total {clock(timeline.duration_ms)} ({len(timeline.blocks)} timed blocks, "
                  f"{len(timeline.chapters)} chapters)"]
    if timeline.dropped:
        lines.append(f"Dropped {len(timeline.dropped)} cue(s) that did not fit:")
        lines += [f"  {clock(d.at_ms)}  {d.exercise or ''}: {d.text}" for d in timeline.dropped]
    return "\n".join(lines)
