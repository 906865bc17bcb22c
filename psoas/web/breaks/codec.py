"""Break settings as JSON and back, checked field by field.

The store keeps the core's BreakSettings as one JSON object; the settings page, the API and
`psoas breaks settings` all send what a person typed through `settings_from_json`, so a
wrong value is refused in one place with a message that names the field and what is
allowed. Times are "HH:MM" on the settings' own wall clock; working hours are a list of
[start, end] spans per weekday ("mon" to "sun"), an empty list for a day off.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import time
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psoas.core.breaks.model import (
    BREAK_MAX,
    BREAK_MIN,
    INTERVAL_MAX,
    INTERVAL_MIN,
    WEEKDAYS,
    BreakSettings,
    Span,
)

SNOOZE_MIN_RANGE = (1, 30)  # minutes one snooze puts a reminder off
SNOOZES_RANGE = (0, 5)  # snoozes per reminder
NATURAL_RANGE = (1, 60)  # minutes away that count as a break
FIXED_TIMES_MAX = 12
SPANS_PER_DAY_MAX = 4
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)", re.ASCII)
FIELDS = tuple(BreakSettings.__dataclass_fields__)


class FieldError(ValueError):
    """A wrong setting or event: `field` names it (e.g. "working_hours.mon"), the message says what
    is allowed."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def settings_to_json(s: BreakSettings) -> dict[str, Any]:
    data = asdict(s)
    data["working_hours"] = {
        day: [[hhmm(span.start), hhmm(span.end)] for span in s.working_hours.get(day, ())]
        for day in WEEKDAYS
    }
    data["fixed_times"] = [hhmm(t) for t in s.fixed_times]
    return data


def settings_from_json(data: Any, base: BreakSettings | None = None) -> BreakSettings:
    """BreakSettings from a JSON object; fields left out keep their value in `base` (the
    defaults when None). Unknown fields are an error, as in a profile."""
    if not isinstance(data, dict):
        raise FieldError("settings", "must be a JSON object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise FieldError(unknown[0], f"is not a setting; the settings are {', '.join(FIELDS)}")
    base = base or BreakSettings()
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "enabled":
            values[name] = _flag(name, value)
        elif name == "zone":
            values[name] = parse_zone(value)
        elif name == "interval_min":
            values[name] = _whole(name, value, INTERVAL_MIN, INTERVAL_MAX, "minutes")
        elif name == "break_min":
            values[name] = _whole(name, value, BREAK_MIN, BREAK_MAX, "minutes")
        elif name == "snooze_min":
            values[name] = _whole(name, value, *SNOOZE_MIN_RANGE, "minutes")
        elif name == "snoozes":
            values[name] = _whole(name, value, *SNOOZES_RANGE, "snoozes")
        elif name == "natural_break_min":
            values[name] = None if value is None else _whole(name, value, *NATURAL_RANGE, "minutes")
        elif name == "working_hours":
            values[name] = _working_hours(value)
        elif name == "fixed_times":
            values[name] = _fixed_times(value)
    return BreakSettings(**{**{n: getattr(base, n) for n in FIELDS}, **values})


def parse_zone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("zone", "give a time zone name, such as Europe/Berlin")
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise FieldError(
            "zone", f"'{name[:60]}' is not a time zone name; use one such as Europe/Berlin"
        ) from None
    return name


def parse_time(field: str, value: Any) -> time:
    text = value.strip() if isinstance(value, str) else ""
    m = _HHMM.fullmatch(text)
    if not m:
        raise FieldError(field, f"'{value}' is not a time; write it as HH:MM, such as 09:30")
    return time(int(m[1]), int(m[2]))


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(field, "must be true or false")
    return value


def _whole(field: str, value: Any, low: int, high: int, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(field, f"must be a whole number from {low} to {high} {unit}")
    return value


def _working_hours(value: Any) -> dict[str, tuple[Span, ...]]:
    if not isinstance(value, dict):
        raise FieldError("working_hours", "must give each weekday (mon to sun) a list of hours")
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        raise FieldError(
            f"working_hours.{unknown[0]}", "is not a weekday; use mon, tue, wed, thu, fri, sat, sun"
        )
    return {day: parse_spans(f"working_hours.{day}", value.get(day, [])) for day in WEEKDAYS}


def parse_spans(field: str, value: Any) -> tuple[Span, ...]:
    """A day's working hours: [start, end] pairs, each start before its end, not overlapping
    (a day's spans end by midnight; work past midnight goes on the next day's list)."""
    if not isinstance(value, list) or len(value) > SPANS_PER_DAY_MAX:
        raise FieldError(
            field, f"must be a list of up to {SPANS_PER_DAY_MAX} [start, end] pairs of times"
        )
    spans = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise FieldError(field, "each part of the day is a [start, end] pair of times")
        start, end = parse_time(field, pair[0]), parse_time(field, pair[1])
        if start >= end:
            raise FieldError(field, f"{hhmm(start)} to {hhmm(end)}: the start must come first")
        spans.append(Span(start, end))
    spans.sort(key=lambda s: s.start)
    for a, b in pairwise(spans):
        if b.start < a.end:
            raise FieldError(
                field,
                f"{hhmm(a.start)}-{hhmm(a.end)} and {hhmm(b.start)}-"
                f"{hhmm(b.end)} overlap; join them or move one",
            )
    return tuple(spans)


def _fixed_times(value: Any) -> tuple[time, ...]:
    if not isinstance(value, list) or len(value) > FIXED_TIMES_MAX:
        raise FieldError("fixed_times", f"must be a list of up to {FIXED_TIMES_MAX} times")
    return tuple(sorted({parse_time("fixed_times", t) for t in value}))
