"""The companion's web app: pages for a phone, the files they play, and the podcast feed.

Pages are rendered on the server (Jinja2) with a little plain JavaScript; nothing comes from
a CDN, since the phone may have only the local network. Options are read and checked by the
same model as the command line (:mod:`cuecast.options`), so a bad value gets the same line.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cuecast.clips import Progress
from cuecast.compose import read_request, write_composed
from cuecast.engines.registry import HibariOptions
from cuecast.errors import CuecastError, OptionError, RoutineError
from cuecast.library import (
    Entry,
    ImportResult,
    import_article,
    list_routines,
    routine_files,
    save_customised,
)
from cuecast.loader import load_routine
from cuecast.preview import Lengths, cached_lengths, layout
from cuecast.render import render
from cuecast.routine import AREAS, POSITIONS, Routine
from cuecast.settings import effective
from cuecast.timeline import clock
from cuecast.web.access import feed_key, guard
from cuecast.web.feed import CHAPTERS_TYPE, feed
from cuecast.web.form import (
    INCLUDES,
    Choice,
    exercise_fields,
    fields,
    offered_voices,
    read_choice,
    session_stem,
)
from cuecast.web.jobs import RenderQueue
from cuecast.web.sessions import (
    CHAPTERS,
    MEDIA_TYPES,
    Session,
    delete_session,
    find_session,
    json_chapters,
    list_sessions,
    listed_file,
)

HERE: Final = Path(__file__).parent
MAX_UPLOAD: Final = 2_000_000
"""Largest article accepted (as ``cuecast import``); a saved article is far smaller."""
MAX_BODY: Final = MAX_UPLOAD + 100_000
"""Largest request body read: an article and its form's fields."""
MAX_FIELDS: Final = 200
"""A routine page's form: a stepper per exercise and the session options."""
UPLOAD_SUFFIXES: Final = (".txt", ".md", ".markdown", ".html", ".htm")
CACHING: Final = {"Cache-Control": "private, no-cache"}
"""Rendered files keep their names across re-renders: revalidate (ETag) before reuse."""


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


