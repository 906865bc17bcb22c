"""The computer's IANA time zone ("Europe/Berlin"), for the default of the break settings.

Working hours are wall-clock times in a zone, so the zone must be a real IANA name, not
an offset: an offset would put every reminder an hour off after a change of clock. The
TZ variable comes first (the person set it on purpose), then the link /etc/localtime
points at, then /etc/timezone (Debian). When none names a zone Python knows, `None`:
the caller says so and uses UTC until the person gives `--zone`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this Python can use."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _from_link(path: Path) -> str | None:
    try:
        target = os.readlink(path)
    except OSError:
        return None
    parts = Path(target).parts
    if "zoneinfo" not in parts:
        return None
    name = "/".join(parts[len(parts) - parts[::-1].index("zoneinfo") :])
    return name.removeprefix("posix/").removeprefix("right/")


def system_zone(
    environ: dict[str, str] | None = None,
    localtime: Path = LOCALTIME,
    timezone_file: Path = TIMEZONE_FILE,
) -> str | None:
    """The system's IANA zone name, or None when it cannot be found."""
    env = environ if environ is not None else os.environ
    tz = env.get("TZ", "").strip().removeprefix(":")
    candidates = [tz, _from_link(localtime)]
    with contextlib.suppress(OSError):
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    for name in candidates:
        if name and is_zone(name):
            return name
    return None
