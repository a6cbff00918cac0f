"""The script compiler: routine + settings + phrase lengths -> :class:`Timeline`.

Pure: no audio, files or network. ``duration`` says how long a phrase takes to say (an estimate
for previews, the real clip length when rendering), so one layout serves both.

Rules of the layout (the cue rules are here; placing them is :mod:`cuecast.script.placement`):
- a hold runs from its start cue's onset to its release cue's onset, exactly as long as asked;
- spoken lines never overlap (at least ``GAP_MS`` apart); chimes may sound under speech;
- inside a block, cues are placed by priority; one that does not fit is dropped and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from cuecast.script import phrases
from cuecast.script.fitting import Fitted, fit_length
from cuecast.script.notation import parse_breath
from cuecast.script.placement import Wish, place
from cuecast.script.resolve import Settings
from cuecast.script.routine import Exercise, Routine
from cuecast.script.steptext import fit_text
from cuecast.script.timeline import (
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

SET_REST_MIN_MS: Final = 5000
"""The shortest rest between two sets, whatever the session's rest: time to come out of the
stretch and back into it."""

COUNTDOWN_MS: Final = 3000
"""The countdown's span: "Three." starts this long before the release."""

OWN_WORDS: Final[frozenset[Cue]] = frozenset({
    "announce", "timing", "begin", "halfway", "warning", "countdown", "count", "release",
    "switch", "next", "set"})
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
    if settings.length_ms is None:
        return _compile(settings.kept(routine), settings, duration)
    return _fit(routine, settings, settings.length_ms, duration).timeline


def fitted(routine: Routine, settings: Settings, duration: Durations) -> Settings:
    """``settings`` with the holds a fit to its length chose set one by one (unchanged when
    there is no length to fit): what a render synthesizes ahead."""
    if settings.length_ms is None:
        return settings
    return _fit(routine, settings, settings.length_ms, duration).settings


def _fit(routine: Routine, settings: Settings, length_ms: int, duration: Durations) -> Fitted:
    kept = settings.kept(routine)
    return fit_length(kept, settings, lambda s: _compile(kept, s, duration), length_ms=length_ms)


def _compile(routine: Routine, settings: Settings, duration: Durations) -> Timeline:
    """Lay out the session with its holds as set. The intro says the length, so iterate
    until it agrees."""
    minutes = -1
    timeline = _Pass(routine, settings, duration, max(minutes, 0)).run()
    for _ in range(4):
        minutes = round(timeline.duration_ms / 60_000)
        again = _Pass(routine, settings, duration, minutes).run()
        if again == timeline:
            break
        timeline = again
    return timeline


@dataclass(frozen=True)
class _Scope:
    """Where in the session a line or chime is: the part, and which exercise and side."""

    phase: Phase
    exercise: str | None = None
    side: Side | None = None


