"""The iCalendar export (RFC 5545): the active plan's sessions as recurring events with a
reminder, for any calendar app.

Events are derived from the plan's `ScheduledSession` rows. Sessions of one kind that fall
on the same weekdays in consecutive weeks, and read the same (name, exercises, doses,
length), become one event with a weekly rule (`RRULE:FREQ=WEEKLY;BYDAY=..;COUNT=n`); a
change of dose starts a new event, so each event's length and exercise list are exact for
every day it recurs. Within one program week each weekday occurs once, so such a rule
expands to exactly the scheduled days.

Times are floating (no time zone): 07:30 stays 07:30 wherever the person is, as an
exercise habit should. UIDs are derived from the plan and the event, so exporting again
updates the same events in a calendar instead of adding copies.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from psoas.web.programs.models import Plan

IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://psoas.example/ics")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Series:
    """One recurring event: a session kind on fixed weekdays over consecutive weeks."""

    session_index: int
    weekdays: tuple[int, ...]  # 0 is Monday
    weeks: tuple[int, ...]
    dates: tuple[date, ...]
    session: dict[str, Any]  # the plan's session; it reads the same every week of the series


def dose_words(ex: dict[str, Any]) -> str:
    sets = f"{ex['sets']} set" + ("s" if ex["sets"] != 1 else "")
    side = " on each side" if ex["side"] == "each" else ""
    if ex["reps"] is not None:
        pause = f" with a {ex['hold_s']} s pause at the top" if ex["hold_s"] else ""
        return f"{sets} of {ex['reps']} reps{side}{pause}"
    return f"{sets} of {ex['hold_s']} s{side}"


def _minutes(session: dict[str, Any]) -> int:
    """Whole minutes, rounded up, so the calendar keeps the full session free."""
    return max(1, math.ceil(session["estimated_minutes"]))


def _lines(session: dict[str, Any]) -> list[str]:
    return [f"{ex['name']}: {dose_words(ex)}" for ex in session["exercises"]]


def _reads_the_same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same title, length and exercise list: the calendar cannot tell the weeks apart."""
    return (a["name"], _minutes(a), _lines(a)) == (b["name"], _minutes(b), _lines(b))


def series(plan: Plan) -> list[Series]:
    """Group the plan's scheduled days into recurring events (see the module docstring)."""
    days: dict[tuple[int, int], list[date]] = defaultdict(list)
    for day, week, index in plan.scheduled.order_by("date").values_list(
        "date", "week", "session_index"
    ):
        days[(index, week)].append(day)
    out: list[Series] = []
    for (index, week), dates in sorted(days.items()):
        session = plan.data["weeks"][week - 1]["sessions"][index]
        weekdays = tuple(sorted({d.weekday() for d in dates}))
        last = out[-1] if out else None
        if (
            last
            and (last.session_index, last.weekdays, last.weeks[-1] + 1) == (index, weekdays, week)
            and _reads_the_same(last.session, session)
        ):
            out[-1] = replace(last, weeks=(*last.weeks, week), dates=(*last.dates, *dates))
        else:
            out.append(Series(index, weekdays, (week,), tuple(dates), session))
    return out


def _description(s: Series, total_weeks: int) -> str:
    first, last = s.weeks[0], s.weeks[-1]
    weeks = f"Week {first}" if first == last else f"Weeks {first} to {last}"
    lines = [
        f"{weeks} of your {total_weeks}-week psoas program, about {_minutes(s.session)} minutes:",
        *(f"- {line}" for line in _lines(s.session)),
        "",
        "Run 'psoas today' to see the session for the day: it changes with how your last "
        "sessions went. Stop an exercise if it hurts.",
    ]
    return "\n".join(lines)


def _event(plan: Plan, s: Series, at: time, alarm_minutes: int, stamp: datetime) -> Event:
    name = f"{plan.pk}/{plan.created_at.isoformat()}/{s.session_index}/{s.dates[0]}"
    title = f"psoas: {s.session['name']}"
    event = Event.new(
        uid=uuid.uuid5(IDS, name),
        stamp=stamp,
        start=datetime.combine(s.dates[0], at),
        summary=title,
        description=_description(s, len(plan.data["weeks"])),
    )
    event.add("duration", timedelta(minutes=_minutes(s.session)))
    byday = [WEEKDAYS[d] for d in s.weekdays]
    event.add("rrule", {"freq": "weekly", "byday": byday, "count": len(s.dates)})
    alarm = Alarm.new(description=f"Time for your session: {s.session['name']}")
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(minutes=-alarm_minutes))
    event.add_component(alarm)
    return event


def calendar(plan: Plan, at: time, alarm_minutes: int) -> tuple[bytes, int]:
    """The plan as an .ics file, and the number of events in it."""
    stamp = datetime.now(UTC).replace(microsecond=0)
    events = [_event(plan, s, at, alarm_minutes, stamp) for s in series(plan)]
    cal = Calendar.new(
        uid=uuid.uuid5(IDS, f"{plan.pk}/{plan.created_at.isoformat()}"),
        prodid="-//psoas//psoas export//EN",
        name="psoas program",
        method="PUBLISH",
        calscale="GREGORIAN",
        subcomponents=events,
    )
    return cal.to_ical(), len(events)
