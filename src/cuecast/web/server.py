"""``cuecast serve``: start the companion, print its address and QR code, serve until Ctrl-C."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Final, TextIO
from urllib.parse import urlencode

from cuecast.errors import OptionError
from cuecast.make.library import library_folder
from cuecast.script.options import ServeOptions
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


KEEP_ALIVE_S: Final = 5
"""An idle kept-alive connection is closed after this."""
MAX_CONNECTIONS: Final = 200
"""Open connections and requests at once; beyond, 503 (each address has a smaller cap:
:data:`cuecast.web.protocol.PER_CLIENT`)."""


def serve(*, served: ServeOptions, cache_dir: Path | None = None, data_dir: Path | None = None,
          out: TextIO = sys.stdout) -> None:
    """Serve the companion until interrupted. Raises OptionError for a folder or port that
    cannot be used."""
    import segno
    import uvicorn

    from cuecast.web.app import Config, create_app
    from cuecast.web.protocol import timed_protocol

    host, port, routines, output = served.host, served.port, served.routines, served.output
    if routines is None:
        routines = Path("routines")  # the user's own routines: made when one is saved
    elif not routines.is_dir():
        raise OptionError(f"--routines {routines}: no such folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OptionError(f"--output {output}: {exc.strerror or exc}") from None
    token = load_token(token_path(), new=served.new_token)
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
