"""Command line: thin typer commands over keyword-only functions; errors become one line."""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, get_args, get_origin

import typer
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from typer.core import TyperGroup

from cuecast import __version__, stopping
from cuecast.errors import CuecastError, OptionError, RoutineError
from cuecast.script.options import (
    ComposeOptions,
    Customisation,
    ListenOptions,
    RenderOptions,
    ServeOptions,
    VoiceOptions,
    customisation,
    flag,
    paired,
    pairs,
    per_exercise,
    read,
    settable,
)

if TYPE_CHECKING:
    from cuecast.engines.registry import EngineOptions


def _say(exc: CuecastError) -> None:
    """An error's lines: one per problem."""
    for problem in exc.problems:
        typer.echo(f"error: {problem}", err=True)


def _fail(exc: CuecastError) -> typer.Exit:
    """The one place an error becomes a message and an exit code."""
    _say(exc)
    return typer.Exit(exc.exit_code)


class _Commands(TyperGroup):
    """The command group: any command's CuecastError becomes its lines and exit code here,
    once for all of them."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CuecastError as exc:
            if stopping.requested():  # e.g. ffmpeg, stopped by the same Ctrl-C
                raise stopping.Interrupted from None
            raise _fail(exc) from None


app = typer.Typer(
    help="Turn a stretching, mobility or breathing routine into one voice-guided MP3.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=_Commands,
)


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
CacheDirOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    help="Clip cache folder (default: the user cache dir).")]


def _option_param(name: str, field: FieldInfo) -> inspect.Parameter:
    """One command-line option for one field of an options model (:mod:`cuecast.script.options`):
    its flag, type, help and default from the field. Every option arrives as None when not
    given, so that what is not given falls back (to the routine's defaults, or the model's)."""
    default = None if field.is_required() else field.default
    help_ = field.description or ""
    info: Any
    if field.annotation is bool:
        info = typer.Option(f"{flag(name)}/--no-{name.replace('_', '-')}",
                            help=f"{help_} (default {'on' if default else 'off'})",
                            show_default=False)
        return inspect.Parameter(name, KEYWORD, default=None,
                                 annotation=Annotated[Optional[bool], info])  # noqa: UP045
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if per_exercise(name) or get_origin(field.annotation) is tuple:  # repeatable
        info = typer.Option(flag(name), metavar=str(extra.get("metavar", "VALUE")), help=help_,
                            show_default=False)
        return inspect.Parameter(name, KEYWORD, default=[], annotation=Annotated[list[str], info])
    plain = {field.annotation, *get_args(field.annotation)} - {type(None)}
    # a field that reads text itself (a length: "15m") takes the text as typed
    reads_text = any(isinstance(m, BeforeValidator) for m in field.metadata)
    kind = str if reads_text else next((k for k in (float, int) if k in plain), str)
    metavar = extra.get("metavar")
    info = typer.Option(flag(name), metavar=None if metavar is None else str(metavar),
                        show_default=False,
                        help=help_ if default is None else f"{help_} (default {default})")
    return inspect.Parameter(name, KEYWORD, default=None,
                             annotation=Annotated[Optional[kind], info])  # noqa: UP045


def _params(model: type[BaseModel], *, leave_out: tuple[str, ...] = ()
            ) -> list[inspect.Parameter]:
    return [_option_param(name, field) for name, field in model.model_fields.items()
            if name not in leave_out]


KEYWORD = inspect.Parameter.KEYWORD_ONLY
FLAGGED = settable()
CUSTOM_PARAMS = [_option_param(n, Customisation.model_fields[n]) for n in FLAGGED]


def _extended(command: Callable[..., None], keyword: str, params: list[inspect.Parameter],
              convert: Callable[..., Any]) -> Callable[..., None]:
    """``command`` with ``params`` added to its options; it receives them converted, as
    ``keyword=convert(**params)``. A bad value fails here with the one-line message."""
    # the engine's options type is imported for the type checker only (the CLI starts without
    # numpy); the parameters it annotates are replaced here anyway
    own = inspect.signature(command, eval_str=True, locals={"EngineOptions": Any})
    names = [p.name for p in params]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        given = {name: kwargs.pop(name) for name in names}
        command(**kwargs, **{keyword: convert(**given)})

    kept = [p for p in own.parameters.values() if p.name != keyword]
    wrapper.__signature__ = own.replace(parameters=[*kept, *params])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {}
    return wrapper


def customisable(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` one option per customisation field, received validated as
    ``options``."""
    return _extended(command, "options", CUSTOM_PARAMS, lambda **given: customisation(
        {k: (pairs(k, v) if paired(k) else tuple(v)) if isinstance(v, list) else v
         for k, v in given.items()}))


