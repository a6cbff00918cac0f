"""gTTS at the HTTP boundary: fake answers in Google's real wire format, gTTS's own code runs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import requests
import responses
from typer.testing import CliRunner

from cuecast.audio import ffmpeg
from cuecast.cli import app
from cuecast.engines.gtts import TRIES, GttsEngine
from cuecast.speech.cache import ClipCache

from .audio_measure import decode, ebur128
from .snippets import TINY

URL_COM = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cuecast.engines.gtts.BACKOFF_S", 0.0)
    monkeypatch.setattr("cuecast.engines.gtts.MIN_INTERVAL_S", 0.0)


@pytest.fixture(scope="module")
def real_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 24 kHz mono MP3 (what Google sends): 0.6 s of a 220 Hz tone."""
    t = np.arange(int(0.6 * 24_000)) / 24_000
    pcm = (np.sin(2 * np.pi * 220 * t) * 12_000).astype("<i2").tobytes()
    out = tmp_path_factory.mktemp("mp3") / "tone.mp3"
    ffmpeg.encode_mp3(pcm, out, bitrate_kbps=32, rate=24_000)
    return out.read_bytes()


def wire(mp3: bytes) -> str:
    """Google's batchexecute answer: )]}' framing, then the wrb.fr envelope with base64 audio."""
    compact = {"separators": (",", ":")}
    inner = json.dumps([base64.b64encode(mp3).decode()], **compact)  # type: ignore[arg-type]
    envelope = json.dumps([["wrb.fr", "jQ1olc", inner, None, None, None, "generic"],
                           ["di", 57], ["af.httprm", 56, "-4129458457044036211", 2]],
                          **compact)  # type: ignore[arg-type]
    tail = json.dumps([["e", 4, None, None, len(envelope) + 30]], **compact)  # type: ignore[arg-type]
    return f")]}}'\n\n{len(envelope)}\n{envelope}\n{len(tail)}\n{tail}\n"


@pytest.fixture
def routine_file(tmp_path: Path) -> Path:
    path = tmp_path / "online.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _render(runner: CliRunner, routine: Path, tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["render", str(routine), "--engine", "gtts", "-o",
                               str(tmp_path / "out.mp3"), "--cache-dir",
                               str(tmp_path / "cache"), *extra])


@responses.activate
def test_render_through_gtts(real_mp3: bytes, routine_file: Path, tmp_path: Path,
                             runner: CliRunner) -> None:
    url = URL_COM.replace(".com/", ".com.au/")
    responses.add(responses.POST, url, body=wire(real_mp3), status=200)
    result = _render(runner, routine_file, tmp_path, "--tld", "com.au")
    assert result.exit_code == 0, result.output
    assert len(responses.calls) > 5
    assert all("jQ1olc" in str(call.request.body) for call in responses.calls)
    cues = json.loads((tmp_path / "out.cues.json").read_text(encoding="utf-8"))
    speech = [e for e in cues["events"] if e["kind"] == "speech"]
    x = decode(tmp_path / "out.mp3")
    # every line is the tone Google "said": about 0.6 s long, placed at its start
    for event in speech:
        assert 450 <= event["end_ms"] - event["start_ms"] <= 700
        a = event["start_ms"] * 44_100 // 1000
        assert np.abs(x[a + 2000: a + 6000]).max() > 0.2
    # levelled like Piper's voice: the same loudness target whatever the engine
    integrated, true_peak = ebur128(tmp_path / "out.mp3")
    assert abs(integrated - -16.0) <= 1.0 and true_peak <= -1.5, (integrated, true_peak)


@responses.activate
def test_retries_429_and_5xx_then_succeeds(real_mp3: bytes) -> None:
    responses.add(responses.POST, URL_COM, status=429)
    responses.add(responses.POST, URL_COM, status=503)
    responses.add(responses.POST, URL_COM, body=wire(real_mp3), status=200)
    speech = GttsEngine().synthesize("Hello.")
    assert len(responses.calls) == 3
    assert 0.5 < len(speech.samples) / 44_100 < 0.7


@pytest.mark.parametrize(("answer", "fragment"), [
    ({"status": 500}, "HTTP 500"),
    ({"status": 429}, "HTTP 429"),
    ({"status": 200, "body": ")]}'\n\n12\n[[\"e\",4]]\n"}, "empty answer"),
    ({"status": 200, "body": wire(b"this is not an mp3 at all" * 20)}, "not audio"),
    ({"body": requests.exceptions.ConnectTimeout("timed out")}, "no connection"),
    ({"body": requests.exceptions.ReadTimeout("read timed out")}, "timed out"),
])
@responses.activate
def test_faults_give_up_after_bounded_retries(answer: dict, fragment: str, routine_file: Path,  # type: ignore[type-arg]
                                              tmp_path: Path, runner: CliRunner) -> None:
    responses.add(responses.POST, URL_COM, **answer)
    result = _render(runner, routine_file, tmp_path)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], lines
    assert "--engine piper" in lines[0]
    assert TRIES <= len(responses.calls) <= TRIES * 2  # retried, not forever (2 workers)
    assert not (tmp_path / "out.mp3").exists()


@responses.activate
def test_no_connection_keeps_what_was_fetched(real_mp3: bytes, routine_file: Path,
                                              tmp_path: Path, runner: CliRunner) -> None:
    for _ in range(3):
        responses.add(responses.POST, URL_COM, body=wire(real_mp3), status=200)
    responses.add(responses.POST, URL_COM,
                  body=requests.exceptions.ConnectionError("Connection refused"))
    result = _render(runner, routine_file, tmp_path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: cannot reach Google's text-to-speech at translate.google.com "
        "(no connection?); use --engine piper to render offline")
    cached = list(ClipCache(tmp_path / "cache").root.rglob("*.npz"))
    assert len(cached) == 3
    assert not (tmp_path / "out.mp3").exists()
