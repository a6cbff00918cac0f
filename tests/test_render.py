"""End to end with the real Piper voice and real ffmpeg: measure the MP3, not the cue sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.make.render import Rendered, render, session_mp3
from cuecast.script.options import Customisation
from cuecast.script.timeline import CuesFile, read_cues

from .audio_measure import decode, envelope_db, onset_ms, peak_db

TOLERANCE_MS = 50


@pytest.fixture(scope="module")
def rendered(routine_file: Path, cache_dir: Path) -> Rendered:
    out = routine_file.parent / "out" / "session.mp3"
    return render(path=routine_file, output=out, cache_dir=cache_dir,
                  options=Customisation(rest=2, step_pause=1))


def test_writes_mp3_and_cues(rendered: Rendered) -> None:
    assert rendered.mp3.stat().st_size > 10_000
    assert rendered.synthesized + rendered.cached > 0  # the cache is shared between tests
    doc = json.loads(rendered.cues.read_text(encoding="utf-8"))
    assert set(doc) >= {"duration_ms", "events", "blocks", "chapters"}
    assert doc["duration_ms"] == rendered.timeline.duration_ms
    assert not list(rendered.mp3.parent.glob("*.part"))


def test_the_cues_json_a_render_wrote_is_its_timeline_exactly(rendered: Rendered,
                                                              routine_file: Path) -> None:
    from cuecast.script.timeline import Timeline

    written = json.loads(rendered.cues.read_text(encoding="utf-8"))
    timeline = Timeline.from_json(written)
    assert timeline == rendered.timeline
    # what only a render knows (docs/timeline.md: "rendered cues.json only") aside
    assert timeline.to_json() == {k: v for k, v in written.items()
                                  if k not in ("loudness", "customised", "source")}
    # and the file as a whole, read and written by the one type
    cues = read_cues(rendered.mp3)
    assert cues.to_json() == written and CuesFile.from_json(cues.to_json()) == cues
    assert cues.loudness is not None and cues.source == str(routine_file.resolve())


def test_a_render_never_replaces_another_routines_session(tmp_path: Path,
                                                          cache_dir: Path) -> None:
    """Reproduction 2 of issue 28: two routines of one name (the library's, and one of
    yours) rendered in turn into one output folder: each keeps its own session."""
    from .snippets import ROUTINE

    mine, theirs = tmp_path / "mine" / "session.yaml", tmp_path / "theirs" / "session.yaml"
    for path, title in ((mine, "Mine"), (theirs, "Theirs")):
        path.parent.mkdir()
        path.write_text(ROUTINE.replace("Test Session", title), encoding="utf-8")
    output = tmp_path / "output"
    first = render(path=mine, output=session_mp3(output, "session", mine, "Mine"),
                   cache_dir=cache_dir)
    second = render(path=theirs, output=session_mp3(output, "session", theirs, "Theirs"),
                    cache_dir=cache_dir)
    assert first.mp3 != second.mp3 and first.mp3.is_file() and second.mp3.is_file()
    assert read_cues(first.mp3).timeline.title == "Mine"
    again = session_mp3(output, "session", mine, "Mine")
    assert again == first.mp3  # its own file, replaced by its own re-render


def test_length_matches(rendered: Rendered) -> None:
    x = decode(rendered.mp3)
    measured = len(x) * 1000 / 44_100
    assert abs(measured - rendered.timeline.duration_ms) <= TOLERANCE_MS


def test_every_event_starts_where_the_timeline_says(rendered: Rendered) -> None:
    env = envelope_db(decode(rendered.mp3))
    events = sorted(rendered.timeline.events, key=lambda e: e.start_ms)
    previous_end = 0
    for event in events:
        if event.start_ms < previous_end:  # a chime under "Begin": same onset, already checked
            previous_end = max(previous_end, event.end_ms)  # but it may ring on longer
            continue
        found = onset_ms(env, previous_end + 20)
        assert found is not None, event
        assert abs(found - event.start_ms) <= TOLERANCE_MS, (event, found)
        previous_end = max(previous_end, event.end_ms)


def test_silence_between_events(rendered: Rendered) -> None:
    env = envelope_db(decode(rendered.mp3))
    spans = sorted((e.start_ms, e.end_ms) for e in rendered.timeline.events)
    gaps, reach = [], 0
    for start, end in spans:
        if start - reach > 120:
            gaps.append((reach + 40, start - 40))
        reach = max(reach, end)
    gaps.append((reach + 40, rendered.timeline.duration_ms - 40))
    assert len(gaps) > 10
    for a, b in gaps:
        assert peak_db(env, a, b) < -50, (a, b)


def test_holds_measured_from_onsets(rendered: Rendered) -> None:
    env = envelope_db(decode(rendered.mp3))
    speech = rendered.timeline.speech()
    assert len(rendered.timeline.blocks) == 5
    for hold in rendered.timeline.blocks:
        before_release = max(e.end_ms for e in speech if e.end_ms <= hold.end_ms)
        start = onset_ms(env, hold.start_ms - 40)
        release = onset_ms(env, before_release + 20)
        assert start is not None and release is not None
        expected = hold.end_ms - hold.start_ms
        assert abs((release - start) - expected) <= TOLERANCE_MS, hold


def test_rerender_with_other_hold_synthesizes_nothing(rendered: Rendered, routine_file: Path,
                                                      cache_dir: Path) -> None:
    out = routine_file.parent / "out" / "changed.mp3"
    again = render(path=routine_file, output=out, cache_dir=cache_dir,
                   options=Customisation(rest=2, step_pause=1, hold={"reach up": 20}))
    # "20 seconds." and every hold cue are already cached: nothing to synthesize
    assert again.synthesized == 0 and again.cached > 0
    a, b = rendered.timeline, again.timeline
    hold_a, hold_b = a.blocks[0], b.blocks[0]
    assert hold_b.end_ms - hold_b.start_ms == 20_000
    assert [h.end_ms - h.start_ms for h in b.blocks[1:]] == [
        h.end_ms - h.start_ms for h in a.blocks[1:]]
    # the same lines in the same order, except the announced length (and the extra cues a
    # longer hold gets); after the hold everything is shifted by one constant
    texts = lambda tl, lo, hi: [e.text for e in tl.events if lo <= e.start_ms < hi]  # noqa: E731
    assert texts(a, 0, hold_a.start_ms) == [
        "12 seconds." if t == "20 seconds." else t for t in texts(b, 0, hold_b.start_ms)]
    assert "Ten seconds left." in texts(b, hold_b.start_ms, hold_b.end_ms)
    shift = hold_b.end_ms - hold_a.end_ms
    after_a = [(e.start_ms + shift, e.text) for e in a.events if e.start_ms >= hold_a.end_ms
               and e.cue != "intro"]
    after_b = [(e.start_ms, e.text) for e in b.events if e.start_ms >= hold_b.end_ms]
    assert after_a == after_b
    assert b.duration_ms - a.duration_ms == shift


def test_cli_render_and_summary(routine_file: Path, cache_dir: Path, runner: CliRunner) -> None:
    out = routine_file.parent / "cli" / "s.mp3"
    result = runner.invoke(app, ["render", str(routine_file), "-o", str(out), "--cache-dir",
                                 str(cache_dir), "--verbosity", "brief"])
    assert result.exit_code == 0, result.output
    assert "s.mp3" in result.stdout and "cached" in result.stdout
    assert out.exists() and out.with_name("s.cues.json").exists()


@pytest.mark.parametrize(("args", "fragment"), [
    (["--engine", "festival"], "--engine"),
    (["--bitrate", "65"], "--bitrate"),
    (["--speed", "9"], "--speed"),
    (["-o", "x.wav"], ".mp3"),
    (["--voice", "/nonexistent/voice.onnx"], "voice.onnx"),
])
def test_bad_render_options(routine_file: Path, cache_dir: Path, runner: CliRunner,
                            args: list[str], fragment: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(routine_file), "--cache-dir", str(cache_dir),
                                 *(args if args[0] == "-o" else [*args, "-o",
                                                                 str(tmp_path / "x.mp3")])])
    assert result.exit_code in (1, 2), result.output
    assert fragment in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "x.mp3").exists()


def test_pydub_is_handed_our_ffmpeg_without_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    # a fresh interpreter with an empty PATH: no system ffmpeg, like a fresh machine
    code = ("import warnings; warnings.simplefilter('error', RuntimeWarning);"
            "from cuecast.audio.convert import pydub; seg = pydub();"
            "import os; assert os.path.exists(seg.converter), seg.converter")
    proc = subprocess.run([sys.executable, "-c", code], env={"PATH": ""}, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "ffmpeg" not in proc.stderr


def test_no_clipping(rendered: Rendered) -> None:
    """Piper clips get a fixed gain; none may clip: the decoded peak stays below full scale."""
    import numpy as np

    x = decode(rendered.mp3)
    assert 20 * np.log10(np.abs(x).max()) < -1.0


def test_progress_reports_every_clip(routine_file: Path, tmp_path: Path) -> None:
    """The progress bar's feed: (done, total, cached) for each clip, done counting up to
    total, the cached count never above done."""
    seen: list[tuple[int, int, int]] = []
    render(path=routine_file, output=tmp_path / "p.mp3", cache_dir=tmp_path / "cache",
           options=Customisation(rest=2, step_pause=1, verbosity="brief"),
           progress=lambda done, total, cached: seen.append((done, total, cached)))
    assert seen, "no progress was reported"
    total = seen[0][1]
    assert [d for d, _, _ in seen] == list(range(1, total + 1))
    assert all(t == total and c <= d for d, t, c in seen)
    assert seen[-1][2] == 0  # a fresh cache: everything was synthesized


def test_after_a_render_the_preview_is_the_render(rendered: Rendered, routine_file: Path,
                                                  cache_dir: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["script", str(routine_file), "--json", "--rest", "2",
                                 "--step-pause", "1", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    cues = json.loads(rendered.cues.read_text(encoding="utf-8"))
    assert doc["duration_ms"] == cues["duration_ms"]  # to the millisecond
    assert doc["events"] == cues["events"] and doc["dropped"] == cues["dropped"]
    # with nothing cached it is an estimate: close, but not the render
    empty = routine_file.parent / "no-clips"
    cold = runner.invoke(app, ["script", str(routine_file), "--json", "--rest", "2",
                               "--step-pause", "1", "--cache-dir", str(empty)])
    estimate = json.loads(cold.stdout)["duration_ms"]
    assert abs(estimate - cues["duration_ms"]) < 0.05 * cues["duration_ms"]


def test_the_summary_line_counts_dropped_cues(routine_file: Path, cache_dir: Path,
                                              runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(routine_file), "--rest", "2", "--step-pause", "1",
                                 "--cache-dir", str(cache_dir), "-o", str(tmp_path / "s.mp3")])
    assert result.exit_code == 0, result.output
    cues = json.loads((tmp_path / "s.cues.json").read_text(encoding="utf-8"))
    n = len(cues["dropped"])
    assert ("no cue dropped" if n == 0 else f"{n} cue(s) dropped") in result.stdout


def test_upper_back_at_defaults_drops_no_breath_prompt(cache_dir: Path, tmp_path: Path) -> None:
    """Cat-Cow and Seated Twist give their own breath phrasing: the warning and halfway make
    room for it (and say how long is really left), so none of it is dropped."""
    from cuecast.script.steptext import NUMBER_WORDS

    from .conftest import UPPER_BACK

    done = render(path=UPPER_BACK, output=tmp_path / "ub.mp3", cache_dir=cache_dir)
    cues = json.loads(done.cues.read_text(encoding="utf-8"))
    phrased = ("Cat-Cow", "Seated Twist")
    assert not [d for d in cues["dropped"] if d["exercise"] in phrased], cues["dropped"]
    for name in phrased:
        said = [e for e in cues["events"] if e["exercise"] == name and e["cue"] == "breath"]
        assert len(said) >= 4
    for warning in (e for e in cues["events"] if e["cue"] == "warning"):
        block = next(b for b in cues["blocks"] if b["start_ms"] <= warning["start_ms"]
                     < b["end_ms"])
        seconds = NUMBER_WORDS[warning["text"].split()[0].lower()]
        assert block["end_ms"] - warning["start_ms"] == seconds * 1000  # what it says is true


def test_a_render_fitted_to_a_length_lasts_it(routine_file: Path, cache_dir: Path) -> None:
    from cuecast.script.fitting import TOLERANCE_MS
    from cuecast.script.options import customisation

    out = routine_file.parent / "fitted" / "session.mp3"
    result = render(path=routine_file, output=out, cache_dir=cache_dir,
                    options=customisation({"length": "6:30", "rest": 2}))
    measured = len(decode(result.mp3)) * 1000 / 44_100
    assert abs(measured - 390_000) <= TOLERANCE_MS + 50  # the MP3's own frame padding
    assert abs(result.timeline.duration_ms - 390_000) <= TOLERANCE_MS


def test_a_composed_routine_renders_to_its_length(runner: CliRunner, tmp_path: Path,
                                                  cache_dir: Path) -> None:
    composed = tmp_path / "neck-upper-back.yaml"
    made = runner.invoke(app, ["compose", "--focus", "neck", "--focus", "upper-back",
                               "--length", "15m", "-o", str(composed)])
    assert made.exit_code == 0, made.output
    out = tmp_path / "composed.mp3"
    result = runner.invoke(app, ["render", str(composed), "-o", str(out),
                                 "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    measured = len(decode(out)) * 1000 / 44_100
    assert abs(measured - 15 * 60_000) <= 1000 + 50  # the fit, and the MP3's frame padding
