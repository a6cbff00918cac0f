"""The practice history: programmes started and sessions done, in one SQLite file.

One file in the user's data folder (``history.db``; XDG_DATA_HOME is respected, and
``--data-dir`` overrides it), in WAL mode so the command line and the companion read while
the other writes; every write one ``BEGIN IMMEDIATE`` transaction, so two processes recording
at once queue for the lock and lose nothing. The schema is versioned (``PRAGMA
user_version``) and migrated forward on open. A file that is not a readable database is
moved aside (never deleted) and reported in one line.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

from cuecast.errors import HistoryError

FILE_NAME: Final = "history.db"
BUSY_TIMEOUT_S: Final = 30.0
"""How long a write waits for another process's transaction to finish."""

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (  # 1: programmes started, sessions done, and the sessions rendered ahead
        """CREATE TABLE programme (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT NOT NULL,
            days INTEGER NOT NULL CHECK (days > 0),
            started_at TEXT NOT NULL,
            stopped_at TEXT)""",
        """CREATE UNIQUE INDEX one_running ON programme ((stopped_at IS NULL))
            WHERE stopped_at IS NULL""",
        """CREATE TABLE session (
            id INTEGER PRIMARY KEY,
            programme_id INTEGER NOT NULL REFERENCES programme (id),
            day INTEGER NOT NULL CHECK (day > 0),
            week INTEGER NOT NULL,
            level INTEGER NOT NULL CHECK (level >= 0),
            routine TEXT NOT NULL,
            settings TEXT NOT NULL,
            length_ms INTEGER,
            played_ms INTEGER,
            felt TEXT CHECK (felt IN ('easy', 'right', 'hard')),
            done_at TEXT NOT NULL,
            UNIQUE (programme_id, day))""",
        """CREATE TABLE rendered (
            programme_id INTEGER NOT NULL REFERENCES programme (id),
            day INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            mp3 TEXT NOT NULL,
            length_ms INTEGER NOT NULL,
            rendered_at TEXT NOT NULL,
            PRIMARY KEY (programme_id, day))""",
    ),
)
"""The schema, one tuple of statements per version; a database at version *n* runs the
migrations after the *n*-th. Never edit one that has shipped: add the next."""


@dataclass(frozen=True)
class Run:
    """A programme started (and maybe stopped)."""

    id: int
    name: str
    """The programme's name (its file's stem)."""
    title: str
    source: str
    """The programme file it was started from."""
    days: int
    started_at: datetime
    stopped_at: datetime | None


@dataclass(frozen=True)
class SessionDone:
    """A session done."""

    id: int
    programme: str
    """The programme's title."""
    programme_id: int
    day: int
    week: int
    level: int
    """The progression steps it was done at."""
    routine: str
    """The session's title."""
    settings: dict[str, Any]
    """What it was rendered with: each exercise's hold, reps and sets, and the length."""
    length_ms: int | None
    played_ms: int | None
    """How far it was played (None: not known, as from the command line)."""
    felt: str | None
    done_at: datetime


@dataclass(frozen=True)
class Rendered:
    """A day's session rendered ahead."""

    fingerprint: str
    """What it was rendered from (the plan and the voice): the same, no render needed."""
    mp3: Path
    length_ms: int


def data_dir(given: Path | None = None) -> Path:
    """Where the history lives: ``given``, else the user's data folder (XDG_DATA_HOME)."""
    if given is not None:
        return given
    import platformdirs

    return Path(platformdirs.user_data_dir("cuecast"))


def now() -> datetime:
    return datetime.now(timezone.utc)


