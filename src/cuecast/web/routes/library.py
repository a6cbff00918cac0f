"""The library and a routine's page: customise, preview the length, render, save a copy;
the render's progress page; the web app manifest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cuecast.engines.registry import HibariOptions
from cuecast.errors import CuecastError
from cuecast.make.preview import preview_routine
from cuecast.make.render import render, session_mp3
from cuecast.make.writing import save_customised
from cuecast.script.options import BEDS, RenderOptions
from cuecast.script.resolve import effective
from cuecast.script.routine import Routine
from cuecast.script.timeline import clock
from cuecast.speech.clips import Progress
from cuecast.web.access import feed_key
from cuecast.web.context import MAX_FIELDS, THEME, Config, companion, page
from cuecast.web.form import (
    INCLUDES,
    Choice,
    exercise_fields,
    fields,
    offered_voices,
    read_choice,
    session_stem,
)
from cuecast.web.routes.practice import today_card
from cuecast.web.sessions import damaged_sessions, list_sessions

router = APIRouter()

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


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    """What a phone's "Add to Home Screen" reads: a name, icons, a standalone window."""
    return JSONResponse(MANIFEST, media_type="application/manifest+json")


@router.get("/", response_class=HTMLResponse)
def library(request: Request) -> HTMLResponse:
    shared = companion(request)
    feed_url = f"{str(request.base_url).rstrip('/')}/feed.xml?" + urlencode(
        {"token": feed_key(shared.config.token)})
    sessions = list_sessions(shared.config.output)
    return page(request, "library.html", routines=shared.library_entries(), sessions=sessions,
                used=sum(s.size + s.extra_bytes for s in sessions), feed_url=feed_url,
                today=today_card(shared), damaged=damaged_sessions(shared.config.output))


@router.get("/routine/{name}", response_class=HTMLResponse)
def routine_page(request: Request, name: str) -> HTMLResponse:
    return _routine_page(request, name, companion(request).routine_at(name)[1])


def _routine_page(request: Request, name: str, routine: Routine, error: str | None = None,
                  status: int = 200) -> HTMLResponse:
    in_force = effective(routine)
    lengths = companion(request).lengths(HibariOptions())
    total = preview_routine(routine, lengths=lengths).duration_ms
    return page(request, "routine.html", status, name=name, routine=routine, error=error,
                total=total, voices=offered_voices(), speed=HibariOptions.speed,
                fields=fields(in_force), exercises=exercise_fields(routine),
                includes=INCLUDES, beds=BEDS)


@router.get("/api/preview/{name}")
def preview(request: Request, name: str) -> JSONResponse:
    shared = companion(request)
    routine = shared.routine_at(name)[1]
    try:
        choice = read_choice(routine, request.query_params)
        timeline = preview_routine(routine, choice.options, shared.lengths(choice.engine))
    except CuecastError as exc:  # the command line's words, and the page's
        return JSONResponse({"error": str(exc), "shown": exc.brief}, status_code=400)
    return JSONResponse({"total_ms": timeline.duration_ms,
                         "total": clock(timeline.duration_ms, tenths=False),
                         "dropped": len(timeline.dropped), "error": None, "shown": None})


Act = Callable[[Path, Routine, Choice, FormData], str]


async def _form_action(request: Request, name: str, act: Act) -> Response:
    """Read a routine page's form as the CLI reads its options and act on it: to the page
    ``act`` returns, or back to the routine page with the one-line message."""
    path, routine = companion(request).routine_at(name)
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)

    def run() -> str:  # reading the options and acting: off the event loop
        return act(path, routine, read_choice(routine, form), form)

    try:
        location = await run_in_threadpool(run)
    except CuecastError as exc:
        return _routine_page(request, name, routine, exc.brief, 400)
    return RedirectResponse(location, status_code=303)


@router.post("/routine/{name}/render")
async def start_render(request: Request, name: str) -> Response:
    shared = companion(request)

    def queue(path: Path, routine: Routine, choice: Choice, form: FormData) -> str:
        # names and the length checked now, not in the queue
        preview_routine(routine, choice.options, shared.lengths(choice.engine))
        mp3 = session_mp3(shared.config.output, session_stem(name, routine, choice), path,
                          routine.title)
        job = shared.jobs.submit(name, _renderer(shared.config, path, mp3, choice))
        return f"/jobs/{job.id}"

    return await _form_action(request, name, queue)


@router.post("/routine/{name}/save")
async def save(request: Request, name: str) -> Response:
    shared = companion(request)
    folder = shared.config.routines

    def write(path: Path, routine: Routine, choice: Choice, form: FormData) -> str:
        saved = save_customised(path=path, options=choice.options,
                                name=str(form.get("save_as") or ""), folder=folder,
                                library=shared.config.library)
        return f"/routine/{quote(saved.stem)}"

    return await _form_action(request, name, write)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    job = companion(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "No such render (the server may have restarted).")
    return page(request, "job.html", job=job)


@router.get("/api/jobs/{job_id}")
def job_state(request: Request, job_id: str) -> JSONResponse:
    jobs = companion(request).jobs
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "No such render.")
    return JSONResponse({"state": job.state, "done": job.done, "total": job.total,
                         "cached": job.cached, "position": jobs.position(job),
                         "error": job.error,
                         "player": f"/session/{quote(job.session)}" if job.session else None})


def _renderer(config: Config, path: Path, mp3: Path, choice: Choice) -> Any:
    def run(progress: Progress) -> str:
        render(path=path, output=mp3, options=choice.options, engine=choice.engine,
               cache_dir=config.cache_dir, written=RenderOptions(bed=choice.bed),
               progress=progress)
        return mp3.stem

    return run
