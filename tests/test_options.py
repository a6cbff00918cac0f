"""The one options model: every option declared once serves the CLI, the routine's defaults
and validation, with one message per bad value; engine options are typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
import typer.main
from pydantic import BaseModel
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.engines.registry import GttsOptions, HibariOptions, PiperOptions, engine_options
from cuecast.errors import OptionError
from cuecast.make.library import list_routines
from cuecast.script.loader import load_routine
from cuecast.script.options import (
    Customisation,
    ListenMode,
    ListenOptions,
    RenderOptions,
    SessionOptions,
    VoiceOptions,
    customisation,
    flag,
)
from cuecast.script.resolve import Settings, changes, resolve_settings
from cuecast.script.routine import Routine

from .conftest import ROOT, UPPER_BACK
from .snippets import one_exercise

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["script", "render"])
def test_every_option_field_is_a_flag_of_script_and_render(command: str) -> None:
    flags = {opt for p in COMMANDS[command].params for opt in p.opts}
    for name, field in Customisation.model_fields.items():
        if name == "cues":
            assert "--cues" not in flags  # phrases belong in routine files
            continue
        assert flag(name) in flags, name
        param = next(p for p in COMMANDS[command].params if flag(name) in p.opts)
        assert param.help and field.description and field.description in param.help


def test_routine_defaults_are_the_session_options() -> None:
    schema = Routine.model_json_schema()
    ref = schema["properties"]["defaults"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["$defs"][ref]["properties"]) == set(SessionOptions.model_fields)
    # holds and reps name exercises: a command-line matter, not a default
    assert not {"hold", "reps"} & set(SessionOptions.model_fields)


def test_built_in_defaults_are_the_declared_ones() -> None:
    s = Settings()
    d = SessionOptions()
    assert (s.rest_ms, s.changeover_ms, s.tempo_ms, s.step_pause_ms) == (
        d.rest * 1000, d.changeover * 1000, d.tempo * 1000, d.step_pause * 1000)
    assert (s.inhale_ms, s.exhale_ms) == (4000, 6000) and d.breath == "4:6"


@pytest.mark.parametrize(("given", "message"), [
    ({"scale": 0}, "--scale: must be above 0, not 0"),
    ({"scale": 11.5}, "--scale: must be at most 10, not 11.5"),
    ({"rest": -1}, "--rest: must be at least 0, not -1"),
    ({"step_pause": 61}, "--step-pause: must be at most 60, not 61"),
    ({"verbosity": "loud"}, "--verbosity: must be one of 'full' or 'brief', not 'loud'"),
    ({"chimes": "gong"}, "--chimes: must be one of 'soft', 'bright' or 'off', not 'gong'"),
    ({"breath": "fast"}, "--breath: 'fast' is not a breathing rhythm"),
    ({"tempo": "quick"}, "--tempo: must be a number, not 'quick'"),
])
def test_bad_values_name_their_flag(given: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError) as caught:
        customisation(given)
    assert str(caught.value).startswith(message)


def test_given_options_win_over_the_routines_defaults(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(one_exercise(defaults="{rest: 3, breath: '5:5', countdown: false}"))
    from cuecast.script.loader import load_routine

    routine = load_routine(path)
    plain = resolve_settings(routine)
    assert (plain.rest_ms, plain.inhale_ms, plain.countdown) == (3000, 5000, False)
    given = resolve_settings(routine, customisation({"rest": 7, "countdown": None}))
    assert (given.rest_ms, given.inhale_ms, given.countdown) == (7000, 5000, False)


def test_bad_breath_in_defaults_is_refused_by_check_with_its_line(
        tmp_path: Path, runner: CliRunner) -> None:
    # was: 'check' passed, then 'script' failed blaming --breath, which nobody typed
    path = tmp_path / "b.yaml"
    path.write_text("title: B\ndefaults:\n  breath: abc\n"
                    "exercises:\n  - name: A\n    timing: 20 sec\n    steps: [Sit.]\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:3: defaults.breath: 'abc' is not a "
                                    "breathing rhythm")
    assert "--breath" not in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--lang", "fr"], "--lang does not apply to --engine hibari"),
    (["--tld", "co.uk"], "--tld does not apply to --engine hibari"),
    (["--engine", "piper", "--lang", "fr"], "--lang does not apply to --engine piper"),
    (["--engine", "piper", "--seed", "3"], "--seed does not apply to --engine piper"),
    (["--engine", "gtts", "--seed", "3"], "--seed does not apply to --engine gtts"),
    (["--voice", "alloy"], "--voice must be one of heart, emma, fenrir, fable, kore for "
                           "--engine hibari, not 'alloy'"),
    (["--seed", "-1"], "--seed must be between 0 and 4294967295, not -1"),
    (["--speed", "3"], "--speed must be between 0.5 and 2, not 3"),
    (["--engine", "gtts", "--voice", "x.onnx"], "--voice does not apply to --engine gtts"),
    (["--engine", "gtts", "--jobs", "2"], "--jobs does not apply to --engine gtts"),
    (["--jobs", "0"], "--jobs must be between 1 and 64"),
    (["--engine", "espeak"], "--engine must be one of hibari, piper, gtts"),
])
def test_engine_options_that_do_not_apply_are_errors(args: list[str], message: str,
                                                     runner: CliRunner,
                                                     tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(UPPER_BACK), "-o", str(tmp_path / "x.mp3"),
                                 *args])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {message}"] or \
        result.stderr.startswith(f"error: {message}")
    assert not (tmp_path / "x.mp3").exists()


def test_engine_options_are_typed() -> None:
    assert engine_options("hibari") == HibariOptions()
    assert engine_options("hibari", voice="emma", speed=1.15, seed=3) == HibariOptions(
        voice="emma", speed=1.15, seed=3)
    assert engine_options("piper") == PiperOptions()
    assert engine_options("piper", speed=1.2, jobs=3) == PiperOptions(speed=1.2, jobs=3)
    assert engine_options("gtts", lang="fr", tld="ca") == GttsOptions(lang="fr", tld="ca")


def test_list_shows_hours_whole(tmp_path: Path, runner: CliRunner) -> None:
    # was '~1:07:' (a formatted time sliced to five characters)
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "long.yaml").write_text("title: Long\nexercises:\n" + "".join(
        f"  - name: Hold {i}\n    timing: 22 min\n    steps: [Hold still.]\n" for i in range(3)),
        encoding="utf-8")
    (entry,) = list_routines(folders=[folder])
    result = runner.invoke(app, ["list", str(folder)])
    hours, rest = divmod((entry.duration_ms + 500) // 1000, 3600)  # to the nearest second
    assert hours == 1
    assert f"~1:{rest // 60:02d}:{rest % 60:02d}  Long" in result.stdout


def test_readme_documents_every_option_of_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in COMMANDS.items():
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.opts[0] in readme, (name, param.opts)


def test_lrc_length_header_past_an_hour() -> None:
    # was '[length:101:4]': the hundredths-clock sliced to five characters
    from cuecast.audio.captions import lrc
    from cuecast.script.timeline import Timeline

    timeline = Timeline(title="T", duration_ms=(101 * 60 + 42) * 1000 + 370, events=(),
                        blocks=(), chapters=(), dropped=())
    assert "[length:101:42]" in lrc(timeline).splitlines()


@pytest.mark.parametrize(("given", "first_ms"), [([], 1000), (["--lead-in", "8"], 8000),
                                                 (["--lead-in", "0"], 1000)])
def test_lead_in_gives_time_to_get_onto_the_mat(runner: CliRunner, given: list[str],
                                                first_ms: int) -> None:
    result = runner.invoke(app, ["script", str(UPPER_BACK), "--json", *given])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["events"][0]["start_ms"] == first_ms


@pytest.mark.parametrize(("given", "said"), [
    ({}, ""),
    ({"hold": {"cat-cow": 90}, "rest": "5", "length": "20m", "skip": ("knee rolls",)},
     "Cat-Cow 90 s, rest 5 s, 20:00, without Knee Rolls"),
    ({"reps": {"knee rolls": 10}, "scale": "1.5", "countdown": False},
     "Knee Rolls 10 reps, holds x1.5, countdown off"),
    ({"breath": "4:7:8", "verbosity": "brief", "chimes": "off"},
     "breath 4:7:8, verbosity brief, chimes off"),
    ({"rest": "10"}, ""),  # as the routine has it: nothing changed
])
def test_what_a_render_changed_is_said_in_a_few_words(given: dict[str, object],
                                                      said: str) -> None:
    assert changes(load_routine(UPPER_BACK), customisation(given)) == said


ADD_ONE_OPTION = r'''
import json, sys
from pydantic import Field, create_model

import cuecast.script.options as options

# the one place: a new session option, declared as a field (here added from outside, before
# anything else of cuecast is imported, as an edit of options.py would)
WARM_UP = (float, Field(0, ge=0, le=60, description="Seconds of gentle warm-up first."))
options.SessionOptions = create_model("SessionOptions", __base__=options.SessionOptions,
                                      warm_up=WARM_UP)
options.Customisation = create_model("Customisation", __base__=options.Customisation,
                                     warm_up=WARM_UP)

from typer.testing import CliRunner  # noqa: E402

from cuecast.cli import app  # noqa: E402
from cuecast.script.loader import parse_routine  # noqa: E402
from cuecast.script.routine import Routine  # noqa: E402
from cuecast.web.form import fields, read_choice  # noqa: E402

seen = {}
runner = CliRunner()
seen["cli"] = "--warm-up" in runner.invoke(app, ["script", "--help"]).stdout
bad = runner.invoke(app, ["script", sys.argv[1], "--warm-up", "99"])
seen["cli_checks"] = bad.exit_code == 2 and "--warm-up: must be at most 60" in bad.stderr
routine = parse_routine(b"title: T\ndefaults: {warm_up: 5}\nexercises:\n"
                        b"  - {name: A, timing: 30 sec, steps: [Stand.]}\n", "t.yaml")
seen["defaults"] = routine.defaults.warm_up == 5
seen["schema"] = "warm_up" in json.dumps(Routine.model_json_schema())
seen["form"] = "warm_up" in {f["name"] for f in fields(options.Customisation())}
seen["form_read"] = read_choice(routine, {"warm_up": "7"}).options.warm_up == 7
try:
    from tests.test_docs import test_options_are_in_readme
    test_options_are_in_readme()
    seen["docs"] = False
except AssertionError as exc:  # the docs test names what the README lacks
    seen["docs"] = "--warm-up" in str(exc)
print(json.dumps(seen))
'''


def test_an_option_added_in_one_place_is_seen_everywhere() -> None:
    """Issue 23's option test: one field in options.py reaches the command line (with its
    check), routine defaults, the schema, the page's form (both ways) and the docs test."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", ADD_ONE_OPTION, str(UPPER_BACK)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == dict.fromkeys(seen, True) and len(seen) == 7, seen


@pytest.mark.parametrize(("model", "command", "left_out"), [
    (Customisation, "render", {"cues"}),
    (VoiceOptions, "render", set()),
    (VoiceOptions, "script", {"jobs"}),  # only commands that synthesize take --jobs
    (RenderOptions, "render", set()),
    (ListenOptions, "listen", set()),
])
def test_every_declared_option_is_a_flag_of_its_commands(
        model: type[BaseModel], command: str, left_out: set[str]) -> None:
    flags = {opt for p in COMMANDS[command].params for opt in p.opts}
    assert {flag(n) for n in set(model.model_fields) - left_out} <= flags
    assert not {flag(n) for n in left_out} & flags


def test_the_listening_reports_are_titled_for_every_mode() -> None:
    from cuecast.listen.listening import MODES

    assert tuple(MODES) == get_args(ListenMode)
