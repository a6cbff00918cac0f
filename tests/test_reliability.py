"""Reliability: renders killed at random, damaged caches, concurrent renders, hostile paths and
text, absurd lengths, and random command-line values. Real processes, real Piper, real ffmpeg.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.files import slugify
from cuecast.make.render import render
from cuecast.script.options import Customisation
from cuecast.speech.cache import ClipCache

from .audio_measure import decode
from .snippets import TINY


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "cuecast", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _complete(mp3: Path) -> None:
    """A whole render: the audio decodes to the length its cues say, and the tags read."""
    cues = json.loads(mp3.with_name(mp3.stem + ".cues.json").read_text(encoding="utf-8"))
    assert abs(len(decode(mp3)) * 1000 / 44_100 - cues["duration_ms"]) <= 50
    assert len(ID3(mp3).getall("CHAP")) == len(cues["chapters"])
    for ext in (".lrc", ".srt", ".vtt"):
        assert mp3.with_suffix(ext).read_text(encoding="utf-8").strip()


def _render_seconds(*args: str) -> float:
    """How long a whole render takes on this machine, now (kill moments are fractions of it,
    so they land mid-render however fast or slow the machine is)."""
    started = time.monotonic()
    proc = _cli("render", *args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - started


def test_sigkill_at_random_moments_never_leaves_a_partial_file(tiny: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "out" / "tiny.mp3"
    shared = tmp_path / "cache"
    common = ("-o", str(out), "--verbosity", "brief")
    _render_seconds(str(tiny), *common, "--cache-dir", str(tmp_path / "warm-up"))  # voice cut
    cold_s = _render_seconds(str(tiny), *common, "--cache-dir", str(shared))
    warm_s = _render_seconds(str(tiny), *common, "--cache-dir", str(shared))
    rng = random.Random(20261125)
    killed_before_done = 0
    trials = 24
    for trial in range(trials):
        # odd trials reuse a warm cache (killed while stitching or encoding), even ones start
        # cold (killed while loading the voice or synthesizing)
        warm = trial % 2 == 1
        cache = shared if warm else tmp_path / f"cold{trial}"
        proc = _cli("render", str(tiny), *common, "--cache-dir", str(cache))
        time.sleep(rng.uniform(0.05, 0.85) * (warm_s if warm else cold_s))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_before_done += proc.returncode == -signal.SIGKILL
        if out.exists():
            _complete(out)  # the previous complete file, or the new complete one
        for entry in cache.rglob("*.npz"):
            assert ClipCache(cache).get(entry.stem) is not None, entry
    # the kills really landed mid-render (a few may miss when the machine's pace changes)
    assert killed_before_done >= trials - 4, (killed_before_done, cold_s, warm_s)
    done = _cli("render", str(tiny), *common, "--cache-dir", str(shared))
    assert done.wait() == 0, done.stderr.read() if done.stderr else ""
    _complete(out)
    assert not list(out.parent.glob(".*.part"))  # the killed renders' leftovers are swept


@pytest.fixture(scope="module")
def cold_render_s(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    """A cold render's length here (after a first one has cut the voice)."""
    folder = tmp_path_factory.mktemp("measure")
    _render_seconds(str(tiny), "-o", str(folder / "a.mp3"), "--cache-dir", str(folder / "a"))
    return _render_seconds(str(tiny), "-o", str(folder / "b.mp3"),
                           "--cache-dir", str(folder / "b"))


