"""The companion's own middleware (the key's is :func:`cuecast.web.access.guard`)."""

from __future__ import annotations

from typing import Final

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_UPLOAD: Final = 2_000_000
"""Largest article accepted (as ``cuecast import``); a saved article is far smaller."""
MAX_BODY: Final = MAX_UPLOAD + 100_000
"""Largest request body read: an article and its form's fields."""
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


class HeadAsGet:
    """HEAD answered wherever GET is (podcast apps and link checkers ask it of the feed and
    the pages): the request is routed as a GET, and its answer sent without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
