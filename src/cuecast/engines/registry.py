"""Which engines there are, their typed options, and building one: the registry sits above
the engines it builds (each imports only the interface in :mod:`cuecast.engines`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, get_args

from cuecast.engines import Engine
from cuecast.errors import OptionError
from cuecast.script.options import EngineName


def _check_speed(speed: float) -> None:
    if not 0.5 <= speed <= 2.0:
        raise OptionError(f"--speed must be between 0.5 and 2, not {speed:g}")


@dataclass(frozen=True)
class PiperOptions:
    """Options of the offline Piper engine."""

    voice: Path | None = None
    """A Piper ``.onnx`` voice with its ``.onnx.json`` beside it; None for the default voice."""

    speed: float = 1.0
    """Speaking speed, 0.5 to 2 (the inverse of Piper's length scale)."""

    jobs: int | None = None
    """Clips synthesized at once; None for one per core the process may run on, as memory
    allows."""

    def __post_init__(self) -> None:
        _check_speed(self.speed)


@dataclass(frozen=True)
class HibariOptions:
    """Options of the offline hibari engine (the default)."""

    voice: str = "heart"
    """A voice of the package: ``heart`` is inside it; ``fenrir``, ``emma``, ``fable`` and
    ``kore`` are downloaded on first use."""

    speed: float = 1.0
    """Speaking speed, 0.5 to 2: 1 is the pace of the voice it was distilled from, and the
    default by measurement (docs/voice.md)."""

    seed: int = 0
    """The seed of the voice's noise component: the same text and seed give the same audio."""

    jobs: int | None = None
    """Clips synthesized at once; None for one per core the process may run on, as memory
    allows."""

    def __post_init__(self) -> None:
        _check_speed(self.speed)
        if not 0 <= self.seed < 2**32:
            raise OptionError(f"--seed must be between 0 and {2**32 - 1}, not {self.seed}")
        from cuecast.engines.hibari import voices  # the package's registry, read on use

        if self.voice not in voices():
            said = f"must be one of {', '.join(voices())}"
            raise OptionError(f"--voice {said} for --engine hibari, not '{self.voice}'",
                              brief=f"Voice {said}, not '{self.voice}'")


@dataclass(frozen=True)
class GttsOptions:
    """Options of Google Translate's online voice."""

    lang: str = "en"
    """gTTS language code."""

    tld: str = "com"
    """Google domain that picks the accent (``co.uk``, ``com.au``)."""

    speed: float = 1.0
    """Below 0.85 asks for gTTS's slow voice; it has only normal and slow."""


EngineOptions = HibariOptions | PiperOptions | GttsOptions
"""The options of one engine, typed: what does not apply to it cannot be given."""

ENGINES: Final[tuple[str, ...]] = get_args(EngineName)
"""The engines by name, the default first (declared with the other options)."""


def engine_options(name: str, *, voice: str | None = None, speed: float | None = None,
                   seed: int | None = None, lang: str | None = None, tld: str | None = None,
                   jobs: int | None = None) -> EngineOptions:
    """The typed options of engine ``name`` from what the user gave (None = not given).
    Raises OptionError for an unknown engine or an option that does not apply to it."""
    not_for: dict[str, dict[str, object]] = {
        "hibari": {"--lang": lang, "--tld": tld},
        "piper": {"--lang": lang, "--tld": tld, "--seed": seed},
        "gtts": {"--voice": voice, "--jobs": jobs, "--seed": seed}}
    stray = not_for.get(name)
    if stray is None:
        raise OptionError(f"--engine must be one of {', '.join(ENGINES)}, not '{name}'")
    given = next((flag for flag, value in stray.items() if value is not None), None)
    if given is not None:
        raise OptionError(f"{given} does not apply to --engine {name}")
    if jobs is not None and not 1 <= jobs <= 64:
        raise OptionError(f"--jobs must be between 1 and 64, not {jobs}")
    if name == "hibari":  # what is not given keeps the dataclass's default
        chosen: dict[str, Any] = {"voice": voice, "speed": speed, "seed": seed}
        return HibariOptions(**{k: v for k, v in chosen.items() if v is not None}, jobs=jobs)
    if name == "piper":
        return PiperOptions(voice=None if voice is None else Path(voice),
                            speed=1.0 if speed is None else speed, jobs=jobs)
    return GttsOptions(lang=lang or "en", tld=tld or "com", speed=1.0 if speed is None else speed)


def get_engine(options: EngineOptions) -> Engine:
    """Build the engine the options are for. Raises OptionError for a bad value.
    (Each engine imports its heavy dependencies, onnxruntime or requests, only when used.)"""
    from cuecast.engines.gtts import GttsEngine
    from cuecast.engines.hibari import HibariEngine
    from cuecast.engines.piper import PiperEngine

    if isinstance(options, HibariOptions):
        return HibariEngine(voice=options.voice, speed=options.speed, seed=options.seed,
                            jobs=options.jobs)
    if isinstance(options, PiperOptions):
        return PiperEngine(voice=options.voice, speed=options.speed, jobs=options.jobs)
    return GttsEngine(lang=options.lang, tld=options.tld, speed=options.speed)
