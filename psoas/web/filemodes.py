"""The store's files are the user's alone, whatever the umask (another account on the same
computer must not read a person's health records): folders 0700, files 0600."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def private_sqlite(name: str) -> None:
    """The store is the user's alone, whatever the umask: its folder 0700 (made so, or the
    data folder tightened), the database and its WAL files 0600. SQLite gives the WAL files
    the database's mode, so the database is made before SQLite first opens it."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    from psoas.web.settings import data_dir

    db = Path(name)
    folder = db.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif folder.resolve() == data_dir().resolve():
        _tighten(folder, 0o700)
    if not db.exists():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        _tighten(path, 0o600)


def _tighten(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):  # gone, or another user's file: leave it
        if path.stat().st_mode & 0o077:
            path.chmod(mode)


@contextlib.contextmanager
def private_open(path: Path) -> Iterator[IO[str]]:
    """Open (making it 0600 if new) a small file beside the store for writing."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as fh:
        yield fh
