"""The iCalendar export (RFC 5545): the program's sessions as recurring events with a
reminder, for any calendar app; the same file feeds the calendar subscription.

A program runs in blocks of six weeks (`psoas/web/programs/blocks.py`). The calendar holds
every block of the plan in force: the blocks before it, each chosen at the end of the one
before, kept as they were; the block in force; and a next block once chosen (it is then
the plan in force, starting on its day). Each event says its block and week. Until a next
block is chosen, one all-day event after the last session asks for the re-test and links
to the block page. So a subscribed calendar rolls on to the next block by itself.

Events are derived from each plan's `ScheduledSession` rows. Sessions of one kind that fall
on the same weekdays in consecutive weeks, and read the same (name, exercises, doses,
length), become one event with a weekly rule (`RRULE:FREQ=WEEKLY;BYDAY=..;COUNT=n`); a
change of dose starts a new event, so each event's length and exercise list are exact for
every day it recurs. Each day reads its session in the version of the program in force
that day (a clinician's edit ends an event and starts another). Within one program week
each weekday occurs once, so such a rule expands to exactly the scheduled days.

Times are floating (no time zone): 07:30 stays 07:30 wherever the person is, as an
exercise habit should. UIDs are derived from the plan and the event, so exporting again
updates the same events in a calendar instead of adding copies; a block's UIDs stay the
same when a next block joins it.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from psoas.web.programs.blocks import block_of, last_session_date
from psoas.web.programs.models import BlockReview, Plan
from psoas.web.programs.versions import plan_on

IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://psoas.example/ics")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BLOCK_PAGE = "/block/"  # the app's page for the re-test and the choice
RETEST = "Re-test and choose your next block"
KIND_WORDS = {
    "progress": "This block steps up from where the last one ended.",
    "maintain": "This block keeps what you reached, on fewer days.",
}


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


def series(plan: Plan, until: date | None = None) -> list[Series]:
    """Group the plan's scheduled days before `until` (the next block's first day) into
    recurring events (see the module docstring). Each day reads its session in the version
    of the program in force that day, so a clinician's edit ends one event and starts
    another, and the days before it keep what the person was asked to do then."""
    days: dict[tuple[int, int], list[tuple[date, dict[str, Any]]]] = defaultdict(list)
    rows = plan.scheduled.order_by("date")
    if until is not None:
        rows = rows.filter(date__lt=until)
    for day, week, index in rows.values_list("date", "week", "session_index"):
        session = plan_on(plan, day)["weeks"][week - 1]["sessions"][index]
        days[(index, week)].append((day, session))
    out: list[Series] = []
    for (index, week), dated in sorted(days.items()):  # each (index, week) once
        for dates, session in _runs(dated):
            weekdays = tuple(sorted({d.weekday() for d in dates}))
            last = out[-1] if out else None
            if (
                last
                and (last.session_index, last.weekdays, last.weeks[-1] + 1)
                == (index, weekdays, week)
                and _reads_the_same(last.session, session)
            ):
                out[-1] = replace(last, weeks=(*last.weeks, week), dates=(*last.dates, *dates))
            else:
                out.append(Series(index, weekdays, (week,), tuple(dates), session))
    return out


def _runs(
    dated: list[tuple[date, dict[str, Any]]],
) -> list[tuple[list[date], dict[str, Any]]]:
    """One week's days of a session, split where an edit changed how it reads."""
    runs: list[tuple[list[date], dict[str, Any]]] = []
    for day, session in dated:
        if runs and _reads_the_same(runs[-1][1], session):
            runs[-1][0].append(day)
        else:
            runs.append(([day], session))
    return runs


def _weeks(s: Series) -> str:
    first, last = s.weeks[0], s.weeks[-1]
    return f"week {first}" if first == last else f"weeks {first} to {last}"


def _description(s: Series, block: dict[str, Any], total_weeks: int) -> str:
    kind = KIND_WORDS.get(block["kind"])
    lines = [
        f"Block {block['number']}, {_weeks(s)} of {total_weeks} of your psoas program. "
        f"About {_minutes(s.session)} minutes.",
        *([kind] if kind else []),
        "",
        *(f"- {line}" for line in _lines(s.session)),
        "",
        "Run 'psoas today' to see the session for the day: it changes with how your last "
        "sessions went. Stop an exercise if it hurts.",
    ]
    return "\n".join(lines)


