"""The secret key a data folder keeps for itself when no PSOAS_SECRET_KEY is given: made
on first use, readable by its owner only, and the same for every process that reads that
folder (`psoas serve` on loopback, `psoas worker` beside it, every server of `psoas clinic
up`), so a login, a link or a reset token signed by one is good in all the others.

Only the standard library here: the callers set the environment before Django's settings
are read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def kept_key(path: Path) -> str:
    """The key in `path`, written there first if there is none yet (owner-only, and never
    over one another process wrote meanwhile)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        key = secrets.token_urlsafe(50)
        fh.write(key + "\n")
    return key


def data_dir() -> Path:
    """psoas.web.settings.data_dir, without importing the settings: they read the
    environment the caller is still setting up."""
    import platformdirs

    return Path(os.environ.get("PSOAS_DATA_DIR") or platformdirs.user_data_dir("psoas"))


def local_secret_key() -> str:
    """The data folder's own key (see the module's doc)."""
    return kept_key(data_dir() / "secret-key")
