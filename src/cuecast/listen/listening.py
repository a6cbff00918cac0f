"""The listening check: is every cue understood? A rendered session transcribed offline
(:mod:`cuecast.listen.asr`) and compared with its script, line by line; or every distinct phrase
transcribed on its own, the strictest test (no context to lean on).

Text is compared normalised: case, punctuation and hyphens dropped, numbers as words.
"""

from __future__ import annotations

import re
import statistics
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np

from cuecast.audio import ffmpeg
from cuecast.audio.pcm import RATE, sample_at
from cuecast.engines.registry import EngineOptions
from cuecast.errors import OptionError
from cuecast.files import slugify
from cuecast.listen.asr import RATE as ASR_RATE
from cuecast.listen.asr import Recognizer, overlapping, to_whisper
from cuecast.make.render import render
from cuecast.script.compiler import OWN_WORDS
from cuecast.script.options import Customisation, ListenMode, ListenOptions
from cuecast.script.phrases import CuePhrases, count, fixed, is_short, likely, number_word
from cuecast.script.timeline import Timeline
from cuecast.speech.clips import Clips, Progress

ONSET_DB: Final = -45.0
"""A line starts where its level first passes this (dBFS, 5 ms frames)."""
PAD_MS: Final = 500
"""Silence around a phrase transcribed on its own."""
TOP_SLIPS: Final = 8
"""The most frequent word errors the report names."""


def normalise(text: str) -> list[str]:
    """Words to compare: lower case, no punctuation or hyphens, numbers as words."""
    text = text.lower().replace("’", "'").replace("-", " ").replace("–", " ")
    text = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1", text)
    words = re.sub(r"[^\w\s']", " ", text).replace("'", "").split()
    out: list[str] = []
    for w in words:
        out += number_word(int(w)).replace("-", " ").split() if w.isdigit() and len(w) < 4 \
            else [w]
    return out


