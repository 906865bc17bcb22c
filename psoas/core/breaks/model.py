"""The data the break scheduler reads and returns: settings, what happened, what is next.

Times are aware datetimes (any zone); working hours and fixed times are wall-clock times
in the settings' own IANA time zone, so a change of clock (DST) moves them with the
person's day while intervals stay real minutes. Research defaults (research/clinical.md
section 8): a reminder every 30 minutes of sitting (20 to 60), a break of a few minutes of
light walking or movement, quiet hours and snooze, and never shaming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal, get_args

INTERVAL_MIN, INTERVAL_MAX, INTERVAL_DEFAULT = 20, 60, 30  # minutes of sitting
BREAK_MIN, BREAK_MAX, BREAK_DEFAULT = 1, 5, 2  # minutes a break takes
SNOOZE_MIN_DEFAULT = 5  # minutes a snooze puts a reminder off
SNOOZES_DEFAULT = 2  # snoozes allowed for one reminder; after that, take it or skip it
SNOOZE_WINDOW_S = 60  # a snooze is offered only this early after the reminder comes
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

EventKind = Literal[
    "prompted",  # a reminder was shown
    "taken",  # the break was done (guided, or "I moved")
    "natural",  # away from the computer for longer than a break: counts as one
    "snoozed",  # put off by `snooze_min`
    "skipped",  # not this time
    "quiet",  # no reminders until `until`
    "on",  # breaks switched on
    "off",  # breaks switched off
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


@dataclass(frozen=True)
class Span:
    """Part of a day, wall clock, start before end (a span past midnight is two spans)."""

    start: time
    end: time


def office_hours() -> dict[str, tuple[Span, ...]]:
    """Monday to Friday, 9 to 5: the default working hours."""
    day = (Span(time(9), time(17)),)
    return {d: day if d not in ("sat", "sun") else () for d in WEEKDAYS}


@dataclass(frozen=True)
class BreakSettings:
    enabled: bool = False
    zone: str = "UTC"  # IANA name, e.g. "Europe/Berlin"
    interval_min: int = INTERVAL_DEFAULT
    break_min: int = BREAK_DEFAULT
    working_hours: dict[str, tuple[Span, ...]] = field(default_factory=office_hours)
    fixed_times: tuple[time, ...] = ()  # reminders at these clock times too (in hours)
    snooze_min: int = SNOOZE_MIN_DEFAULT
    snoozes: int = SNOOZES_DEFAULT  # per reminder
    natural_break_min: int | None = None  # idle this long counts as a break; None: break_min


@dataclass(frozen=True)
class BreakEvent:
    at: datetime  # aware
    kind: EventKind
    until: datetime | None = None  # for "quiet"
    source: str = ""  # where it came from: "cli", "web", "desktop", "idle"


@dataclass(frozen=True)
class NextReminder:
    """What the scheduler says comes next. `at` is None when nothing is due (breaks off)."""

    at: datetime | None
    reason: str  # in plain words: "30 minutes after your last break", "at 15:00", ...
    snoozes_left: int  # for the reminder at `at`
    can_snooze_until: datetime | None  # the end of the snooze window, when it is shown


@dataclass(frozen=True)
class DayStats:
    day: str  # ISO date in the settings' zone
    prompted: int
    taken: int
    natural: int
    snoozed: int
    skipped: int
    longest_sitting_min: int  # the longest stretch in working hours without a break
