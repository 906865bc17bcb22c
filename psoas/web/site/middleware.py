"""Who may use the app, and from where.

- `same_origin_writes`: a change (POST, PUT, PATCH, DELETE) is taken only from psoas's own
  pages, never from another web page the person has open; the JSON API takes only
  `application/json` bodies. In every mode, pages and API alike.
- `local_access`: on loopback, only a browser that opened the link `psoas serve` printed
  (another account on the same computer can reach 127.0.0.1 too).
- `login_off_loopback`: bound to another address (`psoas serve --host`) or behind a proxy,
  every page and API route asks for a login first.
- `content_security_policy`: the browser runs only psoas's own script files.

The rules and their reasons are in docs/web.md ("Who can use it").
"""

from __future__ import annotations

import hashlib
import logging
import re
from base64 import b64encode
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare

log = logging.getLogger("psoas.security")

# What must be reachable without the loopback link (local_access): the files pages use,
# what the browser fetches on its own (manifest, service worker), the health checks, and
# the calendar feed, whose secret link is its own key (calendar apps cannot log in).
LOCAL_OPEN_PATHS = (
    "/static/",
    "/manifest.webmanifest",
    "/sw.js",
    "/ping",
    "/healthz",
    "/calendar/",
)
# What must be reachable without a login: the same, the login page itself and the page a
# phone link opens (its one-time code is the key: psoas/web/account/pairing.py); in
# clinic mode the invitation page (its code is the key) and password reset by email.
OPEN_PATHS = ("/login/", "/invite/", "/password-reset/", *LOCAL_OPEN_PATHS, "/pair/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# The browser's own word on where a request comes from (Fetch Metadata): "none" is the
# person typing an address or using a bookmark.
SAME_ORIGIN_SITES = ("same-origin", "none")
ACCESS_SALT = "psoas.local-access"
ACCESS_MAX_AGE = 365 * 24 * 3600  # a year; browsers keep a cookie at most about that long


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.lstrip("/").startswith("api/")


def _refuse(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


def cross_origin(request: HttpRequest) -> str | None:
    """Why a change request comes from another site, or None when it does not.

    Browsers say where a request comes from: `Sec-Fetch-Site` (every current browser) and
    `Origin` (on every cross-origin change request). Either one naming another site is a
    refusal. A request with neither comes from a program (curl, a script, the CLI's
    tests), not from a web page the person visits, so it goes on to the next checks:
    Django's CSRF token on pages and the JSON content type on the API, which a page on
    another site cannot send without the browser asking first (a CORS preflight, which
    psoas never allows)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAME_ORIGIN_SITES:
        return f"Sec-Fetch-Site: a change from a page of another site ({site}) is refused"
    origin = request.headers.get("Origin")
    if origin is not None:
        own = f"{request.scheme}://{request.get_host()}"
        if origin != own and origin not in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
            return f"Origin: a change from {origin} is refused; psoas takes changes from {own}"
    return None


def _is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def same_origin_writes(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            why = cross_origin(request)
            if why:
                log.warning("refused %s %s: %s", request.method, request.path, why)
                return _refuse(request, 403, why)
            if _is_api(request) and not _is_json(request):
                return _refuse(
                    request,
                    415,
                    "Content-Type: send application/json "
                    f"(got {request.content_type or 'no content type'})",
                )
        return get_response(request)

    return middleware


def access_cookie_name(request: HttpRequest) -> str:
    """One cookie per port: browsers send a 127.0.0.1 cookie to every port of it."""
    return f"psoas-access-{request.get_port()}"


def _has_access(request: HttpRequest, token: str) -> bool:
    value = request.COOKIES.get(access_cookie_name(request))
    if value:
        try:
            signing.loads(value, salt=ACCESS_SALT, max_age=ACCESS_MAX_AGE)
            return True
        except signing.BadSignature:
            pass
    auth = request.headers.get("Authorization", "")
    scheme, _, given = auth.partition(" ")
    return scheme.lower() == "bearer" and constant_time_compare(given.strip(), token)


def _let_in(request: HttpRequest) -> HttpResponse:
    """The link's first use: a long-lived signed cookie, and the same address without the
    token (so it stays out of the history and of any Referer)."""
    query = request.GET.copy()
    del query["token"]
    target = request.path + (f"?{urlencode(query, doseq=True)}" if query else "")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        access_cookie_name(request),
        signing.dumps("local", salt=ACCESS_SALT),
        max_age=ACCESS_MAX_AGE,
        httponly=True,
        samesite="Lax",
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def local_access(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        token = settings.LOCAL_ACCESS_TOKEN
        if not token or settings.REQUIRE_LOGIN or request.path.startswith(LOCAL_OPEN_PATHS):
            return get_response(request)
        given = request.GET.get("token")
        if (
            given is not None
            and request.method in ("GET", "HEAD")
            and constant_time_compare(given, token)
        ):
            return _let_in(request)
        if _has_access(request, token):
            return get_response(request)
        if _is_api(request):
            return JsonResponse(
                {"detail": "access: open the link that `psoas serve` printed first"}, status=401
            )
        response = render(request, "site/access.html", status=403)
        response["Cache-Control"] = "no-store"
        return response

    return middleware


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


def _style_hashes() -> list[str]:
    """The one inline style the pages carry: the exercise figure's reduced-motion rule
    (psoas/core/figure/svg.py), allowed by its hash rather than by 'unsafe-inline'."""
    from psoas.core.figure import svg

    blocks = re.findall(r"<style>(.*?)</style>", svg._STYLE, re.S)
    return [
        "'sha256-" + b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'" for b in blocks
    ]


def policy(*, wasm: bool = False) -> str:
    """The Content-Security-Policy. `wasm`: scripts may also compile WebAssembly
    ('wasm-unsafe-eval': not eval() or new Function() of JavaScript text), for the one page
    that runs the camera coach's pose model (tracking/views.py)."""
    rules = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *(["'wasm-unsafe-eval'"] if wasm else [])],
        "style-src": ["'self'", *_style_hashes()],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    text = "; ".join(f"{k} {' '.join(v)}" for k, v in rules.items())
    if settings.HTTPS_ORIGIN:
        text += "; upgrade-insecure-requests"
    return text


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    header = policy()

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", header)
        return response

    return middleware
