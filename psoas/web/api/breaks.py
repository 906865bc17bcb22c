"""Move breaks (issue 15), as `psoas breaks` does them: where they stand, what happened,
and the settings. The browser's reminder script (breaks/static/breaks/reminders.js) reads
GET /api/breaks to learn when the next reminder comes, and claims it with a "prompted"
event before it shows a notification, so the desktop runner and a second tab stay quiet.

A snooze the rules refuse (too late after the reminder, none left, no reminder shown), a
reminder claimed that is not due or was already shown, are 409s saying why; a wrong
setting is a 422 naming the field. Nothing is saved on an error. Times are the server's:
a client sends no time of its own."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError

from psoas.core.breaks.scheduler import quiet_until
from psoas.web.api.common import BODY_ERRORS, answers, invalid
from psoas.web.api.schemas import (
    BreakDayOut,
    BreakEventIn,
    BreakFinishIn,
    BreakFinishOut,
    BreakSettingsIn,
    BreakSettingsOut,
    BreakStatusOut,
)
from psoas.web.breaks import services
from psoas.web.breaks.codec import FieldError, settings_from_json, settings_to_json
from psoas.web.breaks.pages import NOW_URL
from psoas.web.programs.models import Person
from psoas.web.site.people import person_for

router = Router(tags=["breaks"])


def _status(person: Person) -> dict[str, Any]:
    now = timezone.now()
    st = services.status(person, now)
    settings = services.load_settings(person)
    return {
        "enabled": st.enabled,
        "now": now,
        "next_at": st.next.at,
        "reason": st.next.reason,
        "snoozes_left": st.next.snoozes_left,
        "can_snooze_until": st.next.can_snooze_until,
        "shown_at": st.shown_at,
        "can_snooze": st.snooze_refusal is None,
        "snooze_refusal": st.snooze_refusal,
        "quiet_until": st.quiet_until,
        "break_min": settings.break_min,
        "snooze_min": settings.snooze_min,
        "break_url": NOW_URL,
        "today": st.today,
    }


@router.get("/breaks", response=answers(BreakStatusOut))
def get_breaks(request):
    """Like `psoas breaks status --json`: on or off, the next reminder and why, a reminder
    shown and not answered yet, whether it may be snoozed, the quiet time, and today's
    numbers."""
    return _status(person_for(request))


@router.get("/breaks/stats", response=answers(list[BreakDayOut]))
def get_stats(request):
    """The last 7 days (the person's own dates), oldest first, as `psoas breaks stats`."""
    person = person_for(request)
    now = timezone.now()
    return services.stats(person, services.today(services.load_settings(person), now), now)


@router.post("/breaks/events", response=answers(BreakStatusOut, *BODY_ERRORS, 409))
def post_event(request, payload: BreakEventIn):
    """What the person did, now: `taken` (a guided break), `moved` ("I moved": counts as a
    break taken), `skipped`, `snoozed` (only early after the reminder, and only as often as
    the settings allow; else 409), `quiet` with `quiet` 1h or until-tomorrow, or
    `prompted` (a client shows the due reminder; 409 if it is not due or another runner
    showed it). Answers the status after it."""
    person = person_for(request)
    now = timezone.now()
    settings = services.load_settings(person)
    if payload.kind == "quiet" and payload.quiet is None:
        raise invalid(
            ["body", "payload", "quiet"], "a quiet time needs quiet: 1h or until-tomorrow"
        )
    if payload.kind != "quiet" and payload.quiet is not None:
        raise invalid(["body", "payload", "quiet"], f"only kind quiet takes it, not {payload.kind}")
    if payload.kind == "prompted":
        due = services.status(person, now).next.at
        if due is None or due > now:
            raise HttpError(409, "kind: no reminder is due now; GET /api/breaks says when")
        if not services.claim_prompt(person, due, now, "web"):
            raise HttpError(
                409, "kind: this reminder was already shown (psoas breaks run, or another tab)"
            )
        return _status(person)
    if payload.kind == "snoozed":
        refusal = services.status(person, now).snooze_refusal
        if refusal:
            raise HttpError(409, f"kind: {refusal}")
    kind = "taken" if payload.kind == "moved" else payload.kind
    until = quiet_until(settings, now, payload.quiet) if payload.quiet else None
    services.record(person, kind, now, until=until, source="web")
    return _status(person)


@router.post("/breaks/now/finish", response=answers(BreakFinishOut, *BODY_ERRORS))
def finish_break(request, payload: BreakFinishIn):
    """The end of a guided break (what the web player sends): a break played to its end
    counts as taken; one ended early or stopped for pain does not."""
    person = person_for(request)
    counted = payload.status == "completed"
    if counted:
        services.record(person, "taken", timezone.now(), source="web")
    return {"counted": counted}


@router.get("/breaks/settings", response=answers(BreakSettingsOut))
def get_settings(request):
    """The break settings (the defaults, breaks off, until some are saved)."""
    return settings_to_json(services.load_settings(person_for(request)))


@router.put("/breaks/settings", response=answers(BreakSettingsOut, *BODY_ERRORS))
def put_settings(request, payload: BreakSettingsIn):
    """Change the settings: fields left out keep their value (and weekdays left out of
    `working_hours` keep their hours); `enabled` switches breaks on or off. Working hours
    are [start, end] pairs of HH:MM per weekday ([] for a day off), each start before its
    end, not overlapping."""
    person = person_for(request)
    data = payload.model_dump(exclude_unset=True)
    current = services.load_settings(person)
    if data.get("working_hours") is not None:  # days left out keep their hours
        data["working_hours"] = {
            **settings_to_json(current)["working_hours"],
            **data["working_hours"],
        }
    try:
        settings = settings_from_json(data, current)
    except FieldError as exc:
        raise invalid(["body", "payload", *exc.field.split(".")], exc.message) from None
    saved = services.save_settings(person, settings, timezone.now(), "web")
    return settings_to_json(saved)
