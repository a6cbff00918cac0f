"""A Piper (VITS) voice run in two halves, so memory does not grow with the sentence.

Piper's model turns phoneme ids into audio in one call. Nearly all of its working memory is in
the last stage, the HiFi-GAN decoder, which holds about 32 MB of activations per second of
speech (measured): a ten-second sentence needed over 300 MB, and two workers twice that. The
decoder is convolutional with a short reach (measured: 8 frames of overlap leave errors of
2e-3, 10 frames 2e-7), so it runs over the latent frames in windows that overlap by
:data:`OVERLAP_FRAMES` and gives the same samples. The stages before it (text encoder,
durations, flow) are small and run whole.

The model is cut once per voice with the ``onnx`` library, at the input of the decoder's first
convolution, and the halves are kept in the user's cache. The decoder's 1-D convolutions are
also rewritten as 2-D ones of height 1: onnxruntime runs those with its blocked (NCHWc)
kernels, 16 % faster here (measured), with the same output to float rounding.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any, Final

import numpy as np

from cuecast.files import atomic, sweep

CHUNK_FRAMES: Final = 100
"""Latent frames decoded per call (256 samples each: about 1.2 s of speech at 22 kHz). Cold
render peak, measured: 100 frames 350 MB; 150 frames 405 MB, for about 4 % less CPU."""
OVERLAP_FRAMES: Final = 10
"""Frames of context decoded on each side of a window and then dropped: the decoder's reach,
so windows join without a seam."""
DECODER_WEIGHT: Final = "dec.conv_pre.weight"
"""The weight of the decoder's first convolution in Piper's exports: its input is the cut."""
DECODER_NODE: Final = "/dec/conv_pre/Conv"
"""That convolution's node name, for an export that renamed its weights."""
ELEMENTWISE: Final = frozenset({"Add", "Sub", "Mul", "Div", "LeakyRelu", "Relu", "Tanh"})
"""Operators that work unchanged on 4-D tensors: a decoder made only of these and
convolutions is rewritten in 2-D."""
SPLIT_VERSION: Final = 4
"""Part of the cached halves' folder name: bump to cut every voice again."""
SEAM_TOLERANCE: Final = 1e-3
"""Largest difference, relative to the peak, allowed between the windowed and the whole
decoder on a test latent. The default voice measures 2e-7 with 10 frames of overlap and 2e-3
with 8; a voice whose decoder reaches further than the overlap is run whole."""
WHOLE: Final = "run-whole"
"""A file in a voice's folder recording that its cut was tried and refused: run it whole."""


def default_cache_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("cuecast")) / "voices"


def halves_dir(voice: Path, cache_root: Path) -> Path:
    """Where ``voice``'s halves are kept: named by the voice file's name, a hash of its path (two
    voices of one name in different folders keep apart), its size and mtime, and the
    onnxruntime version (the encoder is saved with its optimizations applied)."""
    import onnxruntime

    stat = voice.stat()
    return cache_root / (f"{voice.stem}-{_path_hash(voice)}-{stat.st_size}-{int(stat.st_mtime)}"
                         f"-v{SPLIT_VERSION}-ort{onnxruntime.__version__}")


def _path_hash(voice: Path) -> str:
    return hashlib.sha256(str(voice.resolve()).encode()).hexdigest()[:10]


def _stale(voice: Path) -> re.Pattern[str]:
    """Folder names of this voice's earlier cuts: by its path hash, and those of versions
    before 4, which were named by the file's stem alone."""
    stem = re.escape(voice.stem)
    return re.compile(rf"{stem}-{_path_hash(voice)}-\d+-\d+-v\d+(-.*)?"
                      rf"|{stem}-\d+-\d+-v[0-3](-.*)?")


