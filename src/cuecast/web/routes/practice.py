"""Practice on the phone: today's card on the library, the programmes to start, a
programme's page (calendar and chart), and the session played recorded as done with how it
felt. The next session is rendered ahead once one is done, so it is usually ready."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cuecast.errors import CuecastError, OptionError
from cuecast.practice.daily import (
    Listed,
    Today,
    current_render,
    day_of,
    day_stem,
    done,
    list_programmes,
    planned_timeline,
    programme_of,
    render_today,
    start,
    stop,
    today,
)
from cuecast.practice.history import History
from cuecast.practice.programme import FEELINGS
from cuecast.speech.clips import Progress
from cuecast.web.context import Companion, companion, page
from cuecast.web.jobs import Job
from cuecast.web.progress import calendar, chart, figures
from cuecast.web.sessions import Session

router = APIRouter()


@dataclass(frozen=True)
class Card:
    """The library's ``#today`` card."""

    heading: str
    """``Day 9 of 20: Neck and Shoulder Release, 9 min``, or what stops it."""
    introduction: str
    ready: str | None
    """The player's address when the session is rendered already."""
    programme: str | None = None
    error: bool = False


def _planned(shared: Companion) -> tuple[Today | None, bool]:
    """Today's session (planned once for each state of the history), and whether its file
    is rendered from that plan already."""
    with History.open(shared.config.data_dir) as history:
        run = history.running()
        if run is None:
            return None, False
        felt = tuple(s.felt for s in history.sessions(run.id))
        key = (run.id, len(felt), felt[-2:])
        if key not in shared.planned:
            shared.planned.clear()
            shared.planned[key] = today(history=history, routines=shared.folders)
        now = shared.planned[key]
        return now, now is not None and current_render(history, now) is not None


def today_card(shared: Companion) -> Card | None:
    """The card, or None when no programme is under way; a history that cannot be read
    (damaged: moved aside) says so on the card instead of failing the page."""
    try:
        now, ready = _planned(shared)
    except CuecastError as exc:
        return Card("Your programme", exc.brief, None, error=True)
    if now is None:
        return None
    routine = now.plan.routine
    minutes = round(planned_timeline(now).duration_ms / 60_000)
    stem = day_stem(now.run.name, now.next.day)
    return Card(f"Day {now.next.day} of {now.programme.days}: {routine.title}, {minutes} min",
                routine.introduction or "", f"/session/{quote(stem)}" if ready else None,
                now.run.title)


def played_day(shared: Companion, session: Session) -> dict[str, Any] | None:
    """What the player needs when ``session`` is a day of the programme under way: the day,
    and whether it is done already."""
    found = day_of(session.stem)
    if found is None:
        return None
    try:
        with History.open(shared.config.data_dir) as history:
            run = history.running()
            sessions = history.sessions(run.id) if run is not None else []
    except CuecastError:
        return None
    name, day = found
    if run is None or run.name != name or day > len(sessions) + 1:
        return None
    return {"day": day, "done": day <= len(sessions), "programme": run.title,
            "feelings": FEELINGS}


def seasons(shared: Companion) -> dict[str, tuple[int, str]]:
    """Each programme's output folder -> its season in the feed: (number, title)."""
    try:
        with History.open(shared.config.data_dir) as history:
            runs = history.runs()
    except CuecastError:
        return {}
    return {run.name: (run.id, run.title) for run in runs}


def _render_ahead(shared: Companion) -> Job | None:
    """Queue the next session's render, unless it is ready or queued already."""
    now, ready = _planned(shared)
    if now is None or ready:
        return None
    key = (now.run.id, now.next.day, now.plan.routine.introduction)
    queued = shared.jobs.get(shared.ahead.get(key, ""))
    if queued is not None and queued.state in ("queued", "running"):
        return queued
    config = shared.config

    def run(progress: Progress) -> str:
        made = render_today(data_dir=config.data_dir, output=config.output,
                            cache_dir=config.cache_dir, progress=progress,
                            routines=shared.folders)
        return day_stem(made.today.run.name, made.today.next.day)

    job = shared.jobs.submit(f"{now.run.name} day {now.next.day}", run)
    shared.ahead[key] = job.id
    return job


