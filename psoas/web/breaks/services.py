"""The store's break side: settings, events, and what the core makes of them.

The web app and `psoas breaks` (the CLI and its desktop runner) both call these, on the
same database, so each sees the other's events. Whoever shows a reminder first claims it
(`claim_prompt`): the other then stays quiet, so a person with a tab open and the runner
going gets one reminder, not two.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from psoas.core.breaks.hours import WorkingHours, local_day, zone_of
from psoas.core.breaks.model import (
    EVENT_KINDS,
    BreakEvent,
    BreakSettings,
    DayStats,
    NextReminder,
)
from psoas.core.breaks.scheduler import (
    current_cycle,
    history,
    is_on,
    next_reminder,
    quiet_end,
    snooze_refusal,
)
from psoas.core.breaks.stats import day_stats, week_stats
from psoas.web.breaks.codec import FieldError, settings_from_json, settings_to_json
from psoas.web.breaks.models import BreakConfig, BreakLog
from psoas.web.programs.models import Person

if TYPE_CHECKING:
    from psoas.core.breaks.routine import Routine

SOURCES = ("web", "cli", "desktop", "idle", "")
LOOKBACK = timedelta(days=8)  # the scheduler's recent events and a week's statistics


def load_settings(person: Person) -> BreakSettings:
    """The person's settings; the defaults (breaks off) until they save some. A row that no
    longer passes the checks (a newer psoas wrote it) keeps what still does."""
    row = BreakConfig.objects.filter(person=person).only("settings").first()
    if row is None:
        return BreakSettings()
    try:
        return settings_from_json(row.settings)
    except FieldError:
        good = {}
        for name, value in row.settings.items():
            try:
                settings_from_json({name: value})
            except FieldError:
                continue
            good[name] = value
        return settings_from_json(good)


def save_settings(
    person: Person, settings: BreakSettings, now: datetime | None = None, source: str = ""
) -> BreakSettings:
    """Store the settings (checked again, as they may come from anywhere). Switching breaks
    on or off is also an "on" or "off" event at `now`, which the scheduler counts from."""
    checked = settings_from_json(settings_to_json(settings))
    with transaction.atomic():
        _lock(person)
        before = load_settings(person)
        BreakConfig.objects.update_or_create(
            person=person, defaults={"settings": settings_to_json(checked)}
        )
        if checked.enabled != before.enabled:
            _add(person, "on" if checked.enabled else "off", now or timezone.now(), None, source)
    return checked


def switch(
    person: Person, on: bool, now: datetime | None = None, source: str = ""
) -> BreakSettings:
    """Breaks on or off in one step, the other settings kept."""
    return save_settings(person, replace(load_settings(person), enabled=on), now, source)


def record(
    person: Person, kind: str, at: datetime, until: datetime | None = None, source: str = ""
) -> BreakEvent:
    """Add one event. "quiet" needs `until` after `at`; no other kind has one."""
    if kind not in EVENT_KINDS:
        raise FieldError("kind", f"'{kind}' is not an event; use one of {', '.join(EVENT_KINDS)}")
    if kind in ("on", "off"):
        raise FieldError("kind", f"switch breaks {kind} through the settings, not as an event")
    _check_time("at", at)
    if kind == "quiet":
        if until is None:
            raise FieldError("until", "a quiet time needs the time it ends")
        _check_time("until", until)
        if until <= at:
            raise FieldError("until", "must come after the time the quiet starts")
    elif until is not None:
        raise FieldError("until", f"only a quiet time has an end, not '{kind}'")
    if source not in SOURCES:
        raise FieldError("source", f"'{source}' is not a source; use one of {', '.join(SOURCES)}")
    with transaction.atomic():
        return _add(person, kind, at, until, source)


def events(person: Person, since: datetime | None = None) -> list[BreakEvent]:
    """The person's events from `since` on (all of them when None), oldest first."""
    rows = BreakLog.objects.filter(person=person)
    if since is not None:
        rows = rows.filter(at__gte=since)
    values = rows.values_list("at", "kind", "until", "source")
    return [BreakEvent(at=a, kind=k, until=u, source=s) for a, k, u, s in values]


