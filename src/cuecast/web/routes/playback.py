"""Rendered sessions: the player, deleting one, the files it plays, and the podcast feed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cuecast.web.access import feed_key
from cuecast.web.context import companion, page
from cuecast.web.feed import CHAPTERS_TYPE, feed
from cuecast.web.routes.practice import played_day, seasons
from cuecast.web.sessions import (
    CHAPTERS,
    MEDIA_TYPES,
    delete_session,
    json_chapters,
    list_sessions,
    listed_file,
)

router = APIRouter()

CACHING: Final = {"Cache-Control": "private, no-cache"}
"""Rendered files keep their names across re-renders: revalidate (ETag) before reuse."""


@router.get("/session/{stem:path}/delete", response_class=HTMLResponse)
def delete_page(request: Request, stem: str) -> HTMLResponse:
    return page(request, "delete.html", session=companion(request).session_at(stem))


@router.post("/session/{stem:path}/delete")
def delete(request: Request, stem: str) -> Response:
    if not delete_session(companion(request).config.output, stem):
        raise HTTPException(404, "No such session in the output folder.")
    return RedirectResponse("/#sessions", status_code=303)


@router.get("/session/{stem:path}", response_class=HTMLResponse)
def player(request: Request, stem: str) -> HTMLResponse:
    shared = companion(request)
    session = shared.session_at(stem)
    timeline = session.cues().timeline
    chapters = [asdict(c) for c in timeline.chapters]
    return page(request, "player.html", session=session, chapters=chapters,
                practice=played_day(shared, session),
                cues={"chapters": chapters, "title": timeline.title,
                      "duration_ms": timeline.duration_ms,
                      "blocks": [asdict(b) for b in timeline.blocks],
                      "lines": [{"start_ms": e.start_ms, "end_ms": e.end_ms,
                                 "text": e.text, "exercise": e.exercise, "phase": e.phase}
                                for e in timeline.speech()]})


@router.get("/files/{name:path}")
def files(request: Request, name: str) -> Response:
    found = listed_file(companion(request).config.output, name)
    if found is None:
        raise HTTPException(404, "No such file.")
    session, ext = found
    if ext == CHAPTERS:
        return JSONResponse(json_chapters(session), media_type=CHAPTERS_TYPE, headers=CACHING)
    return FileResponse(session.path(ext), media_type=MEDIA_TYPES[ext], headers=CACHING,
                        filename=session.mp3.name if ext == ".mp3" else None,
                        content_disposition_type="inline")


@router.get("/feed.xml")
def podcast_feed(request: Request) -> Response:
    shared = companion(request)
    base = str(request.base_url).rstrip("/")
    key = urlencode({"token": feed_key(shared.config.token)})

    def url(name: str) -> str:
        return f"{base}/files/{quote(name)}?{key}"

    body = feed(list_sessions(shared.config.output), link=f"{base}/", url=url,
                seasons=seasons(shared))
    return Response(body, media_type="application/rss+xml; charset=utf-8", headers=CACHING)
