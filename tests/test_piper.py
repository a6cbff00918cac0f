"""The Piper voice in two halves (cuecast.engines.vits): same audio as the whole model, the
decoder in windows, and every way the cut can fail falling back to the whole model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from cuecast.engines import vits
from cuecast.engines.piper import default_voice, model_inputs, phonemizer

# long enough for several decoder windows (about 6 s of speech, 500 frames)
SENTENCE = ("Keep your hip from lifting off the floor or block and continue side bending to "
            "feel a big stretch along the left side of your body.")


def inputs(voice: Path, text: str = SENTENCE) -> dict[str, np.ndarray]:
    """Model inputs with the noise scales at zero, so the model's output is deterministic."""
    said = phonemizer(voice)
    return model_inputs(said, said.phonemize(text)[0], np.array([0.0, 1.0, 0.0], np.float32))


@pytest.fixture(scope="module")
def whole() -> np.ndarray:
    """The unmodified voice's output, run whole as Piper runs it."""
    session = onnxruntime.InferenceSession(str(default_voice()),
                                           providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, inputs(default_voice()))[0]).reshape(-1)


def test_halves_say_what_the_whole_model_says(tmp_path: Path, whole: np.ndarray) -> None:
    model = vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    assert isinstance(model, vits.SplitModel)
    got = model.audio(inputs(default_voice()))
    assert len(whole) > 3 * vits.CHUNK_FRAMES * 256  # several windows were joined
    assert len(got) == len(whole)
    # windows joined without a seam, and the 2-D rewrite changes only float rounding
    assert np.max(np.abs(got - whole)) < 1e-4
    assert float(np.sqrt(np.mean(whole ** 2))) > 0.01  # and it is speech, not silence


