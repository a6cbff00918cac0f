"""Every command has help and is documented; the committed schema is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.script.loader import parse_routine
from cuecast.script.notation import parse_timing
from cuecast.script.options import SessionOptions
from cuecast.script.routine import Routine

from .conftest import ROOT

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_commands_exist() -> None:
    assert {"check", "schema", "script"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_is_in_readme(name: str, runner: CliRunner) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert command.help, f"{name} has no help"
    assert f"cuecast {name}" in (ROOT / "README.md").read_text(encoding="utf-8")
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{name} {param.opts} has no help"


def test_options_are_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app).commands["script"]  # type: ignore[attr-defined]
    for param in command.params:
        if param.param_type_name == "option" and param.name not in ("as_json", "help"):
            assert param.opts[0] in readme, param.opts


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("cuecast ")


def test_schema_command_and_committed_copy(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema"])
    printed = json.loads(result.stdout)
    assert printed == Routine.model_json_schema()
    committed = json.loads((ROOT / "docs" / "routine.schema.json").read_text(encoding="utf-8"))
    assert committed == printed, "run: cuecast schema > docs/routine.schema.json"
    assert "exercises" in printed["required"] and "title" in printed["required"]


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/render routines/upper-back-pain.yaml" in readme
    assert "scripts/test" in readme


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_routine_docs_example_is_valid_and_shows_every_default() -> None:
    doc = (ROOT / "docs" / "routines.md").read_text(encoding="utf-8")
    full = [b for b in _yaml_blocks(doc) if "exercises:" in b]
    assert full, "docs/routines.md has a complete example"
    for block in full:
        routine = parse_routine(block.encode(), "docs/routines.md")
        assert routine.defaults is not None
        # the example's defaults: show every option a routine may keep
        assert routine.defaults.model_fields_set == set(SessionOptions.model_fields)


def test_every_timing_notation_in_the_docs_parses() -> None:
    doc = (ROOT / "docs" / "routines.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Timing"):]
    rows = [line for line in section.splitlines()[:12] if line.startswith("| `")]
    notations = [n for row in rows for n in re.findall(r"`([^`]+)`", row.split("|")[1])
                 if not n.startswith("{")]
    assert len(notations) >= 12
    for notation in notations:
        parse_timing(notation)


def _paths(value: object, prefix: str = "") -> set[str]:
    """Every key path of a JSON document: ``events[]``, ``events[].start_ms``, ``loudness`` ..."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}{key}" + ("[]" if isinstance(item, list) else "")
            out.add(name)
            for part in item if isinstance(item, list) else [item]:
                out |= _paths(part, name + ".")
    return out


def test_timeline_docs_list_exactly_the_fields_of_cues_json(tmp_path: Path,
                                                            cache_dir: Path) -> None:
    from cuecast.make.render import render

    from .snippets import ROUTINE

    routine = tmp_path / "r.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    done = render(path=routine, output=tmp_path / "r.mp3", cache_dir=cache_dir)
    cues = json.loads(done.cues.read_text(encoding="utf-8"))
    cues["dropped"] = [{"text": "", "exercise": None, "at_ms": 0, "reason": ""}]  # shape only
    doc = (ROOT / "docs" / "timeline.md").read_text(encoding="utf-8")
    table = doc[doc.index("| key | meaning |"):doc.index("## Guarantees")]
    documented = set(re.findall(r"^\| `([^`]+)`", table, flags=re.M))
    assert documented == _paths(cues), documented ^ _paths(cues)


def test_every_cue_phrase_is_documented() -> None:
    from cuecast.script.phrases import CuePhrases

    doc = (ROOT / "docs" / "routines.md").read_text(encoding="utf-8")
    table = doc[doc.index("## Cue phrases"):]
    for name, field in CuePhrases.model_fields.items():
        assert f"| `{name}` | {field.default} |" in table, name


def test_the_readme_is_the_users_document_and_its_links_resolve() -> None:
    """The README stays short (figures and methods live in docs/, history in the changelog),
    and every file it links to exists, with every anchor it names."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    links = re.findall(r"\]\(([^)#\s]+)(?:#([\w-]+))?\)", readme)
    targets = {path for path, _ in links if not path.startswith("http")}
    assert {"docs/voice.md", "docs/listening.md", "docs/performance.md",
            "docs/architecture.md", "CONTRIBUTING.md", "CHANGELOG.md"} <= targets
    for path, anchor in links:
        if path.startswith("http"):
            continue
        doc = (ROOT / path).read_text(encoding="utf-8")
        if anchor:
            headings = [re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
                        for h in re.findall(r"^#+ (.+)$", doc, flags=re.M)]
            assert anchor in headings, (path, anchor)


def test_the_changelog_keeps_a_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert re.search(r"^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$", changelog, flags=re.M)


def test_the_voice_docs_name_the_default_and_its_tables() -> None:
    """docs/voice.md names the default engine and voice the code uses, and every entry of
    the default engine's pronunciation tables."""
    from cuecast.engines.hibari import CLEARER
    from cuecast.engines.registry import ENGINES, HibariOptions

    doc = (ROOT / "docs" / "voice.md").read_text(encoding="utf-8")
    assert f"`{ENGINES[0]}` (default)" in doc and f"`{HibariOptions.voice}` (default)" in doc
    for line in CLEARER:
        assert line in doc


def _all_options(*, secondary: bool) -> set[str]:
    """Every flag of every command, sub-commands included (``secondary``: with the
    ``--no-...`` forms)."""
    import click

    found: set[str] = set()

    def walk(command: click.Command) -> None:
        for param in command.params:
            if param.param_type_name == "option":
                found.update(param.opts)
                if secondary:
                    found.update(param.secondary_opts)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def test_the_readme_option_tables_name_only_real_options() -> None:
    """Each flag in the first column of a README table is an option some command declares
    (a renamed or removed option fails here), and every declared option is in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cells = [line.split("|")[1] for line in readme.splitlines()
             if line.startswith("| `-")]
    flags = r"(?<![\w-])(--?[a-z][\w-]*)"
    tabled = {flag for cell in cells for flag in re.findall(flags, cell)}
    assert tabled, "the README has option tables"
    assert tabled <= _all_options(secondary=True), tabled - _all_options(secondary=True)
    missing = _all_options(secondary=False) - {"--help", "--version"} - set(
        re.findall(flags, readme))
    assert not missing, missing


def test_the_readme_is_brief() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


@pytest.mark.parametrize("name", ["performance.md", "listening.md", "voice.md"])
def test_reference_docs_carry_no_dated_narrative(name: str) -> None:
    """How it is measured and the current figures; the history is in CHANGELOG.md."""
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    found = re.findall(r"\b20\d\d-\d\d-\d\d\b|\b[Tt]oday\b|\bthe day before\b|later that day|"
                       r"\bobsolete\b|\b[Ee]arlier\b \(", text)
    assert not found, found
