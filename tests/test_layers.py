"""The code flows one way: each package imports only packages below it, and within a package
each module only the modules before it (so no cycles, and a helper lives in the lowest layer
that needs it). docs/architecture.md names every package and module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import ROOT

SRC = ROOT / "src" / "cuecast"
PACKAGES: list[tuple[str, ...]] = [
    ("__init__", "errors", "files", "stopping"),
    ("script",),
    ("audio",),
    ("engines",),
    ("speech",),
    ("make",),
    ("listen", "practice"),
    ("web",),
    ("cli",),
    ("__main__",),
]
"""The packages from the bottom up: a module imports only from packages below its own (those
side by side know nothing of each other), and from its own package, modules earlier in
:data:`ORDER`. docs/architecture.md describes the same groups."""
ORDER: dict[str, list[str]] = {
    "script": ["script", "script.notation", "script.timeline", "script.phrases",
               "script.placement", "script.steptext", "script.options", "script.routine",
               "script.loader", "script.resolve", "script.fitting", "script.compiler"],
    "audio": ["audio", "audio.pcm", "audio.ffmpeg", "audio.dynamics", "audio.convert",
              "audio.loudness", "audio.levelling", "audio.master", "audio.chimes",
              "audio.bed", "audio.stitch", "audio.tags", "audio.captions"],
    "engines": ["engines", "engines.vits", "engines.hibari", "engines.piper", "engines.gtts",
                "engines.registry"],
    "speech": ["speech", "speech.cache", "speech.clips"],
    "make": ["make", "make.pagetext", "make.importer", "make.library", "make.writing",
             "make.preview", "make.render", "make.compose"],
    "listen": ["listen", "listen.asr", "listen.listening"],
    "practice": ["practice", "practice.history", "practice.programme", "practice.daily"],
    "web": ["web", "web.access", "web.jobs", "web.sessions", "web.form", "web.middleware",
            "web.feed", "web.context", "web.progress", "web.routes", "web.routes.practice",
            "web.routes.library", "web.routes.playback", "web.routes.authoring", "web.app",
            "web.protocol", "web.server"],
}
LEVEL = {name: i for i, names in enumerate(PACKAGES) for name in names}


def _package(module: str) -> str:
    return module.split(".", 1)[0]


def _allowed(importer: str, imported: str) -> bool:
    """Whether ``importer`` may import ``imported``: a lower package, or an earlier module of
    its own."""
    mine, theirs = _package(importer), _package(imported)
    if mine != theirs:
        return LEVEL[theirs] < LEVEL[mine]
    order = ORDER.get(mine, [mine])
    return order.index(imported) < order.index(importer)


def _name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1]) if parts[-1] == "__init__" and len(parts) > 1 else ".".join(parts)


MODULES = {_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cuecast"):
            base = node.module.removeprefix("cuecast").lstrip(".")
            for alias in node.names:
                full = f"{base}.{alias.name}" if base else alias.name
                found.add(full if full in MODULES else base or "__init__")
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("cuecast.") for a in node.names
                      if a.name.startswith("cuecast.")}
    return found


def test_every_module_has_a_place() -> None:
    placed = {m for names in ORDER.values() for m in names} | {
        m for names in PACKAGES for m in names if m not in ORDER}
    assert set(MODULES) == placed, set(MODULES) ^ placed


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    wrong = {m for m in _imports(MODULES[module]) if not _allowed(module, m)}
    assert not wrong, f"{module} imports {sorted(wrong)}, above it or beside it"


def test_the_architecture_doc_names_every_package_and_module() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layout = doc[doc.index("## Packages"):]
    for package in (p for names in PACKAGES for p in names):
        if package not in ("__init__", "__main__"):
            assert f"`{package}`" in layout, package
    for module in MODULES:
        if "." in module:
            assert f"`{module.rsplit('.', 1)[-1]}`" in layout, module


def test_every_third_party_import_is_declared() -> None:
    """What the package imports, pyproject.toml installs (rich was imported, not declared)."""
    import sys
    from importlib.metadata import packages_distributions

    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"],
              *(d for extra in project["optional-dependencies"].values() for d in extra)]
    declared = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].lower().replace("_", "-")
                for d in wanted}
    owners = packages_distributions()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module
                and not node.level else [])
            for name in names:
                top = name.split(".")[0]
                if top == "cuecast" or top in sys.stdlib_module_names:
                    continue
                dists = {d.lower().replace("_", "-") for d in owners.get(top, [top])}
                assert dists & declared, f"{path.name} imports {top} ({dists}), undeclared"


def test_no_function_is_over_80_lines() -> None:
    long = [f"{path.relative_to(SRC)}:{node.lineno} {node.name}"
            for path in MODULES.values()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and (node.end_lineno or node.lineno) - node.lineno + 1 > 80]
    assert not long, long


def test_the_cli_turns_errors_into_lines_in_one_place() -> None:
    cli = (SRC / "cli.py").read_text(encoding="utf-8")
    assert cli.count("except CuecastError") == 1
