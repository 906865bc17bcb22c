"""What the break pages show, in words: the status, the Settings section, a week on
Progress and the guided break's player data. Times are shown on the person's own clock
(their settings' zone)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.safestring import mark_safe

from psoas.core.breaks.hours import zone_of
from psoas.core.breaks.model import BreakSettings, DayStats
from psoas.core.breaks.routine import Routine
from psoas.web.breaks import services
from psoas.web.breaks.forms import DAY_NAMES, HOURS_HINT, SettingsForm, form_values
from psoas.web.breaks.models import BreakConfig
from psoas.web.outcomes.charts import day_columns
from psoas.web.programs.models import Person

NOW_URL = "/breaks/now/"
DONE_WORDS = {
    "on": "Move breaks are on.",
    "off": "Move breaks are off. Your settings are kept.",
    "saved": "Your break settings are saved.",
    "taken": "Well done. That break counts.",
    "skipped": "Skipped. The next reminder comes after your usual time.",
    "snoozed": "Snoozed.",
    "quiet": "Quiet time is on.",
}


def when(t: datetime | None, settings: BreakSettings, now: datetime) -> str:
    """A time as the person reads it: "10:30", "tomorrow at 09:00", "Monday at 09:00"."""
    if t is None:
        return ""
    zone = zone_of(settings.zone)
    local, today = t.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"{local.strftime('%A')} at {clock}"


def day_words(d: DayStats) -> str:
    return (
        f"{d.taken} taken, {d.natural} natural, {d.snoozed} snoozed, {d.skipped} skipped "
        f"of {d.prompted} reminders; longest sitting {d.longest_sitting_min} minutes"
    )


def status_context(person: Person, now: datetime) -> dict[str, Any]:
    """The status in words for the breaks page, the Settings section and the banner."""
    settings = services.load_settings(person)
    st = services.status(person, now)
    return {
        "enabled": st.enabled,
        "next_at": when(st.next.at, settings, now),
        "next_due": st.next.at is not None and st.next.at <= now,
        "reason": st.next.reason,
        "shown": st.shown_at is not None,
        "can_snooze": st.snooze_refusal is None,
        "snooze_refusal": st.snooze_refusal,
        "snoozes_left": st.next.snoozes_left,
        "snooze_min": settings.snooze_min,
        "quiet_until": when(st.quiet_until, settings, now),
        "today": st.today,
        "zone": settings.zone,
        "interval_min": settings.interval_min,
        "break_min": settings.break_min,
    }


def settings_section(
    person: Person, now: datetime, done: str = "", form: SettingsForm | None = None
) -> dict[str, Any]:
    """The Settings page's Breaks section. Until the person saves settings, the zone box is
    empty and the page's script fills in the browser's zone (the server's is the fallback)."""
    saved = BreakConfig.objects.filter(person=person).exists()
    settings = services.load_settings(person)
    if form is None:
        form = SettingsForm(form_values(settings, None if saved else ""), {})
    return {
        **status_context(person, now),
        "saved": saved,
        "errors": form.errors,
        "done": DONE_WORDS.get(done, ""),
        "top": form.fields(["interval_min", "break_min"]),
        "days": form.fields([f"hours_{d}" for d in DAY_NAMES]),
        "hours_hint": HOURS_HINT,
        "rest": form.fields(["fixed_times", "snooze_min", "snoozes", "natural_break_min", "zone"]),
    }


def week_context(person: Person, now: datetime) -> dict[str, Any]:
    """Progress: the last 7 days of breaks, with the week's totals."""
    settings = services.load_settings(person)
    days = services.stats(person, services.today(settings, now), now, settings)
    moved = sum(d.taken + d.natural for d in days)
    trend = [(date.fromisoformat(d.day), d.taken + d.natural) for d in days]
    return {
        "days": [{**asdict(d), "date": date.fromisoformat(d.day)} for d in days],
        "chart": mark_safe(day_columns(trend, "breaks", "Breaks each day, the last 7 days")),
        "moved": moved,
        "prompted": sum(d.prompted for d in days),
        "longest": max((d.longest_sitting_min for d in days), default=0),
        "any": any(d.prompted or d.taken or d.natural or d.skipped for d in days),
        "enabled": settings.enabled,
    }


def player_data(routine: Routine, key: str) -> dict[str, Any]:
    """The guided break for the session player (tracking/static/tracking/player.js): the
    same steps, words and pictures as a session. `kind: "break"` tells the player to keep
    no sets and ask no pain at the end; finishing posts to /api/breaks/now/finish."""
    from psoas.web.tracking.pages import exercise_items, timeline

    session = routine.session()
    return {
        "kind": "break",
        "session_id": key,
        "block": "Move break",
        "steps": timeline(session),
        "exercises": exercise_items(session),
        "saved": [],
        "api": "/api/breaks/now",
    }
