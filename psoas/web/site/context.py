"""What every page's frame needs: the main sections and which one the page belongs to,
and in clinic mode the count of unread messages (asked only when a page shows it)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest

NAV = [
    ("/today/", "Today"),
    ("/plan/", "Plan"),
    ("/progress/", "Progress"),
    ("/learn/", "Learn"),
    ("/settings/", "Settings"),
]
# A clinic's patients also have their messages with their care team (psoas/web/messages).
CLINIC_NAV = [*NAV[:-1], ("/messages/", "Messages"), NAV[-1]]
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
    return next((href for href, _ in CLINIC_NAV if path.startswith(href)), None)


def site(request: HttpRequest) -> dict:
    current = section(request.path)
    items = CLINIC_NAV if settings.CLINIC_MODE else NAV
    out = {
        "nav": [{"href": h, "label": label, "current": h == current} for h, label in items],
        "login_required": settings.REQUIRE_LOGIN,
        "clinic_mode": settings.CLINIC_MODE,
    }
    if settings.CLINIC_MODE:
        from psoas.web.clinic.scope import acting_as
        from psoas.web.messages.threads import unread_for

        def unread() -> int:
            # in the user's own scope: a 404 page is drawn outside the request's
            with acting_as(request.user):
                return unread_for(request.user)

        # a template calls it when it shows the count; cached, so one query a page
        out["unread_messages"] = cache(unread)
    return out
