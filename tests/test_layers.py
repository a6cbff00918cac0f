"""The code flows one way: each module imports only modules of lower layers (so no cycles,
and a helper lives in the lowest layer that needs it). docs/architecture.md names every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import ROOT

SRC = ROOT / "src" / "cuecast"
LAYERS: list[set[str]] = [
    {"errors", "pcm", "files", "__init__"},
    {"history", "timing", "ffmpeg", "dynamics", "timeline", "pagetext"},
    {"loudness", "audio", "narration", "phrases", "placement", "captions", "tags", "importer"},
    {"options", "levelling", "chimes", "bed", "stitch", "engines", "engines.vits", "asr"},
    {"routine", "engines.piper", "engines.hibari", "engines.gtts", "cache", "master"},
    {"loader", "settings"},
    {"fitting"},
    {"compiler", "engines.registry", "programme"},
    {"clips"},
    {"preview", "render", "library"},
    {"web", "web.sessions", "web.access", "web.jobs", "web.form", "web.middleware",
     "listening", "compose"},
    {"web.feed", "practice", "web.context", "web.routes"},
    {"web.progress", "web.routes.practice"},
    {"web.routes.library", "web.routes.playback", "web.routes.authoring"},
    {"web.app"},
    {"web.server"},
    {"cli"},
    {"__main__"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


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


def test_every_module_has_a_layer() -> None:
    assert set(MODULES) == set(LAYER), set(MODULES) ^ set(LAYER)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    wrong = {m for m in _imports(MODULES[module]) if LAYER[m] >= LAYER[module]}
    assert not wrong, f"{module} (layer {LAYER[module]}) imports {sorted(wrong)}"


def test_the_architecture_doc_names_every_module() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layout = doc[doc.index("## Layers"):]
    for module in MODULES:
        if module not in ("__init__", "__main__", "web", "engines"):
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
