"""Command line: thin typer commands over keyword-only functions; errors become one line."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from cuecast import __version__
from cuecast.errors import CuecastError, RoutineError

app = typer.Typer(
    help="Turn a stretching, mobility or breathing routine into one voice-guided MP3.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _fail(exc: CuecastError) -> typer.Exit:
    """The one place an error becomes a message and an exit code."""
    problems = exc.problems if isinstance(exc, RoutineError) else [exc]
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    return typer.Exit(exc.exit_code)


class Interrupted(BaseException):
    """Ctrl-C, raised in place of KeyboardInterrupt: click turns that into its own exit with
    no message, while this passes through it to :func:`main` (``finally`` blocks, temporary
    files and worker pools unwind exactly as for KeyboardInterrupt)."""


def _on_ctrl_c(signum: int, frame: object) -> None:
    raise Interrupted


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cuecast {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[Optional[bool], typer.Option(  # noqa: UP045 (typer needs Optional)
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """cuecast: routine file in, narrated MP3 out."""


RoutineArg = Annotated[Path, typer.Argument(help="Routine file (YAML).", show_default=False)]
Holds = Annotated[list[str], typer.Option(
    "--hold", metavar="NAME=SECONDS",
    help="Hold length for one exercise, e.g. --hold \"cat-cow=90\". Repeatable.")]
Reps = Annotated[list[str], typer.Option(
    "--reps", metavar="NAME=N", help="Rep count for one exercise, e.g. --reps \"knee rolls=10\".")]
Scale = Annotated[Optional[float], typer.Option(  # noqa: UP045
    help="Multiply every hold not set with --hold, e.g. 1.5.")]
Rest = Annotated[Optional[float], typer.Option(  # noqa: UP045
    help="Rest between exercises, seconds (default 10).")]
Changeover = Annotated[Optional[float], typer.Option(  # noqa: UP045
    help="Time to switch sides, seconds (default 5).")]
Breath = Annotated[Optional[str], typer.Option(  # noqa: UP045
    help="Breathing rhythm in seconds: inhale:exhale (default 4:6), inhale:hold:exhale "
    "(4:7:8) or inhale:hold:exhale:hold (box breathing, 4:4:4:4).")]
Tempo = Annotated[Optional[float], typer.Option(  # noqa: UP045
    help="Seconds per rep where the routine gives none (default 4).")]
StepPause = Annotated[Optional[float], typer.Option(  # noqa: UP045
    help="Pause after each setup step, seconds (default 3).")]
Verbosity = Annotated[Optional[str], typer.Option(  # noqa: UP045
    help="'full' (purpose and steps) or 'brief' (name and timing only).")]
Countdown = Annotated[Optional[bool], typer.Option(  # noqa: UP045
    "--countdown/--no-countdown", help="Count down the end of each hold (default on).",
    show_default=False)]
Chimes = Annotated[Optional[str], typer.Option(  # noqa: UP045
    help="Chimes at each hold's start and end: 'soft' (default), 'bright' or 'off'.")]


@app.command()
def check(
    routines: Annotated[list[Path], typer.Argument(help="Routine files to validate.",
                                                   show_default=False)],
) -> None:
    """Validate routine files: exit 0 when all are valid, 2 with one line per problem."""
    from cuecast.loader import load_routine

    failed = False
    for path in routines:
        try:
            routine = load_routine(path)
        except RoutineError as exc:
            failed = True
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
            continue
        typer.echo(f"ok: {path}: {routine.title} ({len(routine.exercises)} exercises)")
    if failed:
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the routine files' JSON Schema (for editor autocompletion)."""
    from cuecast.routine import Routine

    typer.echo(json.dumps(Routine.model_json_schema(), indent=2))


@app.command()
def script(
    routine: RoutineArg,
    hold: Holds = [],  # noqa: B006 (typer reads the default)
    reps: Reps = [],  # noqa: B006
    scale: Scale = None,
    rest: Rest = None,
    changeover: Changeover = None,
    breath: Breath = None,
    tempo: Tempo = None,
    step_pause: StepPause = None,
    verbosity: Verbosity = None,
    countdown: Countdown = None,
    chimes: Chimes = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
) -> None:
    """Show the session's script (every line and chime with its time) without rendering."""
    from cuecast.preview import preview

    try:
        text = preview(path=routine, as_json=as_json, holds=hold, reps=reps, scale=scale,
                       rest=rest, changeover=changeover, breath=breath, tempo=tempo,
                       step_pause=step_pause, verbosity=verbosity, countdown=countdown,
                       chimes=chimes)
    except CuecastError as exc:
        raise _fail(exc) from None
    typer.echo(text)


