"""Move breaks set up so a reminder is due when a test wants it: breaks on all day in a
zone where it is about noon now (so no start of work, at midnight, resets the clock in the
middle of a test), switched on one interval before the reminder should come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from psoas.core.breaks.model import WEEKDAYS
from psoas.web.breaks import services
from psoas.web.breaks.codec import settings_from_json
from psoas.web.programs.models import Person

ALL_DAY = {d: [["00:00", "23:59"]] for d in WEEKDAYS}


def noon_zone(now: datetime) -> str:
    """An IANA zone (Etc/GMT±N) where the clock shows 11:30 to 12:29 at `now`: rounded to
    the nearest hour, so a test that starts at 12:59 UTC is not one minute from a zone where
    it is already 13:00 and the day's end is an hour nearer than the test expects."""
    utc = now.astimezone(UTC)
    offset = 12 - round(utc.hour + utc.minute / 60)
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc names flip the sign


def due_at(person: Person, due: datetime, interval_min: int = 20, **settings) -> None:
    """Breaks on, working all day, so that the first reminder comes at `due`."""
    data = {
        "enabled": True,
        "zone": noon_zone(due),
        "interval_min": interval_min,
        "working_hours": ALL_DAY,
        **settings,
    }
    services.save_settings(
        person, settings_from_json(data), due - timedelta(minutes=interval_min), "web"
    )