VOICE_PARAMS = _params(VoiceOptions, leave_out=("jobs",))
JOBS_PARAM = _params(VoiceOptions)[-1]


def _engine(**given: Any) -> Any:
    from cuecast.engines.registry import engine_options

    return engine_options(given.pop("engine") or VoiceOptions().engine, **given)


def _given(model: type[BaseModel]) -> Callable[..., Any]:
    """What the user gave of ``model``'s options, read as :func:`cuecast.script.options.read` reads
    them (a bad value: the one-line message naming its flag)."""
    return lambda **given: read(model, given)


def writing(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the render's own options (bitrate, bed ...), received as
    ``written``."""
    return _extended(command, "written", _params(RenderOptions), _given(RenderOptions))


def checking(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the listening check's options, received as ``checked``."""
    return _extended(command, "checked", _params(ListenOptions), _given(ListenOptions))


def speaking(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the speech engine's options, received typed as ``engine``."""
    return _extended(command, "engine", VOICE_PARAMS, _engine)


def synthesizing(command: Callable[..., None]) -> Callable[..., None]:
    """:func:`speaking`, with ``--jobs`` for commands that synthesize."""
    return _extended(command, "engine", [*VOICE_PARAMS, JOBS_PARAM], _engine)


@app.command()
def check(
    routines: Annotated[list[Path], typer.Argument(help="Routine files to validate.",
                                                   show_default=False)],
) -> None:
    """Validate routine files: exit 0 when all are valid, 2 with one line per problem."""
    from cuecast.script.loader import load_routine

    failed = False
    for path in routines:
        try:
            routine = load_routine(path)
        except RoutineError as exc:
            failed = True
            _say(exc)  # and on to the next file
            continue
        typer.echo(f"ok: {path}: {routine.title} ({len(routine.exercises)} exercises)")
    if failed:
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the routine files' JSON Schema (for editor autocompletion)."""
    from cuecast.script.routine import Routine

    typer.echo(json.dumps(Routine.model_json_schema(), indent=2))


@app.command()
@customisable
@speaking
def script(
    routine: RoutineArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    cache_dir: CacheDirOpt = None,
    *,
    options: Customisation,
    engine: EngineOptions,
) -> None:
    """Show the session's script (every line and chime with its time) without rendering:
    timed with the clips already made for these options (after a render, exactly as rendered),
    and with estimates for the rest."""
    from cuecast.make.preview import preview

    text = preview(path=routine, options=options, as_json=as_json, cache_dir=cache_dir,
                   engine=engine)
    typer.echo(text)


@app.command()
@customisable
@synthesizing
@writing
def render(
    routine: RoutineArg,
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "-o", "--output", help="MP3 to write (default output/<routine>.mp3); "
        "<name>.cues.json goes beside it.")] = None,
    cache_dir: CacheDirOpt = None,
    *,
    options: Customisation,
    engine: EngineOptions,
    written: RenderOptions,
) -> None:
    """Render a routine to one tagged MP3 with chapters, plus cues.json and .lrc/.srt/.vtt
    captions beside it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cuecast.make.render import render as do_render
    from cuecast.script.timeline import clock

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[cached]} cached"), transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("Synthesizing speech", total=None, cached=0)

        def progress(done: int, total: int, cached: int) -> None:
            bar.update(task, completed=done, total=total, cached=cached)

        result = do_render(path=routine, output=output, options=options, engine=engine,
                           cache_dir=cache_dir, written=written, progress=progress)
    tl = result.timeline
    dropped = (f"; {len(tl.dropped)} cue(s) dropped for want of room, listed in its cues.json"
               if tl.dropped else "; no cue dropped")
    typer.echo(f"Wrote {result.mp3} ({clock(tl.duration_ms)}, {len(tl.chapters)} chapters; "
               f"clips: {result.synthesized} synthesized, {result.cached} cached) "
               f"at {result.lufs:.1f} LUFS, and its cues and captions{dropped}")


@app.command()
@customisable
@synthesizing
@checking
def listen(
    routine: RoutineArg,
    cache_dir: CacheDirOpt = None,
    *,
    options: Customisation,
    engine: EngineOptions,
    checked: ListenOptions,
) -> None:
    """Check what a listener hears: render the routine into a temporary folder (from the
    cache where it can; output/ is left alone), then transcribe it offline (Whisper base)
    and compare with the script. Needs the 'listen' extra (scripts/listen installs it)."""
    from cuecast.listen.listening import MODES
    from cuecast.listen.listening import listen as do_listen

    report = do_listen(path=routine, options=options, engine=engine, cache_dir=cache_dir,
                       checked=checked)
    typer.echo(report.text(f"{routine.name}, {MODES[checked.mode]}"))


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
    from cuecast.make.writing import import_article

    result = import_article(path=article, output=output, force=force)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"Wrote {result.written}; check it, then: cuecast render {result.written}")


def composing(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` what compose asks for, received as ``asked``."""
    return _extended(command, "asked", _params(ComposeOptions), _given(ComposeOptions))


