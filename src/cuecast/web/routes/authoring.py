"""Making routines on the phone: importing an article, composing one from the library."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from cuecast.errors import CuecastError, OptionError
from cuecast.make.compose import write_composed
from cuecast.make.writing import ImportResult, import_article
from cuecast.script.notation import MAX_SESSION_MS
from cuecast.script.options import AREAS, POSITIONS, ComposeOptions, read
from cuecast.web.context import MAX_FIELDS, companion, page
from cuecast.web.middleware import MAX_BODY, MAX_UPLOAD

router = APIRouter()

UPLOAD_SUFFIXES: Final = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_MINUTES: Final = MAX_SESSION_MS // 60_000


@router.get("/compose", response_class=HTMLResponse)
def compose_page(request: Request) -> HTMLResponse:
    return page(request, "compose.html", areas=AREAS, positions=POSITIONS, chosen=(),
                minutes=15, placed=())


def _minutes(text: str) -> int:
    """The Minutes field as a whole number, bounded before any arithmetic."""
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise OptionError(f"Minutes: a whole number from 1 to {MAX_MINUTES}, not "
                          f"'{text[:12]}'")
    return int(text)


@router.post("/compose", response_class=HTMLResponse)
async def compose_post(request: Request) -> Response:
    config = companion(request).config
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    focus = [str(v) for v in form.getlist("focus")]
    positions = [str(v) for v in form.getlist("position")]
    minutes = str(form.get("minutes") or "").strip()

    def run() -> str:  # composing lays sessions out: off the event loop
        asked = read(ComposeOptions, {"focus": focus, "length": _minutes(minutes) * 60,
                                      "position": positions})
        written = write_composed(request=asked, folder=config.routines,
                                 library=config.library, rename=True)[1]
        return f"/routine/{quote(written.stem)}"

    try:
        location = await run_in_threadpool(run)
    except CuecastError as exc:
        return page(request, "compose.html", 400, areas=AREAS, positions=POSITIONS,
                    chosen=focus, minutes=minutes[:12], placed=positions, error=exc.brief)
    return RedirectResponse(location, status_code=303)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    return page(request, "import.html")


@router.post("/import", response_class=HTMLResponse)
async def import_post(request: Request) -> HTMLResponse:
    config = companion(request).config
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
                                      force=form.get("force") == "on",
                                      library=config.library)

        result = await run_in_threadpool(run)
    except CuecastError as exc:
        return page(request, "import.html", 400, error=exc.brief)
    return page(request, "imported.html", name=result.written.stem, warnings=result.warnings)


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