@app.command()
def render(
    routine: RoutineArg,
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "-o", "--output", help="MP3 to write (default output/<routine>.mp3); "
        "<name>.cues.json goes beside it.")] = None,
    engine: Annotated[str, typer.Option(
        help="Speech engine: 'piper' (offline, default) or 'gtts' (Google, online).")] = "piper",
    voice: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        help="Piper .onnx voice file (its .onnx.json beside it); default en_US-joe-medium.")
    ] = None,
    speed: Annotated[Optional[float], typer.Option(  # noqa: UP045
        help="Speaking speed, 0.5 to 2 (Piper's length scale; gTTS: below 0.85 is 'slow').")
    ] = None,
    lang: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="gTTS language, e.g. en, fr, de.")] = None,
    tld: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="gTTS accent by Google domain, e.g. com, co.uk, com.au.")] = None,
    cache_dir: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        help="Clip cache folder (default: the user cache dir).")] = None,
    bitrate: Annotated[int, typer.Option(help="MP3 bitrate in kbps (mono CBR).")] = 64,
    bed: Annotated[Optional[str], typer.Option(  # noqa: UP045
        metavar="noise|FILE", help="Ambient bed under the voice, ducked while it speaks: "
        "'noise' (generated) or an audio file to loop (default: none).")] = None,
    allow_long: Annotated[bool, typer.Option(
        help="Render sessions over 3 hours.")] = False,
    hold: Holds = [],  # noqa: B006
    reps: Reps = [],  # noqa: B006
    scale: Scale = None,
    rest: Rest = None,
    changeover: Changeover = None,
    breath: Breath = None,
    tempo: Tempo = None,
    step_pause: StepPause = None,
    verbosity: Verbosity = None,
    countdown: Countdown = None,
    chimes: Chimes = None,
) -> None:
    """Render a routine to one tagged MP3 with chapters, plus cues.json and .lrc/.srt/.vtt
    captions beside it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cuecast.render import render as do_render
    from cuecast.timeline import clock

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[cached]} cached"), transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("Synthesizing speech", total=None, cached=0)

        def progress(done: int, total: int, cached: int) -> None:
            bar.update(task, completed=done, total=total, cached=cached)

        try:
            result = do_render(
                path=routine, output=output, engine=engine, voice=voice, speed=speed, lang=lang,
                tld=tld, cache_dir=cache_dir, bitrate=bitrate, bed=bed, allow_long=allow_long,
                holds=hold, reps=reps, scale=scale, rest=rest, changeover=changeover,
                breath=breath, tempo=tempo, step_pause=step_pause, verbosity=verbosity,
                countdown=countdown, chimes=chimes, progress=progress)
        except CuecastError as exc:
            bar.stop()
            raise _fail(exc) from None
    tl = result.timeline
    typer.echo(f"Wrote {result.mp3} ({clock(tl.duration_ms)}, {len(tl.chapters)} chapters; "
               f"clips: {result.synthesized} synthesized, {result.cached} cached) "
               f"at {result.lufs:.1f} LUFS, and its cues and captions")


@app.command("import")
def import_(
    article: Annotated[Path, typer.Argument(help="Article saved as text, Markdown or HTML.",
                                            show_default=False)],
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "-o", "--output", help="Routine file to write (default routines/<title>.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace the output file if it exists.")] = False,
) -> None:
    """Turn a stretching article into a routine file (checked before it is written)."""
    from cuecast.library import import_article

    try:
        result = import_article(path=article, output=output, force=force)
    except CuecastError as exc:
        raise _fail(exc) from None
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"Wrote {result.written}; check it, then: cuecast render {result.written}")


@app.command("list")
def list_(
    folder: Annotated[Path, typer.Argument(help="Folder of routine files.")] = Path("routines"),
) -> None:
    """List the routines in a folder with their exercise counts and (estimated) lengths."""
    from cuecast.library import list_routines
    from cuecast.timeline import clock

    try:
        entries = list_routines(folder=folder)
    except CuecastError as exc:
        raise _fail(exc) from None
    for e in entries:
        if e.problem:
            typer.echo(f"{e.path.name:32} INVALID  {e.problem}")
        else:
            # '~': lengths come from the preview's speaking-time estimate, not a render
            typer.echo(f"{e.path.name:32} {e.exercises:2} exercises  ~{clock(e.duration_ms)[:5]}"
                       f"  {e.title}")
    if any(e.problem for e in entries):
        raise typer.Exit(2)


def main() -> None:
    """Console-script entry point. Ctrl-C anywhere: one line, exit code 130."""
    signal.signal(signal.SIGINT, _on_ctrl_c)
    try:
        app()
    except (Interrupted, KeyboardInterrupt):
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
