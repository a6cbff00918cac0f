"""Timing notation: ``60 sec``, ``30 sec per side``, ``20 reps``, ``1:30`` ... -> :class:`Timing`.

Rules (regular expressions) live in ``_RULES``; unit words in ``_UNIT_MS``. The parser is a pure
function so it is tested table-driven, like gTTS's tokenizer cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

MAX_HOLD_MS: Final = 30 * 60 * 1000
"""Longest single hold accepted (30 min); longer is almost surely a typo (``99999 min``)."""

MAX_REPS: Final = 500
"""Most repetitions accepted in one block."""

ACCEPTED_FORMS: Final = (
    "'60 sec', '45 seconds', '1 min', '90s', '1:30', '30 sec per side', "
    "'20 reps', '10 reps per side', or {hold: 30} / {reps: 10, per_side: true}"
)

_UNIT_MS: Final[dict[str, int]] = {
    "s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
    "m": 60_000, "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
}

_SIDE = r"(?P<side>\s*(?:per|each|a|on\s+each|/)\s*side)?"
_NUM = r"(?P<n>\d+(?:\.\d+)?)"
_RULES: Final = (
    ("clock", re.compile(rf"^(?P<m>\d+):(?P<s>[0-5]\d){_SIDE}$")),
    ("min_sec", re.compile(
        rf"^(?P<m>\d+)\s*(?:m|mins?|minutes?)\s*(?:and\s+)?(?P<s>\d+)\s*(?:s|secs?|seconds?){_SIDE}$")),
    ("duration", re.compile(rf"^{_NUM}\s*(?P<unit>[a-z]+)\.?{_SIDE}$")),
    ("reps", re.compile(rf"^{_NUM}\s*(?:reps?|repetitions?|times|x){_SIDE}$")),
)


class TimingError(ValueError):
    """The notation is not a timing, or its value is out of range."""


@dataclass(frozen=True)
class Timing:
    """How long an exercise lasts: a timed hold or a number of repetitions, maybe per side."""

    hold_ms: int | None = None
    """Length of one timed hold in milliseconds (None for a rep-based exercise)."""

    reps: int | None = None
    """Repetitions in one block (None for a timed hold)."""

    per_side: bool = False
    """True when the hold or the reps are done once on each side."""

    def describe(self) -> str:
        """Spoken/printed form, e.g. ``30 seconds each side`` or ``20 reps``."""
        if self.reps is not None:
            what = f"{self.reps} {'rep' if self.reps == 1 else 'reps'}"
        else:
            what = format_duration(self.hold_ms or 0)
        return f"{what} each side" if self.per_side else what


def format_duration(ms: int) -> str:
    """``90000`` -> ``1 minute 30 seconds``; ``2500`` -> ``2.5 seconds``."""
    if ms % 1000:
        return f"{ms / 1000:g} seconds"
    total = ms // 1000
    minutes, seconds = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} {'minute' if minutes == 1 else 'minutes'}")
    if seconds or not minutes:
        parts.append(f"{seconds} {'second' if seconds == 1 else 'seconds'}")
    return " ".join(parts)


def make_timing(*, hold_ms: int | None = None, reps: int | None = None,
                per_side: bool = False) -> Timing:
    """Build a Timing, refusing zero, negative and absurd values."""
    if (hold_ms is None) == (reps is None):
        raise TimingError("give either a hold length or a number of reps")
    if hold_ms is not None:
        if hold_ms <= 0:
            raise TimingError("a hold must last more than zero seconds")
        if hold_ms > MAX_HOLD_MS:
            raise TimingError(f"a hold of {format_duration(hold_ms)} is too long "
                              f"(at most {MAX_HOLD_MS // 60000} minutes)")
    if reps is not None:
        if reps <= 0:
            raise TimingError("reps must be a whole number above zero")
        if reps > MAX_REPS:
            raise TimingError(f"{reps} reps is too many (at most {MAX_REPS})")
    return Timing(hold_ms=hold_ms, reps=reps, per_side=per_side)


def parse_timing(text: str) -> Timing:
    """Parse article notation. Raises :class:`TimingError` naming the accepted forms."""
    norm = " ".join(str(text).strip().lower().split())
    if norm.startswith("-"):
        raise TimingError(f"'{text}' is negative; a timing must be more than zero")
    for name, rule in _RULES:
        m = rule.match(norm)
        if not m:
            continue
        per_side = bool(m.group("side"))
        if name in ("clock", "min_sec"):
            ms = (int(m.group("m")) * 60 + int(m.group("s"))) * 1000
            return make_timing(hold_ms=ms, per_side=per_side)
        if name == "duration":
            unit = _UNIT_MS.get(m.group("unit"))
            if unit is None:
                continue
            ms_f = float(m.group("n")) * unit
            if ms_f != int(ms_f):
                raise TimingError(f"'{text}' is not a whole number of milliseconds")
            return make_timing(hold_ms=int(ms_f), per_side=per_side)
        n = m.group("n")
        if "." in n:
            raise TimingError(f"'{text}': reps must be a whole number")
        return make_timing(reps=int(n), per_side=per_side)
    raise TimingError(f"'{text}' is not a timing; use {ACCEPTED_FORMS}")


_NUMBER = r"\s*(\d+(?:\.\d+)?)\s*"
_BREATH_RE = re.compile(rf"^{_NUMBER}(?:[:/]{_NUMBER}){{1,3}}$")


def parse_breath(value: Any) -> tuple[int, int, int, int]:
    """A breathing rhythm in seconds -> (inhale, hold after it, exhale, hold after it) ms.

    ``"4:6"`` is in and out; ``"4:7:8"`` holds the breath in between (the 4-7-8 pattern);
    ``"4:4:4:4"`` also holds after the exhale (box breathing). Raises ValueError.
    """
    parts = re.split(r"[:/]", value) if isinstance(value, str) else []
    if not isinstance(value, str) or not _BREATH_RE.match(value):
        raise ValueError(f"'{value}' is not a breathing rhythm; write inhale:exhale seconds "
                         "('4:6'), inhale:hold:exhale ('4:7:8') or in:hold:out:hold "
                         "('4:4:4:4')")
    ms = [round(float(p) * 1000) for p in parts]
    inhale, after_inhale, exhale, after_exhale = (
        (ms[0], 0, ms[1], 0) if len(ms) == 2 else (ms[0], ms[1], ms[2], 0) if len(ms) == 3
        else (ms[0], ms[1], ms[2], ms[3]))
    for what, n, lo in (("inhale", inhale, 1000), ("exhale", exhale, 1000),
                        ("hold", after_inhale, 0), ("hold", after_exhale, 0)):
        if not lo <= n <= 20_000:
            raise ValueError(f"{what} of {n / 1000:g} s is out of range ({lo // 1000} to 20 "
                             "seconds)")
    return inhale, after_inhale, exhale, after_exhale


MIN_LENGTH_MS: Final = 60_000
"""The shortest length a session is fitted to."""
MAX_SESSION_MS: Final = 3 * 3600 * 1000
"""The longest session rendered without ``--allow-long``, and the longest length fitted to."""
_HOURS_MS: Final = {"h": 3_600_000, "hr": 3_600_000, "hour": 3_600_000, "hours": 3_600_000}
_LENGTH_RE = re.compile(r"^(?:(?P<clock>\d+(?::\d{1,2}){1,2})|(?P<n>\d+(?:\.\d+)?)\s*"
                        r"(?P<unit>[a-z]+)?)$")


def parse_length(value: Any) -> int:
    """A session length -> milliseconds: ``15m``, ``15 min``, ``15:00``, ``1:05:00``, ``900``
    (seconds, as text or a number) or ``1.5h``. Raises ValueError naming the accepted forms."""
    text = str(value).strip().lower() if not isinstance(value, bool) else ""
    m = _LENGTH_RE.match(text)
    units = {**_UNIT_MS, **_HOURS_MS}
    if m is None or (m.group("unit") and m.group("unit") not in units):
        raise ValueError(f"'{value}' is not a length; write 15m, 15:00 or 900 (seconds)")
    if m.group("clock"):
        parts = [int(p) for p in m.group("clock").split(":")]
        if any(p >= 60 for p in parts[1:]):
            raise ValueError(f"'{value}': minutes and seconds go up to 59")
        ms = sum(p * 1000 * 60 ** i for i, p in enumerate(reversed(parts)))
    else:
        number = float(m.group("n"))  # 309 digits are infinite here: bounded before rounding
        ms = round(number * units[m.group("unit") or "s"]) if number < 1e9 else MAX_SESSION_MS + 1
    ms = int(ms)
    if not MIN_LENGTH_MS <= ms <= MAX_SESSION_MS:
        raise ValueError(f"'{value}' is out of range (1 minute to 3 hours)")
    return ms
