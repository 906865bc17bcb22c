"""Each request in clinic mode: the scope of what its user may see, and a login that ends
after a while without use. In local mode this does nothing.

- The scope (scope.py) is set for the whole request from the logged-in user, so every
  query of people's rows in a view is filtered to what that user may see.
- Inactivity: staff are logged out after `CLINIC_STAFF_IDLE` without a request (30 minutes
  unless PSOAS_STAFF_IDLE_MINUTES says otherwise), patients after `CLINIC_PATIENT_IDLE`.
  The time of the last request is kept in the session, written at most once a minute, so
  reading pages does not rewrite the session on every click.
- Where each role may go, deny by default: staff reach their own pages (/clinic/, and
  their part of the API under /api/clinic/) and the
  frame (log in and out, static files) and nothing else, so no patient page or API route
  can serve them by mistake (the site's root sends them to /clinic/); patients never reach
  /clinic/. Local mode's tools over the whole store (backup, restore, delete everything,
  phone links, calendar feeds by secret link) do not exist in a clinic: there they would
  reach every patient's records. All of these answer 404, as for a page that does not
  exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from psoas.web.clinic import scope

SEEN_KEY = "psoas_seen"
SEEN_EVERY_S = 60
# What every role reaches: the frame, logging in and out, and the account pages.
COMMON_PATHS = (
    "/static/",
    "/ping",
    "/healthz",
    "/manifest.webmanifest",
    "/sw.js",
    "/login/",
    "/logout/",
    "/invite/",
    "/password-reset/",
)
STAFF_PATHS = ("/clinic/", "/api/clinic/")  # their pages, and their part of the API
LOCAL_ONLY_PATHS = (
    "/settings/backup",
    "/settings/restore",
    "/settings/delete",
    "/settings/phone-link",
    "/pair/",
    "/calendar/",
)


def _not_found(request: HttpRequest, why: str) -> HttpResponse:
    """The 404 of a path a role does not reach: JSON for the API, as its own 404s are."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "not found"}, status=404)
    raise Http404(why)


def check_path(request: HttpRequest) -> HttpResponse | None:
    """A redirect or a 404 for a path this user's role does not reach; None to go on."""
    path = request.path
    if path.startswith(LOCAL_ONLY_PATHS):
        raise Http404("not in clinic mode")
    if path.startswith(COMMON_PATHS):
        return None
    if scope.is_staff_member(request.user):
        if path == "/":
            return redirect("/clinic/")
        if not path.startswith(STAFF_PATHS):
            return _not_found(request, "a patient's page")
    elif path.startswith(STAFF_PATHS):
        return _not_found(request, "a staff page")
    return None


def idle_limit_s(request: HttpRequest) -> float:
    limit = settings.CLINIC_STAFF_IDLE if scope.is_staff_member(request.user) else None
    return (limit or settings.CLINIC_PATIENT_IDLE).total_seconds()


def timed_out(request: HttpRequest) -> bool:
    """Whether this login has gone unused too long; notes the request otherwise."""
    now = time.time()
    seen = request.session.get(SEEN_KEY)
    if seen is not None and now - seen > idle_limit_s(request):
        return True
    if seen is None or now - seen > SEEN_EVERY_S:
        request.session[SEEN_KEY] = now
    return False


def clinic_session(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.CLINIC_MODE:
            return get_response(request)
        with scope.one_reading():
            return in_clinic(request)

    def in_clinic(request: HttpRequest) -> HttpResponse:
        token = getattr(request, "api_token", False)  # no session, so no idle timer
        if not token and request.user.is_authenticated and timed_out(request):
            logout(request)
            query = urlencode({"next": request.get_full_path(), "timeout": "1"})
            return redirect(f"{settings.LOGIN_URL}?{query}")
        refused = check_path(request)
        if refused is not None:
            return refused
        with scope.acting_as(request.user):
            return get_response(request)

    return middleware
