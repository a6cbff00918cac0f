"""The companion's web app: pages for a phone, the files they play, and the podcast feed.

Pages are rendered on the server (Jinja2) with a little plain JavaScript; nothing comes from
a CDN, since the phone may have only the local network. Options are read and checked by the
same model as the command line (:mod:`cuecast.script.options`), so a bad value gets the same line.
The routes are grouped by what they serve (:mod:`cuecast.web.routes`).
"""

from __future__ import annotations

import sys
from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cuecast.web.access import guard
from cuecast.web.context import HERE, Companion, Config, page, templates
from cuecast.web.jobs import RenderQueue
from cuecast.web.middleware import MAX_BODY, MAX_UPLOAD, BodyLimit, HeadAsGet
from cuecast.web.routes import authoring, library, playback, practice

JSON_PATHS: Final = ("/api/", "/files/", "/feed")
"""Where errors are answered as JSON, for the scripts and apps that ask."""


def create_app(config: Config, *, queue: RenderQueue | None = None) -> FastAPI:
    """The app, its token checked on every request."""
    app = FastAPI(title="cuecast", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.companion = Companion(config, templates(), queue or RenderQueue())
    # the body counted inside the key check (Starlette runs the last added outermost), so
    # that its 413 is raised where the route reads the body and answered as a page
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.middleware("http")(guard(config.token))
    app.add_middleware(HeadAsGet)
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _any_error)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for routes in (library, playback, authoring, practice):
        app.include_router(routes.router)
    return app


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if request.url.path.startswith(JSON_PATHS):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    shown = page(request, "message.html", exc.status_code,
                 title="Too large" if exc.status_code == 413 else "Not here",
                 message=exc.detail)
    shown.headers.update(exc.headers or {})  # "Connection: close": the rest goes unread
    return shown


async def _any_error(request: Request, exc: Exception) -> Response:  # never a traceback
    # the page says what happened without the internals (paths, types); the computer
    # running cuecast gets the one line
    print(f"cuecast serve: {request.method} {request.url.path}: {type(exc).__name__}: "
          f"{exc}", file=sys.stderr)
    message = ("cuecast could not do that. The window where 'cuecast serve' runs says what "
               "went wrong.")
    if request.url.path.startswith(JSON_PATHS):
        return JSONResponse({"error": message}, status_code=500)
    return page(request, "message.html", 500, title="Something went wrong", message=message)


__all__ = ["MAX_UPLOAD", "Config", "create_app"]