def create_app(config: Config, *, queue: RenderQueue | None = None) -> FastAPI:
    """The app, its token checked on every request."""
    app = FastAPI(title="cuecast", docs_url=None, redoc_url=None, openapi_url=None)
    # the body counted inside the key check (Starlette runs the last added outermost), so
    # that its 413 is raised where the route reads the body and answered as a page
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.middleware("http")(guard(config.token))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals["clock"] = lambda ms: clock(ms, tenths=False)
    pages.env.globals["megabytes"] = lambda size: f"{size / 1e6:.1f} MB"
    pages.env.globals["theme"] = THEME
    jobs = queue or RenderQueue()

    def page(request: Request, template: str, status: int = 200,
             **context: Any) -> HTMLResponse:
        return pages.TemplateResponse(request, template, context, status_code=status)

    folders = [*([config.library] if config.library else []), config.routines]

    def routine_paths() -> dict[str, Path]:
        return routine_files(*folders)

    def routine_at(name: str) -> tuple[Path, Routine]:
        path = routine_paths().get(name)
        if path is None:
            raise HTTPException(404, "No such routine in the library.")
        try:
            return path, load_routine(path)
        except RoutineError as exc:
            raise HTTPException(422, str(exc.problems[0])) from None

    def session_at(stem: str) -> Session:
        session = find_session(config.output, stem)
        if session is None:
            raise HTTPException(404, "No such session in the output folder.")
        return session

    def lengths(engine: HibariOptions) -> Lengths:
        """The lengths of the clips already made with this voice: the total shown is the
        render's wherever the clips exist."""
        return cached_lengths(engine, config.cache_dir)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/files/", "/feed")):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        shown = page(request, "message.html", exc.status_code,
                     title="Too large" if exc.status_code == 413 else "Not here",
                     message=exc.detail)
        shown.headers.update(exc.headers or {})  # "Connection: close": the rest goes unread
        return shown

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> Response:  # never a traceback
        # the page says what happened without the internals (paths, types); the computer
        # running cuecast gets the one line
        print(f"cuecast serve: {request.method} {request.url.path}: {type(exc).__name__}: "
              f"{exc}", file=sys.stderr)
        return page(request, "message.html", 500, title="Something went wrong",
                    message="cuecast could not do that. The window where 'cuecast serve' "
                            "runs says what went wrong.")

    listed: dict[tuple[Any, ...], list[Entry]] = {}

    def library_entries() -> list[Entry]:
        """``cuecast list``'s entries, compiled again only when a routine file changed."""
        paths = routine_paths()
        key = tuple((p.name, *_stamp(p)) for p in paths.values())
        if key not in listed:
            listed.clear()
            listed[key] = list_routines(folders=folders) if paths else []
        return listed[key]

    @app.get("/manifest.webmanifest")
    def manifest() -> JSONResponse:
        """What a phone's "Add to Home Screen" reads: a name, icons, a standalone window."""
        return JSONResponse(MANIFEST, media_type="application/manifest+json")

    @app.get("/", response_class=HTMLResponse)
    def library(request: Request) -> HTMLResponse:
        feed_url = f"{str(request.base_url).rstrip('/')}/feed.xml?" + urlencode(
            {"token": feed_key(config.token)})
        sessions = list_sessions(config.output)
        return page(request, "library.html", routines=library_entries(), sessions=sessions,
                    used=sum(s.size + s.extra_bytes for s in sessions), feed_url=feed_url)

    @app.get("/routine/{name}", response_class=HTMLResponse)
    def routine_page(request: Request, name: str) -> HTMLResponse:
        return _routine_page(request, name, routine_at(name)[1])

    def _routine_page(request: Request, name: str, routine: Routine,
                      error: str | None = None, status: int = 200) -> HTMLResponse:
        in_force = effective(routine)
        total = layout(routine, lengths=lengths(HibariOptions())).duration_ms
        return page(request, "routine.html", status, name=name, routine=routine, error=error,
                    total=total, voices=offered_voices(), speed=HibariOptions.speed,
                    fields=fields(in_force), exercises=exercise_fields(routine),
                    includes=INCLUDES)

    @app.get("/api/preview/{name}")
    def preview(request: Request, name: str) -> JSONResponse:
        routine = routine_at(name)[1]
        try:
            choice = read_choice(routine, request.query_params)
            timeline = layout(routine, choice.options, lengths(choice.engine))
        except CuecastError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"total_ms": timeline.duration_ms,
                             "total": clock(timeline.duration_ms, tenths=False),
                             "dropped": len(timeline.dropped), "error": None})

    async def form_action(request: Request, name: str,
                          act: Callable[[Path, Routine, Choice, FormData], str]) -> Response:
        """Read a routine page's form as the CLI reads its options and act on it: to the
        page ``act`` returns, or back to the routine page with the one-line message."""
        path, routine = routine_at(name)
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)

        def run() -> str:  # reading the options and acting: off the event loop
            return act(path, routine, read_choice(routine, form), form)

        try:
            location = await run_in_threadpool(run)
        except CuecastError as exc:
            return _routine_page(request, name, routine, str(exc), 400)
        return RedirectResponse(location, status_code=303)

    @app.post("/routine/{name}/render")
    async def start_render(request: Request, name: str) -> Response:
        def queue(path: Path, routine: Routine, choice: Choice, form: FormData) -> str:
            # names and the length checked now, not in the queue
            layout(routine, choice.options, lengths(choice.engine))
            stem = session_stem(name, routine, choice)
            return f"/jobs/{jobs.submit(name, _renderer(config, path, stem, choice)).id}"

        return await form_action(request, name, queue)

    @app.post("/routine/{name}/save")
    async def save(request: Request, name: str) -> Response:
        def write(path: Path, routine: Routine, choice: Choice, form: FormData) -> str:
            saved = save_customised(path=path, options=choice.options,
                                    name=str(form.get("save_as") or ""),
                                    folder=config.routines)
            return f"/routine/{quote(saved.stem)}"

        return await form_action(request, name, write)

    @app.get("/compose", response_class=HTMLResponse)
    def compose_page(request: Request) -> HTMLResponse:
        return page(request, "compose.html", areas=AREAS, positions=POSITIONS,
                    chosen=(), minutes=15, placed=())

    @app.post("/compose", response_class=HTMLResponse)
    async def compose_post(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        focus = [str(v) for v in form.getlist("focus")]
        positions = [str(v) for v in form.getlist("position")]
        minutes = str(form.get("minutes") or "").strip()

        def run() -> str:  # composing lays sessions out: off the event loop
            if not minutes.isascii() or not minutes.isdigit():
                raise OptionError(f"Minutes: a whole number, not '{minutes}'")
            request_ = read_request(focus=focus, length=f"{minutes}m", positions=positions)
            written = write_composed(request=request_, folder=config.routines,
                                     library=config.library)[1]
            return f"/routine/{quote(written.stem)}"

        try:
            location = await run_in_threadpool(run)
        except CuecastError as exc:
            return page(request, "compose.html", 400, areas=AREAS, positions=POSITIONS,
                        chosen=focus, minutes=minutes, placed=positions, error=str(exc))
        return RedirectResponse(location, status_code=303)

    @app.get("/session/{stem}/delete", response_class=HTMLResponse)
    def delete_page(request: Request, stem: str) -> HTMLResponse:
        return page(request, "delete.html", session=session_at(stem))

    @app.post("/session/{stem}/delete")
    def delete(stem: str) -> Response:
        if not delete_session(config.output, stem):
            raise HTTPException(404, "No such session in the output folder.")
        return RedirectResponse("/#sessions", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, "No such render (the server may have restarted).")
        return page(request, "job.html", job=job)

    @app.get("/api/jobs/{job_id}")
    def job_state(job_id: str) -> JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, "No such render.")
        return JSONResponse({"state": job.state, "done": job.done, "total": job.total,
                             "cached": job.cached, "position": jobs.position(job),
                             "error": job.error,
                             "player": f"/session/{quote(job.session)}" if job.session else None})

    @app.get("/session/{stem}", response_class=HTMLResponse)
    def player(request: Request, stem: str) -> HTMLResponse:
        session = session_at(stem)
        timeline = session.cues().timeline
        chapters = [asdict(c) for c in timeline.chapters]
        return page(request, "player.html", session=session, chapters=chapters,
                    cues={"chapters": chapters, "title": timeline.title,
                          "duration_ms": timeline.duration_ms,
                          "blocks": [asdict(b) for b in timeline.blocks],
                          "lines": [{"start_ms": e.start_ms, "end_ms": e.end_ms,
                                     "text": e.text, "exercise": e.exercise, "phase": e.phase}
                                    for e in timeline.speech()]})

    @app.api_route("/files/{name}", methods=["GET", "HEAD"])
    def files(name: str) -> Response:
        found = listed_file(config.output, name)
        if found is None:
            raise HTTPException(404, "No such file.")
        session, ext = found
        if ext == CHAPTERS:
            return JSONResponse(json_chapters(session), media_type=CHAPTERS_TYPE,
                                headers=CACHING)
        return FileResponse(session.path(ext), media_type=MEDIA_TYPES[ext], headers=CACHING,
                            filename=session.stem + ext if ext == ".mp3" else None,
                            content_disposition_type="inline")

    @app.get("/feed.xml")
    def podcast_feed(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")

        def url(name: str) -> str:
            return f"{base}/files/{quote(name)}?{urlencode({'token': feed_key(config.token)})}"

        body = feed(list_sessions(config.output), link=f"{base}/", url=url)
        return Response(body, media_type="application/rss+xml; charset=utf-8",
                        headers=CACHING)

    @app.get("/import", response_class=HTMLResponse)
    def import_page(request: Request) -> HTMLResponse:
        return page(request, "import.html")

    @app.post("/import", response_class=HTMLResponse)
    async def import_post(request: Request) -> HTMLResponse:
        # the body's own limit (BodyLimit, 413) comes first; the article's size is checked
        # after, with its message
        form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_BODY)
        try:
            name, data = await _article(form)

            def run() -> ImportResult:  # the import reads the whole article: off the loop
                with tempfile.TemporaryDirectory(prefix="cuecast-import-") as folder:
                    article = Path(folder) / f"article{Path(name).suffix.lower() or '.txt'}"
                    article.write_bytes(data)
                    return import_article(path=article, folder=config.routines, shown=name,
                                          force=form.get("force") == "on")

            result = await run_in_threadpool(run)
        except CuecastError as exc:
            return page(request, "import.html", 400, error=str(exc))
        return page(request, "imported.html", name=result.written.stem,
                    warnings=result.warnings)

    return app