def test_the_cut_is_kept_and_the_decoder_runs_in_2d(tmp_path: Path) -> None:
    vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    (folder,) = tmp_path.iterdir()
    assert folder == vits.halves_dir(default_voice(), tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["decoder.onnx", "encoder.onnx"]
    decoder = onnx.load(str(folder / "decoder.onnx"))
    convs = [n for n in decoder.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    assert convs and all(len(a.ints) == 2 for n in convs for a in n.attribute
                         if a.name == "kernel_shape")
    encoder = onnx.load(str(folder / "encoder.onnx"), load_external_data=False)
    assert [i.name for i in encoder.graph.input] == ["input", "input_lengths", "scales"]


def test_cutting_a_voice_removes_its_older_cuts_and_leftovers_only(tmp_path: Path) -> None:
    older = tmp_path / f"{default_voice().stem}-1234-5678-v1"
    other = tmp_path / "en_GB-other-voice-1234-5678-v3"
    for folder in (older, other):
        folder.mkdir()
        (folder / "encoder.onnx").write_bytes(b"old")
    here = vits.halves_dir(default_voice(), tmp_path)
    here.mkdir()
    killed = here / ".encoder-999999999-x.part"  # left by a render that was killed
    killed.write_bytes(b"half")
    vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    assert not older.exists() and other.exists()
    assert sorted(p.name for p in here.iterdir()) == ["decoder.onnx", "encoder.onnx"]


def test_a_damaged_cached_half_is_cut_again(tmp_path: Path, whole: np.ndarray) -> None:
    vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    encoder = vits.halves_dir(default_voice(), tmp_path) / "encoder.onnx"
    size = encoder.stat().st_size
    with encoder.open("r+b") as f:
        f.truncate(size // 3)
    model = vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    assert encoder.stat().st_size == size
    assert np.max(np.abs(model.audio(inputs(default_voice())) - whole)) < 1e-4


def _exported_otherwise(folder: Path, *, node_name: bool) -> Path:
    """The default voice as another exporter might write it: the decoder's first weight
    renamed and, with ``node_name``, its node too."""
    model = onnx.load(str(default_voice()))
    for init in model.graph.initializer:
        if init.name == vits.DECODER_WEIGHT:
            init.name = "renamed.weight"
    for node in model.graph.node:
        node.input[:] = ["renamed.weight" if x == vits.DECODER_WEIGHT else x
                         for x in node.input]
        if node_name and node.name == vits.DECODER_NODE:
            node.name = "Conv_123"
    voice = folder / "other.onnx"
    onnx.save(model, str(voice))
    shutil.copy(default_voice().with_name(default_voice().name + ".json"),
                voice.with_name(voice.name + ".json"))
    return voice


def test_an_export_with_other_weight_names_is_cut_by_node_name(tmp_path: Path,
                                                               whole: np.ndarray) -> None:
    voice = _exported_otherwise(tmp_path, node_name=False)
    cut = vits.load_model(voice=voice, cache_root=tmp_path / "cache", threads=1)
    assert isinstance(cut, vits.SplitModel)
    assert np.max(np.abs(cut.audio(inputs(voice)) - whole)) < 1e-4


def test_a_voice_that_cannot_be_cut_runs_whole(tmp_path: Path, whole: np.ndarray) -> None:
    """A voice whose decoder cannot be found is run whole, as Piper runs it."""
    voice = _exported_otherwise(tmp_path, node_name=True)
    cut = vits.load_model(voice=voice, cache_root=tmp_path / "cache", threads=1)
    assert isinstance(cut, vits.WholeModel)
    assert not (tmp_path / "cache").exists()
    assert np.max(np.abs(cut.audio(inputs(voice)) - whole)) < 1e-6


def test_an_unwritable_cache_runs_the_voice_whole(tmp_path: Path, whole: np.ndarray) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # so the cache cannot be made, even by root
    model = vits.load_model(voice=default_voice(), cache_root=blocked / "voices", threads=1)
    assert isinstance(model, vits.WholeModel)
    assert np.max(np.abs(model.audio(inputs(default_voice())) - whole)) < 1e-6


def test_a_decoder_it_does_not_know_stays_1d() -> None:
    """The 2-D rewrite knows convolutions and element-wise operators only."""
    node = onnx.helper.make_node("Softmax", ["x"], ["y"])
    graph = onnx.helper.make_graph([node], "g", [onnx.helper.make_tensor_value_info(
        "x", onnx.TensorProto.FLOAT, [1, 4, 8])], [onnx.helper.make_tensor_value_info(
            "y", onnx.TensorProto.FLOAT, [1, 4, 8])])
    assert vits._as_2d(onnx.helper.make_model(graph)) is None


def test_voices_sharing_a_file_name_keep_their_own_halves(tmp_path: Path) -> None:
    # was: old cuts were found by the file's stem, so cutting one deleted the other's halves
    voices = []
    for folder in ("mine", "theirs"):
        (tmp_path / folder).mkdir()
        voice = tmp_path / folder / default_voice().name
        try:  # two files, not links to one (a symlink is the same voice, and shares its cut)
            os.link(default_voice(), voice)
        except OSError:
            shutil.copy(default_voice(), voice)
        voices.append(voice)
    cache = tmp_path / "cache"
    for voice in voices:
        assert isinstance(vits.load_model(voice=voice, cache_root=cache, threads=1),
                          vits.SplitModel)
    folders = [vits.halves_dir(voice, cache) for voice in voices]
    assert folders[0] != folders[1]
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == ["decoder.onnx", "encoder.onnx"]


def test_a_decoder_whose_windows_do_not_join_runs_whole(tmp_path: Path, whole: np.ndarray,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A voice whose decoder reaches further than the overlap: seams would be heard."""
    monkeypatch.setattr(vits, "OVERLAP_FRAMES", 0)
    model = vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    assert isinstance(model, vits.WholeModel)
    folder = vits.halves_dir(default_voice(), tmp_path)
    assert (folder / vits.WHOLE).is_file() and not (folder / "encoder.onnx").exists()
    assert np.max(np.abs(model.audio(inputs(default_voice())) - whole)) < 1e-6
    again = vits.load_model(voice=default_voice(), cache_root=tmp_path, threads=1)
    assert isinstance(again, vits.WholeModel)  # decided once, not cut again every load


def test_the_cut_runs_in_a_process_of_its_own(tmp_path: Path) -> None:
    """So the memory the onnx library takes to cut a voice is gone before the render goes on
    (a first render peaked at 463 MB, against 355 MB once cut)."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from cuecast.engines import vits;"
            "from cuecast.engines.piper import default_voice;"
            f"m = vits.load_model(voice=default_voice(), cache_root=Path({str(tmp_path)!r}),"
            " threads=1);"
            "print(type(m).__name__, 'onnx' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["SplitModel", "False"]
