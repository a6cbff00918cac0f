"""The project's one exception family; the CLI turns any of these into a one-line message."""

from __future__ import annotations

from pathlib import Path


class CuecastError(Exception):
    """Base of every error meant for the user. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 2

    def __init__(self, message: str, *, brief: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.brief = brief or _as_a_page_says_it(message)
        """The message as the phone shows it: the page's own words, no server path and no
        command-line flag."""
        self.problems: list[CuecastError] = [self]
        """Every problem found (this one first): a routine file's, all of them, for
        ``check``; the command line prints one line each."""

    def __str__(self) -> str:
        return self.message


def _as_a_page_says_it(message: str) -> str:
    """``--speed must be ...`` as a page says it: ``Speed must be ...`` (the page's field, not
    the command line's flag)."""
    if not message.startswith("--"):
        return message
    flag, space, rest = message[2:].partition(" ")
    name = flag.replace("-", " ")
    return name[:1].upper() + name[1:] + space + rest


class RoutineError(CuecastError):
    """A routine file is unreadable or invalid. Names the file, line and field."""

    def __init__(self, path: str, message: str, *, line: int | None = None,
                 field: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        where = path if line is None else f"{path}:{line}"
        what = message if not field else f"{field}: {message}"
        name = path.replace("\\", "/").rsplit("/", 1)[-1]  # on the phone: no server folders
        super().__init__(f"{where}: {what}",
                         brief=f"{name if line is None else f'{name}:{line}'}: {what}")


class OptionError(CuecastError):
    """A command-line option (or routine default) has a bad value."""


class RoutineExists(OptionError):
    """A routine file is in the way of one being written."""


class EngineError(CuecastError):
    """A speech engine failed in a way retrying won't fix (no network, bad voice file)."""

    exit_code = 1


class RenderError(CuecastError):
    """Rendering failed (ffmpeg missing or failing, clip does not fit)."""

    exit_code = 1


class HistoryError(CuecastError):
    """The practice history cannot be read or written (damaged, busy), or a programme
    command does not apply (none under way, one already running)."""

    def __init__(self, message: str, *, folder: Path | None = None) -> None:
        super().__init__(message if folder is None else f"{message} (in {folder})",
                         brief=message)
