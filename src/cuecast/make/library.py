"""The routine library: list a folder of routines, import an article into it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cuecast.errors import OptionError, RoutineError
from cuecast.files import atomic, slugify
from cuecast.make.importer import imported_yaml, parse_article
from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.loader import load_routine, parse_routine
from cuecast.script.options import Customisation, SessionOptions
from cuecast.script.resolve import effective, resolve_settings

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


def library_folder() -> Path:
    """The routine library that comes with cuecast: inside the installed package (built from
    the source tree's ``routines/``), or that ``routines/`` itself when running from a
    source tree."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "routines"
    return shipped if shipped.is_dir() else package.parent.parent / "routines"


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
            problems = exc.problems if isinstance(exc, RoutineError) else [exc]
            entries.append(Entry(path, None, 0, 0, str(problems[0])))
            continue
        entries.append(Entry(path, routine.title, len(routine.exercises), timeline.duration_ms))
    return entries


@dataclass(frozen=True)
class ImportResult:
    written: Path
    warnings: list[str]


def routine_named(path: Path) -> Path | None:
    """The routine file already at ``path`` or at its twin (``.yml`` for ``.yaml`` and back):
    either would be listed under the same name."""
    for candidate in (path, path.with_suffix(".yml" if path.suffix == ".yaml" else ".yaml")):
        if candidate.exists():
            return candidate
    return None


def backup(path: Path) -> Path:
    """Where a replaced routine is kept: ``<name>.yaml.bak`` (never listed as a routine)."""
    return path.with_name(path.name + ".bak")


def import_article(*, path: Path, output: Path | None = None, force: bool = False,
                   folder: Path = Path("routines"), shown: str | None = None) -> ImportResult:
    """Read an article, write a routine file that ``cuecast check`` accepts (``output``, else
    ``folder/<title>.yaml``). ``shown`` names the article in messages (default: its path)."""
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
    target = output or folder / f"{slugify(imported.routine['title'])}.yaml"
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise OptionError(f"-o {target}: a routine file ends in .yaml")
    existing = routine_named(target)
    if existing is not None and not force:
        raise OptionError(f"{existing} exists; pass --force to replace it")
    target = existing or target  # foo.yml is replaced, not shadowed by a new foo.yaml
    body = imported_yaml(imported, path.name)
    parse_routine(body.encode(), str(target))  # what we write must pass 'cuecast check'
    target.parent.mkdir(parents=True, exist_ok=True)
    if existing is not None:  # the replaced routine is kept beside, as <name>.bak
        with atomic(backup(existing)) as tmp:
            tmp.write_bytes(existing.read_bytes())
    with atomic(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return ImportResult(target, [f"{shown}:{line}: {note}" for line, note in imported.warnings])


def save_customised(*, path: Path, options: Customisation, name: str,
                    folder: Path | None = None) -> Path:
    """Write the routine at ``path`` as customised by ``options`` to a new routine file in
    ``folder`` (default: beside it), titled ``name``: the holds and reps set as its timings,
    the session options as its ``defaults:``. ``cuecast render`` renders it like any routine.
    Raises OptionError when a file of that name exists, RoutineError if the result would not
    load."""
    import yaml

    routine = load_routine(path)
    settings = resolve_settings(routine, options)
    title = " ".join(name.split())
    if not title:
        raise OptionError("give the customised version a name")
    target = (folder or path.parent) / f"{slugify(title)}.yaml"
    existing = routine_named(target)
    if existing is not None:
        raise OptionError(f"{existing.name} exists already; choose another name")
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
    parse_routine(body.encode(), str(target), base=target.parent)  # it must load as written
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return target
