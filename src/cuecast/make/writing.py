"""Writing routine files: importing an article, saving a customised copy, composing, all
through :func:`write_routine`, so that nothing a person made is ever lost.

One write path means one set of rules: a file is checked as ``cuecast check`` would before it
is written; a user's routine never takes a library routine's name (it would hide it from the
list, and its sessions would share the library one's files); and a routine replaced is kept
first as a numbered backup beside it (``my-routine.yaml.~1~``, ``~2~``...: never overwritten,
never listed as a routine).
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cuecast.errors import OptionError, RoutineError, RoutineExists
from cuecast.files import atomic, slugify
from cuecast.make.importer import imported_yaml, parse_article
from cuecast.make.library import library_folder, routine_files
from cuecast.script.loader import load_routine, parse_routine
from cuecast.script.options import Customisation, SessionOptions
from cuecast.script.resolve import effective, resolve_settings

MAX_ARTICLE_BYTES: Final = 2_000_000
ROUTINE_SUFFIXES: Final = (".yaml", ".yml")


def routine_named(path: Path) -> Path | None:
    """The routine file already at ``path`` or at its twin (``.yml`` for ``.yaml`` and back):
    either would be listed under the same name."""
    for candidate in (path, path.with_suffix(".yml" if path.suffix == ".yaml" else ".yaml")):
        if candidate.exists():
            return candidate
    return None


def _numbered(path: Path) -> list[tuple[int, Path]]:
    """The kept versions of a routine file with their numbers, the oldest first."""
    return sorted((int(m.group(1)), p) for p in path.parent.glob(f"{glob.escape(path.name)}.~*~")
                  if (m := re.fullmatch(re.escape(path.name) + r"\.~(\d+)~", p.name)))


def backups(path: Path) -> list[Path]:
    """The kept versions of a routine file, the oldest first."""
    return [p for _, p in _numbered(path)]


def _keep(path: Path) -> Path:
    """Copy ``path`` to its next numbered backup; returns where."""
    kept = _numbered(path)
    target = path.with_name(f"{path.name}.~{kept[-1][0] + 1 if kept else 1}~")
    with atomic(target) as tmp:
        tmp.write_bytes(path.read_bytes())
    return target


def write_routine(*, body: str, target: Path, replace: bool = False, rename: bool = False,
                  library: Iterable[str] = (), shown: str | None = None) -> Path:
    """Write the routine file ``body`` at ``target`` (or its ``.yml`` twin), the one way
    routines are written; returns where.

    ``library``: the library's routine names, which a user's routine may not take. When the
    name is taken (by the library, or by another routine of the folder), ``rename`` picks
    ``<name>-2``, ``-3``...; else ``replace`` replaces the folder's own file, kept first as a
    numbered backup; else RoutineExists says so (``shown``: the routine's title, for the
    phone's words). The same contents again write nothing."""
    if target.suffix.lower() not in ROUTINE_SUFFIXES:
        raise OptionError(f"-o {target}: a routine file ends in .yaml",
                          brief="a routine file ends in .yaml")
    parse_routine(body.encode(), str(target), base=target.parent)  # as 'cuecast check' reads
    taken = set(library)
    existing = routine_named(target)
    if existing is not None and existing.read_text(encoding="utf-8") == body:
        return existing  # written before, the same
    if target.stem in taken or (existing is not None and not replace):
        if rename:
            target = _free(target, taken)
            existing = None
        elif target.stem in taken:
            raise RoutineExists(
                f"{target.stem}: a routine of the library has that name; choose another",
                brief=f"“{shown or target.stem}” is the name of a routine in the library: "
                      "choose another name.")
        else:
            raise RoutineExists(
                f"{existing} exists; pass --force to replace it (it is kept as a backup)",
                brief=f"You have a routine called “{shown or target.stem}” already: tick "
                      "Replace to replace it (the old one is kept as a backup), or choose "
                      "another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if existing is not None:
        _keep(existing)
        target = existing  # foo.yml is replaced, not shadowed by a new foo.yaml
    with atomic(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return target


def _free(target: Path, taken: set[str]) -> Path:
    """``target`` with the first free ``-N`` after its name."""
    for n in range(2, 10_000):
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        if candidate.stem not in taken and routine_named(candidate) is None:
            return candidate
    raise OptionError(f"{target.parent}: no free name for {target.stem}")


def library_names(library: Path | None, folder: Path) -> set[str]:
    """The names a routine written into ``folder`` may not take: the library's (unless that
    folder is the library)."""
    if library is None or not library.is_dir() or library.resolve() == folder.resolve():
        return set()
    return set(routine_files(library))


@dataclass(frozen=True)
class ImportResult:
    written: Path
    warnings: list[str]


def import_article(*, path: Path, output: Path | None = None, force: bool = False,
                   folder: Path = Path("routines"), shown: str | None = None,
                   library: Path | None = None) -> ImportResult:
    """Read an article, write a routine file that ``cuecast check`` accepts (``output``, else
    ``folder/<title>.yaml``; a title the library has gets a name of its own). ``shown``
    names the article in messages (default: its path)."""
    shown = shown or str(path)
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
    title = str(imported.routine["title"])
    target = output or folder / f"{slugify(title)}.yaml"
    taken = library_names(_default_library(library), target.parent)
    written = write_routine(body=imported_yaml(imported, path.name), target=target,
                            replace=force, library=taken, shown=title,
                            rename=output is None and target.stem in taken)
    notes = [f"{shown}:{line}: {note}" for line, note in imported.warnings]
    if written.stem != target.stem:
        notes.append(f"the library has a routine called {target.stem}: this one is "
                     f"{written.stem}")
    return ImportResult(written, notes)


def save_customised(*, path: Path, options: Customisation, name: str,
                    folder: Path | None = None, library: Path | None = None) -> Path:
    """Write the routine at ``path`` as customised by ``options`` to a new routine file in
    ``folder`` (default: beside it), titled ``name``: the holds and reps set as its timings,
    the session options as its ``defaults:``. ``cuecast render`` renders it like any routine.
    Raises RoutineExists when the name is taken (in the folder or by the library),
    RoutineError if the result would not load."""
    import yaml

    routine = load_routine(path)
    settings = resolve_settings(routine, options)
    title = " ".join(name.split())
    if not title:
        raise OptionError("give the customised version a name")
    target = (folder or path.parent) / f"{slugify(title)}.yaml"
    data = settings.as_written(routine).model_dump(mode="json", exclude_none=True,
                                                   exclude={"defaults"})
    data["title"] = title
    if target.parent.resolve() != path.parent.resolve():
        data.pop("cover", None)  # the picture stays beside the routine it belongs to
    in_force = effective(routine, options)
    data["defaults"] = in_force.model_dump(mode="json", include=set(SessionOptions.model_fields)
                                            - {"scale"})  # the scale is in the timings now
    body = (f"# {title}: customised from {path.name}.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96))
    if routine_named(target) is not None:  # a copy never replaces: another name is asked
        raise RoutineExists(f"{target.stem}: exists already; choose another name",
                            brief=f"You have a routine called “{title}” already: choose "
                                  "another name.")
    return write_routine(body=body, target=target, shown=title,
                         library=library_names(_default_library(library), target.parent))


def _default_library(library: Path | None) -> Path:
    return library if library is not None else library_folder()
