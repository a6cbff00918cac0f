"""``cuecast serve``: start the companion, print its address and QR code, serve until Ctrl-C."""

from __future__ import annotations

import socket
import struct
import sys
from pathlib import Path
from typing import Final, TextIO
from urllib.parse import urlencode

from cuecast.errors import OptionError
from cuecast.make.library import library_folder
from cuecast.web.access import feed_key, load_token, token_path

ALL_INTERFACES = "0.0.0.0"


def lan_address() -> str:
    """This computer's address on the local network, as a phone would reach it. Connecting a
    UDP socket sends nothing; it only asks the kernel which interface it would use."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.168.0.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def address(host: str, port: int, token: str, *, page: str = "/") -> str:
    """The address to open (and put in the QR code), key included."""
    shown = lan_address() if host in (ALL_INTERFACES, "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{page}?{urlencode({'token': token})}"


HEADER_TIMEOUT_S: Final = 5.0
"""A request's headers must arrive within this: a half-sent request (slowloris) is closed."""
KEEP_ALIVE_S: Final = 5
"""An idle kept-alive connection is closed after this."""
MAX_CONNECTIONS: Final = 200
"""Open connections and requests at once; beyond, 503."""
PER_CLIENT: Final = 32
"""Connections one address (a phone, a computer) may hold at once: a phone opens a handful,
and whatever one device does, the rest of the household keeps the other
``MAX_CONNECTIONS - PER_CLIENT``. Beyond it, a 503 and the connection closed at once."""
STALLED_S: Final = 20.0
"""A response whose reader has stopped reading for this long is given up, its connection
closed (a phone that is playing keeps reading; one that went away does not)."""
SEND_BUFFER: Final = 128 * 1024
"""The kernel's share of a response in flight (Linux doubles it): a second of audio many times
over, yet small enough that a reader who stops reading fills it, and the deadline above
starts, rather than leaving megabytes in the kernel."""
_BUSY: Final = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                b"Content-Length: 33\r\nConnection: close\r\n\r\n"
                b"Too many connections from here.\r\n")


def timed_protocol() -> type:
    """uvicorn's HTTP/1.1 protocol with what it lacks to keep one device from taking the
    server from everyone: a deadline for each request's headers (a half-sent request is
    closed), a cap on each address's connections, and a deadline for a response that is
    not being read."""
    import asyncio
    from collections import Counter

    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.utils import get_remote_addr

    held: Counter[str] = Counter()  # open connections by address, for this server

    class TimedH11Protocol(H11Protocol):
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
            if held[address] >= PER_CLIENT:
                transport.write(_BUSY)
                transport.close()
                return  # never set up: costs nothing more
            held[address] += 1
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
            held[self._address] -= 1
            if not held[self._address]:
                del held[self._address]
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
            """Reset, not closed: a close would leave the kernel holding the unread rest
            for as long as the reader keeps its window shut."""
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.transport.abort()

        def _too_slow(self) -> None:
            self._deadline = None
            if self._waiting():
                self.transport.close()

    return TimedH11Protocol


def serve(*, host: str, port: int, routines: Path | None, output: Path, cache_dir: Path | None,
          new_token: bool = False, data_dir: Path | None = None,
          out: TextIO = sys.stdout) -> None:
    """Serve the companion until interrupted. Raises OptionError for a folder or port that
    cannot be used."""
    import segno
    import uvicorn

    from cuecast.web.app import Config, create_app

    if routines is None:
        routines = Path("routines")  # the user's own routines: made when one is saved
    elif not routines.is_dir():
        raise OptionError(f"--routines {routines}: no such folder")
    if not 0 <= port < 65536:
        raise OptionError(f"--port must be between 0 (any free port) and 65535, not {port}")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OptionError(f"--output {output}: {exc.strerror or exc}") from None
    token = load_token(token_path(), new=new_token)
    app = create_app(Config(routines=routines, output=output, cache_dir=cache_dir,
                            token=token, library=library_folder(), data_dir=data_dir))
    try:  # bind first, so a port in use is one line before any QR code is shown
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # connections wait in the backlog from here: the address printed works
    except OSError as exc:
        raise OptionError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = sock.getsockname()[1]  # the port given, or the free one picked
    url = address(host, bound, token)
    segno.make(url, error="m").terminal(out=out, compact=True)
    out.write(f"cuecast is serving the library, {routines} and {output}\n"
              f"Open on your phone (same Wi-Fi), or scan the code: {url}\n"
              "Podcast feed (AntennaPod; its key opens the feed only): "
              f"{address(host, bound, feed_key(token), page='/feed.xml')}\n"
              "Ctrl-C stops it.\n")
    out.flush()
    server = uvicorn.Server(uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2,
        http=timed_protocol(), timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS))
    server.run(sockets=[sock])
