"""Cues that know their context ("Last stretch", the next exercise's length) and cues the user
words: ``defaults: cues:`` replaces the fixed phrases, placeholders checked at load."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.make.render import render
from cuecast.script.options import Customisation

WORDED = """\
title: My Words
defaults:
  rest: 8
  cues:
    begin: "Go."
    release: "And relax."
    next: "Coming up: {name}, {length}."
exercises:
  - name: Reach
    timing: 8 sec
    steps: [Reach up.]
  - name: Fold
    timing: 10 sec per side
    steps: [Fold forward.]
"""


def _said(runner: CliRunner, path: Path) -> list[str]:
    result = runner.invoke(app, ["script", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return [e["text"] for e in json.loads(result.stdout)["events"] if e["kind"] == "speech"]


def test_the_routines_own_words_replace_the_fixed_phrases(tmp_path: Path,
                                                          runner: CliRunner) -> None:
    path = tmp_path / "worded.yaml"
    path.write_text(WORDED, encoding="utf-8")
    said = _said(runner, path)
    assert said.count("Go.") == 3 and "Begin." not in said  # three holds: one, then two sides
    assert said.count("And relax.") == 3 and "Release." not in said
    assert "Coming up: Fold, 10 seconds each side." in said


def test_last_stretch_and_the_next_length_by_default(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(WORDED.replace("  cues:\n    begin: \"Go.\"\n    release: \"And relax.\"\n"
                                   "    next: \"Coming up: {name}, {length}.\"\n", ""))
    said = _said(runner, path)
    assert "Stretch 1 of 2: Reach." in said and "Last stretch: Fold." in said
    at = said.index("Rest. Next up: Fold.")
    assert said[at + 1] == "10 seconds each side."  # the length, as its own (shared) clip


def test_an_unknown_placeholder_is_refused_with_its_line(tmp_path: Path,
                                                         runner: CliRunner) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(WORDED.replace("{name}, {length}", "{nmae}"), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {path}:7: defaults.cues.next: unknown placeholder {{nmae}}; use {{name}}, "
        "{length}")
    begin = tmp_path / "begin.yaml"
    begin.write_text(WORDED.replace('"Go."', '"Go {name}."'), encoding="utf-8")
    result = runner.invoke(app, ["check", str(begin)])
    assert "defaults.cues.begin: unknown placeholder {name}; this phrase takes none" in \
        result.stderr


def test_a_cues_override_renders(tmp_path: Path, cache_dir: Path) -> None:
    path = tmp_path / "worded.yaml"
    path.write_text(WORDED, encoding="utf-8")
    done = render(path=path, output=tmp_path / "w.mp3", cache_dir=cache_dir,
                  options=Customisation(verbosity="brief"))
    lrc = done.mp3.with_suffix(".lrc").read_text(encoding="utf-8")
    assert "Go." in lrc and "Coming up: Fold, 10 seconds each side." in lrc
    cues = json.loads(done.cues.read_text(encoding="utf-8"))
    begins = [e for e in cues["events"] if e["cue"] == "begin"]
    assert [b["start_ms"] for b in begins] == [b["start_ms"] for b in cues["blocks"]]
