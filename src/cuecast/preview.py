"""``cuecast script``: the compiled timeline, as text or JSON, with estimated phrase lengths."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from cuecast.compiler import compile_session, estimate_ms
from cuecast.loader import load_routine
from cuecast.settings import resolve_settings
from cuecast.timeline import Timeline, clock


def preview(*, path: Path, as_json: bool = False, holds: Sequence[str] = (),
            reps: Sequence[str] = (), scale: float | None = None, rest: float | None = None,
            changeover: float | None = None, breath: str | None = None,
            tempo: float | None = None, step_pause: float | None = None,
            verbosity: str | None = None, countdown: bool | None = None) -> str:
    routine = load_routine(path)
    settings = resolve_settings(routine, holds=holds, reps=reps, scale=scale, rest=rest,
                                changeover=changeover, breath=breath, tempo=tempo,
                                step_pause=step_pause, verbosity=verbosity, countdown=countdown)
    timeline = compile_session(routine, settings, estimate_ms)
    if as_json:
        return json.dumps(timeline.to_json(), indent=2, ensure_ascii=False)
    return format_script(timeline)


def format_script(timeline: Timeline) -> str:
    """Readable script: one line per event, then the length and anything dropped."""
    lines = [f"{timeline.title}", ""]
    for e in timeline.events:
        what = f"[{e.text} chime]" if e.kind == "chime" else e.text
        side = f" ({e.side})" if e.side else ""
        lines.append(f"{clock(e.start_ms)}  {e.phase + side:<15} {what}")
    lines += ["", f"Total {clock(timeline.duration_ms)} ({len(timeline.holds)} timed blocks, "
                  f"{len(timeline.chapters)} chapters)"]
    if timeline.dropped:
        lines.append(f"Dropped {len(timeline.dropped)} cue(s) that did not fit:")
        lines += [f"  {clock(d.at_ms)}  {d.exercise or ''}: {d.text}" for d in timeline.dropped]
    return "\n".join(lines)
