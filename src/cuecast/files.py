"""Output files written whole or not at all, and the leftovers of killed writes swept."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final


@contextmanager
def atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it only when the block succeeds."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-{os.getpid()}-",
                                suffix=".part")
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary user files
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def sweep(folder: Path) -> None:
    """Remove temporary files left by renders that were killed (their process is gone).

    A live render's files are left alone, so renders into one folder can run at once.
    """
    for part in folder.glob(".*.part"):
        found = re.search(r"-(\d+)-[^-]*\.part$", part.name)
        if found and not _alive(int(found.group(1))):
            part.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate it there; never sweep on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


_RESERVED: Final = frozenset(["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                              *(f"lpt{i}" for i in range(10))])
"""Names Windows will not create a file under, whatever the extension."""


def slugify(name: str) -> str:
    """A safe file stem: lower-case ASCII letters, digits and dashes; never a path. A name
    with none of those ("ستريتش") gets one from its hash, so two such names never share a
    file."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80].strip("-")
    if slug in _RESERVED:
        slug += "-session"
    return slug or f"session-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
