"""Phone links: a one-time address that logs a phone in as a login, shown as a QR code.

`psoas serve --host` (and `--behind-https-proxy`) asks for a login on every page, and
typing a password on a phone is a chore. So the server prints a QR code when it starts,
and Settings makes a new one on demand: the phone's camera opens the link, and the phone
is logged in. The code in the link is 128 random bits; the database keeps only its
SHA-256, so a copy of the store (or a backup: they leave these rows out) gives no working
link. A link works once and for `LIFETIME` after it is made; it carries its code in the
query string, which neither waitress nor psoas logs (Django logs only the path of a failed
request); the page that takes it is never cached, and sends a Referer to psoas only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from psoas.web.account.models import PairingLink
from psoas.web.link_codes import LinkState, code_hash, new_code, state_of

LIFETIME = timedelta(minutes=10)
PATH = "/pair/"
CODE_BYTES = 16  # 128 bits: a short link makes a small QR code that is quick to scan


@dataclass(frozen=True)
class NewLink:
    url: str
    expires_at: datetime
    login: str


def make_link(user: AbstractBaseUser, origin: str) -> NewLink:
    """A new link for `user` at `origin` (scheme, host and port, no slash at the end).
    Links that expired or were used go at the same time: they are of no use to anyone."""
    now = timezone.now()
    code = new_code(CODE_BYTES)
    with transaction.atomic():
        PairingLink.objects.filter(Q(expires_at__lte=now) | Q(used_at__isnull=False)).delete()
        link = PairingLink.objects.create(
            user=user, code_hash=code_hash(code), expires_at=now + LIFETIME
        )
    url = f"{origin}{PATH}?{urlencode({'code': code})}"
    return NewLink(url, link.expires_at, user.get_username())


def look_up(code: str) -> tuple[LinkState, PairingLink | None]:
    """What a code is, without using it (a GET must not change anything)."""
    link = PairingLink.objects.filter(code_hash=code_hash(code)).select_related("user").first()
    if link is not None and not link.user.is_active:
        link = None  # a login that was switched off: its links are nobody's
    return state_of(link), link


def redeem(code: str) -> tuple[LinkState, AbstractBaseUser | None]:
    """Use a code: the login it is for, once. Two phones that open the same link at the
    same moment cannot both get in: the row is marked used by one conditional UPDATE."""
    state, link = look_up(code)
    if state is not LinkState.OK:
        return state, None
    now = timezone.now()
    taken = PairingLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now)
    if taken.update(used_at=now) != 1:
        return look_up(code)[0], None
    return LinkState.OK, link.user


def qr_data_uri(url: str) -> str:
    """The link as a QR code: an SVG image in a data: URI (the page's policy allows
    data: images), dark on white whatever the page's colours."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(
        scale=5, dark="#000", light="#fff", border=4
    )