THEME: Final = "#12355b"
"""The header bar's colour: the phone's status bar and the icon's background."""
MANIFEST: Final = {
    "name": "cuecast", "short_name": "cuecast",
    "description": "Voice-guided stretching sessions, made on your computer, played here.",
    "start_url": "/", "scope": "/", "display": "standalone",
    "theme_color": THEME, "background_color": "#ffffff",
    "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png",
         "purpose": "any"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "any"},
        {"src": "/static/icon-maskable-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
    ],
}
"""The web app manifest: a home-screen icon that opens the companion in its own window (on
a plain-HTTP LAN address that is all it can be: no service worker, so no offline use)."""

TOO_LARGE: Final = "That is over 2 MB; an article saved as text is far smaller."


class BodyLimit:
    """Refuses a request body over ``limit`` bytes, counted as they arrive (chunked or not),
    with 413 and a readable message: not one byte more is read."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            refused = PlainTextResponse(TOO_LARGE, status_code=413,
                                        headers={"Connection": "close"})
            await refused(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # raised where the body is read: the route's own 413 page
                raise HTTPException(413, TOO_LARGE, headers={"Connection": "close"})
            return message

        await self.app(scope, counted, send)


async def _article(form: FormData) -> tuple[str, bytes]:
    """The pasted text or the uploaded file, checked for size and type."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        name = Path(upload.filename).name
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            raise OptionError(f"{name}: upload a .txt, .md or .html file")
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise OptionError(f"{name} is over 2 MB; an article saved as text is far smaller")
        return name, data
    text = str(form.get("text") or "")
    if not text.strip():
        raise OptionError("paste an article's text or choose a file")
    data = text.encode("utf-8")
    if len(data) > MAX_UPLOAD:
        raise OptionError("the pasted text is over 2 MB")
    return "pasted text", data


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _renderer(config: Config, path: Path, stem: str, choice: Choice) -> Any:
    def run(progress: Progress) -> str:
        render(path=path, output=config.output / f"{stem}.mp3", options=choice.options,
               engine=choice.engine,
               cache_dir=config.cache_dir, bed=None if choice.bed == "none" else choice.bed,
               progress=progress)
        return stem

    return run


__all__ = ["Config", "Session", "create_app"]
