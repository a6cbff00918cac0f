"""uvicorn's HTTP/1.1 protocol with what it lacks to keep one device from taking the
companion from everyone: a deadline for each request's headers (a half-sent request is
closed), a cap on each address's connections, and a deadline for a response that is not
being read. Imported only when serving (uvicorn is not loaded otherwise)."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections import Counter
from typing import ClassVar, Final

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.utils import get_remote_addr

HEADER_TIMEOUT_S: Final = 5.0
"""A request's headers must arrive within this: a half-sent request (slowloris) is closed."""
PER_CLIENT: Final = 32
"""Connections one address (a phone, a computer) may hold at once: a phone opens a handful,
and whatever one device does, the rest of the household keeps the others. Beyond it, a 503
and the connection closed at once."""
STALLED_S: Final = 20.0
"""A response whose reader has stopped reading for this long is given up, its connection
reset (a phone that is playing keeps reading; one that went away does not)."""
SEND_BUFFER: Final = 128 * 1024
"""The kernel's share of a response in flight (Linux doubles it): many seconds of audio, yet
small enough that a reader who stops reading fills it, and the deadline above starts,
rather than leaving megabytes in the kernel."""
_BUSY: Final = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                b"Content-Length: 33\r\nConnection: close\r\n\r\n"
                b"Too many connections from here.\r\n")


class _Guarded(H11Protocol):
    held: ClassVar[Counter[str]]
    """Open connections by address, for one server (each gets a class of its own)."""
    _deadline: asyncio.TimerHandle | None = None
    _stalled: asyncio.TimerHandle | None = None
    _address: str | None = None
    """The address counted in ``held``; None for a connection refused."""

    def _waiting(self) -> bool:
        """No request of this connection is being answered: its next one is awaited."""
        return self.cycle is None or bool(self.cycle.response_complete)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = get_remote_addr(transport)
        address = peer[0] if peer else ""
        if self.held[address] >= PER_CLIENT:
            transport.write(_BUSY)
            transport.close()
            return  # never set up: costs nothing more
        self.held[address] += 1
        self._address = address
        sock = transport.get_extra_info("socket")
        if sock is not None:  # so that a reader that stops is seen here, and let go
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        super().connection_made(transport)
        self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._too_slow)

    def data_received(self, data: bytes) -> None:
        if self._address is None:
            return
        if self._deadline is None and self._waiting():  # a next request begins
            self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._too_slow)
        super().data_received(data)
        if self._deadline is not None and not self._waiting():  # its headers are in
            self._deadline.cancel()
            self._deadline = None

    def eof_received(self) -> None:
        if self._address is not None:
            super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._address is None:
            return
        self.held[self._address] -= 1
        if not self.held[self._address]:
            del self.held[self._address]
        for timer in (self._deadline, self._stalled):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stalled is None:
            self._stalled = self.loop.call_later(STALLED_S, self._given_up)

    def resume_writing(self) -> None:
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None
        super().resume_writing()

    def _given_up(self) -> None:
        """Reset, not closed: a close would leave the kernel holding the unread rest for as
        long as the reader keeps its window shut."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def _too_slow(self) -> None:
        self._deadline = None
        if self._waiting():
            self.transport.close()


def timed_protocol() -> type[H11Protocol]:
    """The guarded protocol for one server, with its own count of connections by address."""
    return type("GuardedH11Protocol", (_Guarded,), {"held": Counter()})
