"""Stopping on request (Ctrl-C, SIGTERM) at a safe point, never in the middle of anything.

The signal handler only records the request (:func:`request`); the work checks for it where
stopping leaves nothing half-done (:func:`checkpoint`: before each clip, each piece of the
encode, each phase of a render) and unwinds from there with :class:`Interrupted`, so that
every ``finally`` and ``with`` runs. An exception raised by the handler itself would land
wherever the main thread happened to be, inside a lock's wait included ("release unlocked
lock"): that is what this avoids.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import Final

GRACE_S: Final = 5.0
"""A second request this long after the first ends the process at once (the person insists,
and something is not reaching a safe point)."""


class Interrupted(BaseException):
    """The work stopped on request (a BaseException, as KeyboardInterrupt is: nothing that
    handles errors takes it for one)."""


_requested_at: float | None = None
"""When a stop was first asked for (``time.monotonic()``), or None."""


def request() -> None:
    """Ask the work to stop at its next safe point."""
    global _requested_at
    if _requested_at is None:
        _requested_at = time.monotonic()


def requested() -> bool:
    return _requested_at is not None


def clear() -> None:
    """Forget a request (a server stopped by it has stopped, as it should)."""
    global _requested_at
    _requested_at = None


def checkpoint() -> None:
    """Raise :class:`Interrupted` if a stop was asked for: call where stopping is safe."""
    if _requested_at is not None:
        raise Interrupted


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _requested_at is not None and time.monotonic() - _requested_at > GRACE_S:
        os.write(2, b"Interrupted.\n")
        os._exit(128 + signum)
    request()


def install() -> None:
    """Handle Ctrl-C and SIGTERM by :func:`request` (from the main thread only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_signal)
        if sys.platform != "win32":
            signal.signal(signal.SIGTERM, _on_signal)


def finishing() -> None:
    """The work is over: a signal from now on changes nothing (the interpreter's own shutdown
    would otherwise give it back its default, and die of it mid-exit)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if sys.platform != "win32":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