def _handling(pid: int) -> None:
    """Until the process catches SIGTERM: cuecast's stop handler is in place (before that,
    the interpreter itself is still starting, and no program can handle a signal)."""
    sigterm = 1 << (signal.SIGTERM - 1)
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            caught = next(int(line.split()[1], 16) for line in
                          status.read_text(encoding="ascii").splitlines()
                          if line.startswith("SigCgt:"))
        except (OSError, StopIteration):
            return  # gone already: its exit is checked by the caller
        if caught & sigterm:
            return
        time.sleep(0.002)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_ctrl_c_at_random_instants_under_load_is_always_one_line(
        tiny: Path, tmp_path: Path, cold_render_s: float) -> None:
    """100 SIGINTs at random instants of cold renders (starting up, loading the voice,
    synthesizing, encoding), two renders at a time so each runs under load: every one ends
    with exit 130 and the one line "Interrupted." (or, when the render was already done,
    exit 0 and a whole MP3), never a traceback, and no .part left behind."""
    rng = random.Random(20261207)
    trials, interrupted = 100, 0
    for pair in range(trials // 2):
        running = []
        for k in range(2):
            out = tmp_path / f"{pair}-{k}" / "tiny.mp3"
            proc = _cli("render", str(tiny), "-o", str(out), "--cache-dir",
                        str(tmp_path / f"cache-{pair}-{k}"))
            running.append((proc, out, rng.uniform(0.0, 1.1) * cold_render_s))
        for proc, _, _ in running:
            _handling(proc.pid)  # the moments count from the program's own start
        started = time.monotonic()
        for proc, _, at in sorted(running, key=lambda r: r[2]):
            time.sleep(max(0.0, started + at - time.monotonic()))
            proc.send_signal(signal.SIGINT)
        for proc, out, _ in running:
            _, err = proc.communicate(timeout=120)
            said = err.decode().strip().splitlines()
            if proc.returncode == 0 and not said:
                _complete(out)  # done before the signal came
            else:
                assert (proc.returncode, said) == (130, ["Interrupted."]), err.decode()
                interrupted += 1
            assert not list(out.parent.glob(".*.part")) if out.parent.exists() else True
    assert interrupted >= trials * 3 // 4, interrupted  # most landed mid-render


def test_corrupted_or_truncated_cache_entries_are_made_again(tiny: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = render(path=tiny, output=tmp_path / "a.mp3", cache_dir=cache,
                   options=Customisation(verbosity="brief"))
    entries = sorted(cache.rglob("*.npz"))
    assert len(entries) == first.synthesized > 4
    damaged = entries[:4]
    data = damaged[0].read_bytes()
    damaged[0].write_bytes(data[: len(data) // 2])  # truncated
    data = bytearray(damaged[1].read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the samples: CRC mismatch
    damaged[1].write_bytes(bytes(data))
    damaged[2].write_bytes(b"")  # empty
    damaged[3].write_bytes(os.urandom(3000))  # garbage
    again = render(path=tiny, output=tmp_path / "b.mp3", cache_dir=cache,
                   options=Customisation(verbosity="brief"))
    assert again.synthesized == 4 and again.cached == first.synthesized - 4
    _complete(again.mp3)
    for entry in damaged:
        assert ClipCache(cache).get(entry.stem) is not None


def test_two_renders_at_once_share_one_cache(tiny: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    outs = [tmp_path / "one" / "s.mp3", tmp_path / "two" / "s.mp3"]
    procs = [_cli("render", str(tiny), "-o", str(o), "--cache-dir", str(cache)) for o in outs]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    for o in outs:
        _complete(o)
    for entry in cache.rglob("*.npz"):
        assert ClipCache(cache).get(entry.stem) is not None
    assert not list(cache.rglob(".tmp-*"))
    # a third render finds every clip in the cache the two wrote
    third = render(path=tiny, output=tmp_path / "three.mp3", cache_dir=cache)
    assert third.synthesized == 0


@pytest.mark.parametrize(("name", "slug"), [
    ("Upper Back Pain", "upper-back-pain"),
    ("../../etc/passwd", "etc-passwd"),
    ("/absolute/path", "absolute-path"),
    ("con", "con-session"),
    ("LPT1", "lpt1-session"),
    ("nul\0byte", "nul-byte"),
    ("🧘‍♀️", "session-" + hashlib.sha256("🧘‍♀️".encode()).hexdigest()[:8]),
    ("...", "session-" + hashlib.sha256(b"...").hexdigest()[:8]),
    ("x" * 200, "x" * 80),
])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_names_without_letters_never_share_a_file() -> None:
    assert len({slugify(t) for t in ("ستريتش", "ストレッチ", "Растяжка", "🧘", "")}) == 5


def test_default_output_stays_in_output_folder(tmp_path: Path, runner: CliRunner,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    routine = tmp_path / "CON.yaml"
    routine.write_text(TINY.replace("title: Tiny", "title: ../../../escape"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["render", str(routine), "--cache-dir", str(tmp_path / "c"),
                                 "--verbosity", "brief"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [
        "con-session.cues.json", "con-session.lrc", "con-session.mp3", "con-session.srt",
        "con-session.vtt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CON.yaml", "c", "output"]


def test_unwritable_output_is_one_line(tiny: Path, tmp_path: Path, runner: CliRunner) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    result = runner.invoke(app, ["render", str(tiny), "-o", str(blocker / "s.mp3"),
                                 "--cache-dir", str(tmp_path / "c"), "--verbosity", "brief"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write") and result.stderr.count("\n") == 1


def test_hostile_text_is_spoken_or_refused(tmp_path: Path, runner: CliRunner) -> None:
    """Scripts other than Latin: the default voice's rules are English only, so a line it
    cannot read is a short silence in the audio and kept in the captions."""
    routine = tmp_path / "unicode.yaml"
    routine.write_text("""
title: "Étirements 🧘 ستريتش"
exercises:
  - name: "Ὀρθή στάση"
    timing: 5 sec
    purpose: "🙂🙂🙂 Breathe… and smile."
    steps:
      - "اجلس بشكل مستقيم"
      - "שב ישר ונשום"
      - "背筋を伸ばして座ります。"
      - "{}"
""".format(("Keep breathing slowly and evenly. " * 17).strip()), encoding="utf-8")
    out = tmp_path / "u.mp3"
    result = runner.invoke(app, ["render", str(routine), "-o", str(out), "--cache-dir",
                                 str(tmp_path / "c"), "--step-pause", "0"])
    assert result.exit_code == 0, result.output
    _complete(out)
    lrc = out.with_suffix(".lrc").read_text(encoding="utf-8")
    assert "🙂🙂🙂 Breathe… and smile." in lrc  # captions keep what the voice skips
    doc = json.loads(out.with_suffix(".cues.json").read_text(encoding="utf-8"))
    smile = next(e for e in doc["events"] if e["text"].startswith("🙂"))
    # the emoji are not read out: the line takes about as long as "Breathe... and smile."
    assert smile["end_ms"] - smile["start_ms"] < 2500


def test_corrupt_piper_voice_names_the_path(tiny: Path, tmp_path: Path,
                                            runner: CliRunner) -> None:
    voice = tmp_path / "broken.onnx"
    voice.write_bytes(os.urandom(4096))
    voice.with_name("broken.onnx.json").write_text('{"audio": {"sample_rate": 22050}}')
    result = runner.invoke(app, ["render", str(tiny), "--engine", "piper", "--voice", str(voice),
                                 "-o", str(tmp_path / "x.mp3"), "--cache-dir",
                                 str(tmp_path / "c")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(voice) in lines[0], lines
    assert not (tmp_path / "x.mp3").exists()


def test_absurd_length_is_refused_before_any_work(tmp_path: Path, runner: CliRunner) -> None:
    routine = tmp_path / "marathon.yaml"
    routine.write_text("title: Marathon\nexercises:\n" + "".join(
        f"  - name: Hold {i}\n    timing: 30 min\n    steps: [Hold still.]\n" for i in range(7)),
        encoding="utf-8")
    cache = tmp_path / "cache"
    result = runner.invoke(app, ["render", str(routine), "-o", str(tmp_path / "m.mp3"),
                                 "--cache-dir", str(cache)])
    assert result.exit_code == 2
    assert "over 3 hours" in result.stderr and "--allow-long" in result.stderr
    assert not cache.exists()  # refused before a clip was synthesized
    assert not (tmp_path / "m.mp3").exists()


NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(-10**6, 10**6).map(str), st.text(max_size=8))
SCRIPT_OPTIONS = {
    "--scale": NUMBERS, "--rest": NUMBERS, "--changeover": NUMBERS, "--tempo": NUMBERS,
    "--step-pause": NUMBERS, "--breath": st.one_of(NUMBERS, st.tuples(NUMBERS, NUMBERS).map(
        ":".join)), "--verbosity": st.one_of(st.sampled_from(["full", "brief"]), st.text()),
    "--chimes": st.one_of(st.sampled_from(["soft", "bright", "off"]), st.text()),
    "--hold": st.one_of(st.tuples(st.sampled_from(["reach", "Reach", "nope", ""]),
                                  NUMBERS).map("=".join), st.text()),
    "--reps": st.one_of(st.just("reach=3"), st.text()),
}


def _draw(data: st.DataObject, options: dict[str, st.SearchStrategy[str]],
          most: int) -> list[str]:
    names = data.draw(st.lists(st.sampled_from(sorted(options)), max_size=most, unique=True))
    return [x for name in names for x in (name, data.draw(options[name], label=name))]


def _check_outcome(result: object, out: Path | None = None) -> None:
    exit_code = getattr(result, "exit_code")  # noqa: B009
    exception = getattr(result, "exception")  # noqa: B009
    assert exit_code in (0, 2), (exit_code, getattr(result, "output"))  # noqa: B009
    assert exception is None or isinstance(exception, SystemExit), exception
    stderr = getattr(result, "stderr")  # noqa: B009
    assert "Traceback" not in stderr
    if exit_code == 2:
        assert stderr.strip(), "a refused value gets a message"
        if out is not None:
            assert not out.exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_script_options_never_crash(data: st.DataObject) -> None:
    args = _draw(data, SCRIPT_OPTIONS, 4)
    path = Path(__file__).parent.parent / "routines" / "upper-back-pain.yaml"
    result = CliRunner().invoke(app, ["script", str(path), *args])
    _check_outcome(result)


RENDER_OPTIONS = {
    "--bitrate": st.one_of(st.sampled_from(["64", "32"]), NUMBERS),
    "--speed": st.one_of(st.just("1.0"), NUMBERS),
    "--engine": st.one_of(st.just("piper"), st.text(max_size=10).filter(
        lambda s: s.strip().lower() != "gtts")),  # never the network
    "--chimes": st.one_of(st.sampled_from(["soft", "off"]), st.text(max_size=6)),
    "--bed": st.one_of(st.just("noise"), st.text(max_size=10)),
    "--lang": st.text(max_size=5), "--tld": st.text(max_size=5),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_render_options_never_crash(data: st.DataObject, tiny: Path,
                                           tmp_path: Path) -> None:
    args = _draw(data, RENDER_OPTIONS, 3)
    out = tmp_path / f"r{abs(hash(tuple(args)))}.mp3"
    result = CliRunner().invoke(app, ["render", str(tiny), "-o", str(out), "--cache-dir",
                                      str(tmp_path / "cache"), "--verbosity", "brief", *args])
    _check_outcome(result, out)
    if result.exit_code == 0:
        assert out.exists() and np.isfinite(len(decode(out)))


def test_stale_cache_temporaries_are_swept(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache")
    folder = cache.root / "ab"
    folder.mkdir(parents=True)
    old, fresh = folder / ".tmp-old.part", folder / ".tmp-fresh.part"
    old.write_bytes(b"half a clip")
    fresh.write_bytes(b"being written")
    entry = folder / ("ab" + "0" * 62 + ".npz")
    entry.write_bytes(b"not a temporary")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    os.utime(entry, (time.time() - 7200, time.time() - 7200))
    assert cache.sweep() == 1
    assert not old.exists() and fresh.exists() and entry.exists()


def test_cache_reads_parse_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """np.load parses each array header with ast, which CPython 3.11 cannot do in two threads
    at once (python/cpython#106905): every parse during a read holds the cache's reading lock,
    so parallel workers reading clips never parse together."""
    import ast
    from concurrent.futures import ThreadPoolExecutor

    from cuecast.audio.pcm import Levelled
    from cuecast.speech import cache as cache_module

    cache = ClipCache(tmp_path / "cache")
    keys = [cache.key({"engine": "test"}, str(n)) for n in range(8)]
    for n, key in enumerate(keys):
        cache.put(key, Levelled(np.full(100 + n, n, np.int16), np.zeros(3)))
    held: list[bool] = []
    parse = ast.parse

    def watched(*args: object, **kwargs: object) -> ast.AST:
        held.append(cache_module._READING.locked())
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", watched)
    with ThreadPoolExecutor(4) as pool:
        clips = list(pool.map(cache.get, keys * 4))
    assert all(c is not None and c.samples.size == 100 + keys.index(k) % 8
               for c, k in zip(clips, keys * 4))
    assert held and all(held)