class _Pass:
    """One pass of the layout with the intro saying ``minutes``: events, blocks and dropped
    cues added in order of time, then the timeline."""

    def __init__(self, routine: Routine, settings: Settings, duration: Durations,
                 minutes: int) -> None:
        self.routine, self.settings, self.minutes = routine, settings, minutes
        self._duration = duration
        self.events: list[Event] = []
        self.blocks: list[Block] = []
        self.dropped: list[Dropped] = []

    def length_of(self, text: str) -> int:
        """How long ``text`` takes to say (ms)."""
        ms = int(self._duration(text))
        if ms <= 0:
            raise ValueError(f"phrase length must be positive, got {ms} for {text!r}")
        return ms

    def add(self, start: int, kind: Kind, text: str, scope: _Scope, *, cue: Cue) -> int:
        length = CHIME_MS[text] if kind == "chime" else self.length_of(text)  # type: ignore[index]
        self.events.append(Event(start, start + length, kind, text, scope.exercise, scope.side,
                                 scope.phase, cue))
        return start + length

    def chime(self, start: int, name: Chime, scope: _Scope, *, cue: Cue) -> int:
        """Add a chime (unless chimes are off); returns when it has finished ringing."""
        if self.settings.chimes == "off":
            return start
        return self.add(start, "chime", name, scope, cue=cue)

    def say(self, start: int, text: str, scope: _Scope, *, cue: Cue) -> int:
        """Add a spoken line; returns when it ends."""
        return self.add(start, "speech", text, scope, cue=cue)

    def run(self) -> Timeline:
        routine, settings = self.routine, self.settings
        intro = _Scope("intro")
        t = self.say(settings.lead_in_ms, phrases.title(routine.title), intro,
                     cue="intro") + GAP_MS
        if routine.introduction:  # a programme's day: what changed
            t = self.say(t, routine.introduction, intro, cue="intro") + GAP_MS
        t = self.say(t, phrases.intro(len(routine.exercises), self.minutes), intro,
                     cue="intro") + SENTENCE_GAP_MS
        t = self.say(t, settings.cues.lead_in, intro, cue="intro") + SENTENCE_GAP_MS
        starts: list[int] = []
        rests = len(routine.exercises) - 1 if settings.rest_ms > 0 else 0
        for i, ex in enumerate(routine.exercises):
            starts.append(t)
            t = self.exercise(i, ex, t)
            if i < rests:  # the slack in equal shares, the first rests taking the remainder
                share = settings.slack_ms // rests + (i < settings.slack_ms % rests)
                t = self.rest(routine.exercises[i + 1], t) + share
        outro = t if rests else t + settings.slack_ms
        end = self.say(outro, settings.cues.outro, _Scope("outro"), cue="outro")
        if settings.chimes != "off":
            end = self.chime(end + SENTENCE_GAP_MS, "bell", _Scope("outro"), cue="bell")
        duration = end + TAIL_MS
        bounds = [0, *starts, outro, duration]
        titles = [phrases.CHAPTER_INTRO, *(ex.name for ex in routine.exercises),
                  phrases.CHAPTER_OUTRO]
        chapters = tuple(Chapter(title, a, b) for title, a, b in zip(titles, bounds, bounds[1:]))
        events = tuple(sorted(self.events, key=lambda e: (e.start_ms, e.kind != "chime")))
        return Timeline(routine.title, duration, events, tuple(self.blocks), chapters,
                        tuple(self.dropped))

    def rest(self, coming: Exercise, start: int) -> int:
        """The rest before ``coming``, saying what it is; returns when the rest ends."""
        scope = _Scope("rest", coming.name)  # the lines are about the exercise coming
        end = start
        for line in phrases.next_up(self.settings.cues, coming.name, self.length(coming)):
            end = self.say(end, line, scope, cue="next") + GAP_MS
        return max(start + self.settings.rest_ms, end - GAP_MS + SENTENCE_GAP_MS)

    def length(self, ex: Exercise) -> str:
        """An exercise's announced length, as customised: ``30 seconds each side.``"""
        return phrases.timing(self.settings.hold_ms(ex), self.settings.rep_count(ex),
                              ex.timing.per_side, self.settings.set_count(ex))

    def exercise(self, index: int, ex: Exercise, start: int) -> int:
        """Announce, set up and run one exercise; returns when its last cue ends."""
        hold, reps = self.settings.hold_ms(ex), self.settings.rep_count(ex)
        tempo = round(ex.tempo * 1000) if ex.tempo else self.settings.tempo_ms
        block_ms = hold if hold is not None else (reps or 0) * tempo
        t = self.announce(index, ex, start)
        t = self.set_up(ex, t, block_ms, reps)
        t = self.sides(ex, t, hold, reps, tempo)
        for number in range(2, self.settings.set_count(ex) + 1):
            t = self.next_set(ex, number, t)
            t = self.sides(ex, t, hold, reps, tempo)
        return t

    def next_set(self, ex: Exercise, number: int, start: int) -> int:
        """``Second set.``, then a rest to come back into position (the session's rest, at
        least :data:`SET_REST_MIN_MS`); returns when the set starts."""
        said = self.say(start, phrases.set_number(number), _Scope("rest", ex.name), cue="set")
        return max(start + max(self.settings.rest_ms, SET_REST_MIN_MS), said + SENTENCE_GAP_MS)

    def announce(self, index: int, ex: Exercise, start: int) -> int:
        """``Stretch 3 of 9: Double V.`` and its length."""
        scope = _Scope("announce", ex.name)
        t = self.say(start, phrases.announce(self.settings.cues, self.routine.label, index + 1,
                                             len(self.routine.exercises), ex.name),
                     scope, cue="announce") + GAP_MS
        # the length is its own clip, so changing a hold re-synthesizes only this phrase
        return self.say(t, self.length(ex), scope, cue="timing") + SENTENCE_GAP_MS

    def set_up(self, ex: Exercise, start: int, block_ms: int, reps: int | None) -> int:
        """Its purpose and steps (in full verbosity), each step with time to move into it."""
        settings, scope, t = self.settings, _Scope("setup", ex.name), start
        if settings.verbosity != "full":
            return t + settings.step_pause_ms
        if ex.purpose:
            t = self.say(t, fit_text(ex.purpose, hold_ms=block_ms, reps=reps), scope,
                         cue="purpose") + SENTENCE_GAP_MS
        for step in ex.steps:
            t = self.say(t, fit_text(step, hold_ms=block_ms, reps=reps), scope, cue="step")
            t += settings.step_pause_ms
        return t

    def sides(self, ex: Exercise, start: int, hold: int | None, reps: int | None,
              tempo: int) -> int:
        """The hold or the reps, on each side in turn; returns when the last release ends."""
        settings, t = self.settings, start
        other: Side = "left" if ex.first_side == "right" else "right"
        sides: Sequence[Side | None] = (ex.first_side, other) if ex.timing.per_side else (None,)
        release_at = t
        for k, side in enumerate(sides):
            if k:
                switch_end = self.say(t, settings.cues.switch, _Scope("switch", ex.name),
                                      cue="switch")
                t = max(release_at + settings.changeover_ms, switch_end + GAP_MS)
            if hold is not None:
                scope = _Scope("hold", ex.name, side)
                release_at, release = self.hold_block(ex, scope, t, hold), settings.cues.release
            else:
                scope = _Scope("reps", ex.name, side)
                release_at = self.rep_block(ex, scope, t, reps or 0, tempo)
                release = settings.cues.relax
            rung = self.chime(release_at, "end", scope, cue="end")
            end = self.say(release_at, release, scope, cue="release")
            t = max(end, rung) + GAP_MS  # nothing new is said while the end chime rings
        return t + SENTENCE_GAP_MS - GAP_MS

    def hold_block(self, ex: Exercise, scope: _Scope, t0: int, hold: int) -> int:
        """One timed hold from ``t0``: begin, breaths, warning, halfway, countdown."""
        cues, t1 = self.settings.cues, t0 + hold
        wishes = [Wish(_PRIO_MUST, t0, (cues.begin,), "begin")]
        counted = self.settings.countdown and hold >= COUNTDOWN_FROM_MS
        if counted:
            wishes += [Wish(_PRIO_COUNTDOWN, t1 - n * 1000, (phrases.count(n),), "countdown",
                            "countdown") for n in (3, 2, 1)]
        if hold >= WARNING_FROM_MS:
            wishes.append(Wish(_PRIO_WARNING, t1 - 10_000, (phrases.seconds_left(10),),
                               "warning", moments=tuple(
                                   (t1 - n * 1000, (phrases.seconds_left(n),))
                                   for n in phrases.WARNING_MOVES_S)))
        if hold >= HALFWAY_FROM_MS:
            mid = t0 + hold // 2
            wishes.append(Wish(_PRIO_HALFWAY, mid, (cues.halfway,), "halfway",
                               moments=tuple((mid + d, (cues.halfway,))
                                             for d in (-1000, 1000, -2000, 2000))))
        rung = self.chime(t0, "start", scope, cue="start")
        after_begin = max(t0 + self.length_of(cues.begin), rung) + GAP_MS
        # a breath is prompted only if it can be whole before the countdown (or the release)
        last = t1 - (COUNTDOWN_MS if counted else 0) - GAP_MS
        wishes += self.breaths(ex, after_begin, last)
        self.place(wishes, t0, t1 - GAP_MS, scope)
        self.blocks.append(Block(ex.name, scope.side, t0, t1, None))
        return t1

    def breaths(self, ex: Exercise, first: int, last: int) -> list[Wish]:
        """A breath's prompts from ``first``, for every breath whose prompts all end by
        ``last``."""
        settings, cues, wishes = self.settings, self.settings.cues, []
        if ex.rhythm is None:
            inhale, after_inhale, exhale, after_exhale = (
                settings.inhale_ms, settings.after_inhale_ms, settings.exhale_ms,
                settings.after_exhale_ms)
        elif ex.rhythm == "off":
            return []
        else:
            inhale, after_inhale, exhale, after_exhale = parse_breath(ex.rhythm)
        cycle = inhale + after_inhale + exhale + after_exhale
        priority = _PRIO_PHRASED_BREATH if ex.breath is not None else _PRIO_BREATH
        k = 0
        while first + k * cycle < last:
            a = first + k * cycle
            if ex.breath is not None:
                early = k < STATIC_BREATH_CYCLES
                ins = (ex.breath.inhale, cues.inhale) if early else (cues.inhale,)
                outs = (ex.breath.exhale, cues.exhale) if early else (cues.exhale,)
            elif k < STATIC_BREATH_CYCLES or k % 3 == 0:
                ins, outs = (cues.breathe_in,), (cues.breathe_out,)
            else:
                k += 1
                continue
            out_at = a + inhale + after_inhale
            prompts = [(a, ins), (out_at, outs)]
            if after_inhale:
                prompts.append((a + inhale, (cues.hold,)))
            if after_exhale:
                prompts.append((out_at + exhale, (cues.hold,)))
            if max(at + self.length_of(texts[-1]) for at, texts in prompts) > last:
                break  # no room for a whole breath before the end: none is started
            # a cycle's prompts go together: a lone "Breathe out." breaks the rhythm
            wishes += [Wish(priority, at, texts, "breath", f"breath{k}")
                       for at, texts in sorted(prompts)]
            k += 1
        return wishes

    def rep_block(self, ex: Exercise, scope: _Scope, t0: int, reps: int, tempo: int) -> int:
        """One block of reps from ``t0``: each counted, the first ones with their phrase."""
        t1 = t0 + reps * tempo
        wishes = []
        for k in range(reps):
            at = t0 + k * tempo
            word = phrases.count(k + 1)
            if ex.breath is not None and k < PHRASED_REPS:
                # "Two, inhale, knees up.": said as one phrase ("Two. Inhale" was heard "Tune")
                phrased = f"{word[:-1]}, {ex.breath.inhale[:1].lower()}{ex.breath.inhale[1:]}"
                wishes.append(Wish(_PRIO_COUNTDOWN, at, (phrased, word), "count"))
                half = tempo // 2
                # the plain word where the movement's phrase does not fit the rep
                wishes.append(Wish(_PRIO_BREATH, at + half,
                                   (ex.breath.exhale, self.settings.cues.exhale), "breath",
                                   slack_ms=half, early_ms=half // 2))
            else:
                wishes.append(Wish(_PRIO_COUNTDOWN, at, (word,), "count"))
        self.place(wishes, t0, t1 - GAP_MS, scope)
        self.chime(t0, "start", scope, cue="start")
        self.blocks.append(Block(ex.name, scope.side, t0, t1, reps))
        return t1

    def place(self, wishes: list[Wish], lo: int, hi: int, scope: _Scope) -> None:
        """Place cues by priority inside [lo, hi]; drop (and report) what would collide."""
        placed, dropped = place(wishes, lo, hi, self.length_of, gap_ms=GAP_MS)
        for wish in dropped:
            self.dropped.append(Dropped(wish.texts[-1], scope.exercise, wish.start_ms,
                                        "no room between higher-priority cues"))
        for p in placed:
            self.say(p.start_ms, p.text, scope, cue=p.wish.cue)
