"""Staff's second factor: a time-based code (TOTP) from an authenticator app, with
django-otp.

Staff see many people's records, so a password is not enough. The first time a member of
staff logs in, they set the app up: the page shows a QR code and the same secret as text,
and the device is saved only once they type a code that matches (until then the secret
waits in their session, so looking at the page writes nothing to the store). Each later
login asks for a code. Staff pages refuse a login without a verified code (`staff_page`).

Wrong codes count as failed logins in django-axes, in the database like wrong passwords:
after AXES_FAILURE_LIMIT the account is paused for everyone, on every server. django-otp's
own throttle (a growing wait after each wrong code) comes on top.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from psoas.web.clinic.scope import is_staff_member

PATH = "/clinic/second-factor/"
PENDING_KEY = "psoas_totp_pending"  # the secret being set up, hex, in the session


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_key(request: HttpRequest) -> str:
    """The secret shown while setting up, made once per session."""
    key = request.session.get(PENDING_KEY)
    if key is None:
        key = secrets.token_hex(20)
        request.session[PENDING_KEY] = key
    return key


def secret_text(hex_key: str) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    b32 = base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def setup_url(user: Any, hex_key: str) -> str:
    return TOTPDevice(user=user, key=hex_key, name="authenticator").config_url


def clean_code(text: str) -> int | None:
    digits = "".join(ch for ch in (text or "") if not ch.isspace())
    return int(digits) if len(digits) == 6 and digits.isdigit() else None


def confirm_setup(request: HttpRequest, code: int) -> TOTPDevice | None:
    """Save the device if the code matches the pending secret, and verify this login."""
    key = request.session.get(PENDING_KEY)
    if key is None:
        return None
    totp = TOTP(bytes.fromhex(key))
    if not totp.verify(code, tolerance=1):
        return None
    device = TOTPDevice.objects.create(
        user=request.user, key=key, name="authenticator", confirmed=True, last_t=totp.t()
    )
    del request.session[PENDING_KEY]
    otp_login(request, device)
    return device


def verify(request: HttpRequest, code: int) -> bool:
    device = confirmed_device(request.user)
    if device is None or not device.verify_token(code):
        return False
    otp_login(request, device)
    return True


def count_failure(request: HttpRequest) -> None:
    """A wrong code is a failed login for django-axes (it may pause the account)."""
    credentials = {"username": request.user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)


def is_paused(request: HttpRequest) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for staff only, in clinic mode only, after the second factor. Anyone else
    gets 404 (the page does not exist for them); staff without a verified code go to the
    second-factor page first. Never cached: it shows patients' records."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.CLINIC_MODE or not is_staff_member(request.user):
            raise Http404("staff pages")
        if not request.user.is_verified():
            return redirect(f"{PATH}?{urlencode({'next': request.get_full_path()})}")
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped
