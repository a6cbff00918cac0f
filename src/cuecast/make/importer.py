"""``cuecast import``: a stretching article (plain text, Markdown or simple HTML) -> routine.

Pure text machinery: lines in, a routine dict and line-numbered notes out; no files inside.
The shape understood is the common one: a title, an intro, then per exercise a heading with
its timing (``Cat-Cow | 60 sec``, ``Double V – 30 seconds each side``, ``Knee Rolls (20
reps)``), a one-line purpose, and numbered (or bulleted) steps. Clutter (image names, share
buttons, "read next" links) is dropped; anything else not understood is reported with its
line, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from cuecast.make.pagetext import Line, html_lines
from cuecast.script.notation import TimingError, parse_timing

DEFAULT_TIMING: Final = "30 sec"
"""Given to an exercise whose heading has no timing (and said so in the output file)."""

_SHARE: Final = (r"(facebook|google\+|twitter|pinterest|linkedin|reddit|whatsapp|e-?mail|print|"
                 r"share( this( (post|article|page))?)?|share on \w+|tweet|pin it|save|"
                 r"copy link|x)")
_CLUTTER: Final = [re.compile(p, re.I) for p in (
    r"^\S+\.(jpe?g|png|gif|webp|svg)$",  # image file names left by copy-paste
    r"^!\[[^\]]*\]\([^)]*\)$",  # Markdown images
    rf"^({_SHARE}[\s,|·•:]*)+\d*$",  # share bars, with their counts
    r"^\(?(your next workout|read next|read more|related( posts| articles)?|you may also like"
    r"|you might also like|see also|up next|popular posts|more from)\b.*$",
    r"^advertisement$",
    r"^(read(ing)? time|time to read|updated|published|last updated|written by|by)\b.{0,80}$",
    r"^(photo|image|picture|illustration)s?(\s*(credit|by|courtesy|:).*)?$",  # captions
    r"^(\d+\s+)?(comments?|replies)(\s*\(\d+\))?$|^(leave a (comment|reply)|reply)\b.*$",
    r"^[^›»]{1,30}(\s*[›»]\s*[^›»]{1,40}){1,5}$",  # breadcrumbs: Home › Blog › Neck
    r"^(subscribe|sign up|join (our|the) newsletter|newsletter)\b.{0,60}$",
    r"^(©|copyright\b).*$",
    r"^((home|blog|shop|about( us)?|contact( us)?|menu|search|log ?in)\s*)+$",  # a nav bar
)]
_STEP: Final = re.compile(r"^(\d{1,2}[.)]|•)\s+(.+)$")
"""A numbered step (``1. ...``), or a bulleted one (``- ...`` becomes ``• ...``)."""
_PIPE: Final = re.compile(r"^(?P<name>.{2,80}?)\s*(?:\||–|—|:|\s-)\s*(?P<timing>[^|–—:]{2,40})$")
_PAREN: Final = re.compile(r"^(?P<name>.{2,80}?)\s*\((?P<timing>[^()]{2,40})\)$")
_HEADING_WORDS: Final = 10


@dataclass
class _Exercise:
    """An exercise as the article gives it, while it is read."""

    name: str
    timing: str
    line: int
    """The line of its heading: where a note about it points."""
    purpose: str | None = None
    steps: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        """As the routine file has it."""
        data: dict[str, Any] = {"name": self.name, "timing": self.timing}
        if self.purpose is not None:
            data["purpose"] = self.purpose
        data["steps"] = self.steps
        return data


@dataclass
class Imported:
    """The result: a routine as data, and what the user should look at."""

    routine: dict[str, Any]
    warnings: list[tuple[int, str]] = field(default_factory=list)
    """(line, note): defaults chosen, lines skipped."""
    defaulted: set[int] = field(default_factory=set)
    """Indexes of exercises that got ``DEFAULT_TIMING``."""


MAX_LINES: Final = 20_000
"""More lines than any article has (the upper-back article has 150): a larger paste is not
an article, and is refused rather than worked through."""
MAX_LINE_CHARS: Final = 20_000
"""A longer line is not a paragraph of an article."""


def lines_of(text: str) -> list[Line]:
    """Source text -> content lines with their line numbers (HTML and Markdown flattened).
    Raises ValueError for a text far beyond an article's size (:data:`MAX_LINES`,
    :data:`MAX_LINE_CHARS`). Every pattern here runs in time linear in its line."""
    if re.search(r"<(html|body|h[1-6]|p|ol|li)\b", text, re.I):
        lines = html_lines(text)  # a saved page may be one long line: its lines are checked
        _check_size([(ln.number, ln.text) for ln in lines])
        return lines
    raws = text.splitlines()
    _check_size(list(enumerate(raws, 1)))
    out = []
    for i, raw in enumerate(raws, 1):
        s = raw.strip()
        heading = bool(re.match(r"^#{1,6}\s", s))
        title = bool(re.match(r"^#\s", s))
        s = re.sub(r"^#{1,6}\s+", "", s)
        # brackets never nest in these patterns, so a run of '[' cannot make them backtrack
        s = re.sub(r"!\[[^\[\]]*\]\([^()]*\)", "", s).strip()  # images, before links go
        s = re.sub(r"^[-*+•]\s+", "• ", s)  # a bullet, before '*' goes as emphasis
        s = re.sub(r"(\*\*|__|(?<!^)\*|`)", "", s)  # Markdown emphasis
        s = re.sub(r"\[([^\[\]]+)\]\([^()]*\)", r"\1", s)  # links keep their words
        s = " ".join(s.split())
        if s:
            out.append(Line(i, s, heading, title))
    return out


def _check_size(lines: list[tuple[int, str]]) -> None:
    """Raises ValueError unless these (line number, text) could be an article's."""
    if len(lines) > MAX_LINES:
        raise ValueError(f"has {len(lines):,} lines; an article has far fewer (at most "
                         f"{MAX_LINES:,} are read)")
    long = next((number for number, text in lines if len(text) > MAX_LINE_CHARS), None)
    if long is not None:
        raise ValueError(f"line {long} is over {MAX_LINE_CHARS:,} characters; an article's "
                         "paragraphs are far shorter")


