"""API tokens in a clinic: a personal key to the JSON API, for a script or another app.

A patient makes one in Settings, a member of staff on their own page after their second
factor. The key is shown once; only its SHA-256 is kept. It works for the API only
(/api/...), as `Authorization: Bearer psoas_...`, and reaches exactly what its owner's
login reaches: the request runs as that user, under the same scope, the same deny-by-
default paths and, for staff, the same audit trail. A staff key stands for a login that
passed the second factor: it can only be made after one, and it stops working if the
authenticator is removed. A token request uses no session (no cookie is set, no idle
timer), and a key that is unknown, expired or revoked is a 401 naming the header.
Keys last 30, 90 or 365 days. Local mode has its own loopback token (site/middleware.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from psoas.web.clinic import scope
from psoas.web.clinic.models import ApiToken
from psoas.web.clinic.second_factor import confirmed_device, staff_page

PREFIX = "psoas_"
LIFETIMES = (30, 90, 365)  # the days a key may last
NAME_MAX = 60
MAX_TOKENS = 10  # live keys per user: enough for a few scripts, few enough to review


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def mint(user: Any, name: str, days: int) -> tuple[ApiToken, str]:
    """A new key for `user`: its row and the key itself (shown once, kept nowhere)."""
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=_hash(key),
        shown=key[: len(PREFIX) + 4],
        expires_at=timezone.now() + timedelta(days=days),
    )
    return row, key


def _owner(key: str) -> Any | None:
    """The user of a live key, ready to act as them; None for any other key."""
    found = (
        ApiToken.objects.filter(key_hash=_hash(key), expires_at__gt=timezone.now())
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    user = found.user
    if scope.is_staff_member(user):
        device = confirmed_device(user)  # the second factor the key was made after
        user.otp_device = device
        user.is_verified = lambda: device is not None
    else:
        user.otp_device = None
        user.is_verified = lambda: False
    return user


def bearer_login(get_response: Callable[[HttpRequest], HttpResponse]):
    """In clinic mode, an API request with `Authorization: Bearer psoas_...` runs as the
    key's owner (before the login check, which then finds a user)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.CLINIC_MODE or not request.path.startswith("/api/"):
            return get_response(request)
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return get_response(request)
        user = _owner(key.strip())
        if user is None:
            detail = "Authorization: the token is unknown, expired or revoked; make a new one"
            return JsonResponse({"detail": detail}, status=401)
        request.user = user
        request.api_token = True  # no session for this request (clinic/middleware.py)
        return get_response(request)

    return middleware


# --- the page: make, list and revoke keys -------------------------------------------------


def _live(user: Any):
    """`user`'s keys that have not expired."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    staff = scope.is_staff_member(request.user)
    context = {
        "base": "clinic/_staff.html" if staff else "site/base.html",
        "action": request.path,
        "tokens": _live(request.user).order_by("-created_at"),
        "lifetimes": LIFETIMES,
        "name_max": NAME_MAX,
        **extra,
    }
    response = render(request, "clinic/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # it may show a new key
    return response


def _make(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()
    days = request.POST.get("days", "")
    errors = {}
    if not 1 <= len(name) <= NAME_MAX:
        errors["name"] = f"Name: give 1 to {NAME_MAX} characters, so you can tell keys apart."
    if days not in {str(d) for d in LIFETIMES}:
        errors["days"] = f"Lasts: choose {', '.join(map(str, LIFETIMES))} days."
    if not errors and _live(request.user).count() >= MAX_TOKENS:
        errors["name"] = f"Name: you have {MAX_TOKENS} keys already; revoke one first."
    if errors:
        return _page(request, 422, errors=errors, typed={"name": name, "days": days})
    row, key = mint(request.user, name, int(days))
    return _page(request, made={"row": row, "key": key})


@require_http_methods(["GET", "HEAD", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    """A user's API keys: make one (`action=make`), or revoke one (`action=revoke`)."""
    if not settings.CLINIC_MODE:
        raise Http404("API keys are for clinic mode")
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            given = request.POST.get("id", "")
            pk = int(given) if given.isdigit() else 0
            ApiToken.objects.filter(user=request.user, pk=pk).delete()  # only their own
            return redirect(f"{request.path}?revoked=1")
        return _make(request)
    return _page(request, revoked=request.GET.get("revoked") == "1")


staff_tokens_page = staff_page(tokens_page)
