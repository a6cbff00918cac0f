"""The routine library: list a folder of routines, import an article into it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cuecast.compiler import compile_session, estimate_ms
from cuecast.errors import OptionError, RoutineError
from cuecast.files import atomic
from cuecast.importer import parse_article, to_yaml
from cuecast.loader import load_routine, parse_routine
from cuecast.settings import resolve_settings

MAX_ARTICLE_BYTES = 2_000_000


@dataclass(frozen=True)
class Entry:
    """One routine file as listed."""

    path: Path
    title: str | None
    exercises: int
    duration_ms: int
    problem: str | None = None
    """The first problem of an invalid file."""


def list_routines(*, folder: Path) -> list[Entry]:
    """Every ``*.yaml`` routine in ``folder`` with its length under its own defaults."""
    if not folder.is_dir():
        raise OptionError(f"{folder}: no such folder")
    entries = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            routine = load_routine(path)
            timeline = compile_session(routine, resolve_settings(routine), estimate_ms)
        except (RoutineError, OptionError) as exc:
            problems = exc.problems if isinstance(exc, RoutineError) else [exc]
            entries.append(Entry(path, None, 0, 0, str(problems[0])))
            continue
        entries.append(Entry(path, routine.title, len(routine.exercises), timeline.duration_ms))
    return entries


@dataclass(frozen=True)
class ImportResult:
    written: Path
    warnings: list[str]


def import_article(*, path: Path, output: Path | None = None,
                   force: bool = False) -> ImportResult:
    """Read an article, write a routine file that ``cuecast check`` accepts."""
    from cuecast.render import slugify

    shown = str(path)
    try:
        if path.stat().st_size > MAX_ARTICLE_BYTES:
            raise RoutineError(shown, f"is over {MAX_ARTICLE_BYTES // 1_000_000} MB; an "
                                      "article saved as text is far smaller")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RoutineError(shown, "no such file") from None
    except UnicodeDecodeError as exc:
        raise RoutineError(shown, f"is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise RoutineError(shown, f"cannot be read ({exc.strerror})") from None
    try:
        imported = parse_article(text)
    except ValueError as exc:
        raise RoutineError(shown, str(exc)) from None
    target = output or Path("routines") / f"{slugify(imported.routine['title'])}.yaml"
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise OptionError(f"-o {target}: a routine file ends in .yaml")
    if target.exists() and not force:
        raise OptionError(f"{target} exists; pass --force to replace it")
    body = to_yaml(imported, path.name)
    parse_routine(body.encode(), str(target))  # what we write must pass 'cuecast check'
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return ImportResult(target, [f"{shown}:{line}: {note}" for line, note in imported.warnings])