@app.command()
@composing
def compose(
    output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "-o", "--output", help="Routine file to write (default routines/<title>.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace the output file if it exists.")] = False,
    *,
    asked: ComposeOptions,
) -> None:
    """Compose a routine from the library's exercises for the areas you name, fitted to the
    time you have: each position in one run, flowing towards the floor."""
    from cuecast.make.compose import write_composed

    composed, written = write_composed(request=asked, output=output, force=force)
    r = composed.routine
    typer.echo(f"Wrote {written}: {r.title} ({len(r.exercises)} exercises); "
               f"render it with: cuecast render {written}")


@app.command("list")
def list_(
    folder: Annotated[Optional[Path], typer.Argument(  # noqa: UP045
        help="Folder of routine files (default: the library, and ./routines beside it).",
        show_default=False)] = None,
) -> None:
    """List routines with their exercise counts and (estimated) lengths."""
    from cuecast.make.library import library_folder, list_routines
    from cuecast.script.timeline import clock

    entries = list_routines(folders=[folder] if folder else [library_folder(),
                                                              Path("routines")])
    for e in entries:
        if e.problem:
            typer.echo(f"{e.path.name:32} INVALID  {e.problem}")
        else:
            # '~': lengths come from the preview's speaking-time estimate, not a render
            length = clock(e.duration_ms, tenths=False)
            typer.echo(f"{e.path.name:32} {e.exercises:2} exercises  ~{length}  {e.title}")
    if any(e.problem for e in entries):
        raise typer.Exit(2)


programme_app = typer.Typer(
    help="Programmes: sessions over weeks that grow as you do (cuecast programme list).",
    no_args_is_help=True, rich_markup_mode=None)
app.add_typer(programme_app, name="programme")

DataDirOpt = Annotated[Optional[Path], typer.Option(  # noqa: UP045
    help="Folder of the practice history (default: the user's data folder).")]


@programme_app.command("list")
def programme_list() -> None:
    """List the programmes: the ones that come with cuecast and your ./programmes."""
    from cuecast.practice.daily import list_programmes

    listed = list_programmes()
    for entry in listed:
        p = entry.programme
        if p is None:
            typer.echo(f"{entry.name:32} INVALID  {entry.problem}")
        else:
            typer.echo(f"{entry.name:32} {p.weeks:2} weeks, {p.sessions_per_week} a week  "
                       f"{p.title}")
    if any(e.problem for e in listed):
        raise typer.Exit(2)


@programme_app.command("schema")
def programme_schema() -> None:
    """Print the programme files' JSON Schema (for editor autocompletion)."""
    from cuecast.practice.programme import Programme

    typer.echo(json.dumps(Programme.model_json_schema(), indent=2))