def _event(plan: Plan, s: Series, at: time, alarm_minutes: int, stamp: datetime) -> Event:
    name = f"{plan.pk}/{plan.created_at.isoformat()}/{s.session_index}/{s.dates[0]}"
    block = block_of(plan)
    title = f"psoas: {s.session['name']} (block {block['number']}, {_weeks(s)})"
    event = Event.new(
        uid=uuid.uuid5(IDS, name),
        stamp=stamp,
        start=datetime.combine(s.dates[0], at),
        summary=title,
        description=_description(s, block, len(plan.data["weeks"])),
    )
    event.add("duration", timedelta(minutes=_minutes(s.session)))
    byday = [WEEKDAYS[d] for d in s.weekdays]
    event.add("rrule", {"freq": "weekly", "byday": byday, "count": len(s.dates)})
    alarm = Alarm.new(description=f"Time for your session: {s.session['name']}")
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(minutes=-alarm_minutes))
    event.add_component(alarm)
    return event


def retest_day(plan: Plan, today: date) -> date | None:
    """The re-test's day in the calendar: the day after the block's last session, or
    today while it is still to do after that (no next block was chosen yet)."""
    last = last_session_date(plan)
    return None if last is None else max(last + timedelta(days=1), today)


def _retest(plan: Plan, day: date, stamp: datetime, origin: str | None) -> Event:
    """One all-day event: the block is done, re-test and choose. Its UID is the plan's,
    so it moves (today, while it waits) rather than repeats."""
    number = block_of(plan)["number"]
    where = (
        f"Open {origin.rstrip('/')}{BLOCK_PAGE} to do it."
        if origin
        else "Open psoas and go to the block page, or run 'psoas block retest'."
    )
    event = Event.new(
        uid=uuid.uuid5(IDS, f"{plan.pk}/{plan.created_at.isoformat()}/retest"),
        stamp=stamp,
        start=day,
        end=day + timedelta(days=1),
        summary=f"psoas: {RETEST}",
        description=(
            f"Block {number} of your program is done. Do the two self-tests again and give "
            "your pain and activity scores. You see before and after side by side. Then "
            "choose what comes next: step up, keep what you reached, or see a clinician. " + where
        ),
    )
    if origin:
        event.add("url", f"{origin.rstrip('/')}{BLOCK_PAGE}")
    return event


def blocks_in_view(plan: Plan) -> list[Plan]:
    """`plan` and the blocks that led to it, oldest first: each later block was chosen at
    the end of the one before. A plan made afresh (a new start) begins a new line."""
    came_from = dict(
        BlockReview.objects.filter(person_id=plan.person_id, next_plan__isnull=False).values_list(
            "next_plan_id", "plan_id"
        )
    )
    ids = [plan.pk]
    while ids[0] in came_from and came_from[ids[0]] not in ids:
        ids.insert(0, came_from[ids[0]])
    found = Plan.objects.in_bulk(ids)
    return [found[i] for i in ids]


def calendar(
    plan: Plan,
    at: time,
    alarm_minutes: int,
    origin: str | None = None,
    today: date | None = None,
) -> tuple[bytes, int]:
    """The program as an .ics file, and the number of events in it. `plan` is the plan in
    force; `origin` (such as "https://psoas.example.org") makes the re-test event link to
    the block page. A referral (no sessions) gives a calendar with no events."""
    stamp = datetime.now(UTC).replace(microsecond=0)
    line = blocks_in_view(plan)
    events = []
    for block, after in zip(line, [*line[1:], None], strict=True):
        until = after.start_date if after is not None else None
        events += [_event(block, s, at, alarm_minutes, stamp) for s in series(block, until)]
    day = retest_day(plan, today or date.today()) if plan.data["status"] == "ok" else None
    if day is not None:
        events.append(_retest(plan, day, stamp, origin))
    first = line[0]
    cal = Calendar.new(
        uid=uuid.uuid5(IDS, f"{first.pk}/{first.created_at.isoformat()}"),
        prodid="-//psoas//psoas export//EN",
        name="psoas program",
        method="PUBLISH",
        calscale="GREGORIAN",
        subcomponents=events,
    )
    return cal.to_ical(), len(events)
