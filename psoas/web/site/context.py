"""What every page's frame needs: the main sections and which one the page belongs to."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

NAV = [
    ("/today/", "Today"),
    ("/plan/", "Plan"),
    ("/progress/", "Progress"),
    ("/learn/", "Learn"),
    ("/settings/", "Settings"),
]
# Pages that belong under a section without sharing its path.
SECTION_OF = {
    "/session/": "/today/",
    "/breaks/": "/today/",
    "/exercises/": "/plan/",
    "/self-tests/": "/plan/",
}


def section(path: str) -> str | None:
    for prefix, owner in SECTION_OF.items():
        if path.startswith(prefix):
            return owner
    return next((href for href, _ in NAV if path.startswith(href)), None)


def site(request: HttpRequest) -> dict:
    current = section(request.path)
    return {
        "nav": [{"href": h, "label": label, "current": h == current} for h, label in NAV],
        "login_required": settings.REQUIRE_LOGIN,
        "clinic_mode": settings.CLINIC_MODE,
    }
