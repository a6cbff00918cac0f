"""The script compiler: routine + settings + phrase lengths -> :class:`Timeline`.

Pure: no audio, files or network. ``duration`` says how long a phrase takes to say (an estimate
for previews, the real clip length when rendering), so one layout serves both.

Rules of the layout (the cue rules are here; placing them is :mod:`cuecast.placement`):
- a hold runs from its start cue's onset to its release cue's onset, exactly as long as asked;
- spoken lines never overlap (at least ``GAP_MS`` apart); chimes may sound under speech;
- inside a block, cues are placed by priority; one that does not fit is dropped and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from cuecast import phrases
from cuecast.fitting import fit_length
from cuecast.narration import fit_text
from cuecast.placement import Wish, place
from cuecast.routine import Exercise, Routine
from cuecast.settings import Settings
from cuecast.timeline import (
    CHIME_MS,
    Block,
    Chapter,
    Chime,
    Cue,
    Dropped,
    Event,
    Kind,
    Phase,
    Side,
    Timeline,
)
from cuecast.timing import parse_breath

Durations = Callable[[str], int]
"""Phrase -> milliseconds it takes to say."""

GAP_MS: Final = 250
"""Least silence between two spoken lines."""
SENTENCE_GAP_MS: Final = 700
"""Silence after intro and announcement lines."""
TAIL_MS: Final = 1500
"""Silence after the final bell."""
STATIC_BREATH_CYCLES: Final = 2
"""Breath prompts at the start of a static hold; later only every third cycle."""
PHRASED_REPS: Final = 2
"""Reps that carry the movement phrase before counts go on alone."""

COUNTDOWN_FROM_MS: Final = 8000
"""Holds at least this long are counted down ("Three. Two. One.")."""
WARNING_FROM_MS: Final = 20_000
"""Holds at least this long get "Ten seconds left"."""
HALFWAY_FROM_MS: Final = 40_000
"""Holds at least this long get "Halfway"."""

COUNTDOWN_MS: Final = 3000
"""The countdown's span: "Three." starts this long before the release."""

OWN_WORDS: Final[frozenset[Cue]] = frozenset({
    "announce", "timing", "begin", "halfway", "warning", "countdown", "count", "release",
    "switch", "next"})
"""The cue kinds said in the compiler's own words in every session (an announcement's or a
rest's exercise name aside), not the routine's text: what the listening check holds to be
understood on any voice. The others carry the routine's words (its title, purpose, steps,
breath phrasing) or are chimes."""

_PRIO_MUST, _PRIO_COUNTDOWN, _PRIO_WARNING, _PRIO_HALFWAY, _PRIO_BREATH = 100, 90, 80, 60, 40
_PRIO_PHRASED_BREATH = 85
"""A routine's own breath phrasing is the move itself (Cat-Cow's inhale and exhale): it goes
before the warning and halfway, which move aside to make room; only the countdown outranks it."""


def estimate_ms(text: str) -> int:
    """A voice-free guess of speaking time, for previews: fitted to the default voice (hibari
    heart at its default speed) over the distinct lines of every library routine as rendered
    (short lines 65 ms a character; longer ones 61 ms a character less 800 ms, a sentence's
    run-in and run-out being shared), so that each routine's estimated total is within 1 % of
    its render (-0.46 to +0.42 % measured over the eight), short lines rounded up a little so
    previews do not promise room that is not there."""
    if phrases.is_short(text):
        return 65 * len(text)
    return 61 * len(text) - 800  # positive: a longer line has at least 17 characters


def compile_session(routine: Routine, settings: Settings, duration: Durations) -> Timeline:
    """Lay out the whole session without the exercises left out, fitted to
    ``settings.length_ms`` if it is set (raises OptionError when it cannot be)."""
    routine = settings.kept(routine)
    if settings.length_ms is None:
        return _compile(routine, settings, duration)
    return fit_length(routine, settings, lambda s: _compile(routine, s, duration),
                      length_ms=settings.length_ms).timeline


