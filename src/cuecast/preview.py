"""``cuecast script``: the compiled timeline, as text or JSON, with estimated phrase lengths."""

from __future__ import annotations

import json
from pathlib import Path

from cuecast.compiler import compile_session, estimate_ms
from cuecast.loader import load_routine
from cuecast.options import Customisation
from cuecast.settings import resolve_settings
from cuecast.timeline import Timeline, clock


def preview(*, path: Path, options: Customisation | None = None, as_json: bool = False) -> str:
    """The script of ``path`` customised by ``options``, as text or JSON."""
    timeline = preview_timeline(path=path, options=options)
    if as_json:
        return json.dumps(timeline.to_json(), indent=2, ensure_ascii=False)
    return format_script(timeline)


def preview_timeline(*, path: Path, options: Customisation | None = None) -> Timeline:
    """The session laid out with estimated phrase lengths, without synthesizing anything."""
    routine = load_routine(path)
    return compile_session(routine, resolve_settings(routine, options), estimate_ms)


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
