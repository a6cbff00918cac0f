"""Read a routine file: bytes -> YAML nodes (with line numbers) -> validated :class:`Routine`.

Every failure becomes a :class:`RoutineError` naming the file, line and field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cuecast.errors import RoutineError
from cuecast.script.options import explain
from cuecast.script.routine import Routine, name_key

MAX_BYTES: Final = 1_000_000
"""Largest routine file read; a real routine is a few kilobytes."""

MAX_NODES: Final = 100_000
"""Most YAML nodes after alias expansion (guards against 'billion laughs')."""

Loc = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's base-60 numbers, so ``timing: 1:30`` stays text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+"
               r"(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def load_routine(path: str | Path) -> Routine:
    """Load and validate a routine. Raises RoutineError (all problems in ``.problems``)."""
    routine, lines = read_document(path, Routine, "routine")
    problems = list(_duplicate_names(routine, str(path), lines))
    if routine.cover is not None:
        problems += _cover_problems(Path(path).parent / routine.cover, str(path), lines)
    if problems:
        raise _many(problems)
    return routine


Document = TypeVar("Document", bound=BaseModel)


def read_document(path: str | Path, model: type[Document], what: str) -> tuple[
        Document, _LineMap]:
    """Read and validate a YAML file of ``model`` (``what`` names the kind of file in
    messages): its size and type checked, every problem a RoutineError naming the file, line
    and field. Returns the document and its lines, for checks of the model's own."""
    p = Path(path)
    shown = str(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise RoutineError(shown, f"is a folder, not a {what} file")
        if size > MAX_BYTES:
            raise RoutineError(shown, f"is {size / 1e6:.1f} MB; a {what} file is at most "
                                      f"{MAX_BYTES // 1000} kB")
        data = p.read_bytes()
    except FileNotFoundError:
        raise RoutineError(shown, "no such file") from None
    except OSError as exc:
        raise RoutineError(shown, f"cannot be read ({exc.strerror})") from None
    return parse_document(data, shown, model, what)


def parse_document(data: bytes, shown: str, model: type[Document], what: str) -> tuple[
        Document, _LineMap]:
    """:func:`read_document` for contents already read."""
    root, raw = _parse(_decode(data, shown), shown)
    lines = _LineMap(root)
    keys = " and ".join(f"'{name}:'" for name, f in model.model_fields.items()
                        if f.is_required())
    if raw is None:
        raise RoutineError(shown, f"is empty; a {what} needs {keys.replace(':', '')}", line=1)
    if not isinstance(raw, dict):
        kind = "a list" if isinstance(raw, list) else f"a {type(raw).__name__}"
        raise RoutineError(shown, f"top level is {kind}; it must be a mapping with {keys}",
                           line=1)
    try:
        return model.model_validate(raw), lines
    except ValidationError as exc:
        raise _many(_problems(shown, lines, exc.errors(), model)) from None


def parse_routine(data: bytes, shown: str, *, base: Path | None = None) -> Routine:
    """Validate routine file contents; ``shown`` is the name used in messages. With ``base``
    (the routine's folder), files it names (the cover) are checked too."""
    routine, lines = parse_document(data, shown, Routine, "routine")
    problems = list(_duplicate_names(routine, shown, lines))
    if base is not None and routine.cover is not None:
        problems += _cover_problems(base / routine.cover, shown, lines)
    if problems:
        raise _many(problems)
    return routine


def _many(problems: list[RoutineError]) -> RoutineError:
    problems[0].problems = [*problems]
    return problems[0]


def _decode(data: bytes, shown: str) -> str:
    if b"\x00" in data[:8192]:
        raise RoutineError(shown, "is a binary file, not a YAML routine")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RoutineError(shown, f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                  "save it as UTF-8", line=line) from None
    return text


def _parse(text: str, shown: str) -> tuple[yaml.Node | None, Any]:
    """The YAML parsed once: its nodes (for line numbers), checked for size and duplicate
    keys before anything is built from them, and the data built from those nodes."""
    def parse() -> tuple[yaml.Node | None, Any]:
        loader = _Loader(text)  # a SafeLoader subclass
        try:
            root = loader.get_single_node()
            if root is None:
                return None, None
            _check_size(root, shown)
            _check_duplicate_keys(root, shown)
            return root, loader.construct_document(root)
        finally:
            loader.dispose()

    parsed: tuple[yaml.Node | None, Any] = _yaml(parse, shown)
    return parsed


def _yaml(step: Callable[[], Any], shown: str) -> Any:
    """Run a PyYAML step, turning its errors (scanner, parser, unknown tags) into ours."""
    try:
        return step()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid"
        if exc.context_mark and "end of stream" in problem:
            # An unclosed quote or bracket: point at where it opened, not at the file's end.
            mark = exc.context_mark
            problem = f"{exc.context}, {problem}"
        line = mark.line + 1 if mark else None
        if "\t" in problem or "'\\t'" in problem:
            raise RoutineError(shown, "tab character; indent YAML with spaces",
                               line=line) from None
        raise RoutineError(shown, f"not valid YAML: {problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise RoutineError(shown, f"not valid YAML: {exc}") from None


def _check_size(root: yaml.Node, shown: str) -> None:
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1  # breaks recursive aliases
        total = 1 + sum(size(child) for child in _children(node))
        sizes[id(node)] = total
        if total > MAX_NODES:
            raise RoutineError(shown, "expands to too many values (nested aliases?)",
                               line=node.start_mark.line + 1)
        return total

    size(root)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _check_duplicate_keys(node: yaml.Node, shown: str, seen: set[int] | None = None) -> None:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys:
                    raise RoutineError(shown, "appears twice in the same mapping",
                                       line=key.start_mark.line + 1, field=str(key.value))
                keys.add(key.value)
    for child in _children(node):
        _check_duplicate_keys(child, shown, seen)


class _LineMap:
    """Field path -> (line of key, line of value), 1-based."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.key_line: dict[Loc, int] = {}
        self.value_line: dict[Loc, int] = {}
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
        self.value_line.setdefault(loc, node.start_mark.line + 1)
        if len(loc) > 12:
            return
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*loc, str(key.value))
                self.key_line.setdefault(sub, key.start_mark.line + 1)
                self._walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*loc, i))

    def line(self, loc: Loc, *, key: bool = False) -> int | None:
        if key and loc in self.key_line:
            return self.key_line[loc]
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.value_line:
                return self.value_line[loc[:n]]
        return None


def _field_name(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _model_at(loc: Loc, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class whose fields are valid at ``loc`` (for 'did you mean')."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = _first_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model  # type: ignore[no-any-return]


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _problems(shown: str, lines: _LineMap, errors: list[Any],
              root: type[BaseModel]) -> list[RoutineError]:
    """One message per problem, in file order. A 'missing' field is left out when an unknown
    key beside it is its misspelling: the 'did you mean' message says it all."""
    misspelt: set[Loc] = set()
    out: list[RoutineError] = []
    for err in errors:
        problem, suggested = _problem(shown, lines, err, root)
        if suggested is not None:
            misspelt.add(suggested)
        out.append(problem)
    locs = [_loc(err) for err in errors]

    def inner_error(loc: Loc) -> bool:  # pydantic also calls a list 'too short' when items fail
        return any(len(other) > len(loc) and other[:len(loc)] == loc for other in locs)

    keep = [p for p, err in zip(out, errors)
            if not (err["type"] == "missing" and _loc(err) in misspelt)
            and not (err["type"] == "too_short" and inner_error(_loc(err)))]
    return sorted(keep, key=lambda p: p.line or 0)


def _loc(err: Any) -> Loc:
    return tuple(err["loc"])


_TYPE_NAMES = {"tuple_type": "a list", "string_type": "text", "dict_type": "a mapping",
               "model_type": "a mapping", "model_attributes_type": "a mapping",
               "bool_type": "true or false", "float_type": "a number", "int_type": "a number"}


def _problem(shown: str, lines: _LineMap, err: Any,
             root: type[BaseModel]) -> tuple[RoutineError, Loc | None]:
    loc = _loc(err)
    kind = err["type"]
    msg = explain(err)
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1], root)
        valid = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(valid)}"
        return RoutineError(shown, f"unknown key; {hint}", line=lines.line(loc, key=True),
                            field=_field_name(loc)), ((*loc[:-1], close[0]) if close else None)
    if kind == "missing":
        what = "required"
        return RoutineError(shown, f"missing ({what})", line=lines.line(loc[:-1]),
                            field=_field_name(loc)), None
    if kind in _TYPE_NAMES and "input" in err:
        got = "a list" if isinstance(err["input"], list) else (
            "a mapping" if isinstance(err["input"], dict) else repr(err["input"])[:40])
        msg = f"must be {_TYPE_NAMES[kind]}, not {got}"
    if kind == "too_short":
        msg = "needs at least one entry"
    return RoutineError(shown, msg, line=lines.line(loc, key=True), field=_field_name(loc)), None


def _duplicate_names(routine: Routine, shown: str, lines: _LineMap) -> Iterator[RoutineError]:
    seen: dict[str, int] = {}
    for i, ex in enumerate(routine.exercises):
        key = name_key(ex.name)
        if key in seen:
            yield RoutineError(shown, f"'{ex.name}' repeats exercise {seen[key] + 1}'s name; "
                                      "names must differ (add 'II' or a variation)",
                               line=lines.line(("exercises", i, "name")),
                               field=f"exercises[{i}].name")
        else:
            seen[key] = i


MAX_COVER_BYTES: Final = 5_000_000
"""Largest cover image embedded in the MP3 (phones show a few hundred pixels)."""
_IMAGE_MAGIC: Final = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def check_cover(path: Path) -> None:
    """Its size and first bytes, not the whole image (``check`` and every render load the
    routine; only a render embeds the picture). Raises OSError or ValueError for users."""
    if path.stat().st_size > MAX_COVER_BYTES:
        raise ValueError(f"is over {MAX_COVER_BYTES // 1_000_000} MB")
    with path.open("rb") as f:
        head = f.read(max(map(len, _IMAGE_MAGIC)))
    if not head.startswith(_IMAGE_MAGIC):
        raise ValueError("is not a JPEG or PNG image")


def read_cover(path: Path) -> bytes:
    """A cover image's bytes. Raises OSError or ValueError with a message for users."""
    check_cover(path)
    return path.read_bytes()


def _cover_problems(path: Path, shown: str, lines: _LineMap) -> list[RoutineError]:
    try:
        check_cover(path)
    except FileNotFoundError:
        message = f"{path} does not exist"
    except OSError as exc:
        message = f"{path} cannot be read ({exc.strerror})"
    except ValueError as exc:
        message = f"{path} {exc}"
    else:
        return []
    return [RoutineError(shown, message, line=lines.line(("cover",)), field="cover")]
