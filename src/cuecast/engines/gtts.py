"""gTTS: Google Translate's voice (online). Timeouts always; throttled; retries with backoff.

Clips arrive as 24 kHz MP3 and are read by pydub through our ffmpeg (told the codec, so it
needs no ffprobe), then brought to the session format.
"""

from __future__ import annotations

import io
import threading
import time
from typing import Any, Final

from cuecast.audio.convert import read_audio, to_session
from cuecast.engines import Speech
from cuecast.errors import CuecastError, EngineError, OptionError

TIMEOUT_S: Final = (5.0, 20.0)
"""Connect and read timeouts of each request."""
TRIES: Final = 5
"""Attempts per clip for 429, 5xx, timeouts and empty or garbled answers."""
BACKOFF_S: Final = 0.5
"""First wait between attempts; doubles each time."""
MIN_INTERVAL_S: Final = 0.25
"""Least time between two requests, to stay under Google's rate limit."""


class GttsEngine:
    def __init__(self, *, lang: str = "en", tld: str = "com", speed: float = 1.0,
                 backoff_s: float | None = None) -> None:
        from gtts.lang import tts_langs

        if lang not in tts_langs():
            raise OptionError(f"--lang '{lang}' is not a gTTS language (e.g. en, fr, de, es)")
        if not tld or not all(part.isalnum() for part in tld.split(".")):
            raise OptionError(f"--tld '{tld}' is not a domain ending such as com, co.uk, com.au")
        self.lang, self.tld = lang, tld
        self.slow = speed < 0.85  # gTTS has only normal and slow
        self.backoff_s = BACKOFF_S if backoff_s is None else backoff_s
        self._lock = threading.Lock()
        self._last = 0.0
        self._gave_up: EngineError | None = None
        """Once one clip has given up, the others stop too instead of retrying on their own."""

    def identity(self) -> dict[str, Any]:
        return {"engine": "gtts", "lang": self.lang, "tld": self.tld, "slow": self.slow,
                "version": 1}

    def workers(self) -> int:
        return 2

    def _throttle(self) -> None:
        with self._lock:
            wait = self._last + MIN_INTERVAL_S - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()

    def synthesize(self, text: str) -> Speech:
        last = "no answer"
        for attempt in range(TRIES):
            if self._gave_up is not None:
                raise self._gave_up
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            self._throttle()
            try:
                mp3 = self._fetch(text)
            except _Retry as exc:
                last = str(exc)
                continue
            try:
                samples, rate = read_audio(mp3, codec="mp3")
            except CuecastError:
                last = "an answer that is not audio"
                continue
            if samples.size == 0:
                last = "an empty clip"
                continue
            return Speech(to_session(samples, rate))
        host = f"translate.google.{self.tld}"
        if last == "no connection":
            self._gave_up = EngineError(f"cannot reach Google's text-to-speech at {host} "
                                        "(no connection?); use --engine piper to render offline")
        elif last == "timeout":
            self._gave_up = EngineError(f"Google's text-to-speech at {host} timed out {TRIES} "
                                        "times; try again later or use --engine piper")
        else:
            self._gave_up = EngineError(f"Google's text-to-speech at {host} gave {last} {TRIES} "
                                        "times; try again later or use --engine piper")
        raise self._gave_up

    def _fetch(self, text: str) -> bytes:
        from gtts import gTTS, gTTSError

        buf = io.BytesIO()
        try:
            gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow,
                 timeout=TIMEOUT_S).write_to_fp(buf)
        except gTTSError as exc:
            status = getattr(exc.rsp, "status_code", None)
            if status is None:
                import requests

                # gTTS wraps the requests error; a read timeout means it connected, then waited
                slow = isinstance(exc.__context__, requests.exceptions.ReadTimeout)
                raise _Retry("timeout" if slow else "no connection") from None
            if status == 429 or status >= 500 or status == 200:
                raise _Retry(f"HTTP {status}") from None
            raise EngineError(f"Google's text-to-speech refused the request: {exc.msg}") from None
        except ValueError as exc:  # gTTS's own check of the text
            raise EngineError(f"gTTS cannot say {text[:40]!r}: {exc}") from None
        if not buf.getvalue():
            raise _Retry("an empty answer")
        return buf.getvalue()


class _Retry(Exception):
    """A failure worth another attempt."""
