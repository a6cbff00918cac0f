"""The naive baseline: what tutorials do. Never imported by the package.

Each cue synthesized in order on one thread with no cache (repeated words too), each clip read
back through a WAV, the session grown with pydub ``+`` (a full copy every time), then
``export()`` (which writes a temporary WAV and runs ffmpeg). It follows the same timeline as
cuecast so both produce the same session.

"On one thread" is the issue's definition, and Piper's ``PiperVoice.load`` does not keep to
it: onnxruntime then runs every call on as many threads as there are cores. ``--ort-threads
0`` runs it that way (what a tutorial's loop gets by default), for reference.

Usage: python -m benchmarks.naive TIMELINE.json OUT.mp3 [--ort-threads N]
"""

from __future__ import annotations

import io
import json
import sys
import wave
from pathlib import Path


def main(cues: Path, out: Path, ort_threads: int = 1) -> None:
    import onnxruntime
    from pydub import AudioSegment
    from pydub.generators import Sine

    from cuecast.audio.ffmpeg import ffmpeg_path
    from cuecast.engines.piper import default_voice, phonemizer

    AudioSegment.converter = ffmpeg_path()
    options = onnxruntime.SessionOptions()  # as PiperVoice.load makes it, threads aside
    options.intra_op_num_threads = ort_threads
    voice = phonemizer(default_voice())
    voice.session = onnxruntime.InferenceSession(str(default_voice()), sess_options=options,
                                                 providers=["CPUExecutionProvider"])
    timeline = json.loads(cues.read_text(encoding="utf-8"))
    session = AudioSegment.silent(duration=0, frame_rate=44_100)
    for event in timeline["events"]:
        if event["start_ms"] > len(session):
            session = session + AudioSegment.silent(event["start_ms"] - len(session),
                                                     frame_rate=44_100)
        if event["kind"] == "chime":
            clip = Sine(880, sample_rate=44_100).to_audio_segment(duration=300, volume=-12)
        else:
            buf = io.BytesIO()
            with wave.open(buf, "wb") as w:
                voice.synthesize_wav(event["text"], w)
            buf.seek(0)
            clip = AudioSegment.from_wav(buf).set_frame_rate(44_100)
        session = session + clip
    session.export(out, format="mp3", bitrate="64k")


if __name__ == "__main__":
    threads = int(sys.argv[sys.argv.index("--ort-threads") + 1]) \
        if "--ort-threads" in sys.argv else 1
    main(Path(sys.argv[1]), Path(sys.argv[2]), threads)