def _table(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """The word edit-distance table: ``[i, j]`` is the distance from ``a[:i]`` to ``b[:j]``.

    A row at a time with numpy: the in-row step (an insertion after the cell to the left) is a
    running minimum, so a whole session (1,500 by 1,500 words) takes a fraction of a second.
    """
    table = np.empty((len(a) + 1, len(b) + 1), dtype=np.int32)
    table[0] = np.arange(len(b) + 1)
    cols = np.arange(len(b) + 1)
    words = np.array(b, dtype=object)
    for i, x in enumerate(a, 1):
        prev = table[i - 1]
        best = np.empty(len(b) + 1, dtype=np.int32)
        best[0] = i
        best[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (words != x))
        table[i] = np.minimum.accumulate(best - cols) + cols  # then insertions along the row
    return table


def distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Word edit distance (substitutions, insertions, deletions)."""
    return int(_table(a, b)[-1, -1])


def align(a: Sequence[str], b: Sequence[str]) -> list[int | None]:
    """For each word of ``b``, the index of the word of ``a`` it stands for in a best
    alignment (said or substituted), or None for a word inserted."""
    table = _table(a, b)
    out: list[int | None] = [None] * len(b)
    i, j = len(a), len(b)
    while j > 0:
        if i > 0 and table[i, j] == table[i - 1, j - 1] + (a[i - 1] != b[j - 1]):
            i, j = i - 1, j - 1
            out[j] = i
        elif i > 0 and table[i, j] == table[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return out


def slips(said: Sequence[str], heard: Sequence[str],
          aligned: list[int | None] | None = None) -> Counter[tuple[str, str]]:
    """The word errors of ``heard`` against ``said``, each as (said, heard): ``("", w)`` for a
    word heard that was not said, ``(w, "")`` for one said and not heard. As many as
    :func:`distance` counts, from the same alignment (``aligned``, if already made)."""
    if aligned is None:
        aligned = align(said, heard)
    out: Counter[tuple[str, str]] = Counter(
        (said[k] if k is not None else "", w) for k, w in zip(aligned, heard)
        if k is None or said[k] != w)
    kept = {k for k in aligned if k is not None}
    out.update((w, "") for i, w in enumerate(said) if i not in kept)
    return out


def fixed_part(text: str, cue: str) -> str:
    """The compiler's own words in a line: ``Stretch 3 of 9`` of an announcement, ``Rest.
    Next up`` of a rest (the exercise's name is the routine's)."""
    if cue in ("announce", "next") and ":" in text:
        return text.split(":", 1)[0]
    if cue == "count" and "," in text:  # "Two, inhale, knees up.": the count
        return text.split(",", 1)[0]
    return text


@dataclass(frozen=True)
class Line:
    """One spoken line of the script and what was heard there."""

    start_ms: int
    cue: str
    said: str
    heard: str
    onset_ms: int | None = None
    """Where the line starts on the audio (None where no sound passes the threshold)."""
    fixed_only: bool = False
    """Judged on the compiler's own words only (the fixed-cue check)."""
    detected: bool = True
    """The voice detector found speech in the line (a line it passes over is never heard)."""

    @property
    def understood(self) -> bool:
        if self.fixed_only:
            return self.fixed_understood
        return normalise(self.heard) == normalise(self.said)

    @property
    def fixed_understood(self) -> bool:
        """The compiler's own words of the line were heard as said."""
        want = normalise(fixed_part(self.said, self.cue))
        return normalise(self.heard)[:len(want)] == want


@dataclass
class Report:
    """What a listening check found."""

    words: int = 0
    """Words in the script."""
    slips: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Word errors against the script, (said, heard) with "" for a word left out or added."""
    lines: list[Line] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Word errors (substitutions, insertions, deletions)."""
        return sum(self.slips.values())

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """Cue kind -> (understood, lines)."""
        total: Counter[str] = Counter(ln.cue for ln in self.lines)
        good: Counter[str] = Counter(ln.cue for ln in self.lines if ln.understood)
        return {k: (good[k], n) for k, n in sorted(total.items())}

    def misheard(self) -> list[Line]:
        return [ln for ln in self.lines if not ln.understood]

    def undetected(self) -> list[Line]:
        return [ln for ln in self.lines if not ln.detected]

    def onset_errors(self) -> list[int]:
        return [ln.onset_ms - ln.start_ms for ln in self.lines if ln.onset_ms is not None]

    def text(self, title: str) -> str:
        """The report as printed."""
        out = [f"Listening check: {title}",
               f"Word error rate {self.wer:.1%} ({self.errors} errors in {self.words} words)"]
        common = self.slips.most_common(TOP_SLIPS)
        if common:
            out.append("Most frequent: " + ", ".join(
                f"{_slip(said, heard)} x{n}" for (said, heard), n in common))
        out += ["", f"{'cue':12} {'understood':>10}"]
        out += [f"{kind:12} {good:>4} of {n:<4}" for kind, (good, n) in self.by_kind().items()]
        onsets = self.onset_errors()
        if onsets:
            out += ["", f"Onsets on the audio against cues.json: median "
                        f"{statistics.median(onsets):+.0f} ms, from {min(onsets):+d} to "
                        f"{max(onsets):+d} ms over {len(onsets)} lines"]
        missed = self.undetected()
        if missed:
            words = sum(len(normalise(ln.said)) for ln in missed)
            out += ["", f"The voice detector found no speech in {len(missed)} line(s) "
                        f"({words} word(s), counted as left out): "
                        + ", ".join(f"{ln.said!r} at {ln.start_ms / 1000:.1f} s"
                                    for ln in missed)]
        wrong = self.misheard()
        out += ["", f"Misheard: {len(wrong)} line(s)" + (":" if wrong else "")]
        out += [f"  {ln.start_ms / 1000:8.1f} s  {ln.cue:10} said {ln.said!r}, heard "
                f"{ln.heard!r}" for ln in wrong]
        return "\n".join(out)


def _slip(said: str, heard: str) -> str:
    if said and heard:
        return f"{said!r} heard {heard!r}"
    return f"{said!r} left out" if said else f"{heard!r} added"


def check_session(mp3: Path, timeline: Timeline, recognizer: Recognizer) -> Report:
    """Transcribe a rendered session whole and compare it with its script."""
    audio = np.frombuffer(ffmpeg.decode_file(mp3), dtype="<i2")
    whisper = to_whisper(audio, RATE)
    words_heard, spans = recognizer.hear(whisper)
    heard = [w for x in words_heard for w in normalise(x.text)]
    speech = timeline.speech()
    said = [(n, w) for n, e in enumerate(speech) for w in normalise(e.text)]
    words = [w for _, w in said]
    aligned = align(words, heard)
    report = Report(words=len(said), slips=slips(words, heard, aligned))
    for event, got in zip(speech, by_line(aligned, [n for n, _ in said], heard, len(speech))):
        a, b = event.start_ms, event.end_ms
        report.lines.append(Line(a, event.cue, event.text, " ".join(got),
                                 _onset(audio, a, b),
                                 detected=bool(overlapping(spans, a, b))))
    return report


def by_line(aligned: list[int | None], line_of: list[int], heard: list[str],
            lines: int) -> list[list[str]]:
    """Each heard word to the line of the word it was aligned with; a word heard in excess
    goes with the line heard before it (Whisper's word times drift by a word or two, too far
    to place a one-word count by time)."""
    out: list[list[str]] = [[] for _ in range(lines)]
    line = next((line_of[k] for k in aligned if k is not None), 0)
    for word, k in zip(heard, aligned):
        if k is not None:
            line = line_of[k]
        out[line].append(word)
    return out


def _onset(audio: np.ndarray, start_ms: int, end_ms: int) -> int | None:
    """Where sound first passes :data:`ONSET_DB` near a line's start (5 ms frames)."""
    frame = RATE // 200
    lo, hi = sample_at(max(0, start_ms - 100)), sample_at(min(end_ms, start_ms + 400))
    x = audio[lo:hi].astype(np.float64) / 32768.0
    n = len(x) // frame
    if n == 0:
        return None
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1))
    loud = np.flatnonzero(20 * np.log10(np.maximum(rms, 1e-9)) > ONSET_DB)
    return None if loud.size == 0 else round((lo + int(loud[0]) * frame) * 1000 / RATE)


