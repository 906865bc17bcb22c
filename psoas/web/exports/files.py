"""Writing export files so that none is ever seen half-written.

Each file is written to a temporary name in its own folder, flushed to disk, and renamed
over the target: a rename within a folder is atomic, so a reader (or a crash) sees the old
file or the new one. The files of one export are all written before any is renamed, so a
failure while writing (a full disk) changes none of them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or, on an error while writing, none; temporary files never stay.

    Temporary files are made by `mkstemp`, so the exports are readable by their owner only
    (mode 600): they hold health records.
    """
    for path in files:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((Path(name), path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    for folder in {path.parent for path in files}:
        _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the renames themselves durable (the folder's entries), not only the data."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