@router.post("/today/play")
async def play_today(request: Request) -> Response:
    """The card's Play: the player if the session is ready, else its render's page."""
    shared = companion(request)
    try:
        now, ready = await run_in_threadpool(_planned, shared)
        if now is None:
            return RedirectResponse("/programmes", status_code=303)
        if ready:
            stem = day_stem(now.run.name, now.next.day)
            return RedirectResponse(f"/session/{quote(stem)}", status_code=303)
        job = await run_in_threadpool(_render_ahead, shared)
    except CuecastError as exc:
        return page(request, "message.html", 400, title="Not now", message=exc.brief)
    return RedirectResponse(f"/jobs/{job.id}" if job else "/", status_code=303)


def _startable() -> list[Listed]:
    """The programmes a phone may start: the valid ones."""
    return [p for p in list_programmes() if p.programme is not None]


@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(request: Request) -> HTMLResponse:
    return page(request, "programmes.html", programmes=_startable())


@router.post("/programmes/start")
async def start_programme(request: Request) -> Response:
    shared = companion(request)
    form = await request.form(max_files=0, max_fields=5)
    name = str(form.get("name") or "")
    try:
        if name not in {p.name for p in _startable()}:
            raise OptionError("Choose one of the programmes listed.")
        await run_in_threadpool(lambda: start(programme=name, data_dir=shared.config.data_dir,
                                              routines=shared.folders))
        await run_in_threadpool(_render_ahead, shared)  # day 1, while they get the mat out
    except CuecastError as exc:
        return page(request, "programmes.html", 400, programmes=_startable(),
                    error=exc.brief)
    return RedirectResponse("/#today", status_code=303)


@router.post("/programme/stop")
async def stop_programme(request: Request) -> Response:
    shared = companion(request)
    try:
        await run_in_threadpool(lambda: stop(data_dir=shared.config.data_dir))
    except CuecastError as exc:
        return page(request, "message.html", 400, title="Not now", message=exc.brief)
    return RedirectResponse("/programmes", status_code=303)


@router.get("/programme", response_class=HTMLResponse)
def programme_page(request: Request) -> HTMLResponse:
    """The programme under way (else the last one): its calendar, chart and sessions."""
    shared = companion(request)
    try:
        with History.open(shared.config.data_dir) as history:
            runs = history.runs()
            run = history.running() or (runs[-1] if runs else None)
            sessions = history.sessions(run.id) if run is not None else []
        programme = programme_of(run) if run is not None else None
    except CuecastError as exc:
        return page(request, "message.html", 400, title="Your programme", message=exc.brief)
    if run is None or programme is None:
        return RedirectResponse("/programmes", status_code=303)  # type: ignore[return-value]
    weeks = figures(programme, sessions)
    return page(request, "programme.html", run=run, programme=programme, sessions=sessions,
                calendar=calendar(run, sessions, programme, datetime.now().date()),
                weeks=weeks, chart=chart(weeks), card=today_card(shared))


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise OptionError("the request is not JSON") from None
    if not isinstance(body, dict):
        raise OptionError("the request is not a JSON object")
    return body


def _whole(body: dict[str, Any], name: str, *, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            0 <= value <= high):
        raise OptionError(f"{name}: a whole number from 0 to {high}")
    return int(value)


@router.post("/api/today/done")
async def today_done(request: Request) -> JSONResponse:
    """The player reached the end, or Done was tapped: ``{"day": 9, "played_ms": 512000}``
    (and maybe ``"felt"``). A day already done gets how far it was played, or how it felt."""
    shared = companion(request)
    try:
        body = await _json(request)
        day = _whole(body, "day", high=10_000)
        played = _whole(body, "played_ms", high=24 * 3_600_000)
        felt = body.get("felt")
        if felt is not None and felt not in FEELINGS:
            raise OptionError(f"felt: one of {', '.join(FEELINGS)}")
        if day is None:
            raise OptionError("day: which day was played")

        def record() -> dict[str, Any]:
            recorded = done(data_dir=shared.config.data_dir, day=day, played_ms=played,
                            felt=felt, routines=shared.folders)
            with contextlib.suppress(CuecastError):  # else the card's Play renders it
                _render_ahead(shared)
            return {"day": recorded.day, "felt": recorded.felt,
                    "played_ms": recorded.played_ms}

        answer = await run_in_threadpool(record)
    except CuecastError as exc:
        return JSONResponse({"error": exc.brief}, status_code=400)
    return JSONResponse(answer)
