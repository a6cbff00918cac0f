"""Renders from the page: one at a time, the others waiting in a bounded queue.

Rendering is CPU-bound and already uses every core, so a second render at once would only
slow both; a queue with positions shown is what a person waiting on a phone can follow.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from cuecast.errors import CuecastError
from cuecast.speech.clips import Progress

State = Literal["queued", "running", "done", "failed"]
MAX_WAITING: Final = 4
"""Renders that may wait behind the running one; more is refused with a message."""
RENDER_NICENESS: Final = 10
"""How far renders yield the CPU to the server's requests (Linux nice levels)."""
KEPT: Final = 50
"""Finished jobs remembered for their pages."""


class QueueFull(CuecastError):
    """Too many renders are waiting."""

    exit_code = 1


@dataclass
class Job:
    """One render asked for from the page."""

    id: str
    routine: str
    """Routine file stem."""
    run: Callable[[Progress], str] = field(repr=False)
    """Renders, reporting progress; returns the session's stem."""
    state: State = "queued"
    done: int = 0
    """Clips ready so far."""
    total: int = 0
    """Clips the render needs (0 until known)."""
    cached: int = 0
    session: str | None = None
    """Stem of the rendered session, once done."""
    error: str | None = None
    """The one-line message of a failed render."""


class RenderQueue:
    """A worker thread running submitted jobs in order."""

    def __init__(self, *, max_waiting: int = MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self._jobs: dict[str, Job] = {}
        self._waiting: deque[Job] = deque()
        self._cond = threading.Condition()
        self._worker = threading.Thread(target=self._work, name="cuecast-render", daemon=True)
        self._worker.start()

    def submit(self, routine: str, run: Callable[[Progress], str]) -> Job:
        with self._cond:
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiting)} renders are already waiting; try again "
                                "when one has finished")
            job = Job(secrets.token_hex(8), routine, run)
            self._jobs[job.id] = job
            self._waiting.append(job)
            self._forget_old()
            self._cond.notify()
            return job

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            return self._jobs.get(job_id)

    def position(self, job: Job) -> int:
        """1 for the next to run, 2 behind it ...; 0 when not waiting."""
        with self._cond:
            return next((i + 1 for i, j in enumerate(self._waiting) if j is job), 0)

    def running(self) -> Job | None:
        with self._cond:
            return next((j for j in self._jobs.values() if j.state == "running"), None)

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.state in ("done", "failed")]
        for key in finished[:max(0, len(finished) - KEPT)]:
            del self._jobs[key]

    def _work(self) -> None:
        # Below the pages in the kernel's eyes: the synthesis threads and the encoder this
        # thread starts inherit its niceness, so a phone's taps are answered first.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), RENDER_NICENESS)
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                job = self._waiting.popleft()
                job.state = "running"

            def progress(done: int, total: int, cached: int, job: Job = job) -> None:
                job.done, job.total, job.cached = done, total, cached

            try:
                stem = job.run(progress)
            except CuecastError as exc:
                job.error, job.state = exc.brief, "failed"
            except Exception as exc:
                job.error, job.state = f"the render failed: {type(exc).__name__}: {exc}", "failed"
            else:
                job.session, job.state = stem, "done"