LOOK_AHEAD: Final = 3
"""Lines after a heading looked at to tell it from a step (its purpose, then its steps)."""


def parse_article(text: str, *, source: str | None = None) -> Imported:
    """Turn an article into a routine dict, noting what was defaulted or skipped."""
    lines = _title_first(_without_chrome(lines_of(text)))
    if not lines:
        raise ValueError("has no text to import")
    result = Imported({"title": lines[0].text})
    exercises: list[_Exercise] = []
    intro: list[str] = []
    current: _Exercise | None = None
    pending: list[Line] = []  # lines after a heading, before its steps (the purpose)
    for k, ln in enumerate(lines[1:], 1):
        step = _STEP.match(ln.text)
        ahead = lines[k + 1: k + 1 + LOOK_AHEAD]  # a few lines, not a copy of the rest
        if step and _numbered_heading(ln, step.group(2), ahead):
            # listicles number their exercises too: "3. Double V | 30 sec per side"
            ln, step = Line(ln.number, step.group(2), True), None
        head = None if step else _heading(ln, ahead, first=current is None)
        if head is not None:
            name, timing, problem = head
            _close(current, pending, result)
            current, pending = _Exercise(name, timing or DEFAULT_TIMING, ln.number), []
            if timing is None:
                result.defaulted.add(len(exercises))
                result.warnings.append((ln.number, f"'{name}' gives no timing{problem}; "
                                                   f"using {DEFAULT_TIMING} (marked in the file)"))
            exercises.append(current)
        elif step and current is not None:
            current.steps.append(step.group(2))
        elif current is None:
            if ln.text.lower() != result.routine["title"].lower():
                intro.append(ln.text)
        elif not current.steps:
            pending.append(ln)
        elif not ln.heading and not ln.text[:1].isupper():
            current.steps[-1] += " " + ln.text  # a step wrapped onto the next line
        else:
            result.warnings.append((ln.number, f"not understood, skipped: '{_short(ln.text)}'"))
    _close(current, pending, result)
    if not exercises:
        raise ValueError("has no exercises: expected headings such as 'Cat-Cow | 60 sec' "
                         "followed by numbered steps")
    prose = [t for t in intro if _prose(t)]
    if prose:  # the intro paragraph, not a stray line of page chrome
        result.routine["description"] = prose[0]
    result.routine["source"] = {"title": result.routine["title"], **(
        {"url": source} if source and re.match(r"https?://", source) else {})}
    result.routine["exercises"] = [ex.as_data() for ex in exercises]
    return result


_CHROME_SECTION: Final = re.compile(
    r"^(related( posts| articles| stretches)?|you (may|might) also like|read next|more from\b.*|"
    r"popular posts|(\d+\s+)?comments?|leave a (comment|reply)|join the discussion)$", re.I)
"""A heading after which the page is chrome (links to other posts, comments) until the next
heading, or to the end where the source marks no headings."""


