"""Session reminder emails in a clinic: the patient's form on Settings, and the jobs.

A patient sets a time and their time zone (the page fills in the browser's); psoas then
emails them at that time on each day their plan has a session, until the session is
done. Every five minutes a periodic job (`remind`, once however many workers run) finds
the reminders due by the rule in psoas/core/reminders.py and queues one email each
(`reminder_email`), which goes out once per person and day (`jobs.once`), sent within the
block so that a mail server that refuses it gets the retry (docs/jobs.md).

The email says only that today's session is waiting, with a link to Today: no exercise,
no pain, nothing about the plan. Local mode has no email, so no reminders: a calendar
file or link does that job there.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from psoas import jobs
from psoas.core.reminders import reminder_due
from psoas.jobs.failures import person_arg
from psoas.web.account.models import SessionReminder
from psoas.web.site.people import person_for

CRON = "*/5 * * * *"
TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@cache
def zones() -> list[str]:
    """The IANA time zones a patient may choose from, sorted: the places, and UTC (what a
    device set to no place reports)."""
    places = (z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return sorted({*places, "UTC"})


class ReminderError(ValueError):
    """A field of the reminder form that is not allowed: its name and the message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_form(at: str, zone: str) -> tuple[time, str]:
    """The time and zone of the form, or ReminderError naming the field."""
    found = TIME.fullmatch(at.strip())
    if found is None:
        raise ReminderError("reminder_at", f"Time: give a time from 00:00 to 23:59, not {at!r}.")
    zone = zone.strip()
    if zone not in zones():
        raise ReminderError(
            "reminder_zone",
            f"Time zone: give a place such as Europe/London, or UTC, not {zone!r}.",
        )
    return time(int(found[1]), int(found[2])), zone


def section(request: HttpRequest) -> dict[str, Any] | None:
    """The Settings page's reminder section (clinic mode only), as the person has it."""
    if not settings.CLINIC_MODE:
        return None
    found = SessionReminder.objects.filter(person=person_for(request)).first()
    return {
        "on": found is not None,
        "at": found.at.strftime("%H:%M") if found else "18:00",
        "zone": found.zone if found else "",
        "zones": zones(),
    }


def save(request: HttpRequest) -> HttpResponse | dict[str, str]:
    """The form's POST: `action=off` removes the reminder; otherwise the time and zone are
    saved. A field that is not allowed gives {field: message} for the page to show."""
    if not settings.CLINIC_MODE:
        raise Http404("reminder emails are for clinic mode")
    person = person_for(request)
    if request.POST.get("action") == "off":
        SessionReminder.objects.filter(person=person).delete()
        return redirect("/settings/?done=reminder-off#reminders")
    try:
        at, zone = parse_form(request.POST.get("at", ""), request.POST.get("zone", ""))
    except ReminderError as err:
        return {err.field: str(err)}
    SessionReminder.objects.update_or_create(
        person=person, defaults={"at": at, "zone": zone, "last_sent_on": None}
    )
    return redirect("/settings/?done=reminder-on#reminders")


# --- the jobs -------------------------------------------------------------------------------


def _session_waiting(person: Any, day: date) -> bool:
    """Whether the person's plan has a session on `day` that they have not done, begun or
    stopped (an interrupted one, closed by a crash, does not count as begun)."""
    from psoas.web.programs.services import active_plan
    from psoas.web.tracking.models import SessionLog
    from psoas.web.tracking.queries import session_on

    plan = active_plan(person)
    if plan is None or plan.data.get("status") != "ok":
        return False
    if session_on(plan, day)["status"] != "session":
        return False
    logs = SessionLog.objects.filter(person=person, date=day)
    return not logs.exclude(status=SessionLog.Status.INTERRUPTED).exists()


def due(now: datetime) -> list[tuple[int, str]]:
    """(person id, their local date) of each reminder due at `now` (an aware time)."""
    out = []
    rows = SessionReminder.objects.filter(person__user__isnull=False).select_related("person")
    for r in rows:
        local = now.astimezone(ZoneInfo(r.zone))
        if reminder_due(local, r.at, r.last_sent_on) and _session_waiting(r.person, local.date()):
            out.append((r.person_id, local.date().isoformat()))
    return out


@jobs.task(queue="upkeep", retries=0, cron=CRON, queueing_lock="psoas-reminders")
def remind(timestamp: int) -> None:
    """Every five minutes: one email job for each reminder due (on the upkeep queue, with
    the alert sweep; the emails themselves go on the mail queue)."""
    found = due(datetime.fromtimestamp(timestamp, UTC))
    if found:
        reminder_email.task.batch_defer(*({"person_id": p, "day": d} for p, d in found))


@jobs.task(queue="mail", retries=5, about=person_arg())
def reminder_email(person_id: int, day: str) -> None:
    """The patient's reminder for `day` (their local date), once."""
    from psoas.web.clinic.mail import compose

    reminder = (
        SessionReminder.objects.filter(person_id=person_id)
        .select_related("person__user", "person__clinic_patient__clinic")
        .first()
    )
    user = reminder.person.user if reminder else None
    patient = getattr(reminder.person, "clinic_patient", None) if reminder else None
    if user is None or patient is None:  # turned off, or the login closed, since
        return
    message = compose(
        user.email or user.username,
        patient.clinic.name,
        "Your psoas session for today",
        "Your session for today is waiting",
        [
            "This is the reminder you asked for: today is one of your session days.",
            "You can turn these emails off in Settings.",
        ],
        f"{settings.APP_ORIGIN}/today/",
        "Open today's session",
    )
    with jobs.once(f"reminder:{person_id}:{day}") as first:
        if first:
            SessionReminder.objects.filter(pk=reminder.pk).update(
                last_sent_on=date.fromisoformat(day)
            )
            message.send()  # in the block: a refused send rolls it all back for the retry
