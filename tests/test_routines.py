"""Every routine in routines/ validates and compiles; the first one matches its article."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuecast.script.compiler import compile_session, estimate_ms
from cuecast.script.loader import load_routine
from cuecast.script.notation import Timing
from cuecast.script.options import Customisation
from cuecast.script.resolve import resolve_settings
from cuecast.script.routine import name_key

from .conftest import ROUTINES, UPPER_BACK

ALL = sorted(ROUTINES.glob("*.yaml"))

# The article's headings, as printed: "Cat-Cow | 60 sec" ...
ARTICLE = [
    ("Cat-Cow", Timing(hold_ms=60_000)),
    ("Child's Pose", Timing(hold_ms=60_000)),
    ("Child's Pose Side Stretch", Timing(hold_ms=30_000, per_side=True)),
    ("Double V", Timing(hold_ms=30_000, per_side=True)),
    ("Knee Rolls", Timing(reps=20)),
    ("Arm Slide on Wall", Timing(reps=12)),
    ("Upper Trap-Neck Stretch", Timing(hold_ms=30_000, per_side=True)),
    ("Seated Twist", Timing(hold_ms=30_000, per_side=True)),
    ("Seated Side Bend", Timing(hold_ms=30_000, per_side=True)),
]


def test_there_are_routines() -> None:
    assert UPPER_BACK in ALL


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_routine_validates_and_compiles(path: Path) -> None:
    routine = load_routine(path)
    timeline = compile_session(routine, resolve_settings(routine), estimate_ms)
    assert len(timeline.chapters) == len(routine.exercises) + 2
    assert timeline.duration_ms < 3 * 3600 * 1000


def test_upper_back_matches_the_article() -> None:
    routine = load_routine(UPPER_BACK)
    got = [(name_key(ex.name), ex.timing) for ex in routine.exercises]
    assert got == [(name_key(name), timing) for name, timing in ARTICLE]
    assert [len(ex.steps) for ex in routine.exercises] == [3, 3, 3, 4, 4, 4, 3, 3, 3]
    assert all(ex.purpose for ex in routine.exercises)
    assert routine.source is not None
    assert routine.source.title == "9 Gentle Stretches to Release Upper Back Pain"
    cat_cow = routine.exercises[0]
    assert cat_cow.breath is not None and "round" in cat_cow.breath.exhale
    assert cat_cow.steps[2].endswith("Continue alternating with your inhales and exhales "
                                     "for 60 seconds.")


@pytest.mark.end_to_end  # a real voice and ffmpeg
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_routine_renders(path: Path, cache_dir: Path, tmp_path: Path) -> None:
    """Every library routine renders (briefly: short holds, names and timings only)."""
    from cuecast.make.render import render

    from .audio_measure import decode

    done = render(path=path, output=tmp_path / "r.mp3", cache_dir=cache_dir,
                  options=Customisation(scale=0.2, verbosity="brief", rest=2))
    assert abs(len(decode(done.mp3)) * 1000 / 44_100 - done.timeline.duration_ms) <= 50
    assert len(done.timeline.chapters) == len(load_routine(path).exercises) + 2


def test_box_breathing_prompts_every_phase_of_every_breath() -> None:
    routine = load_routine(ROUTINES / "box-breathing.yaml")
    settings = resolve_settings(routine)
    assert (settings.inhale_ms, settings.after_inhale_ms, settings.exhale_ms,
            settings.after_exhale_ms) == (4000, 4000, 4000, 4000)
    timeline = compile_session(routine, settings, estimate_ms)
    main = next(h for h in timeline.blocks if h.exercise == "Box Breathing")
    cues = [e for e in timeline.speech() if main.start_ms <= e.start_ms < main.end_ms
            and e.cue == "breath"]
    texts = [e.text for e in cues]
    cycles = texts.count("Breathe in.") + texts.count("Inhale.")
    assert cycles >= 9  # 3 minutes of 16-second boxes, less those giving way to other cues
    assert texts.count("Hold.") == 2 * cycles
    assert texts.count("Breathe out.") + texts.count("Exhale.") == cycles
    # each prompt starts exactly on its four-second beat
    assert all((e.start_ms - cues[0].start_ms) % 4000 == 0 for e in cues)


@pytest.mark.end_to_end  # the real voice's clips
@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_the_estimate_is_within_one_percent_of_the_voice(path: Path, cache_dir: Path) -> None:
    """``cuecast script`` before any render (estimates only) against the session laid out with
    the voice's real clips, at the routine's own defaults."""
    from cuecast.audio.pcm import length_ms
    from cuecast.engines.registry import HibariOptions, get_engine
    from cuecast.speech.cache import ClipCache
    from cuecast.speech.clips import Clips

    routine = load_routine(path)
    settings = resolve_settings(routine)
    estimated = compile_session(routine, settings, estimate_ms)
    clips = Clips(get_engine(HibariOptions()), ClipCache(cache_dir))
    clips.prefetch([e.text for e in estimated.speech()])
    real = compile_session(routine, settings, lambda text: length_ms(clips.samples(text)))
    off = (estimated.duration_ms - real.duration_ms) / real.duration_ms
    assert abs(off) <= 0.01, f"{path.name}: estimate {off:+.2%} off"


def test_a_preview_looks_each_line_up_once() -> None:
    """The layout runs several passes (the intro says the session's length); each cached
    length is read once per preview, not once per pass (the page previews on every change)."""
    from collections import Counter

    from cuecast.make.preview import preview_routine

    asked: Counter[str] = Counter()

    def lengths(text: str) -> int | None:
        asked[text] += 1
        return None

    timeline = preview_routine(load_routine(UPPER_BACK), None, lengths)
    assert asked and max(asked.values()) == 1
    assert set(asked) >= {e.text for e in timeline.speech()}
