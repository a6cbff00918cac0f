"""Phone-ready output, measured: chapters and tags read back with mutagen, loudness and true
peak by ffmpeg's ebur128, captions against the timeline, the ducked bed by subtraction."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3
from typer.testing import CliRunner

from cuecast.audio import captions, loudness
from cuecast.audio.pcm import RATE
from cuecast.cli import app
from cuecast.make.render import Rendered, render
from cuecast.script.options import Customisation, RenderOptions

from .audio_measure import decode, ebur128, envelope_db, peak_db, rms_db, span

OPTIONS = {"rest": 2, "step_pause": 1}


def custom(**given: Any) -> Customisation:
    return Customisation(**{**OPTIONS, **given})


@pytest.fixture(scope="module")
def plain(routine_file: Path, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> Rendered:
    out = tmp_path_factory.mktemp("plain") / "session.mp3"
    return render(path=routine_file, output=out, cache_dir=cache_dir, options=custom())


@pytest.fixture(scope="module")
def bedded(plain: Rendered, routine_file: Path, cache_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    out = tmp_path_factory.mktemp("bed") / "session.mp3"
    return render(path=routine_file, output=out, cache_dir=cache_dir,
                  written=RenderOptions(bed="noise"), options=custom())


def cues(rendered: Rendered) -> dict:  # type: ignore[type-arg]
    return json.loads(rendered.cues.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_chapters_are_id3_chap_frames_under_an_ordered_toc(plain: Rendered) -> None:
    tags = ID3(plain.mp3)
    chapters = cues(plain)["chapters"]
    assert len(chapters) == 6  # intro, four exercises, outro
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    (toc,) = tags.getall("CTOC")
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert len(toc.child_element_ids) == len(chapters) == len(chaps)
    for element_id, chapter in zip(toc.child_element_ids, chapters):
        chap = chaps[element_id]
        assert (chap.start_time, chap.end_time) == (chapter["start_ms"], chapter["end_ms"])
        assert chap.sub_frames["TIT2"].text == [chapter["title"]]
    assert [c["title"] for c in chapters[1:-1]] == ["Reach Up", "Side Bend", "Neck Hold",
                                                     "Knee Lifts"]


def test_an_independent_reader_lists_the_chapters_in_time_order(plain: Rendered) -> None:
    """ffmpeg reads the CHAP frames in file order (as ffprobe lists them): mutagen writes
    the smallest first ("Finish" before "Introduction") unless they are put in order."""
    import subprocess

    from cuecast.audio.ffmpeg import ffmpeg_path

    listed = subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(plain.mp3), "-f",
                             "ffmetadata", "-"], capture_output=True, text=True, check=True)
    sections = listed.stdout.split("[CHAPTER]")[1:]
    starts = [int(re.search(r"START=(\d+)", c).group(1)) for c in sections]  # type: ignore[union-attr]
    titles = [re.search(r"title=(.*)", c).group(1) for c in sections]  # type: ignore[union-attr]
    chapters = cues(plain)["chapters"]
    assert titles == [c["title"] for c in chapters]
    assert starts == sorted(starts)
    # and in the file itself, frame by frame
    head = plain.mp3.read_bytes()[:200_000]
    ids = [head[m.end() + 6:m.end() + 12].split(b"\0")[0] for m in re.finditer(b"CHAP", head)]
    assert ids == [f"chp{i}".encode() for i in range(len(chapters))]


def test_tags(plain: Rendered) -> None:
    tags = ID3(plain.mp3)
    assert tags["TIT2"].text == ["Test Session"]
    assert tags["TPE1"].text and tags["TALB"].text and tags["TCON"].text
    assert tags["TLEN"].text == [str(plain.timeline.duration_ms)]
    comment = tags.getall("COMM")[0].text[0]
    assert "Reach Up: 12 seconds" in comment and "Side Bend: 6 seconds each side" in comment
    assert "Knee Lifts: 3 reps" in comment
    assert tags.version[:2] == (2, 3)
    # the audio itself is intact after tagging: mutagen reads its length
    assert abs(MP3(plain.mp3).info.length * 1000 - plain.timeline.duration_ms) < 100


def test_loudness_and_true_peak_measured_by_ebur128(plain: Rendered) -> None:
    integrated, true_peak = ebur128(plain.mp3)
    assert abs(integrated - -16.0) <= 1.0, integrated
    assert true_peak <= -1.5, true_peak
    # our own meter (used to set the trim) agrees with ffmpeg's
    assert abs(cues(plain)["loudness"]["integrated_lufs"] - integrated) <= 0.3


def test_our_meter_matches_ebur128_on_a_signal(tmp_path: Path) -> None:
    """K-weighting and gating: a tone with a silent gap, measured both ways."""
    t = np.arange(RATE * 6) / RATE
    x = 0.3 * np.sin(2 * np.pi * 3000 * t) * (np.abs(t - 3) > 1)  # 3 kHz: the shelf matters
    x[: RATE // 2] *= 0.1
    pcm = np.round(x * 32767).astype("<i2")
    wav = tmp_path / "tone.wav"
    from cuecast.audio.ffmpeg import _run

    _run(["-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0", "-y", str(wav)],
         pcm.tobytes())
    ours = loudness.integrated([(0, loudness.profile(pcm))], len(pcm) * 1000 // RATE)
    theirs, _ = ebur128(wav)
    assert abs(ours - theirs) <= 0.15, (ours, theirs)


@pytest.mark.parametrize("n", [1, 1000, 30_000, 200_000, 1_000_000])
def test_k_weighting_block_by_block_equals_one_long_fft(n: int) -> None:
    """The block-wise filter (fixed memory) gives what filtering the clip whole gives."""
    x = np.random.default_rng(n).normal(0, 0.1, n)
    size = 1 << (n + 4 * loudness._TAIL - 1).bit_length()
    whole = np.fft.irfft(np.fft.rfft(x, size) * loudness.k_weighting(size), size)
    got = loudness.k_weighted(x)
    assert len(got) == n + loudness._TAIL
    assert np.max(np.abs(got - whole[: len(got)])) <= 1e-9 * np.max(np.abs(whole))

def test_lead_in_and_fade_out(plain: Rendered) -> None:
    x = decode(plain.mp3)
    env = envelope_db(x)
    assert peak_db(env, 0, 950) < -60  # silence before the first word
    first = plain.timeline.events[0]
    assert first.start_ms == 1000
    end = plain.timeline.duration_ms
    # the bell's tail fades: each half second of the last two quieter than the one before
    levels = [rms_db(span(x, a, a + 500)) for a in range(end - 2000, end, 500)]
    assert levels == sorted(levels, reverse=True) and levels[-1] < -60, levels


def test_lrc_lines_equal_the_speech_events(plain: Rendered) -> None:
    lrc = plain.mp3.with_suffix(".lrc").read_text(encoding="utf-8")
    lines = [m.groups() for m in re.finditer(r"^\[(\d+):(\d\d)\.(\d\d)\](.*)$", lrc, re.M)]
    speech = plain.timeline.speech()
    assert len(lines) == len(speech)
    for (mm, ss, cs, text), event in zip(lines, speech):
        assert int(mm) * 60_000 + int(ss) * 1000 + int(cs) * 10 == event.start_ms // 10 * 10
        assert text == event.text
    tags = ID3(plain.mp3)
    assert tags.getall("USLT")[0].text == lrc
    (sylt,) = tags.getall("SYLT")
    assert sylt.format == 2  # absolute milliseconds
    assert sylt.text == [(e.text, e.start_ms) for e in speech]


def test_srt_and_vtt(plain: Rendered) -> None:
    speech = plain.timeline.speech()
    srt = plain.mp3.with_suffix(".srt").read_text(encoding="utf-8")
    vtt = plain.mp3.with_suffix(".vtt").read_text(encoding="utf-8")
    stamps = re.findall(r"^(\d\d):(\d\d):(\d\d),(\d{3}) --> ", srt, re.M)
    starts = [int(h) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(ms)
              for h, m, s, ms in stamps]
    assert starts == [e.start_ms for e in speech]
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == len(speech)
    assert all(e.text in srt and e.text in vtt for e in speech)


@pytest.mark.parametrize(("ms", "text"), [(0, "00:00.00"), (83_456, "01:23.45"),
                                          (3_723_009, "62:03.00")])
def test_lrc_time(ms: int, text: str) -> None:
    assert captions.lrc_time(ms) == text


def test_bed_is_ducked_under_speech_and_present_throughout(plain: Rendered,
                                                           bedded: Rendered) -> None:
    assert plain.timeline == bedded.timeline
    voice, mix = decode(plain.mp3), decode(bedded.mp3)
    n = min(len(voice), len(mix))
    bed = mix[:n] - voice[:n]  # the bed, plus a little MP3 coding noise (which only hurts us)
    for event in plain.timeline.speech():
        a, b = event.start_ms, event.end_ms
        assert rms_db(span(voice, a, b)) - rms_db(span(bed, a, b)) >= 10, event
    end = plain.timeline.duration_ms
    for a in range(1000, end - 2000, 1000):
        assert rms_db(span(bed, a, a + 1000)) > -60, a  # never gone
    # between passages the bed comes back up: louder in the rest than under the speech
    rest = max((b.start_ms - a.end_ms, a.end_ms, b.start_ms)
               for a, b in zip(plain.timeline.speech(), plain.timeline.speech()[1:]))
    assert rest[0] >= 3000
    under = min(rms_db(span(bed, e.start_ms, e.end_ms)) for e in plain.timeline.speech())
    assert rms_db(span(bed, rest[1] + 1200, rest[2] - 600)) > under + 6


def test_bed_from_a_file(routine_file: Path, cache_dir: Path, tmp_path: Path) -> None:
    from cuecast.audio.ffmpeg import _run

    music = tmp_path / "music.wav"
    _run(["-f", "lavfi", "-i", "sine=frequency=220:duration=5", "-y", str(music)])
    out = render(path=routine_file, output=tmp_path / "m.mp3", cache_dir=cache_dir,
                 written=RenderOptions(bed=str(music)), options=custom(verbosity="brief"))
    x = decode(out.mp3)
    gap = out.timeline.blocks[0]  # inside a hold, between cues, the 220 Hz bed is heard
    quiet = [(a.end_ms, b.start_ms) for a, b in zip(out.timeline.events, out.timeline.events[1:])
             if b.start_ms - a.end_ms > 2500 and a.start_ms >= gap.start_ms]
    assert quiet
    a, b = quiet[0]
    part = span(x, a + 700, b - 500)
    spectrum = np.abs(np.fft.rfft(part))
    assert abs(np.argmax(spectrum) * RATE / len(part) - 220) < 3


@pytest.mark.parametrize(("args", "fragment"), [
    (["--bed", "/nonexistent/music.mp3"], "--bed"),
    (["--chimes", "loud"], "--chimes"),
])
def test_bad_output_options(routine_file: Path, cache_dir: Path, runner: CliRunner,
                            tmp_path: Path, args: list[str], fragment: str) -> None:
    out = tmp_path / "x.mp3"
    result = runner.invoke(app, ["render", str(routine_file), "--cache-dir", str(cache_dir),
                                 "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_bed_file_that_is_not_audio(routine_file: Path, cache_dir: Path, runner: CliRunner,
                                    tmp_path: Path) -> None:
    junk = tmp_path / "notes.mp3"
    junk.write_text("not audio at all")
    result = runner.invoke(app, ["render", str(routine_file), "--cache-dir", str(cache_dir),
                                 "-o", str(tmp_path / "x.mp3"), "--bed", str(junk)])
    assert result.exit_code == 2 and "cannot be decoded" in result.stderr


def test_chimes_off_and_styles(plain: Rendered, routine_file: Path, cache_dir: Path,
                               tmp_path: Path) -> None:
    off = render(path=routine_file, output=tmp_path / "off.mp3", cache_dir=cache_dir,
                 options=custom(chimes="off"))
    assert not [e for e in off.timeline.events if e.kind == "chime"]
    assert [e.text for e in off.timeline.speech()] == [e.text for e in plain.timeline.speech()]
    assert off.timeline.duration_ms < plain.timeline.duration_ms
    bright = render(path=routine_file, output=tmp_path / "bright.mp3", cache_dir=cache_dir,
                    options=custom(chimes="bright"))
    assert bright.timeline == plain.timeline  # the style changes the sound, not the timing
    chime = next(e for e in plain.timeline.events if e.kind == "chime" and e.text == "start")
    a, b = decode(plain.mp3), decode(bright.mp3)

    def band_db(x: np.ndarray, hz: float) -> float:  # level near one partial of the chime
        part = span(x, chime.start_ms, chime.start_ms + 200)
        spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
        freqs = np.fft.rfftfreq(len(part), 1 / RATE)
        return 20 * float(np.log10(spectrum[np.abs(freqs - hz) < 25].max()))

    # soft strikes 880 Hz, bright 1568 Hz: each is far stronger in its own style
    assert band_db(a, 880) > band_db(b, 880) + 10
    assert band_db(b, 1568) > band_db(a, 1568) + 10


def _png(path: Path) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b""))
    path.write_bytes(data)
    return data


def test_cover_image_is_embedded(routine_file: Path, cache_dir: Path, tmp_path: Path) -> None:
    png = _png(tmp_path / "cover.png")
    routine = tmp_path / "covered.yaml"
    routine.write_text(routine_file.read_text(encoding="utf-8") + "cover: cover.png\n",
                       encoding="utf-8")
    out = render(path=routine, output=tmp_path / "c.mp3", cache_dir=cache_dir,
                 options=custom(verbosity="brief"))
    (apic,) = ID3(out.mp3).getall("APIC")
    assert apic.mime == "image/png" and apic.data == png and apic.type == 3


@pytest.mark.parametrize(("cover", "fragment"), [
    ("../secret.png", "inside the routine's folder"),
    ("/etc/passwd.png", "inside the routine's folder"),
    ("cover.gif", ".jpg, .jpeg or .png"),
    ("missing.png", "does not exist"),
    ("fake.png", "not a JPEG or PNG"),
])
def test_bad_cover(routine_file: Path, tmp_path: Path, runner: CliRunner, cover: str,
                   fragment: str) -> None:
    (tmp_path / "fake.png").write_text("hello")
    routine = tmp_path / "r.yaml"
    routine.write_text(routine_file.read_text(encoding="utf-8") + f"cover: {cover}\n",
                       encoding="utf-8")
    line = routine.read_text(encoding="utf-8").count("\n")
    result = runner.invoke(app, ["check", str(routine)])
    assert result.exit_code == 2
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert f"{routine}:{line}: cover: " in result.stderr and fragment in result.stderr
