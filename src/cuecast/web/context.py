"""What every route of the companion shares: its configuration, its templates and render
queue (kept in ``app.state``), and the lookups of a listed routine or session."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from cuecast.engines.registry import HibariOptions
from cuecast.errors import RoutineError
from cuecast.make.library import Entry, list_routines, routine_files
from cuecast.make.preview import Lengths, cached_lengths
from cuecast.practice.daily import Today
from cuecast.script.loader import load_routine
from cuecast.script.routine import Routine
from cuecast.script.timeline import clock
from cuecast.web.jobs import RenderQueue
from cuecast.web.sessions import Session, find_session

HERE: Final = Path(__file__).parent
THEME: Final = "#12355b"
"""The header bar's colour: the phone's status bar and the icon's background."""
MAX_FIELDS: Final = 200
"""A routine page's form: a stepper per exercise and the session options."""


@dataclass(frozen=True)
class Config:
    """Where the companion reads and writes."""

    routines: Path
    """Folder of routine files shown in the library (customised copies are saved here)."""
    output: Path
    """Folder the sessions are rendered into, and served from."""
    cache_dir: Path | None
    """Clip cache (None: the user cache dir)."""
    token: str
    """The secret every request must carry."""
    library: Path | None = None
    """The routine library that comes with cuecast, listed with ``routines`` (read only)."""
    data_dir: Path | None = None
    """Where the practice history is kept (None: the user's data folder)."""


@dataclass
class Companion:
    """The app's shared state (``app.state.companion``)."""

    config: Config
    pages: Jinja2Templates
    jobs: RenderQueue
    listed: dict[tuple[Any, ...], list[Entry]] = field(default_factory=dict)
    """``cuecast list``'s entries, by the routine files' names, times and sizes."""
    planned: dict[tuple[Any, ...], Today | None] = field(default_factory=dict)
    """Today's session as planned, by the state of the history it was planned from."""
    ahead: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """The render job of a programme's day queued ahead, by run, day and plan."""

    @property
    def folders(self) -> list[Path]:
        """The library, then the user's routines (theirs win a name)."""
        return [*([self.config.library] if self.config.library else []),
                self.config.routines]

    def routine_paths(self) -> dict[str, Path]:
        return routine_files(*self.folders)

    def routine_at(self, name: str) -> tuple[Path, Routine]:
        """A listed routine by name, loaded (404 when not listed, 422 when invalid)."""
        path = self.routine_paths().get(name)
        if path is None:
            raise HTTPException(404, "No such routine in the library.")
        try:
            return path, load_routine(path)
        except RoutineError as exc:
            raise HTTPException(422, str(exc.problems[0])) from None

    def session_at(self, stem: str) -> Session:
        """A listed session by name (404 when not listed)."""
        session = find_session(self.config.output, stem)
        if session is None:
            raise HTTPException(404, "No such session in the output folder.")
        return session

    def lengths(self, engine: HibariOptions) -> Lengths:
        """The lengths of the clips already made with this voice: the total shown is the
        render's wherever the clips exist."""
        return cached_lengths(engine, self.config.cache_dir)

    def library_entries(self) -> list[Entry]:
        """``cuecast list``'s entries, compiled again only when a routine file changed."""
        paths = self.routine_paths()
        key = tuple((p.name, *_stamp(p)) for p in paths.values())
        if key not in self.listed:
            self.listed.clear()
            self.listed[key] = list_routines(folders=self.folders) if paths else []
        return self.listed[key]


def companion(request: Request) -> Companion:
    """The shared state of the app answering ``request``."""
    shared: Companion = request.app.state.companion
    return shared


def templates() -> Jinja2Templates:
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals["clock"] = lambda ms: clock(ms, tenths=False)
    pages.env.globals["megabytes"] = lambda size: f"{size / 1e6:.1f} MB"
    pages.env.globals["theme"] = THEME
    return pages


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template."""
    return companion(request).pages.TemplateResponse(request, template, context,
                                                     status_code=status)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)
