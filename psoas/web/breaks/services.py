"""The store's break side: settings, events, and what the core makes of them.

The web app and `psoas breaks` (the CLI and its desktop runner) both call these, on the
same database, so each sees the other's events. Whoever shows a reminder first claims it
(`claim_prompt`): the other then stays quiet, so a person with a tab open and the runner
going gets one reminder, not two.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from psoas.core.breaks.model import EVENT_KINDS, BreakEvent, BreakSettings
from psoas.web.breaks.codec import FieldError, settings_from_json, settings_to_json
from psoas.web.breaks.models import BreakConfig, BreakLog
from psoas.web.programs.models import Person

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


def events(person: Person, since: datetime) -> list[BreakEvent]:
    """The person's events from `since` on, oldest first."""
    rows = BreakLog.objects.filter(person=person, at__gte=since).values_list(
        "at", "kind", "until", "source"
    )
    return [BreakEvent(at=a, kind=k, until=u, source=s) for a, k, u, s in rows]


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