def _without_chrome(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    chrome = False
    for ln in lines:
        if _CHROME_SECTION.match(ln.text):
            chrome = True
        elif ln.heading:
            chrome = False
        if not chrome and not any(p.match(ln.text) for p in _CLUTTER):
            out.append(ln)
    return out


def _prose(text: str) -> bool:
    """A sentence or more, as an intro is (not a heading, a label or a link)."""
    return len(text.split()) >= 6 and text.endswith((".", "!", "?"))


def _title_first(lines: list[Line]) -> list[Line]:
    """The article's title first: the line the source marks as its title, else the line just
    before the intro (a site's name often comes first in text saved from a browser)."""
    marked = next((ln for ln in lines if ln.title), None)
    if marked is not None:
        return [marked, *(ln for ln in lines if ln is not marked)]
    first_prose = next((i for i, ln in enumerate(lines[:8]) if _prose(ln.text)), None)
    if first_prose is None or first_prose < 2:
        return lines
    candidate = lines[first_prose - 1]
    if _STEP.match(candidate.text) or _timed(candidate.text):
        return lines
    return [candidate, *lines[:first_prose - 1], *lines[first_prose:]]


def _timed(text: str) -> tuple[str, str] | None:
    """(name, timing) when ``text`` is a heading with a timing we can read."""
    for rule in (_PIPE, _PAREN):
        m = rule.match(text)
        if m:
            try:
                parse_timing(m.group("timing"))
            except TimingError:
                continue
            return m.group("name").strip(" -"), m.group("timing").strip()
    return None


def _heading(ln: Line, after: list[Line], *, first: bool
             ) -> tuple[str, str | None, str] | None:
    """(name, timing or None, why no timing) when ``ln`` starts an exercise. Before the first
    exercise, steps must follow ("Total time: 10 minutes" in an intro is not an exercise)."""
    timed = _timed(ln.text)
    if timed and (not first or _steps_follow(after)):
        return timed[0], timed[1], ""
    looks = ln.heading or (len(ln.text.split()) <= _HEADING_WORDS
                           and not ln.text.endswith((".", "?", "!", ",", ":")))
    if not looks or not _steps_follow(after):
        return None
    m = _PIPE.match(ln.text) or _PAREN.match(ln.text)
    if m:  # a timing we cannot read
        return m.group("name").strip(" -"), None, f" we understand ('{m.group('timing')}')"
    return ln.text, None, ""


def _numbered_heading(ln: Line, rest: str, after: list[Line]) -> bool:
    """A numbered line that is an exercise's heading, not a step: marked as a heading, or
    carrying a timing with its own steps (from 1) right after it."""
    if ln.heading:
        return True
    if _timed(rest) is None:
        return False
    for nxt in after[:LOOK_AHEAD]:
        found = _STEP.match(nxt.text)
        if found:
            return found.group(1) in ("1.", "1)", "•") and _timed(found.group(2)) is None
    return False


def _steps_follow(after: list[Line]) -> bool:
    """Numbered steps come next (after at most two lines of purpose); a numbered line with a
    timing of its own is the next exercise's heading, not a step."""
    for ln in after[:LOOK_AHEAD]:
        step = _STEP.match(ln.text)
        if step:
            return _timed(step.group(2)) is None
        if ln.heading or _timed(ln.text):
            return False
    return False


def _close(current: _Exercise | None, pending: list[Line], result: Imported) -> None:
    """The exercise read so far, finished: its purpose (the first line after its heading),
    a step where the article gives none; the lines that fit nowhere noted."""
    if current is None:
        return
    if pending:
        current.purpose = pending[0].text
        for ln in pending[1:]:
            result.warnings.append((ln.number, f"not understood, skipped: '{_short(ln.text)}'"))
    if not current.steps:
        line = pending[0].number if pending else current.line
        result.warnings.append((line, f"'{current.name}' has no numbered steps; added "
                                      "'Follow along.' as its step"))
        current.steps.append("Follow along.")


def imported_yaml(imported: Imported, shown: str) -> str:
    """The routine file's text, with a note on top and a comment on each defaulted timing."""
    import yaml

    body = yaml.safe_dump(imported.routine, sort_keys=False, allow_unicode=True, width=96)
    lines = body.splitlines()
    seen = -1
    for i, line in enumerate(lines):
        if line.startswith("- name:") or line.startswith("  - name:"):
            seen += 1
        if seen in imported.defaulted and line.strip().startswith("timing:"):
            lines[i] = f"{line}  # DEFAULT: the article gives no timing; set the real one"
    head = [f"# Imported by 'cuecast import' from {shown}.",
            "# Check the timings and steps, add breath cues if you like (docs/routines.md),",
            "# then: cuecast render THIS_FILE"]
    return "\n".join(head + lines) + "\n"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