@programme_app.command("start")
def programme_start(
    programme: Annotated[str, typer.Argument(help="A programme's name (cuecast programme "
                                             "list) or file.", show_default=False)],
    data_dir: DataDirOpt = None,
) -> None:
    """Start a programme: 'cuecast today' then makes its first session."""
    from cuecast.practice.daily import start

    run = start(programme=programme, data_dir=data_dir)
    typer.echo(f"Started {run.title} ({run.days} sessions). Make today's session with: "
               "cuecast today")


@programme_app.command("stop")
def programme_stop(data_dir: DataDirOpt = None) -> None:
    """Stop the programme under way; its history is kept."""
    from cuecast.practice.daily import stop

    run = stop(data_dir=data_dir)
    typer.echo(f"Stopped {run.title}; its sessions stay in 'cuecast history'.")


@app.command()
@synthesizing
def today(
    output: Annotated[Path, typer.Option(help="Folder sessions are rendered into (the day "
                                         "goes to <programme>/day-NN.mp3 in it).")
                      ] = Path("output"),
    cache_dir: CacheDirOpt = None,
    data_dir: DataDirOpt = None,
    *,
    engine: EngineOptions,
) -> None:
    """Render the next session of your programme (from the cache when it can), and say what
    it is and where."""
    from cuecast.practice.daily import render_today
    from cuecast.script.timeline import clock

    made = render_today(data_dir=data_dir, output=output, engine=engine, cache_dir=cache_dir)
    t = made.today
    typer.echo(f"{t.title} ({clock(made.length_ms, tenths=False)}): "
               f"{t.plan.routine.introduction}")
    typer.echo(f"{'Wrote' if made.rendered else 'Ready'}: {made.mp3}. When you have done "
               "it: cuecast done --felt easy|right|hard")


@app.command()
def done(
    felt: Annotated[Optional[str], typer.Option(  # noqa: UP045
        metavar="easy|right|hard", help="How it felt: 'hard' keeps the next session at this "
        "level (twice in a row steps back a week).", show_default=False)] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Record today's session of your programme as done."""
    from cuecast.practice.daily import done as do_done
    from cuecast.practice.programme import FEELINGS

    if felt is not None and felt not in FEELINGS:
        raise OptionError(f"--felt: '{felt}'; choose from {', '.join(FEELINGS)}")
    recorded = do_done(data_dir=data_dir, felt=felt)
    typer.echo(f"Done: day {recorded.day} of {recorded.programme} ({recorded.routine})"
               + (f", felt {recorded.felt}" if recorded.felt else "") + ".")


@app.command()
def history(
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV for a spreadsheet.")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Every session done: when, which programme and day, how long, how it felt."""
    from cuecast.practice.daily import history_table

    typer.echo(history_table(data_dir=data_dir, as_csv=as_csv), nl=not as_csv)


def serving(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` where to listen and what to serve, received as ``served``."""
    return _extended(command, "served", _params(ServeOptions), _given(ServeOptions))


@app.command()
@serving
def serve(
    cache_dir: CacheDirOpt = None,
    data_dir: DataDirOpt = None,
    *,
    served: ServeOptions,
) -> None:
    """Serve the phone companion on the local network: pick, customise, render and play
    routines from a phone, plus a podcast feed. Prints the address and a QR code."""
    from cuecast.web.server import serve as do_serve

    with contextlib.suppress(stopping.Interrupted, KeyboardInterrupt):  # how it is stopped
        do_serve(served=served, cache_dir=cache_dir, data_dir=data_dir)
    stopping.clear()  # a server stopped by Ctrl-C has done what was asked
    typer.echo("Stopped.", err=True)


def main() -> None:
    """Console-script entry point. Ctrl-C (or SIGTERM) anywhere: the work stops at its next
    safe point (:mod:`cuecast.stopping`), with one line and exit code 130."""
    stopping.install()
    try:
        app()
    except (stopping.Interrupted, KeyboardInterrupt):
        stopping.finishing()
        _interrupted()
    except SystemExit:
        stopping.finishing()
        if stopping.requested():  # it finished before it reached a safe point to stop at
            _interrupted()
        raise


def _interrupted() -> NoReturn:
    typer.echo("Interrupted.", err=True)
    sys.exit(130)