def fitted(routine: Routine, settings: Settings, duration: Durations) -> Settings:
    """``settings`` with the holds a fit to its length chose set one by one (unchanged when
    there is no length to fit): what a render synthesizes ahead, and what a saved copy of
    a customised routine keeps."""
    if settings.length_ms is None:
        return settings
    routine = settings.kept(routine)
    return fit_length(routine, settings, lambda s: _compile(routine, s, duration),
                      length_ms=settings.length_ms).settings


def _compile(routine: Routine, settings: Settings, duration: Durations) -> Timeline:
    """Lay out the session with its holds as set. The intro says the length, so iterate
    until it agrees."""
    minutes = -1
    timeline = _Layout(routine, settings, duration, max(minutes, 0)).run()
    for _ in range(4):
        minutes = round(timeline.duration_ms / 60_000)
        again = _Layout(routine, settings, duration, minutes).run()
        if again == timeline:
            break
        timeline = again
    return timeline


class _Layout:
    def __init__(self, routine: Routine, settings: Settings, duration: Durations,
                 minutes: int) -> None:
        self.r, self.s, self.minutes = routine, settings, minutes
        self._duration = duration
        self.events: list[Event] = []
        self.blocks: list[Block] = []
        self.dropped: list[Dropped] = []
        self.exercise: str | None = None

    def dur(self, text: str) -> int:
        ms = int(self._duration(text))
        if ms <= 0:
            raise ValueError(f"phrase length must be positive, got {ms} for {text!r}")
        return ms

    def add(self, start: int, kind: Kind, text: str, phase: Phase, cue: Cue,
            side: Side | None = None) -> int:
        length = CHIME_MS[text] if kind == "chime" else self.dur(text)  # type: ignore[index]
        self.events.append(Event(start, start + length, kind, text, self.exercise, side, phase,
                                 cue))
        return start + length

    def chime(self, start: int, name: Chime, phase: Phase, cue: Cue,
              side: Side | None = None) -> int:
        """Add a chime (unless chimes are off); returns when it has finished ringing."""
        if self.s.chimes == "off":
            return start
        return self.add(start, "chime", name, phase, cue, side)

    def say(self, start: int, text: str, phase: Phase, cue: Cue,
            side: Side | None = None) -> int:
        return self.add(start, "speech", text, phase, cue, side)

    def run(self) -> Timeline:
        r, s = self.r, self.s
        t = self.say(s.lead_in_ms, phrases.title(r.title), "intro", "intro") + GAP_MS
        t = self.say(t, phrases.intro(len(r.exercises), self.minutes), "intro",
                     "intro") + SENTENCE_GAP_MS
        t = self.say(t, s.cues.lead_in, "intro", "intro") + SENTENCE_GAP_MS
        starts: list[int] = []
        for i, ex in enumerate(r.exercises):
            starts.append(t)
            self.exercise = ex.name
            t = self.exercise_(i, ex, t)
            self.exercise = None
            if i + 1 < len(r.exercises) and s.rest_ms > 0:
                coming = r.exercises[i + 1]
                self.exercise = coming.name  # the lines are about it
                end = t
                for line in phrases.next_up(s.cues, coming.name, self.length(coming)):
                    end = self.say(end, line, "rest", "next") + GAP_MS
                self.exercise = None
                t = max(t + s.rest_ms, end - GAP_MS + SENTENCE_GAP_MS)
        outro = t
        end = self.say(outro, self.s.cues.outro, "outro", "outro")
        if self.s.chimes != "off":
            end = self.chime(end + SENTENCE_GAP_MS, "bell", "outro", "bell")
        duration = end + TAIL_MS
        bounds = [0, *starts, outro, duration]
        titles = [phrases.CHAPTER_INTRO, *(ex.name for ex in r.exercises), phrases.CHAPTER_OUTRO]
        chapters = tuple(Chapter(title, a, b) for title, a, b in zip(titles, bounds, bounds[1:]))
        events = tuple(sorted(self.events, key=lambda e: (e.start_ms, e.kind != "chime")))
        return Timeline(r.title, duration, events, tuple(self.blocks), chapters,
                        tuple(self.dropped))

    def length(self, ex: Exercise) -> str:
        """An exercise's announced length, as customised: ``30 seconds each side.``"""
        return phrases.timing(self.s.hold_ms(ex), self.s.rep_count(ex), ex.timing.per_side)

    def exercise_(self, index: int, ex: Exercise, t: int) -> int:
        """Announce, set up and run one exercise from ``t``; returns when its last cue ends."""
        s = self.s
        hold, reps = s.hold_ms(ex), s.rep_count(ex)
        tempo = round(ex.tempo * 1000) if ex.tempo else s.tempo_ms
        block_ms = hold if hold is not None else (reps or 0) * tempo
        t = self.say(t, phrases.announce(s.cues, self.r.label, index + 1,
                                         len(self.r.exercises), ex.name),
                     "announce", "announce") + GAP_MS
        # the length is its own clip, so changing a hold re-synthesizes only this phrase
        t = self.say(t, self.length(ex), "announce", "timing") + SENTENCE_GAP_MS
        if s.verbosity == "full":
            if ex.purpose:
                t = self.say(t, fit_text(ex.purpose, hold_ms=block_ms, reps=reps), "setup",
                             "purpose") + SENTENCE_GAP_MS
            for step in ex.steps:
                t = self.say(t, fit_text(step, hold_ms=block_ms, reps=reps), "setup", "step")
                t += s.step_pause_ms
        else:
            t += s.step_pause_ms
        other: Side = "left" if ex.first_side == "right" else "right"
        sides: Sequence[Side | None] = (ex.first_side, other) if ex.timing.per_side else (None,)
        release_at = t
        for k, side in enumerate(sides):
            if k:
                switch_end = self.say(t, s.cues.switch, "switch", "switch")
                t = max(release_at + s.changeover_ms, switch_end + GAP_MS)
            if hold is not None:
                release_at = self.hold_block(ex, side, t, hold)
                release = s.cues.release
            else:
                release_at = self.rep_block(ex, side, t, reps or 0, tempo)
                release = s.cues.relax
            rung = self.chime(release_at, "end", "hold" if hold is not None else "reps", "end",
                              side)
            end = self.say(release_at, release, "hold" if hold is not None else "reps",
                           "release", side)
            t = max(end, rung) + GAP_MS  # nothing new is said while the end chime rings
        return t + SENTENCE_GAP_MS - GAP_MS

    def hold_block(self, ex: Exercise, side: Side | None, t0: int, hold: int) -> int:
        s, t1 = self.s, t0 + hold
        cues = [Wish(_PRIO_MUST, t0, (s.cues.begin,), "begin")]
        counted = s.countdown and hold >= COUNTDOWN_FROM_MS
        if counted:
            cues += [Wish(_PRIO_COUNTDOWN, t1 - n * 1000, (phrases.count(n),), "countdown",
                         "countdown") for n in (3, 2, 1)]
        if hold >= WARNING_FROM_MS:
            cues.append(Wish(_PRIO_WARNING, t1 - 10_000, (phrases.seconds_left(10),), "warning",
                            moments=tuple((t1 - n * 1000, (phrases.seconds_left(n),))
                                          for n in phrases.WARNING_MOVES_S)))
        if hold >= HALFWAY_FROM_MS:
            mid = t0 + hold // 2
            cues.append(Wish(_PRIO_HALFWAY, mid, (s.cues.halfway,), "halfway",
                            moments=tuple((mid + d, (s.cues.halfway,))
                                          for d in (-1000, 1000, -2000, 2000))))
        rung = self.chime(t0, "start", "hold", "start", side)
        after_begin = max(t0 + self.dur(s.cues.begin), rung) + GAP_MS
        # a breath is prompted only if it can be whole before the countdown (or the release)
        last = t1 - (COUNTDOWN_MS if counted else 0) - GAP_MS
        cues += self.breath_cues(ex, after_begin, last)
        self.place(cues, t0, t1 - GAP_MS, "hold", side)
        self.blocks.append(Block(ex.name, side, t0, t1, None))
        return t1

    def breath_cues(self, ex: Exercise, first: int, last: int) -> list[Wish]:
        """A breath's prompts from ``first``, for every breath whose prompts all end by
        ``last``."""
        s, cues = self.s, []
        if ex.rhythm is None:
            inhale, after_inhale, exhale, after_exhale = (
                s.inhale_ms, s.after_inhale_ms, s.exhale_ms, s.after_exhale_ms)
        elif ex.rhythm == "off":
            return []
        else:
            inhale, after_inhale, exhale, after_exhale = parse_breath(ex.rhythm)
        cycle = inhale + after_inhale + exhale + after_exhale
        prio = _PRIO_PHRASED_BREATH if ex.breath is not None else _PRIO_BREATH
        k = 0
        while first + k * cycle < last:
            a = first + k * cycle
            if ex.breath is not None:
                early = k < STATIC_BREATH_CYCLES
                ins = (ex.breath.inhale, s.cues.inhale) if early else (s.cues.inhale,)
                outs = (ex.breath.exhale, s.cues.exhale) if early else (s.cues.exhale,)
            elif k < STATIC_BREATH_CYCLES or k % 3 == 0:
                ins, outs = (s.cues.breathe_in,), (s.cues.breathe_out,)
            else:
                k += 1
                continue
            out_at = a + inhale + after_inhale
            prompts = [(a, ins), (out_at, outs)]
            if after_inhale:
                prompts.append((a + inhale, (s.cues.hold,)))
            if after_exhale:
                prompts.append((out_at + exhale, (s.cues.hold,)))
            if max(at + self.dur(texts[-1]) for at, texts in prompts) > last:
                break  # no room for a whole breath before the end: none is started
            # a cycle's prompts go together: a lone "Breathe out." breaks the rhythm
            cues += [Wish(prio, at, texts, "breath", f"breath{k}")
                     for at, texts in sorted(prompts)]
            k += 1
        return cues

    def rep_block(self, ex: Exercise, side: Side | None, t0: int, reps: int,
                  tempo: int) -> int:
        t1 = t0 + reps * tempo
        cues = []
        for k in range(reps):
            at = t0 + k * tempo
            word = phrases.count(k + 1)
            if ex.breath is not None and k < PHRASED_REPS:
                # "Two, inhale, knees up.": said as one phrase ("Two. Inhale" was heard "Tune")
                phrased = f"{word[:-1]}, {ex.breath.inhale[:1].lower()}{ex.breath.inhale[1:]}"
                cues.append(Wish(_PRIO_COUNTDOWN, at, (phrased, word), "count"))
                half = tempo // 2
                # the plain word where the movement's phrase does not fit the rep
                cues.append(Wish(_PRIO_BREATH, at + half, (ex.breath.exhale, self.s.cues.exhale),
                                "breath", slack_ms=half, early_ms=half // 2))
            else:
                cues.append(Wish(_PRIO_COUNTDOWN, at, (word,), "count"))
        self.place(cues, t0, t1 - GAP_MS, "reps", side)
        self.chime(t0, "start", "reps", "start", side)
        self.blocks.append(Block(ex.name, side, t0, t1, reps))
        return t1

    def place(self, cues: list[Wish], lo: int, hi: int, phase: Phase,
              side: Side | None) -> None:
        """Place cues by priority inside [lo, hi]; drop (and report) what would collide."""
        placed, dropped = place(cues, lo, hi, self.dur, gap_ms=GAP_MS)
        for cue in dropped:
            self.dropped.append(Dropped(cue.texts[-1], self.exercise, cue.start_ms,
                                        "no room between higher-priority cues"))
        for p in placed:
            self.say(p.start_ms, p.text, phase, p.wish.cue, side)
