"""Who may use the companion: whoever holds its secret token.

The token (128 bits or more) is in the address the QR code carries; the first visit turns it
into an HttpOnly, SameSite cookie. Podcast apps send no cookies, so the feed and its files
also accept the token in the query. State-changing requests must be POSTs from this origin.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

COOKIE: Final = "cuecast_token"
TOKEN_BYTES: Final = 24
"""192 bits of randomness (the issue asks for at least 128)."""
SAFE_METHODS: Final = frozenset({"GET", "HEAD"})


def token_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("cuecast")) / "serve-token"


def load_token(path: Path, *, new: bool = False) -> str:
    """The kept token, or a new one written with mode 0600 (so a feed subscription survives
    restarts; ``new`` replaces it, cutting off every phone and feed that had the old one)."""
    if not new:
        try:
            kept = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            kept = ""
        if len(kept) >= 22:  # 128 bits in URL-safe base64
            return kept
    token = secrets.token_urlsafe(TOKEN_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(token + "\n")
    path.chmod(0o600)
    return token


Call = Callable[[Request], Awaitable[Response]]


def guard(token: str) -> Callable[[Request, Call], Awaitable[Response]]:
    """The HTTP middleware that turns away every request without the token."""

    async def check(request: Request, call_next: Call) -> Response:
        given = request.query_params.get("token")
        cookie = request.cookies.get(COOKIE)
        if given is None and cookie is None:
            return PlainTextResponse("This cuecast needs its address with the key: scan the QR "
                                     "code that 'cuecast serve' shows.", status_code=401)
        if not any(t is not None and secrets.compare_digest(t.encode(), token.encode())
                   for t in (given, cookie)):
            return PlainTextResponse("Wrong key: scan the QR code that 'cuecast serve' shows.",
                                     status_code=403)
        if request.method not in SAFE_METHODS and not _same_origin(request):
            return PlainTextResponse("Refused: this request did not come from cuecast's own "
                                     "pages.", status_code=403)
        response = await call_next(request)
        if cookie != token:
            response.set_cookie(COOKIE, token, max_age=400 * 86400, httponly=True,
                                samesite="strict", path="/")
        return response

    return check


def _same_origin(request: Request) -> bool:
    """A POST's Origin (or Referer) names this very host: a page elsewhere cannot post here."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.headers.get("host")