def split_apart(voice: Path, into: Path) -> bool:
    """:func:`split` in a process of its own. Cutting reads the whole model with the ``onnx``
    library, and the allocator keeps what that took: a first render peaked at 463 MB against
    355 MB once the voice was cut (measured), so the cut's memory goes away with its process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(split, voice, into, OVERLAP_FRAMES).result()


def split(voice: Path, into: Path, overlap: int = OVERLAP_FRAMES) -> bool:
    """Write ``encoder.onnx`` and ``decoder.onnx`` cut from ``voice`` into ``into``.

    Returns False, writing nothing, when the model has no decoder input to cut at (a voice
    exported by another tool): it is then run whole.
    """
    import onnx
    from onnx.utils import Extractor

    model = onnx.load(str(voice))
    first = next((node for node in model.graph.node
                  if node.op_type == "Conv" and (node.input[1:2] == [DECODER_WEIGHT]
                                                 or node.name == DECODER_NODE)), None)
    weight = next((i for i in model.graph.initializer
                   if first is not None and i.name == first.input[1]), None)
    if first is None or weight is None:
        return False
    cut, channels = first.input[0], weight.dims[1]
    inputs = [i.name for i in model.graph.input]
    extractor = Extractor(model)
    encoder = extractor.extract_model(inputs, [cut])
    # a multi-speaker decoder is conditioned on the speaker too
    decoder = extractor.extract_model([cut, *(i for i in inputs if i == "sid")],
                                      [o.name for o in model.graph.output[:1]])
    del model, extractor
    flat = _as_2d(decoder)
    if flat is not None and _same(decoder, flat, channels):
        decoder = flat
    into.mkdir(parents=True, exist_ok=True)
    sweep(into)  # halves left half-written by a killed render
    ours = _stale(voice)
    for stale in into.parent.iterdir():
        if stale != into and ours.fullmatch(stale.name):
            # this voice cut by an older cuecast or onnxruntime: 63 MB each
            shutil.rmtree(stale, ignore_errors=True)
    if not windows_join(decoder, channels, overlap):
        with atomic(into / WHOLE) as tmp:
            tmp.write_text("the decoder's windows did not join: run whole\n")
        return False
    # the decoder first: a present encoder means both halves are complete
    with atomic(into / "decoder.onnx") as tmp:
        onnx.save(decoder, str(tmp))
    with atomic(into / "encoder.onnx") as tmp:
        _optimized(encoder.SerializeToString(), tmp)
    return True


def _optimized(model: bytes, out: Path) -> None:
    """Save ``model`` with onnxruntime's portable graph optimizations already applied: the
    encoder's 2,700 nodes then load in 0.11 s instead of 0.35 s (measured), every render."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(out)
    options.log_severity_level = 3
    onnxruntime.InferenceSession(model, sess_options=options,
                                 providers=["CPUExecutionProvider"])


def _as_2d(decoder: Any) -> Any | None:
    """``decoder`` with every tensor [N, C, T] carried as [N, C, 1, T], or None if it holds an
    operator this rewrite does not know."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.ModelProto()
    model.CopyFrom(decoder)
    graph = model.graph
    weights = {i.name: i for i in graph.initializer}
    convs = [n for n in graph.node if n.op_type in ("Conv", "ConvTranspose")]
    others = {n.op_type for n in graph.node} - {"Conv", "ConvTranspose"} - ELEMENTWISE
    if others - {"Unsqueeze"} or any(
            n.input[1] not in weights or len(weights[n.input[1]].dims) != 3 for n in convs):
        return None
    for node in convs:
        weight = weights[node.input[1]]
        weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight)[:, :, None, :],
                                                weight.name))
        for attr in node.attribute:
            if attr.name in ("kernel_shape", "dilations", "strides", "output_padding"):
                attr.ints[:] = [1 if attr.name != "output_padding" else 0, *attr.ints]
            elif attr.name == "pads":
                attr.ints[:] = [0, attr.ints[0], 0, attr.ints[1]]
    source = graph.input[0].name
    for node in graph.node:
        node.input[:] = [f"{source}.4d" if x == source else x for x in node.input]
    graph.initializer.append(numpy_helper.from_array(np.array([2], np.int64), "height_axis"))
    graph.node.insert(0, helper.make_node("Unsqueeze", [source, "height_axis"],
                                          [f"{source}.4d"]))
    del graph.value_info[:]  # every shape recorded in the file is 3-D
    for out in graph.output:
        out.type.tensor_type.ClearField("shape")
    return model


def _same(a: Any, b: Any, channels: int) -> bool:
    """Whether two decoders give the same samples for a random latent of ``channels``
    channels (to float rounding)."""
    latent = np.random.default_rng(0).standard_normal((1, channels, 60)).astype(np.float32)
    try:
        said = [_session(m.SerializeToString(), 1).run(None, {m.graph.input[0].name: latent})[0]
                for m in (a, b)]
    except Exception:  # onnxruntime's own types: the rewrite is not runnable
        return False
    return said[0].size == said[1].size and bool(
        np.max(np.abs(said[0].reshape(-1) - said[1].reshape(-1))) < 1e-4)


def _session(model: Path | bytes, threads: int) -> Any:
    """A session suited to our use: ``threads`` threads (the workers already fill the cores).
    Its memory arena is safe to keep now that no call is longer than a decoder window."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3  # its warnings are for model authors, not our users
    return onnxruntime.InferenceSession(model if isinstance(model, bytes) else str(model),
                                        sess_options=options,
                                        providers=["CPUExecutionProvider"])


