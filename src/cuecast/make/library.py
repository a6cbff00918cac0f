"""The routine library: where it is, and its routines listed (written by
:mod:`cuecast.make.writing`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cuecast.errors import OptionError, RoutineError
from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.loader import load_routine
from cuecast.script.resolve import resolve_settings


@dataclass(frozen=True)
class Entry:
    """One routine file as listed."""

    path: Path
    title: str | None
    exercises: int
    duration_ms: int
    problem: str | None = None
    """The first problem of an invalid file."""


def shipped_folder(name: str) -> Path:
    """A folder that comes with cuecast (``routines``, ``programmes``): inside the installed
    package (built from the source tree's folder of that name), or that folder itself when
    running from a source tree."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / name
    return shipped if shipped.is_dir() else package.parent.parent / name


def library_folder() -> Path:
    """The routine library that comes with cuecast."""
    return shipped_folder("routines")


def routine_files(*folders: Path) -> dict[str, Path]:
    """Routine files by name (the file's stem) in ``folders``, in order: a later folder's
    file replaces an earlier one's of the same name (a user's own copy over the library's).
    Folders that do not exist are skipped; symbolic links are never followed."""
    found: dict[str, Path] = {}
    seen: set[Path] = set()
    for folder in folders:
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        for path in sorted(folder.glob("*.y*ml")):
            if path.is_file() and not path.is_symlink():
                found[path.stem] = path
    return dict(sorted(found.items()))


def list_routines(*, folders: Sequence[Path]) -> list[Entry]:
    """Every routine in ``folders`` (as :func:`routine_files` finds them) with its length
    under its own defaults. Raises OptionError when no folder exists."""
    if not any(folder.is_dir() for folder in folders):
        raise OptionError(f"{folders[0] if folders else 'routines'}: no such folder")
    entries = []
    for path in routine_files(*folders).values():
        try:
            routine = load_routine(path)
            timeline = compile_session(routine, resolve_settings(routine), estimate_ms)
        except (RoutineError, OptionError) as exc:
            entries.append(Entry(path, None, 0, 0, str(exc.problems[0])))
            continue
        entries.append(Entry(path, routine.title, len(routine.exercises), timeline.duration_ms))
    return entries
