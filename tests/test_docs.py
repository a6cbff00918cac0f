"""Every command has help and is documented; the committed schema is current."""

from __future__ import annotations

import json

import pytest
import typer.main
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.routine import Routine

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