class WholeModel:
    """Phoneme ids -> float audio in one call, as Piper runs a voice."""

    def __init__(self, voice: Path, threads: int) -> None:
        self.session = _session(voice, threads)

    def audio(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """Float samples in [-1, 1] for one sentence's model inputs (Piper's names)."""
        return np.asarray(self.session.run(None, inputs)[0]).reshape(-1)


class SplitModel:
    """Phoneme ids -> float audio through the two halves, the decoder in windows."""

    def __init__(self, encoder: Any, decoder: Any) -> None:
        self.encoder, self.decoder = encoder, decoder

    def audio(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """Float samples in [-1, 1] for one sentence's model inputs (Piper's names)."""
        latent = self.encoder.run(None, inputs)[0]
        return decode_in_windows(self.decoder, latent,
                                 {k: v for k, v in inputs.items() if k == "sid"})


Model = WholeModel | SplitModel


def load_model(*, voice: Path, cache_root: Path, threads: int) -> Model:
    """The voice in halves when it is (or can now be) cut, else whole."""
    where = halves_dir(voice, cache_root)
    if (where / WHOLE).is_file() or (
            not (where / "encoder.onnx").is_file() and not _split_or_not(voice, where)):
        return WholeModel(voice, threads)
    halves = (where / "encoder.onnx", where / "decoder.onnx")
    try:
        return SplitModel(*(_session(half, threads) for half in halves))
    except Exception:  # onnxruntime's own types: a damaged cached half; cut it again
        for half in halves:
            half.unlink(missing_ok=True)
        if not split_apart(voice, where):
            return WholeModel(voice, threads)
        return SplitModel(*(_session(half, threads) for half in halves))


def decode_in_windows(decoder: Any, latent: np.ndarray,
                      extra: dict[str, np.ndarray] | None = None,
                      overlap: int = OVERLAP_FRAMES) -> np.ndarray:
    """The decoder's samples for ``latent`` [1, C, frames], decoded :data:`CHUNK_FRAMES` at a
    time with ``overlap`` frames of context each side (dropped after)."""
    cut = decoder.get_inputs()[0].name
    frames = latent.shape[-1]
    out: list[np.ndarray] = []
    for start in range(0, frames, CHUNK_FRAMES):
        lo = max(0, start - overlap)
        hi = min(frames, start + CHUNK_FRAMES + overlap)
        window = np.ascontiguousarray(latent[..., lo:hi])
        said = decoder.run(None, {cut: window, **(extra or {})})[0].reshape(-1)
        hop = len(said) // (hi - lo)
        keep = min(CHUNK_FRAMES, frames - start)
        out.append(said[(start - lo) * hop:(start - lo + keep) * hop])
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def windows_join(decoder: Any, channels: int, overlap: int = OVERLAP_FRAMES) -> bool:
    """Whether ``decoder`` decoded in windows gives what it gives whole, within
    :data:`SEAM_TOLERANCE`, on a test latent spanning three windows (run once, when cut)."""
    rng = np.random.default_rng(1)
    latent = rng.standard_normal((1, channels, 2 * CHUNK_FRAMES + 37)).astype(np.float32)
    session = _session(decoder.SerializeToString(), 1)
    # a multi-speaker decoder is conditioned on the speaker too: the first will do
    extra = {i.name: np.zeros(1, np.int64) for i in session.get_inputs()[1:] if i.name == "sid"}
    cut = session.get_inputs()[0].name
    whole = np.asarray(session.run(None, {cut: latent, **extra})[0]).reshape(-1)
    windowed = decode_in_windows(session, latent, extra, overlap)
    if len(windowed) != len(whole):
        return False
    peak = max(float(np.max(np.abs(whole))), 1e-6)
    return float(np.max(np.abs(windowed - whole))) <= SEAM_TOLERANCE * peak


def _split_or_not(voice: Path, into: Path) -> bool:
    try:
        return split_apart(voice, into)
    except OSError:  # an unwritable cache: run the voice whole rather than not at all
        return False