def check_phrases(phrases: Iterable[tuple[str, str]], samples: Callable[[str], np.ndarray],
                  recognizer: Recognizer, *, fixed_only: bool = False,
                  distinct: bool = True) -> Report:
    """Every distinct (cue, phrase) transcribed on its own, padded with silence (each one
    given, with ``distinct=False``: a voice that varies says it anew each time); with
    ``fixed_only``, each judged on the compiler's own words."""
    report = Report()
    for cue, text in dict.fromkeys(phrases) if distinct else phrases:
        _hear_alone(report, recognizer, samples(text), cue, text, 0, fixed_only=fixed_only)
    return report


def _hear_alone(report: Report, recognizer: Recognizer, samples: np.ndarray, cue: str,
                text: str, start_ms: int, *, fixed_only: bool) -> None:
    """Transcribe one line's samples (session format) on their own, padded with silence, and
    add what was heard to ``report``; with ``fixed_only``, judged on the compiler's words."""
    pad = np.zeros(ASR_RATE * PAD_MS // 1000, np.float32)
    heard = recognizer.text(np.concatenate([pad, to_whisper(samples, RATE), pad]))
    said = normalise(fixed_part(text, cue) if fixed_only else text)
    report.words += len(said)
    report.slips.update(slips(said, normalise(heard)[:len(said)] if fixed_only
                              else normalise(heard)))
    report.lines.append(Line(start_ms, cue, text, heard, fixed_only=fixed_only))


def fixed_phrases(timeline: Timeline | None = None) -> list[tuple[str, str]]:
    """Every fixed cue: the cue words any hold may say, the counts One to Thirty, and a
    session's announcements, lengths and rests (judged on their fixed words)."""
    out = [("fixed", text) for text in fixed(CuePhrases())]
    out += [("count", count(n)) for n in range(1, 31)]
    out += [("timing", text) for text in likely({False, True}, {False, True})]
    if timeline is not None:
        out += session_phrases(timeline, fixed_only=True)
    return list(dict.fromkeys(out))


def session_phrases(timeline: Timeline, *, fixed_only: bool = False) -> list[tuple[str, str]]:
    """The distinct (cue, phrase) pairs of a session, in order."""
    return list(dict.fromkeys((e.cue, e.text) for e in timeline.speech()
                              if not fixed_only or e.cue in OWN_WORDS))


def check_cut(mp3: Path, timeline: Timeline, recognizer: Recognizer) -> Report:
    """Every short line of a rendered session (a cue, a count, an announcement: what is heard
    with no context to lean on) cut from the MP3 as the phone plays it, and transcribed on
    its own; each distinct line once, judged on the compiler's own words where it has them."""
    audio = np.frombuffer(ffmpeg.decode_file(mp3), dtype="<i2")
    report = Report()
    seen: set[str] = set()
    for event in timeline.speech():
        text, cue = event.text, event.cue
        if not is_short(text) or text in seen:
            continue
        seen.add(text)
        cut = audio[sample_at(event.start_ms):sample_at(event.end_ms)]
        _hear_alone(report, recognizer, cut, cue, text, event.start_ms,
                    fixed_only=cue in OWN_WORDS)
    return report


MODES: Final[dict[ListenMode, str]] = {"session": "the session, transcribed whole",
                "phrases": "every line on its own",
                "fixed": "every fixed cue on its own",
                "cues": "every short line cut from the MP3, on its own"}
"""How the report of each ``cuecast listen --mode`` is titled (a test holds the keys to
:data:`cuecast.script.options.ListenMode`)."""


def listen(*, path: Path, options: Customisation | None = None,
           engine: EngineOptions | None = None, cache_dir: Path | None = None,
           checked: ListenOptions | None = None, progress: Progress | None = None) -> Report:
    """Render a routine (from the cache where it can) into a temporary folder, never into
    ``output/``, and check what a listener hears (``checked.mode``): ``session``, the MP3
    transcribed whole; ``phrases``, every distinct line of it on its own; ``fixed``, every
    fixed cue on its own, judged on the compiler's words; ``cues``, every short line cut from
    the MP3."""
    mode = (checked or ListenOptions()).mode
    if mode not in MODES:
        raise OptionError(f"--mode must be one of {', '.join(MODES)}, not '{mode}'")
    with tempfile.TemporaryDirectory(prefix="cuecast-listen-") as folder:
        done = render(path=path, output=Path(folder) / f"{slugify(path.stem)}.mp3",
                      options=options, engine=engine, cache_dir=cache_dir, progress=progress)
        timeline = done.timeline  # as its cues.json has it (a test holds the round trip)
        recognizer = Recognizer()
        if mode == "session":
            return check_session(done.mp3, timeline, recognizer)
        if mode == "cues":
            return check_cut(done.mp3, timeline, recognizer)
    clips = Clips.open(engine, cache_dir)
    if mode == "phrases":
        return check_phrases(session_phrases(timeline), clips.samples, recognizer)
    return check_phrases(fixed_phrases(timeline), clips.samples, recognizer, fixed_only=True)