@dataclass(frozen=True)
class BreakStatus:
    """Where a person's breaks stand at a moment: what the pages, the API and
    `psoas breaks status` show."""

    enabled: bool  # on in the settings and not switched off since
    next: NextReminder
    shown_at: datetime | None  # a reminder shown and not answered yet (take, skip, snooze)
    snooze_refusal: str | None  # why it cannot be snoozed now; None when it can
    quiet_until: datetime | None
    today: DayStats


def status(person: Person, now: datetime) -> BreakStatus:
    settings = load_settings(person)
    recent = events(person, now - LOOKBACK)
    hist = history(recent, now)
    shown = current_cycle(hist, WorkingHours(settings), now).shown if hist else None
    return BreakStatus(
        enabled=is_on(settings, hist),
        next=next_reminder(settings, now, recent),
        shown_at=shown,
        snooze_refusal=snooze_refusal(settings, now, recent),
        quiet_until=quiet_end(hist, now),
        today=day_stats(settings, recent, today(settings, now), now),
    )


def today(settings: BreakSettings, now: datetime) -> date:
    """The person's own date at `now` (their settings' zone)."""
    return local_day(now, zone_of(settings.zone))


def stats(
    person: Person, day: date, now: datetime, settings: BreakSettings | None = None
) -> list[DayStats]:
    """The 7 days ending on `day` (the person's date), oldest first; `settings` when the
    caller has read them already."""
    settings = settings or load_settings(person)
    return week_stats(settings, events(person, now - LOOKBACK), day, now)


def all_days(person: Person, now: datetime) -> list[DayStats]:
    """Every day with a break event, oldest first: for the report and the CSV. Each day
    is counted from its own events and the last switch on or off before it, so three
    years of breaks cost one pass, not one pass per day."""
    settings = load_settings(person)
    zone = zone_of(settings.zone)
    by_day: dict[date, list[BreakEvent]] = defaultdict(list)
    switch: BreakEvent | None = None
    for event in events(person):
        if event.at > now:
            break
        day = local_day(event.at, zone)
        if day not in by_day and switch is not None:
            by_day[day].append(switch)
        by_day[day].append(event)
        if event.kind in ("on", "off"):
            switch = event
    return [day_stats(settings, evs, day, now) for day, evs in by_day.items()]


def routine_for(person: Person, day: date, break_min: int, turn: int = 0) -> Routine:
    """The break for this person on `day` (their own date): from the week of their active
    plan, walking only while the program is stopped (the core's `break_routine`). `turn`
    (the breaks taken today) varies the pick."""
    # here, not at the top: the desktop runner imports this module and stays lean without
    # the content catalog the routine needs
    from psoas.core.breaks.routine import REFER, break_routine
    from psoas.core.content.loader import catalog
    from psoas.core.planning.schedule import program_week
    from psoas.core.profile import parse_profile
    from psoas.web.programs.services import active_plan
    from psoas.web.tracking.day import day_session_for_reading

    cat = catalog()
    plan = active_plan(person)
    if plan is None:
        return break_routine(None, None, cat, break_min)
    stopped = REFER if day_session_for_reading(person, plan, day)["status"] == "refer" else None
    profile = parse_profile(plan.profile.data)
    week = program_week(plan.start_date, day)
    return break_routine(plan.data, profile, cat, break_min, week, stopped=stopped, turn=turn)


def claim_prompt(person: Person, due: datetime, now: datetime, source: str) -> bool:
    """Record that a reminder due at `due` is being shown, unless another runner already
    showed it: True when this caller should show it. One at a time per person (the row
    lock), so two runners asking at once cannot both win."""
    with transaction.atomic():
        _lock(person)
        if BreakLog.objects.filter(person=person, kind="prompted", at__gte=due).exists():
            return False
        _add(person, "prompted", now, None, source)
    return True


def _add(
    person: Person, kind: str, at: datetime, until: datetime | None, source: str
) -> BreakEvent:
    BreakLog.objects.create(person=person, kind=kind, at=at, until=until, source=source)
    return BreakEvent(at=at, kind=kind, until=until, source=source)  # type: ignore[arg-type]


def _lock(person: Person) -> None:
    """Serialise this person's break writes (PostgreSQL row lock; SQLite's immediate
    transactions already take the database's write lock)."""
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))


def _check_time(field: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise FieldError(field, "must be a date and time with its time zone")
