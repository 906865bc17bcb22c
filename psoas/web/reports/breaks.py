"""Move breaks in the report (issue 15): the range's totals and a row per week, from the
same day numbers as Progress and `psoas breaks stats`. Empty when the range has no break
event, so a report without breaks keeps its two pages."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from psoas.core.breaks.model import DayStats
from psoas.web.breaks.services import all_days
from psoas.web.programs.models import Person

WEEKS_SHOWN = 12  # a phone-free A4 page: the latest weeks, the rest counted
COUNTS = ("prompted", "taken", "natural", "snoozed", "skipped")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def break_summary(person: Person, start: date, end: date, now: datetime) -> dict[str, Any] | None:
    days = [d for d in all_days(person, now) if start <= date.fromisoformat(d.day) <= end]
    if not days:
        return None
    weeks: dict[date, list[DayStats]] = defaultdict(list)
    for d in days:
        weeks[_monday(date.fromisoformat(d.day))].append(d)
    rows = [
        {
            "week_start": monday.isoformat(),
            **{k: sum(getattr(d, k) for d in ds) for k in COUNTS},
            "longest": max(d.longest_sitting_min for d in ds),
        }
        for monday, ds in sorted(weeks.items())
    ]
    worst = max(days, key=lambda d: d.longest_sitting_min)
    return {
        **{k: sum(getattr(d, k) for d in days) for k in COUNTS},
        "longest": worst.longest_sitting_min,
        "longest_day": worst.day,
        "weeks": rows[-WEEKS_SHOWN:],
        "more_weeks": max(len(rows) - WEEKS_SHOWN, 0),
    }
