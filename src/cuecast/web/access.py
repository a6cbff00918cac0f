"""Who may use the companion: whoever holds its secret token.

The token (128 bits or more) is in the address the QR code carries; the first visit turns it
into an HttpOnly, SameSite cookie and is sent on to the same address without it (303), so the
key does not stay in the address bar, the history or a shared link. Podcast apps send no
cookies, so the feed and its files also accept a key in the query: the feed's own key, which
opens nothing else (podcast apps share feed and enclosure addresses, and some fetch them
through their own servers), derived from the full key so that ``--new-token`` replaces both.
A change (a POST) never takes a key from the address, and must come from this origin. Every
answer carries the hardening headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE: Final = "cuecast_token"
TOKEN_BYTES: Final = 24
"""192 bits of randomness (the issue asks for at least 128)."""
SAFE_METHODS: Final = frozenset({"GET", "HEAD"})
QUERY_KEY_PATHS: Final = ("/feed.xml", "/files/")
"""Where a key may stay in the address: what podcast apps fetch (they send no cookies)."""
FEED_FILES: Final = (".mp3", ".chapters.json", ".vtt", ".srt")
"""The files of a session the feed lists, which its key opens."""


def feed_key(token: str) -> str:
    """The feed's read-only key: HMAC-SHA256 of the full key, so it cannot be turned back
    into the full key, and a new full key makes a new feed key."""
    digest = hmac.new(token.encode(), b"cuecast feed", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode().rstrip("=")


def _opens_feed(request: Request) -> bool:
    """What the feed's key opens: reading the feed and the files it lists."""
    path = request.url.path
    return request.method in SAFE_METHODS and (
        path == "/feed.xml" or (path.startswith("/files/") and path.endswith(FEED_FILES)))
CSP: Final = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
"""Scripts, styles and media from the companion itself only (its pages have no inline script
or style), forms posting only to it, and never inside another site's frame."""
HARDENING: Final = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                    "Content-Security-Policy": CSP,
                    "X-Frame-Options": "DENY"}
"""Headers on every answer: no type sniffing, no address sent on to another site, never shown
inside another site's frame. ``same-origin``, not ``no-referrer``: under ``no-referrer`` a
browser sends ``Origin: null`` with the page's own form posts (the Fetch standard), and the
origin check would refuse every render (seen in Chromium)."""
PAGE_CACHING: Final = "no-store"
"""Pages show the current library and renders: never kept by the browser or a proxy."""


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
        return _hardened(await _checked(request, call_next))

    feed = feed_key(token)

    async def _checked(request: Request, call_next: Call) -> Response:
        given = request.query_params.get("token")
        cookie = request.cookies.get(COOKIE)
        if given is not None and secrets.compare_digest(given.encode(), feed.encode()):
            if _opens_feed(request):
                return await call_next(request)
            return PlainTextResponse("This key opens only the podcast feed: scan the QR code "
                                     "that 'cuecast serve' shows.", status_code=403)
        if given is not None and request.method not in SAFE_METHODS:
            return PlainTextResponse("Refused: a change needs the key from cuecast's own "
                                     "pages, not from the address.", status_code=403)
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
        if given is not None and not request.url.path.startswith(QUERY_KEY_PATHS):
            # the key becomes the cookie, and leaves the address
            kept = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            response: Response = RedirectResponse(
                str(request.url.replace(query=urlencode(kept))), status_code=303)
        else:
            response = await call_next(request)
        if cookie != token:
            response.set_cookie(COOKIE, token, max_age=400 * 86400, httponly=True,
                                samesite="strict", path="/")
        return response

    return check


def _hardened(response: Response) -> Response:
    for name, value in HARDENING.items():
        response.headers.setdefault(name, value)
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Cache-Control", PAGE_CACHING)
    return response


def _same_origin(request: Request) -> bool:
    """A POST's Origin (or Referer) names this very host: a page elsewhere cannot post here."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.headers.get("host")
