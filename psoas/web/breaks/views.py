"""The break pages: where breaks stand (/breaks/), the guided break (/breaks/now/), the
one-tap actions (I moved, snooze, skip, quiet), and the Settings page's Breaks forms.

Every action is a POST form that works without script; the reminder script
(static/breaks/reminders.js) uses the JSON API for the same actions. Reads never write.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from psoas.core.breaks.scheduler import quiet_until
from psoas.web.breaks import pages, services
from psoas.web.breaks.codec import FieldError, parse_zone
from psoas.web.breaks.forms import read_form
from psoas.web.breaks.models import BreakConfig
from psoas.web.site.people import person_for

ACTIONS = {  # form value -> (event kind, quiet choice)
    "moved": ("taken", None),
    "skipped": ("skipped", None),
    "snoozed": ("snoozed", None),
    "quiet_1h": ("quiet", "1h"),
    "quiet_tomorrow": ("quiet", "until-tomorrow"),
}


def _page(request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
    person = person_for(request)
    now = timezone.now()
    ctx = {
        **pages.status_context(person, now),
        "done": pages.DONE_WORDS.get(request.GET.get("done", ""), ""),
        "error": error,
        "now_url": pages.NOW_URL,
    }
    return render(request, "breaks/breaks.html", ctx, status=status)


@never_cache
@require_safe
def breaks_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@never_cache
@require_safe
def break_now(request: HttpRequest) -> HttpResponse:
    """The guided break: the routine the core picks for the person today, played by the
    session player (exercises) or as a timed walk."""
    person = person_for(request)
    now = timezone.now()
    settings = services.load_settings(person)
    st = services.status(person, now)
    day = services.today(settings, now)
    routine = services.routine_for(person, day, settings.break_min, st.today.taken)
    ctx: dict[str, Any] = {"routine": routine, "minutes": max(1, round(routine.seconds / 60))}
    if routine.kind == "walk":
        ctx["clock"] = f"{routine.seconds // 60}:{routine.seconds % 60:02d}"
        return render(request, "breaks/now_walk.html", ctx)
    # A new key after each break taken: a reload resumes this one, the next starts fresh.
    data = pages.player_data(routine, f"break-{day.isoformat()}-{st.today.taken}")
    ctx.update(
        data=data,
        first=data["exercises"][0],
        scale=range(11),
        heading="Move break",
        quit_words="End the break now",
        done_title="Break done",
    )
    return render(request, "breaks/now_exercises.html", ctx)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """One tap: I moved (a break taken), skip, snooze, or quiet for an hour or until
    tomorrow. A snooze the rules refuse (too late, or none left) is a 409 saying why."""
    person = person_for(request)
    now = timezone.now()
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        words = ", ".join(ACTIONS)
        return _page(request, 400, f"Action: '{action[:40]}' is not one; use one of {words}.")
    kind, quiet = ACTIONS[action]
    settings = services.load_settings(person)
    if kind == "snoozed":
        refusal = services.status(person, now).snooze_refusal
        if refusal:
            return _page(request, 409, f"Snooze: {refusal}")
    until = quiet_until(settings, now, quiet) if quiet else None
    services.record(person, kind, now, until=until, source="web")
    return redirect(_next(request, f"/breaks/?done={kind}"))


# --- the Settings page's Breaks section ----------------------------------------------------


def settings_context(request: HttpRequest) -> dict[str, Any]:
    """For the Settings page (account/views.py): the section's status and form."""
    return pages.settings_section(
        person_for(request), timezone.now(), request.GET.get("breaks", "")
    )


def _zone_or_default(typed: str) -> str:
    """The zone the browser sent; else this computer's (local mode serves the person's own
    computer); else UTC."""
    from psoas.breaks_desktop.zone import system_zone

    try:
        return parse_zone(typed)
    except FieldError:
        return system_zone() or "UTC"


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Move breaks on or off in one step. The first time, the zone comes from the browser."""
    person = person_for(request)
    on = request.POST.get("on") == "1"
    settings = services.load_settings(person)
    if not BreakConfig.objects.filter(person=person).exists():
        settings = replace(settings, zone=_zone_or_default(request.POST.get("zone", "")))
    services.save_settings(person, replace(settings, enabled=on), timezone.now(), "web")
    return redirect(f"/settings/?breaks={'on' if on else 'off'}#breaks")


@require_POST
def save_settings(request: HttpRequest) -> HttpResponse:
    """The settings form: every wrong box named at once (400), what was typed kept."""
    from psoas.web.account.views import _context

    person = person_for(request)
    base = services.load_settings(person)
    post = request.POST.copy()
    if not post.get("zone", "").strip():
        post["zone"] = _zone_or_default("")
    settings, form = read_form(post, base)
    if settings is None:
        section = pages.settings_section(person, timezone.now(), form=form)
        ctx = _context(request, breaks=section, error_list=form.error_list())
        return render(request, "account/settings.html", ctx, status=400)
    services.save_settings(person, replace(settings, enabled=base.enabled), timezone.now(), "web")
    return redirect("/settings/?breaks=saved#breaks")
