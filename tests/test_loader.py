"""Bad routine files are refused with file, line and field; never with a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.errors import RoutineError
from cuecast.script.loader import load_routine, parse_routine

from .conftest import UPPER_BACK

BAD_DIR = Path(__file__).parent / "bad"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))


def _expectation(path: Path) -> tuple[str, str]:
    """First line ``# expect: LINE | TEXT [| TEXT]`` (an empty file expects line 1, 'empty')."""
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    if not first.startswith("# expect:"):
        return "1", "empty"
    line, _, pattern = first.removeprefix("# expect:").partition("|")
    return line.strip(), pattern.strip()


def test_corpus_is_large_enough() -> None:
    assert len(BAD_FILES) >= 30


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_bad_file_is_refused_with_line_and_message(path: Path) -> None:
    line, pattern = _expectation(path)
    with pytest.raises(RoutineError) as info:
        load_routine(path)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    where = re.escape(str(path)) + (r":\d+:" if line == "*" else f":{line}:")
    assert re.match(where, message), message
    assert any(fragment.strip() in message for fragment in pattern.split("|")), message


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_check_exits_2_without_traceback(path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert path.name in result.stderr


def test_check_reports_every_problem_of_a_file(tmp_path: Path, runner: CliRunner) -> None:
    bad = tmp_path / "two.yaml"
    bad.write_text("title: T\nexercises:\n  - name: A\n    timing: 0 sec\n    stepz: [x]\n")
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    # bad timing and the misspelt key; 'steps: missing' is implied by "did you mean 'steps'"
    assert len(lines) == 2, lines
    assert any(":4: exercises[0].timing" in x for x in lines)
    assert any(":5: exercises[0].stepz" in x and "did you mean 'steps'" in x for x in lines)


def test_check_accepts_good_and_flags_bad_together(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(UPPER_BACK), str(BAD_FILES[0])])
    assert result.exit_code == 2
    assert "ok: " in result.stdout


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "image.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(RoutineError, match="binary file"):
        load_routine(p)


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "latin1.yaml"
    p.write_bytes("title: T\nexercises:\n  - name: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(RoutineError, match=r"latin1\.yaml:3: .*not UTF-8"):
        load_routine(p)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "huge.yaml"
    with p.open("wb") as f:
        f.write(b"title: T\n")
        f.seek(50 * 1024 * 1024)
        f.write(b"\n")
    with pytest.raises(RoutineError, match="MB"):
        load_routine(p)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(RoutineError, match="no such file"):
        load_routine(tmp_path / "nope.yaml")
    with pytest.raises(RoutineError, match="folder"):
        load_routine(tmp_path)


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + UPPER_BACK.read_bytes())
    assert len(load_routine(p).exercises) == 9


def test_routine_is_immutable() -> None:
    routine = load_routine(UPPER_BACK)
    with pytest.raises(Exception, match="frozen"):
        routine.title = "x"  # type: ignore[misc]


# --- property-based: random and mutated YAML never raise anything but RoutineError ---

_VALID = UPPER_BACK.read_text(encoding="utf-8")
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                     st.floats(allow_nan=True), st.text(max_size=30))
_values = st.recursive(_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4),
    st.dictionaries(st.sampled_from(["title", "exercises", "name", "timing", "steps",
                                     "breath", "tempo", "defaults", "x"]), kids, max_size=5)),
    max_leaves=25)


def _parse_only_our_errors(data: bytes) -> None:
    try:
        parse_routine(data, "fuzz.yaml")
    except RoutineError as exc:
        assert str(exc).startswith("fuzz.yaml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _parse_only_our_errors(data)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_random_structures(value: object) -> None:
    _parse_only_our_errors(yaml.safe_dump(value, allow_unicode=True).encode())


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_VALID) - 1), st.integers(0, 40), st.text(max_size=8))
def test_mutated_valid_routine(at: int, cut: int, insert: str) -> None:
    mutated = _VALID[:at] + insert + _VALID[at + cut:]
    _parse_only_our_errors(mutated.encode("utf-8", "surrogatepass"))
