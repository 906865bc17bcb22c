"""Who may use the app. On loopback the machine's own user is the only one who can reach
it, so no login; bound to another address (`psoas serve --host`) anyone on the network
could, so every page and API route asks for a login first."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

# What must be reachable without a login: the login page itself, the files it uses, what
# the browser fetches on its own (manifest, service worker), and the calendar feed, whose
# secret link is its own key (calendar apps cannot log in).
OPEN_PATHS = ("/login/", "/static/", "/manifest.webmanifest", "/sw.js", "/ping", "/calendar/")


def login_off_loopback(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if (
            settings.REQUIRE_LOGIN
            and not request.user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "login: log in first"}, status=401)
            return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")
        return get_response(request)

    return middleware
