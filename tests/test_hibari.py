"""The default voice, hibari: its options, identity and pronunciation tables, and a voice that
is not on this computer (the package's download, with the network faked)."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cuecast.cli import app
from cuecast.engines.hibari import (
    HibariEngine,
    file_hash,
    is_present,
    pronounced,
    spoken,
    voice_file,
    voices,
    with_session,
)

from .snippets import TINY


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No network: every address the package tries to fetch, recorded and refused."""
    tried: list[str] = []

    def refuse(url: str, *args: object, **kwargs: object) -> None:
        tried.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return tried


@pytest.mark.parametrize(("text", "given"), [
    ("Two, inhale, knees up to the sky.", "Two. Inhale, knees up to the sky."),
    ("Twenty-one, exhale, knees down.", "Twenty-one. Exhale, knees down."),
    ("Slowly, lift your Head.", "Slowly, lift your Head."),  # not a count: as written
    ("And relax.", "And, relax."),  # CLEARER
    ("Relax and breathe.", "Relax and breathe."),
    ("Stretch 1 of 9: Cat-Cow.", "Stretch 1 of 9: Cat-Cow."),
])
def test_what_the_voice_is_given(text: str, given: str) -> None:
    assert spoken(text) == given


@pytest.mark.parametrize(("phonemes", "said"), [
    ("ɪnhˈAl.", "ˌɪnhˈAl."),
    ("ɪnhˈAl, lˈɛŋθən jʊɹ spˈIn.", "ˌɪnhˈAl, lˈɛŋθən jʊɹ spˈIn."),
    ("ˈAt ɹˈɛps.", "ˈAt, ɹˈɛps."),
    ("ˈAt ɹˈɛps ˈiʧ sˈId.", "ˈAt, ɹˈɛps ˈiʧ sˈId."),
    ("twˈɛnti ˈAt ɹˈɛps.", "twˈɛnti ˈAt, ɹˈɛps."),
    ("wˈAt ɹˈɛps.", "wˈAt ɹˈɛps."),  # "weight reps": the rule is for "eight" alone
    ("ˈAt.", "ˈAt."),
    ("stˈɑɹt ɪn jʊɹ ʧˈIldz pˈOz.", "stˈɑɹt ˈɪn jʊɹ ʧˈIldz pˈOz."),
    ("stˈɑɹt ɪnsˈIdə", "stˈɑɹt ɪnsˈIdə"),  # "start inside": another word
])
def test_said_as(phonemes: str, said: str) -> None:
    assert pronounced(phonemes) == said


def test_the_same_text_and_seed_give_the_same_audio() -> None:
    first, again, other = HibariEngine(jobs=1), HibariEngine(jobs=1), HibariEngine(seed=7)
    line = "Breathe in, and let your shoulders drop."
    said = first.synthesize(line).samples
    assert said.dtype == np.int16 and said.size > 44_100  # over a second at the session rate
    assert np.array_equal(said, again.synthesize(line).samples)
    assert not np.array_equal(said, other.synthesize(line).samples)


def test_the_identity_names_everything_that_changes_the_sound() -> None:
    base = HibariEngine().identity()
    assert base["engine"] == "hibari" and base["voice"] == "heart"
    assert base["model"] == file_hash(voice_file("heart")) and len(base["model"]) == 64
    assert base["package"] == "0.2.1"  # the version measured: pinned in pyproject.toml
    for changed in ({"speed": 1.15}, {"seed": 1}):
        assert HibariEngine(**changed).identity() != base  # type: ignore[arg-type]
    assert HibariEngine(jobs=1, threads=2).identity() == base  # threads do not


def test_a_voice_not_here_offline_is_one_line_and_nothing_is_written(
        runner: CliRunner, tmp_path: Path, offline: list[str]) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(routine), "--voice", "fenrir",
                                 "-o", str(out / "tiny.mp3"), "--cache-dir",
                                 str(tmp_path / "clips")])
    assert result.exit_code == 2
    where = voice_file("fenrir")
    assert result.stderr.splitlines() == [
        f"error: hibari voice 'fenrir' is not on this computer and could not be downloaded "
        f"(no connection): put {where.name} from https://huggingface.co/maureesewilliams/"
        f"hibari/resolve/main/voices/ into {where.parent}, or use --voice heart (always "
        "offline)"]
    assert offline == [f"https://huggingface.co/maureesewilliams/hibari/resolve/main/voices/"
                       f"{where.name}"]  # the package's own first-use download was tried
    assert not out.exists() and not (tmp_path / "clips").exists()
    assert not where.exists()  # no half-downloaded voice left behind


def test_heart_needs_no_network(offline: list[str]) -> None:
    assert is_present("heart")
    assert HibariEngine(jobs=1).synthesize("Begin.").samples.size > 0
    assert offline == []


def test_a_voice_put_in_place_by_hand_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             offline: list[str]) -> None:
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path))
    assert not is_present("kore")
    by_hand = voice_file("kore")
    assert by_hand.parent == tmp_path
    shutil.copy(voice_file("heart"), by_hand)  # any model file of the same shape will do
    assert is_present("kore")
    engine = HibariEngine(voice="kore", jobs=1)
    assert engine.identity()["model"] == file_hash(by_hand)
    assert engine.synthesize("Release.").samples.size > 0
    assert offline == []


def test_every_voice_is_offered() -> None:
    assert set(voices()) == {"heart", "fenrir", "emma", "fable", "kore"}


def test_the_synthesizer_on_our_session_is_the_packages_own() -> None:
    """The engine builds the package's ``Hibari`` around its own onnxruntime session; every
    other attribute is what the constructor sets, and the audio is the same."""
    import onnxruntime as ort
    from hibari import Hibari

    own = Hibari()
    model = Path(own.model_path)
    ours = with_session(Hibari, "heart", model, ort.InferenceSession(str(model)))
    assert {k: v for k, v in vars(ours).items() if k != "sess"} == \
        {k: v for k, v in vars(own).items() if k != "sess"}
    assert np.array_equal(ours("Halfway.", seed=0), own("Halfway.", seed=0))
