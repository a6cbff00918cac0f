"""``cuecast serve`` as a real process on loopback: it starts, answers, queues renders, holds up
under concurrent requests while rendering, and stops on Ctrl-C with one line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cuecast.make.render import render
from cuecast.script.options import Customisation

from .conftest import UPPER_BACK
from .snippets import ROUTINE


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str
    """The printed address, with the key."""
    base: str
    token: str
    output: Path
    lines: list[str]


def _start(tmp: Path, routines: Path, output: Path, cache: Path) -> Server:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp / "config"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuecast", "serve", "--host", "127.0.0.1", "--port", "0",
         "--routines", str(routines), "--output", str(output), "--cache-dir", str(cache)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:  # the server says where it listens once it does
        lines.append(line)
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", line)
        if found:
            return Server(proc, found.group(0), found.group(1), found.group(2), output, lines)
    raise AssertionError("no address printed: " + "".join(lines) + (proc.stderr.read()
                                                                    if proc.stderr else ""))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve")
    routines, output = tmp / "routines", tmp / "output"
    routines.mkdir()
    (routines / "test-session.yaml").write_text(ROUTINE, encoding="utf-8")
    (routines / "upper-back-pain.yaml").write_bytes(UPPER_BACK.read_bytes())
    render(path=routines / "test-session.yaml", output=output / "test-session.mp3",
           cache_dir=cache_dir, options=Customisation(rest=2, step_pause=1))
    # a cache of its own: the upper-back renders start cold, so they run a while
    s = _start(tmp, routines, output, tmp / "cold-cache")
    yield s
    if s.proc.poll() is None:
        s.proc.kill()
        s.proc.wait()


@contextmanager
def _client(server: Server, address: str = "127.0.0.1") -> Iterator[httpx.Client]:
    """A device of the household (``address``: its own loopback address), with the key."""
    with httpx.Client(base_url=server.base, timeout=30, headers={"origin": server.base},
                      transport=httpx.HTTPTransport(local_address=address),
                      limits=httpx.Limits(max_connections=60)) as client:
        first = client.get(server.url.removeprefix(server.base), follow_redirects=True)
        assert first.status_code == 200 and first.url.query == b""  # the key now a cookie
        yield client


def test_prints_address_and_qr_code(server: Server) -> None:
    text = "".join(server.lines)
    assert "▀" in text or "█" in text  # the QR code, drawn in the terminal
    assert len(server.token) >= 22


def test_library_and_a_range_of_the_mp3(server: Server) -> None:
    with _client(server) as c:
        assert "Test Session" in c.get("/").text
        whole = (server.output / "test-session.mp3").read_bytes()
        part = c.get("/files/test-session.mp3", headers={"range": "bytes=0-4095"})
        assert part.status_code == 206 and part.content == whole[:4096]
    assert httpx.get(server.base + "/").status_code == 401  # no key, no page


def test_under_load_while_rendering_pages_answer_and_renders_queue(server: Server) -> None:
    with _client(server) as c:
        jobs = []
        for rest in ("10", "11", "12"):  # three versions: one renders, two wait
            r = c.post("/routine/upper-back-pain/render", data={"rest": rest},
                       follow_redirects=False)
            assert r.status_code == 303, r.text
            jobs.append(r.headers["location"].rsplit("/", 1)[-1])
        while (state := c.get(f"/api/jobs/{jobs[0]}").json())["done"] == 0:
            time.sleep(0.05)  # until the first render reports progress
        assert state["state"] == "running"
        queued = [c.get(f"/api/jobs/{j}").json() for j in jobs[1:]]
        assert [(q["state"], q["position"]) for q in queued] == [("queued", 1), ("queued", 2)]
        whole = (server.output / "test-session.mp3").read_bytes()
        ranges = [(k * 1000, k * 1000 + 4095) for k in range(25)]

        with ExitStack() as stack:  # a household of five devices, ten requests each at once
            devices = [stack.enter_context(_client(server, f"127.0.0.{n}"))
                       for n in range(2, 7)]

            def fetch(k: int) -> float:
                device = devices[k % len(devices)]
                started = time.monotonic()
                if k % 2:
                    lo, hi = ranges[k // 2]
                    r = device.get("/files/test-session.mp3",
                                   headers={"range": f"bytes={lo}-{hi}"})
                    assert r.status_code == 206 and r.content == whole[lo:hi + 1]
                else:
                    r = device.get(("/", "/routine/upper-back-pain", "/session/test-session",
                                    "/feed.xml")[k // 2 % 4])
                    assert r.status_code == 200
                return time.monotonic() - started

            with ThreadPoolExecutor(max_workers=50) as pool:
                times = sorted(pool.map(fetch, range(50)))
        after = c.get(f"/api/jobs/{jobs[0]}").json()
        p95 = times[int(0.95 * len(times)) - 1]
        print(f"50 concurrent requests during a render: p95 {p95 * 1000:.0f} ms, "
              f"slowest {times[-1] * 1000:.0f} ms")
        assert after["state"] == "running", "the render ended before the load did"
        assert p95 < 1.0
        # still one at a time
        assert [c.get(f"/api/jobs/{j}").json()["state"] for j in jobs[1:]] == ["queued"] * 2


POLLRDHUP = 0x2000
"""Linux: the peer closed its end (Python's select module does not name it)."""


def test_one_device_cannot_take_the_companion_from_the_household(server: Server) -> None:
    """From one address (127.0.0.2, the misbehaving device): 250 requests whose headers never
    finish, and 210 downloads of an MP3 that are never read. From another (127.0.0.1, the
    household): a page answers at once, and every one of the device's connections is closed
    by the server within 30 s (each waited for, not slept on)."""
    import select
    import socket
    import time

    from cuecast.web.access import feed_key
    from cuecast.web.protocol import HEADER_TIMEOUT_S, STALLED_S

    host, port = server.base.removeprefix("http://").split(":")
    device: list[socket.socket] = []

    def connect() -> socket.socket:
        conn = socket.socket()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # reads nothing, holds little
        conn.bind(("127.0.0.2", 0))
        conn.connect((host, int(port)))
        device.append(conn)
        return conn

    download = (f"GET /files/test-session.mp3?token={feed_key(server.token)} HTTP/1.1\r\n"
                f"Host: {host}\r\n\r\n").encode()
    try:
        for _ in range(210):
            connect().sendall(download)  # and never read
        for _ in range(250):
            connect().sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never more
        with _client(server) as client:
            started = time.perf_counter()
            page = client.get("/")
            assert page.status_code == 200
            assert time.perf_counter() - started < 2.0
        # closed by the server: its FIN or reset seen, without reading what it sent
        ended = select.POLLHUP | select.POLLERR | POLLRDHUP
        watch = select.poll()
        for conn in device:
            watch.register(conn, ended)
        open_ = {conn.fileno() for conn in device}
        deadline = time.monotonic() + 30
        while open_ and time.monotonic() < deadline:
            for fd, _ in watch.poll(1000):
                open_.discard(fd)
                watch.unregister(fd)
        assert not open_, f"{len(open_)} of the device's connections still open after 30 s"
        assert max(HEADER_TIMEOUT_S, STALLED_S) < 30
    finally:
        for conn in device:
            conn.close()


def test_ctrl_c_stops_with_one_line(server: Server) -> None:
    server.proc.send_signal(signal.SIGINT)  # a render may be running: it stops too
    _, err = server.proc.communicate(timeout=60)
    assert server.proc.returncode == 0, err
    assert err.strip().splitlines() == ["Stopped."]
    assert not list(server.output.glob("*.mp3.part"))


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
        done = subprocess.run([sys.executable, "-m", "cuecast", "serve", "--host", "127.0.0.1",
                               "--port", str(port), "--routines", str(tmp_path),
                               "--output", str(tmp_path / "out")],
                              capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"]

