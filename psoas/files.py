"""Writing output files safely: every file psoas writes for the person (the report PDF, the
CSV, FHIR and iCalendar exports, the screen's profile, a backup) goes through here.

- A file is written to a temporary name in its own folder, flushed to disk and renamed
  over the target: a rename within a folder is atomic, so a reader (or a crash) sees the
  old file or the new one, never half of one. The folder's entry is synced too.
- Only a regular file is ever replaced. A folder, a device node (`/dev/full`), a pipe or a
  socket at the path is refused, before any work is done and again just before the rename.
- A symbolic link is followed: the file it points to is written, atomically, and the link
  stays a link (as `>` in a shell would). A link owned by another user is refused instead:
  in a shared folder such as /tmp it could point psoas at one of your own files.
- New files are private to the user (mode 0600): they hold health records.

Only the standard library: the CLI and the web's backup engine both use it. A refusal is
a `Refused` whose message starts with the path; callers put the option's name before it
(`--out: ...`, `FILE: ...`). docs/outputs.md says the same for users.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


class Refused(ValueError):
    """A path psoas will not write to; the message is one line for the person."""


def target(path: Path | str) -> Path:
    """Where writing `path` puts the data: the path itself, or the file a symlink points
    to. Refuses a folder, a device, a pipe, a socket, a link of another user, and a path
    whose folder is missing or not writable, so a mistake costs no work."""
    if str(path) == "":
        raise Refused("'' is not a file name; give one, such as out.json")
    given = Path(os.path.abspath(os.path.expanduser(str(path))))
    try:
        link = given.lstat()
    except (FileNotFoundError, NotADirectoryError):  # the folder check below says which
        link = None
    except OSError as exc:
        raise Refused(f"'{path}': {exc.strerror}") from None
    dest = given
    if link is not None and stat.S_ISLNK(link.st_mode):
        if link.st_uid not in (os.geteuid(), 0):
            raise Refused(
                f"'{path}' is a link made by another user; psoas does not write through it"
            )
        dest = Path(os.path.realpath(given))  # a dangling link's target is made, as `>` does
    _check_kind(given, path)  # through any links: what a write would reach
    folder = dest.parent
    if not folder.is_dir():
        raise Refused(f"folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Refused(f"cannot write in folder '{folder}'")
    return dest


def _check_kind(dest: Path, shown: Path | str) -> None:
    """Nothing or a regular file at `dest`: anything else is never replaced."""
    try:
        mode = os.stat(dest).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise Refused(f"'{shown}': {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise Refused(f"'{shown}' is a folder; give a file name")
    if not stat.S_ISREG(mode):
        raise Refused(
            f"'{shown}' is not a regular file (a device, a pipe or a socket); "
            "psoas writes only regular files"
        )


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path beside the target that becomes it in one rename when the block
    succeeds (for writers that need a path: SQLite, pg_dump, zip). On an error the target
    is as it was and no temporary file stays."""
    dest = target(path)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _sync(tmp)
        _check_kind(dest, path)  # again: something may have appeared meanwhile
        os.replace(tmp, dest)
        _sync_folder(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write(path: Path | str, data: bytes) -> Path:
    """Write one file atomically; returns where the data went (a link's target)."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return target(path)


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or, on an error while writing (a full disk), none: all are written
    to temporary names first and renamed only when every one is on the disk."""
    dests = {path: target(path) for path in files}
    temps: list[tuple[Path, Path, Path]] = []
    try:
        for path, data in files.items():
            dest = dests[path]
            fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
            temps.append((Path(name), dest, path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for _tmp, dest, path in temps:
            _check_kind(dest, path)
        for tmp, dest, _path in temps:
            os.replace(tmp, dest)
    finally:
        for tmp, _dest, _path in temps:
            tmp.unlink(missing_ok=True)
    for folder in {dest.parent for dest in dests.values()}:
        _sync_folder(folder)


def _sync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry), not only the data."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
