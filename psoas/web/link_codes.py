"""One-time link codes: the part clinic invitations and phone links share.

A link carries a random code; the database keeps only the code's SHA-256, so a copy of
the store (or a backup) gives no working link. A row with a code is spent once (its
`used_at` is set) and works until its `expires_at`. Looking a code up changes nothing, so
a mail program's or a phone's link preview does not spend it.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from typing import Any

from django.utils import timezone


class LinkState(StrEnum):
    """What a code found: a link that works, or why it does not."""

    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"

    @property
    def status(self) -> int:
        """The HTTP status of the page that opens the link: gone (410) once used or
        expired, not found (404) for a code nobody made."""
        return {LinkState.UNKNOWN: 404, LinkState.USED: 410, LinkState.EXPIRED: 410}.get(self, 200)


def new_code(nbytes: int) -> str:
    """A fresh code of `nbytes` random bytes, safe in a URL."""
    return secrets.token_urlsafe(nbytes)


def code_hash(code: str) -> str:
    """What the database keeps of a code."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def state_of(row: Any) -> LinkState:
    """The state of the row a code found (None: no row, or none that counts)."""
    if row is None:
        return LinkState.UNKNOWN
    if row.used_at is not None:
        return LinkState.USED
    if row.expires_at <= timezone.now():
        return LinkState.EXPIRED
    return LinkState.OK