class History:
    """The history database, open. Use as a context manager, or call :meth:`close`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db, self.path = connection, path

    @classmethod
    def open(cls, folder: Path | None = None) -> History:
        """Open (and create, and migrate) the history in ``folder`` (default: the user's data
        folder). Raises HistoryError when it cannot be read: a damaged file is moved aside
        first."""
        path = data_dir(folder) / FILE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot make the data folder ({exc.strerror or exc})",
                               folder=path.parent) from None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                 check_same_thread=False)
        except sqlite3.Error as exc:
            raise HistoryError(f"{FILE_NAME} cannot be opened ({exc})",
                               folder=path.parent) from None
        try:
            _prepare(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise HistoryError(f"{FILE_NAME} was busy for over {BUSY_TIMEOUT_S:g} s "
                                   "(another cuecast is writing); try again",
                                   folder=path.parent) from None
            aside = _move_aside(path)
            raise HistoryError(f"{FILE_NAME} is damaged ({exc}); it was moved aside to "
                               f"{aside.name}, and a new history starts with the next "
                               "command", folder=path.parent) from None
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (so a read in it sees what it writes over)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"{FILE_NAME} is busy ({exc}); try again",
                               folder=self.path.parent) from None
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # programmes

    def start(self, *, name: str, title: str, source: str, days: int) -> Run:
        """Record a programme started. Raises HistoryError when one is running."""
        with self.writing() as db:
            running = self._running(db)
            if running is not None:
                raise HistoryError(f"'{running.title}' is under way; stop it first "
                                   "(cuecast programme stop)")
            cursor = db.execute(
                "INSERT INTO programme (name, title, source, days, started_at) "
                "VALUES (?, ?, ?, ?, ?)", (name, title, source, days, _stamp(now())))
            started = db.execute("SELECT * FROM programme WHERE id = ?",
                                 (cursor.lastrowid,)).fetchone()
        return _run(started)

    def stop(self) -> Run | None:
        """Stop the programme under way (its history stays); the one stopped, or None."""
        with self.writing() as db:
            running = self._running(db)
            if running is not None:
                db.execute("UPDATE programme SET stopped_at = ? WHERE id = ?",
                           (_stamp(now()), running.id))
        return running

    def running(self) -> Run | None:
        """The programme under way, if any."""
        return self._running(self._db)

    def run(self, run_id: int) -> Run | None:
        row = self._db.execute("SELECT * FROM programme WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self) -> list[Run]:
        """Every programme started, the first first."""
        return [_run(r) for r in self._db.execute("SELECT * FROM programme ORDER BY id")]

    @staticmethod
    def _running(db: sqlite3.Connection) -> Run | None:
        row = db.execute("SELECT * FROM programme WHERE stopped_at IS NULL").fetchone()
        return None if row is None else _run(row)

    # sessions

    def sessions(self, run_id: int | None = None) -> list[SessionDone]:
        """Sessions done (of one programme run), in the order they were done."""
        if run_id is None:
            return self._select("1")
        return self._select("s.programme_id = ?", run_id)

    def _select(self, where: str, *args: object) -> list[SessionDone]:
        rows = self._db.execute(
            "SELECT s.*, p.title AS programme FROM session s JOIN programme p ON "
            f"p.id = s.programme_id WHERE {where} ORDER BY s.done_at, s.id", args)
        return [_session(r) for r in rows]

    def record(self, *, run_id: int, day: int, week: int, level: int, routine: str,
               settings: dict[str, Any], length_ms: int | None, played_ms: int | None,
               felt: str | None) -> SessionDone | None:
        """Record day ``day`` done, if it is still the next (None when another process
        recorded it first: the caller plans again)."""
        with self.writing() as db:
            count = db.execute("SELECT count(*) FROM session WHERE programme_id = ?",
                               (run_id,)).fetchone()[0]
            if count + 1 != day:
                return None
            cursor = db.execute(
                "INSERT INTO session (programme_id, day, week, level, routine, settings, "
                "length_ms, played_ms, felt, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, day, week, level, routine, json.dumps(settings, sort_keys=True),
                 length_ms, played_ms, felt, _stamp(now())))
            (recorded,) = self._select("s.id = ?", cursor.lastrowid)
        return recorded

    def update(self, *, run_id: int, day: int, felt: str | None = None,
               played_ms: int | None = None) -> SessionDone | None:
        """Add how a session felt, or how far it was played, to a day already done."""
        with self.writing() as db:
            db.execute("UPDATE session SET felt = coalesce(?, felt), played_ms = "
                       "max(coalesce(played_ms, 0), coalesce(?, 0)) WHERE programme_id = ? "
                       "AND day = ?", (felt, played_ms, run_id, day))
        found = self._select("s.programme_id = ? AND s.day = ?", run_id, day)
        return found[0] if found else None

    # sessions rendered ahead

    def rendered(self, run_id: int, day: int) -> Rendered | None:
        row = self._db.execute("SELECT * FROM rendered WHERE programme_id = ? AND day = ?",
                               (run_id, day)).fetchone()
        return None if row is None else Rendered(row["fingerprint"], Path(row["mp3"]),
                                                 row["length_ms"])

    def remember_render(self, *, run_id: int, day: int, rendered: Rendered) -> None:
        with self.writing() as db:
            db.execute("INSERT OR REPLACE INTO rendered VALUES (?, ?, ?, ?, ?, ?)",
                       (run_id, day, rendered.fingerprint, str(rendered.mp3),
                        rendered.length_ms, _stamp(now())))


def _prepare(db: sqlite3.Connection) -> None:
    """WAL, foreign keys, and the schema migrated to the newest version. Raises
    sqlite3.DatabaseError for a file that is not a database (or is damaged)."""
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
        raise sqlite3.DatabaseError("cannot use write-ahead logging")
    db.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"integrity check: {check}")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise HistoryError(f"the history was written by a newer cuecast (schema {version}); "
                           "upgrade cuecast to read it")
    for number in range(version, len(MIGRATIONS)):
        db.execute("BEGIN IMMEDIATE")
        try:  # another process may have migrated while this one waited
            if db.execute("PRAGMA user_version").fetchone()[0] == number:
                for statement in MIGRATIONS[number]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _move_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL files) out of the way, never over another."""
    stamp = now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            os.replace(part, f"{aside}{suffix}")
    return aside


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _run(row: sqlite3.Row) -> Run:
    stopped = row["stopped_at"]
    return Run(row["id"], row["name"], row["title"], row["source"], row["days"],
               datetime.fromisoformat(row["started_at"]),
               None if stopped is None else datetime.fromisoformat(stopped))


def _session(row: sqlite3.Row) -> SessionDone:
    return SessionDone(row["id"], row["programme"], row["programme_id"], row["day"],
                       row["week"], row["level"], row["routine"], json.loads(row["settings"]),
                       row["length_ms"], row["played_ms"], row["felt"],
                       datetime.fromisoformat(row["done_at"]))
